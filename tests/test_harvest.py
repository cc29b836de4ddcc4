"""``harvest``: six operators' releases from their portals (local endpoints in each portal's envelope) into the
catalogue as versions with change layers; unchanged sources add nothing; faults store nothing."""

from __future__ import annotations

import subprocess
import sys

import pytest

from leo_catalogue.harvest.run import harvest, stored_rows
from leo_catalogue.harvest.schedule import every_seconds, repeat
from leo_catalogue.store import get_record, init_catalogue, list_versions

from .support.dno_portals import ENWL_KEY, DnoPortals
from .support.servers import ROOT

OPERATORS = ["SSEN", "NGED", "UKPN", "NPG", "ENWL", "SPEN"]


@pytest.fixture
def engine(tmp_path):
    from leo_catalogue.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'catalogue.sqlite'}")
    init_catalogue(engine)
    return engine


@pytest.fixture
def portals(monkeypatch):
    monkeypatch.setenv("LEO_HARVEST_APIKEY_ENWL", ENWL_KEY)
    with DnoPortals() as running:
        yield running


def _record(engine, dataset):
    with engine.connect() as conn:
        return get_record(conn, dataset)


def _versions(engine, dataset):
    with engine.connect() as conn:
        return [v["version"] for v in list_versions(conn, dataset)]


def test_six_operators_harvested_then_a_new_release_adds_versions_and_change_layers(engine, portals):
    first = harvest(engine, urls=portals.urls())
    assert [r.operator for r in first] == OPERATORS
    assert [r.status for r in first] == ["new version"] * 6, [r.line() for r in first]
    assert {r.operator: r.rows for r in first} == {"SSEN": 68, "NGED": 8, "UKPN": 8, "NPG": 8, "ENWL": 8, "SPEN": 14}
    ukpn = stored_rows(engine, "gb-headroom-ukpn", "1")
    maidstone = next(r for r in ukpn if r["name"] == "Maidstone")
    assert maidstone["operator"] == "UKPN" and maidstone["substation_type"] == "BSP"
    assert maidstone["demand_rag_derived"] and maidstone["demand_rag"] in ("Red", "Amber", "Green")
    enwl = _record(engine, "gb-headroom-enwl")
    assert enwl.publisher == "Electricity North West" and enwl.feature_count == 8
    spen = _record(engine, "gb-headroom-spen")
    assert any("Rows without a location" in n and "Pinkston" in n for n in spen.notes)  # reported, not dropped

    again = harvest(engine, urls=portals.urls())
    assert [r.status for r in again] == ["unchanged"] * 6
    assert _versions(engine, "gb-headroom-nged") == ["1"]

    portals.release = 2  # the operators publish again
    second = harvest(engine, urls=portals.urls())
    by = {r.operator: r for r in second}
    assert by["SSEN"].status == "unchanged"  # re-stamped, same content: the hash says so
    for operator in ("NGED", "UKPN", "NPG", "ENWL", "SPEN"):
        assert by[operator].status == "new version" and by[operator].version == "2", by[operator].line()
        assert by[operator].changes["new"] >= 1 and by[operator].changes["removed"] >= 1
    assert _versions(engine, "gb-headroom-nged") == ["1", "2"]  # the earlier version kept
    changes = stored_change_rows(engine, "gb-headroom-nged-changes", "2")
    kinds = {r["name"]: r["change"] for r in changes}
    assert kinds["Kitts Green"] == "removed" and kinds["Birmingham New Primary"] == "new"
    nechells = next(r for r in changes if r["name"] == "Nechells")
    assert nechells["change"] == "changed" and nechells["demand_difference"] == pytest.approx(-6.5)
    assert nechells["demand_unit"] == "MVA" and nechells["demand_then"] - nechells["demand_now"] == pytest.approx(6.5)
    assert "changed" in by["NGED"].line() and "removed" in by["NGED"].line()


def stored_change_rows(engine, dataset, version):
    from sqlalchemy import select

    from leo_catalogue.schema import dataset_table
    from leo_qgis_plugin.core.formats.headroom_changes import CHANGE_FIELDS

    with engine.connect() as conn:
        stored = next(v for v in list_versions(conn, dataset) if v["version"] == version)
        table = dataset_table(stored["table_name"], CHANGE_FIELDS)
        return [dict(r._mapping) for r in conn.execute(select(*[table.c[f.name] for f in CHANGE_FIELDS]))]


@pytest.mark.parametrize("fault, said", [
    ("500", "HTTP 500"), ("html", "did not answer"), ("cut", "cut short"), ("rename", "Was a column renamed?"),
])
def test_a_fault_half_way_stores_nothing_and_the_next_run_resumes(engine, portals, fault, said):
    # The dataset description answers, then the export fails.
    portals.faults["npg"] = ["", fault]
    result, = harvest(engine, ["npg"], portals.urls())
    assert result.status == "failed" and said in result.message and "Northern Powergrid" in result.message
    assert "heatmapsubstationareas" in result.message
    assert _record(engine, "gb-headroom-npg") is None
    retried, = harvest(engine, ["npg"], portals.urls())
    assert retried.status == "new version" and retried.version == "1"


def test_rate_limits_are_kept_and_429_is_waited_out(engine, portals):
    portals.faults["ukpn"] = ["429"]
    result, = harvest(engine, ["ukpn"], portals.urls())
    assert result.status == "new version"
    times = [t for _path, _agent, t in portals.requests_to("ukpn")]
    # Seen from the server, so allow for a loaded machine's scheduling: without waiting the gaps are milliseconds.
    assert len(times) == 3 and times[1] - times[0] >= 0.9  # Retry-After: 1
    nged, = harvest(engine, ["nged"], portals.urls())
    times = [t for _path, _agent, t in portals.requests_to("nged")]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert nged.status == "new version" and min(gaps) >= 0.4  # NGED's configured half second


def test_ssen_gets_a_browser_user_agent_and_enwl_its_key(engine, portals, monkeypatch):
    ssen, = harvest(engine, ["ssen"], portals.urls())
    assert ssen.status == "new version"
    assert all(agent.startswith("Mozilla/5.0") for _p, agent, _t in portals.requests_to("ssen"))
    monkeypatch.setenv("LEO_HARVEST_APIKEY_ENWL", "wrong")
    enwl, = harvest(engine, ["enwl"], portals.urls())
    assert enwl.status == "failed" and "HTTP 401" in enwl.message and "key was refused" in enwl.message
    monkeypatch.delenv("LEO_HARVEST_APIKEY_ENWL")
    enwl, = harvest(engine, ["enwl"], portals.urls())
    assert "needs an API key" in enwl.message


def test_an_unreachable_portal_is_a_clear_failure(engine):
    result, = harvest(engine, ["spen"], {"spen": "http://127.0.0.1:9/"}, timeout=2)
    assert result.status == "failed" and "SP Energy Networks's portal could not be reached" in result.message


def test_the_command_line_harvests_and_schedules(tmp_path, portals):
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    args = [sys.executable, "-m", "leo_catalogue", "harvest", "--db", db, "--operator", "npg", "--portal",
            f"npg={portals.url_of('npg')}"]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "NPG: version 1 of gb-headroom-npg, 8 substations" in done.stdout
    again = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "NPG: unchanged since version 1" in again.stdout
    bad = subprocess.run(args[:-4] + ["--every", "soon"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "not an interval" in bad.stderr
    bad = subprocess.run(args[:-1] + ["npg"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "'npg' is not KEY=URL" in bad.stderr and "Traceback" not in bad.stderr
    assert every_seconds("1d") == 86400 and every_seconds("30m") == 1800
    runs, waits = [], []
    repeat(lambda: runs.append(1) or True, 5, sleep=waits.append, times=3)
    assert len(runs) == 3 and len(waits) == 2 and all(4 < w <= 5 for w in waits)


def test_a_change_layer_a_failure_left_behind_is_rebuilt(engine, portals):
    from leo_catalogue.db import write_transaction
    from leo_catalogue.store import delete_dataset

    harvest(engine, ["npg"], portals.urls())
    portals.release = 2
    harvest(engine, ["npg"], portals.urls())
    with write_transaction(engine) as conn:  # as if storing the change layer had failed after the release
        delete_dataset(conn, "gb-headroom-npg-changes")
    result, = harvest(engine, ["npg"], portals.urls())
    assert result.status == "unchanged" and result.changes["new"] == 1 and result.changes["removed"] == 1
    assert _record(engine, "gb-headroom-npg-changes").version == "2"
