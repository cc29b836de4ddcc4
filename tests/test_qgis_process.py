"""`qgis_process` runs leo:screensites from a shell, with the plugin enabled in a profile of its own."""

from __future__ import annotations

import csv

from .support.http_client import Http
from .support.qgis_process import run_algorithm


def test_screensites_from_qgis_process(sqlite_server, tmp_path):
    sites = tmp_path / "sites.csv"
    sites.write_text("site,homes,wkt\nDidcot,100,POINT(452500 190000)\nAtSea,20,POINT(100000 100000)\n")
    result = run_algorithm("leo:screensites", [
        f"INPUT=delimitedtext://file://{sites}?type=csv&wktField=wkt&crs=EPSG:27700",
        'DEMAND_EXPRESSION="homes" * 2.5', f"CATALOGUE={sqlite_server.url}",
        f"OUTPUT={tmp_path / 'screened.gpkg'}", f"SUMMARY={tmp_path / 'summary.csv'}",
        f"REPORT={tmp_path / 'report.html'}"], tmp_path / "config")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "outside the network coverage" in result.stdout + result.stderr
    (row,) = list(csv.DictReader((tmp_path / "summary.csv").open()))
    assert row["primary_name"] == "Didcot South" and float(row["added_demand_mva"]) == 0.25
    assert "Didcot South" in (tmp_path / "report.html").read_text()


def test_extractdataset_and_exportlayers_from_qgis_process(sqlite_server, tmp_path):
    extracted = tmp_path / "headington.csv"
    result = run_algorithm("leo:extractdataset", [
        f"CATALOGUE={sqlite_server.url}", "DATASET_ID=substation-load-hh", "FORMAT=3",
        "FILTER=primary_name = 'Headington'", "START=2025-06-01T00:00:00", "END=2025-06-02T00:00:00",
        f"OUTPUT={extracted}"], tmp_path / "config")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = list(csv.DictReader(extracted.open(encoding="utf-8-sig")))
    expected = Http(sqlite_server.url).json("/collections/substation-load-hh/items?limit=1&primary_name=Headington&"
                         "datetime=2025-06-01T00:00:00Z/2025-06-02T00:00:00Z")["numberMatched"]
    assert len(rows) == expected > 0 and {r["primary_name"] for r in rows} == {"Headington"}
    exported = tmp_path / "for-contractor.zip"
    result = run_algorithm("leo:exportlayers", [f"LAYERS={extracted}", "FORMAT=0", "CRS=EPSG:27700",
                                                f"OUTPUT={exported}"], tmp_path / "config")
    assert result.returncode == 0, result.stdout + result.stderr
    assert exported.exists()
