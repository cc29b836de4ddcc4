"""`qgis_process` runs leo:screensites from a shell, with the plugin enabled in a profile of its own."""

from __future__ import annotations

import csv
import os
import subprocess

from .support.servers import ROOT

# Debian 12's /usr/bin/qgis_process wrapper adds --noversioncheck, which qgis_process rejects.
QGIS_PROCESS = "/usr/bin/qgis_process.bin"


def test_screensites_from_qgis_process(sqlite_server, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QGIS_PLUGINPATH": str(ROOT),
           "QGIS_CUSTOM_CONFIG_PATH": str(tmp_path / "config")}
    subprocess.run([QGIS_PROCESS, "plugins", "enable", "leo_qgis_plugin"], env=env, capture_output=True, timeout=120,
                   check=True)
    sites = tmp_path / "sites.csv"
    sites.write_text("site,homes,wkt\nDidcot,100,POINT(452500 190000)\nAtSea,20,POINT(100000 100000)\n")
    result = subprocess.run([
        QGIS_PROCESS, "run", "leo:screensites", "--",
        f"INPUT=delimitedtext://file://{sites}?type=csv&wktField=wkt&crs=EPSG:27700",
        'DEMAND_EXPRESSION="homes" * 2.5', f"CATALOGUE={sqlite_server.url}",
        f"OUTPUT={tmp_path / 'screened.gpkg'}", f"SUMMARY={tmp_path / 'summary.csv'}",
        f"REPORT={tmp_path / 'report.html'}"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "outside the network coverage" in result.stdout + result.stderr
    (row,) = list(csv.DictReader((tmp_path / "summary.csv").open()))
    assert row["primary_name"] == "Didcot South" and float(row["added_demand_mva"]) == 0.25
    assert "Didcot South" in (tmp_path / "report.html").read_text()
