"""``import-lv-feeder``: SSEN's LV-feeder file (real rows, with its real postcode lookup) streamed into a
time-series dataset; the streaming reader gives the same rows as the whole-file one; bad files change
nothing. Also the audit command and bringing a schema-3 catalogue up to date in place."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
import shapely
from sqlalchemy import text

from leo_catalogue.db import make_engine
from leo_catalogue.records import AccessLevel, DatasetKind, DatasetRecord, Provenance
from leo_catalogue.schema import catalogue_meta
from leo_catalogue.store import get_record, init_catalogue, list_versions, put_dataset, schema_state
from leo_qgis_plugin.core.formats.errors import FormatError
from leo_qgis_plugin.core.formats.fields import FieldDef, FieldType
from leo_qgis_plugin.core.formats.lv_feeder import FeederReader, read_lv_feeder_csv

from .support.published_files import feeder_header, feeder_row, iso
from .support.servers import ROOT

REAL = ROOT / "leo_catalogue" / "data" / "real" / "ssen"
FEEDERS = REAL / "lv_feeder_usage_2024-02-12_head.csv"
LOOKUP = REAL / "lv_feeder_postcode_mapping.csv"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "leo_catalogue", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_cli_streams_the_real_file_with_its_postcodes(scratch_sqlite_url):
    done = cli("import-lv-feeder", str(FEEDERS), "--lookup", str(LOOKUP), "--dataset-id", "lv-feeders",
               "--db", scratch_sqlite_url)
    assert done.returncode == 0, done.stderr
    assert "Imported 10 half-hourly feeder rows into 'lv-feeders' (version 1)." in done.stdout
    engine = make_engine(scratch_sqlite_url)
    with engine.connect() as conn:
        record = get_record(conn, "lv-feeders")
        first = conn.execute(text(f'SELECT dataset_id, timestamp, avg_kw, postcodes FROM "{record.table_name}" '
                                  "ORDER BY timestamp LIMIT 1")).one()
    assert record.kind is DatasetKind.TIMESERIES and record.time_field == "timestamp"
    assert record.time_start == datetime(2024, 2, 12, 0, 30, tzinfo=timezone.utc)
    assert first.dataset_id == "000200200402", "ids keep their leading zeros"
    assert first.avg_kw == 2331.0 * 2 / 1000
    assert "DD2 4RU" in first.postcodes
    again = cli("import-lv-feeder", str(FEEDERS), "--dataset-id", "lv-feeders", "--db", scratch_sqlite_url)
    assert "(version 2)" in again.stdout


def test_streaming_reader_gives_the_same_rows_in_batches():
    data = FEEDERS.read_bytes()
    header, *rows = data.decode().splitlines(keepends=True)
    many = header + "".join(rows) * 3  # the same feeder and times again: duplicates, read once
    reader = FeederReader("file")
    batches = list(reader.batches(lambda: io.StringIO(many), size=4))
    assert [len(b) for b in batches] == [4, 4, 2] or sorted(map(len, batches)) == [2, 4, 4]
    assert reader.duplicates == 20 and "20 repeated row(s)" in reader.warnings[0] and reader.replaced == 0
    assert sorted(row["timestamp"] for batch in batches for row in batch) == \
        sorted(row["timestamp"] for row in read_lv_feeder_csv(data).rows)


def repeated_file() -> tuple[str, float]:
    """Three days of one feeder (144 half-hours) and 9 repeats: 3 re-spelt ``…Z``, 3 re-spelt in BST
    (``+01:00``), 3 re-issued with corrected values and a later last_modified_time; and the true total (Wh)."""
    stamps = [datetime(2024, 2, 12, tzinfo=timezone.utc) + timedelta(minutes=30 * (n + 1)) for n in range(144)]
    energy = {at: 500.0 + 5 * n for n, at in enumerate(stamps)}
    rows = [feeder_row(iso(at), energy[at]) for at in stamps]
    for at in stamps[10:13]:
        rows.append(feeder_row(at.strftime("%Y-%m-%dT%H:%M:%SZ"), energy[at]))
    for at in stamps[50:53]:
        rows.append(feeder_row((at + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000+01:00"), energy[at]))
    for at in stamps[100:103]:
        energy[at] += 1000  # the re-issue corrects the value
        rows.append(feeder_row(iso(at), energy[at], modified="2024-04-02T09:00:00.000Z"))
    return "\n".join([feeder_header(), *rows]) + "\n", sum(energy.values())


def test_repeats_are_one_row_per_feeder_and_instant_however_written():
    content, total = repeated_file()
    assert len(content.splitlines()) - 1 == 153
    table = read_lv_feeder_csv(content.encode())
    assert len(table.rows) == 144 and table.duplicates == 9 and table.replaced == 3
    assert sum(r["total_consumption_active_import"] for r in table.rows) == pytest.approx(total)
    assert "9 repeated row(s)" in table.warnings[0] and "3 carried corrected values" in table.warnings[0]
    # Re-issued in the other order (the correction first): the later last_modified_time still wins.
    header, *rows = content.splitlines()
    again = read_lv_feeder_csv("\n".join([header, *reversed(rows)]).encode())
    assert sum(r["total_consumption_active_import"] for r in again.rows) == pytest.approx(total)


@pytest.fixture(params=["sqlite", "postgis"])
def scratch_url(request, tmp_path) -> str:
    """An empty catalogue database of each backend (PostGIS: a new database in the session's cluster)."""
    if request.param == "sqlite":
        return request.getfixturevalue("scratch_sqlite_url")
    return request.getfixturevalue("postgres_cluster").create_database(f"lv_{tmp_path.name[-20:].lower()}")


def test_the_importer_keeps_one_row_per_feeder_and_instant(scratch_url, tmp_path):
    content, total = repeated_file()
    path = tmp_path / "lv_feeder_usage_2024-02-12.csv"
    path.write_text(content)
    done = cli("import-lv-feeder", str(path), "--dataset-id", "lv", "--db", scratch_url)
    assert done.returncode == 0, done.stderr
    assert "Imported 144 half-hourly feeder rows" in done.stdout and "3 carried corrected values" in done.stdout
    assert "Data quality (Project LEO's labels, readings flagged): large_gap 144" in done.stdout
    engine = make_engine(scratch_url)
    with engine.connect() as conn:
        record = get_record(conn, "lv")
        stored = conn.execute(text(f'SELECT count(*), sum(total_consumption_active_import) FROM "{record.table_name}"'
                                   )).one()
    assert stored[0] == 144 and stored[1] == pytest.approx(total)
    # The record says the data's quality: SSEN's secondary consumption column is empty in every row.
    assert any(n.startswith("secondary_consumption_active_import: large_gap 144 (1 run(s))") for n in record.notes)


def test_a_file_lacking_key_columns_is_refused_naming_them(scratch_sqlite_url, tmp_path):
    lines = FEEDERS.read_text().splitlines()
    keep = [n for n, name in enumerate(lines[0].split(",")) if name not in ("dataset_id", "last_modified_time")]
    path = tmp_path / "lv_feeder_usage.csv"
    path.write_text("\n".join(",".join(line.split(",")[n] for n in keep) for line in lines) + "\n")
    refused = cli("import-lv-feeder", str(path), "--dataset-id", "lv", "--db", scratch_sqlite_url)
    assert refused.returncode == 2
    assert "lacks the required column(s) dataset_id, last_modified_time" in refused.stderr
    with pytest.raises(FormatError, match="lacks the required column\\(s\\) dataset_id, last_modified_time"):
        read_lv_feeder_csv(path.read_bytes())
    engine = make_engine(scratch_sqlite_url)
    with engine.connect() as conn:
        assert get_record(conn, "lv") is None


def test_bad_files_change_nothing(tmp_path, scratch_sqlite_url):
    wrong = tmp_path / "headroom.csv"
    wrong.write_text("substation,demand_headroom\nA,1\n")
    refused = cli("import-lv-feeder", str(wrong), "--dataset-id", "lv", "--db", scratch_sqlite_url)
    assert refused.returncode == 2 and "not SSEN's LV-feeder format" in refused.stderr
    header_only = tmp_path / "empty.csv"
    header_only.write_text(FEEDERS.read_text().splitlines()[0] + "\n")
    refused = cli("import-lv-feeder", str(header_only), "--dataset-id", "lv", "--db", scratch_sqlite_url)
    assert refused.returncode == 2 and "no readable rows" in refused.stderr
    missing = cli("import-lv-feeder", str(tmp_path / "nope.csv"), "--dataset-id", "lv", "--db", scratch_sqlite_url)
    assert missing.returncode == 2 and "No such file" in missing.stderr
    engine = make_engine(scratch_sqlite_url)
    with engine.connect() as conn:
        assert get_record(conn, "lv") is None
        assert not [n for n in conn.dialect.get_table_names(conn) if n.startswith("d_")], "no orphan table"


def _record(dataset_id: str) -> DatasetRecord:
    return DatasetRecord(id=dataset_id, title="Sites", description="", keywords=[], licence="OGL", attribution="",
                         provenance=Provenance.REAL, publisher="Council", kind=DatasetKind.VECTOR,
                         fields=[FieldDef("name", FieldType.STRING)], access=AccessLevel.PUBLIC)


def test_a_schema_3_catalogue_is_brought_up_to_date_keeping_its_data(scratch_sqlite_url):
    engine = make_engine(scratch_sqlite_url)
    init_catalogue(engine)
    put_dataset(engine, _record("sites"), [[{"name": "A", "geometry": shapely.Point(-1.2, 51.7)}]])
    with engine.begin() as conn:  # as a version 3 database was: no versions, no audit log, tokens never expire
        conn.execute(text("DROP TABLE dataset_versions"))
        conn.execute(text("DROP TABLE audit_log"))
        conn.execute(text("ALTER TABLE api_tokens DROP COLUMN expires"))
        conn.execute(catalogue_meta.update().values(value="3"))
    assert schema_state(engine) == "migratable"
    done = cli("load-demo", "--if-needed", "--db", scratch_sqlite_url)
    assert "brought up to date" in done.stdout
    assert schema_state(engine) == "current"
    from leo_catalogue.accounts import Role, create_token

    assert create_token(engine, "ann", "Council", Role.EDITOR).startswith("leo_")
    with engine.connect() as conn:
        assert get_record(conn, "sites").feature_count == 1
        assert [v["version"] for v in list_versions(conn, "sites")] == ["1"]


def test_audit_command_prints_who_did_what(scratch_sqlite_url):
    from leo_catalogue.accounts import Principal, Role
    from leo_catalogue.audit import AuditAction, record_action

    engine = make_engine(scratch_sqlite_url)
    init_catalogue(engine)
    with engine.begin() as conn:
        record_action(conn, Principal("ann", "Oxford City Council", Role.EDITOR), AuditAction.UPLOAD, "sites", "1",
                      "sites.gpkg: 3 features")
    printed = cli("audit", "--db", scratch_sqlite_url)
    assert printed.returncode == 0
    assert "upload   sites v1  by ann (Oxford City Council)  sites.gpkg: 3 features" in printed.stdout
