"""`qgis_process` runs leo:screensites from a shell, with the plugin enabled in a profile of its own."""

from __future__ import annotations

import csv

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
