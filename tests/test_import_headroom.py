"""``import-ssen-headroom``: an SSEN headroom CSV from a file or a URL becomes a dataset; bad input changes nothing."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import func, select, text

from leo_catalogue.db import make_engine
from leo_catalogue.demo.headroom_csv import headroom_csv
from leo_catalogue.demo.network import build_network
from leo_catalogue.importers.ssen_headroom import import_headroom
from leo_catalogue.store import get_record, init_catalogue
from leo_qgis_plugin.core.formats.errors import FormatError

from .support.faults import FaultyServer
from .support.servers import ROOT

GOOD = headroom_csv(build_network())


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "leo_catalogue", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def snapshot(url: str, dataset_id: str = "ssen-headroom"):
    engine = make_engine(url)
    with engine.connect() as conn:
        record = get_record(conn, dataset_id)
        count = conn.execute(select(func.count()).select_from(text(f'"{record.table_name}"'))).scalar()
    engine.dispose()
    return record.version, record.updated, record.table_name, count


def test_cli_imports_a_file_reports_the_row_without_coordinates(tmp_path, scratch_sqlite_url):
    source = tmp_path / "Headroom Dashboard Data - March 2026.csv"
    source.write_bytes(GOOD)
    result = run_cli("import-ssen-headroom", str(source), "--dataset-id", "my-headroom", "--db", scratch_sqlite_url)
    assert result.returncode == 0, result.stderr
    assert "Imported 68 substations into 'my-headroom' (version 1)" in result.stdout
    assert "Culham" in result.stdout
    engine = make_engine(scratch_sqlite_url)
    with engine.connect() as conn:
        record = get_record(conn, "my-headroom")
    assert record.provenance.value == "real" and record.feature_count == 68
    assert any("Culham" in note for note in record.notes)


def test_reimport_makes_a_new_version_and_keeps_the_record(demo_copy_url, tmp_path):
    before = snapshot(demo_copy_url)
    source = tmp_path / "h.csv"
    source.write_bytes(GOOD)
    result = run_cli("import-ssen-headroom", str(source), "--dataset-id", "ssen-headroom", "--db", demo_copy_url)
    assert result.returncode == 0, result.stderr
    version, _, table, count = snapshot(demo_copy_url)
    assert version == "2" and before[0] == "1" and count == 68 and table != before[2]
    engine = make_engine(demo_copy_url)
    with engine.connect() as conn:
        assert get_record(conn, "ssen-headroom").title == "SSEN network headroom, Oxfordshire (synthetic)"
        assert not conn.dialect.has_table(conn, before[2])


@pytest.mark.parametrize("content,message", [
    (b"", "empty"),
    (b"AssetID,Substation\r\n1,x\r\n", "lacks"),
    (b"\x00\x00\x00\x00", "not a text file"),
])
def test_bad_files_are_refused_and_nothing_changes(demo_copy_url, tmp_path, content, message):
    before = snapshot(demo_copy_url)
    source = tmp_path / "bad.csv"
    source.write_bytes(content)
    result = run_cli("import-ssen-headroom", str(source), "--dataset-id", "ssen-headroom", "--db", demo_copy_url)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert snapshot(demo_copy_url) == before


def test_missing_file_is_a_clear_error(scratch_sqlite_url):
    result = run_cli("import-ssen-headroom", "/no/such.csv", "--dataset-id", "x", "--db", scratch_sqlite_url)
    assert result.returncode == 2 and "No such file" in result.stderr


def test_import_from_a_url_sends_a_user_agent(scratch_sqlite_url):
    with FaultyServer(GOOD) as portal:
        result = run_cli("import-ssen-headroom", f"{portal.url}/ok/headroom.csv", "--dataset-id", "web",
                         "--db", scratch_sqlite_url)
        assert result.returncode == 0, result.stderr
        assert portal.requests[0][1].startswith("LEO-catalogue/")


@pytest.mark.parametrize("path,message", [
    ("/error", "HTTP 500"), ("/truncated", "cut short"), ("/slow", "timed out"), ("/missing", "HTTP 404"),
])
def test_network_faults_are_clear_errors_and_change_nothing(demo_copy_url, path, message):
    before = snapshot(demo_copy_url)
    engine = make_engine(demo_copy_url)
    init_catalogue(engine)
    with FaultyServer(GOOD, slow_seconds=3) as portal:
        with pytest.raises(FormatError, match=message):
            import_headroom(engine, f"{portal.url}{path}", "ssen-headroom", timeout=1)
    engine.dispose()
    assert snapshot(demo_copy_url) == before
