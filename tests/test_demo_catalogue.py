"""The demo catalogue: the promised datasets, honest about what is real, the same on every machine."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import shapely
from sqlalchemy import func, select, text

from leo_catalogue.db import make_engine
from leo_catalogue.demo.areas import supply_areas
from leo_catalogue.demo.boundaries import county_outline, read_layer
from leo_catalogue.demo.flex import event_rows, zone_rows
from leo_catalogue.demo.headroom_csv import headroom_csv
from leo_catalogue.demo.load import load_rows
from leo_catalogue.demo.network import build_network, primaries
from leo_catalogue.records import Provenance
from leo_catalogue.store import get_record

from .support.demo import DATASETS, PRIMARIES
from .support.servers import ROOT

REAL = {"oxon-districts", "oxon-msoa", "leo-mvs-leod041f06", "leo-price-2019-01-23"}


def records_of(path):
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        return {dataset_id: get_record(conn, dataset_id) for dataset_id in DATASETS}, engine


def test_every_dataset_states_provenance_licence_and_attribution(demo_sqlite_path):
    records, _ = records_of(demo_sqlite_path)
    for dataset_id, record in records.items():
        assert record is not None, dataset_id
        expected = Provenance.REAL if dataset_id in REAL else Provenance.SYNTHETIC
        assert record.provenance == expected, dataset_id
        assert record.licence and record.attribution and record.description, dataset_id
        if expected == Provenance.SYNTHETIC:
            assert "synthetic" in record.title.lower() or "Synthetic" in record.description, dataset_id


def test_sizes_and_structure(demo_sqlite_path):
    records, _ = records_of(demo_sqlite_path)
    assert records["oxon-districts"].feature_count == 5
    assert records["oxon-msoa"].feature_count == 85
    assert records["ssen-headroom"].feature_count == 68
    assert records["ssen-primary-areas"].feature_count == PRIMARIES - 1  # the unlocated primary has no area
    load = records["substation-load-hh"]
    # a year of half-hours per primary, minus Bampton's gap, plus one clock-change duplicate each
    assert load.feature_count == PRIMARIES * 17520 - 3 * 48 - 16 + PRIMARIES
    assert load.time_field == "timestamp" and load.site_field == "primary_id"
    assert records["flex-events"].time_start_field == "start" and records["flex-events"].time_end_field == "end"
    assert records["flex-zones"].time_start_field == "service_start"
    assert records["ssen-headroom"].notes and "Culham" in records["ssen-headroom"].notes[-1]


def test_time_indexes_exist(demo_sqlite_path):
    records, engine = records_of(demo_sqlite_path)
    table = records["substation-load-hh"].table_name
    with engine.connect() as conn:
        indexes = {row[1] for row in conn.execute(text(f"PRAGMA index_list('{table}')"))}
        plan = " ".join(str(r) for r in conn.execute(
            text(f"EXPLAIN QUERY PLAN SELECT * FROM [{table}] WHERE timestamp = '2025-01-01 00:30:00.000000'")))
    assert f"ix_{table}_timestamp" in indexes and f"ix_{table}_site_time" in indexes
    assert "USING INDEX" in plan


def test_didcot_and_cholsey_zone_as_published(demo_sqlite_path):
    _, engine = records_of(demo_sqlite_path)
    with engine.connect() as conn:
        record = get_record(conn, "flex-zones")
        row = conn.execute(text(f'SELECT mw_required, window_start, window_end, service_days FROM "{record.table_name}" '
                                "WHERE name = 'Didcot and Cholsey'")).one()
    assert tuple(row) == (5.0, "16:30", "18:10", "weekdays")


def test_supply_areas_lie_in_the_county_and_do_not_overlap():
    districts = read_layer("lad20", ["lad20cd", "lad20nm"])
    county = county_outline(districts)
    areas = supply_areas(primaries(build_network()), county)
    assert len(areas) == PRIMARIES - 1
    union = shapely.union_all(list(areas.values()))
    assert abs(union.area - county.area) / county.area < 0.01
    total = sum(a.area for a in areas.values())
    assert abs(total - union.area) / union.area < 0.001


def _digest(rows) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(sorted((k, v.wkb if hasattr(v, "wkb") else v) for k, v in row.items())).encode())
    return digest.hexdigest()


def test_generation_is_deterministic():
    assert headroom_csv(build_network()) == headroom_csv(build_network())
    first = next(load_rows(primaries(build_network())))
    again = next(load_rows(primaries(build_network())))
    assert _digest(first) == _digest(again)
    districts = read_layer("lad20", ["lad20cd", "lad20nm"])
    prims = primaries(build_network())
    areas = supply_areas(prims, county_outline(districts))
    names = {p.asset_id: p.name for p in prims}
    zones = zone_rows({names[a]: g for a, g in areas.items()}, {p.name: p.asset_id for p in prims})
    assert _digest(event_rows(zones)) == _digest(event_rows(zones))


def test_real_boundaries_are_kept_as_published(demo_sqlite_path):
    records, engine = records_of(demo_sqlite_path)
    with engine.connect() as conn:
        table = records["oxon-msoa"].table_name
        codes = {r[0] for r in conn.execute(text(f'SELECT msoa11cd FROM "{table}"'))}
        invalid = conn.execute(text(f"SELECT IsValid(geom) FROM [{table}] WHERE msoa11cd = 'E02005981'")).scalar()
        count = conn.execute(select(func.count()).select_from(text(f'"{table}"'))).scalar()
    assert "E02005989" not in codes and "E02005990" not in codes and count == 85
    assert invalid == 0


def test_cli_init_uses_leo_database_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'env.sqlite'}"
    result = subprocess.run([sys.executable, "-m", "leo_catalogue", "init"], cwd=ROOT, capture_output=True, text=True,
                            env={"LEO_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "env.sqlite").exists()


def test_cli_help_lists_the_commands():
    result = subprocess.run([sys.executable, "-m", "leo_catalogue", "--help"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    for command in ("init", "load-demo", "serve", "import-ssen-headroom"):
        assert command in result.stdout
