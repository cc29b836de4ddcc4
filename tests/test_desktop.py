"""`make run`'s launcher with real desktop QGIS on a virtual screen: the plugin loads, unloads and loads
again, the connection to the server is configured, and quitting QGIS stops the server it started."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request

from .support.postgres import free_port
from .support.servers import ROOT


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return b"LEO catalogue" in response.read()
    except OSError:
        return False


def test_launcher_opens_qgis_with_the_plugin_and_stops_its_server(demo_sqlite_path, tmp_path):
    port = free_port()
    report = tmp_path / "report.json"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(LEO_PORT=str(port), LEO_DATABASE_URL=f"sqlite:///{demo_sqlite_path}",
               LEO_PROFILES_DIR=str(tmp_path / "profiles"), LEO_DESKTOP_REPORT=str(report))
    result = subprocess.run(["bash", "scripts/run_qgis.sh", "--code", str(ROOT / "tests/desktop/check_plugin.py")],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert report.exists(), result.stdout[-2000:] + result.stderr[-2000:]
    data = json.loads(report.read_text())
    assert data["loaded_at_start"] is True
    assert "LEO demo catalogue (local)" in data["wfs_connections"]
    assert data["panels_at_start"] == []  # made when first opened: a quicker QGIS start
    assert data["panels_opened"] == ["LeoCatalogueDock", "LeoConstraintsDock", "LeoFlexDock", "LeoTimeDock"]
    assert data["unloaded"] is True and data["reloaded"] is True
    loaded, unloaded = data["before_unload"], data["after_unload"]
    assert loaded[3:] == [True, True, True] and unloaded[3:] == [False, False, False]
    assert loaded[1] - unloaded[1] == 4 and loaded[2] - unloaded[2] == 1  # its four docks and its provider
    assert loaded[0] > unloaded[0]  # its actions are gone
    # Panels open when the plugin was unloaded are open again when it is loaded.
    assert data["after_reload"] == loaded and data["after_second_unload"] == unloaded
    assert f"Catalogue server on http://127.0.0.1:{port}/" in result.stdout
    assert not answers(f"http://127.0.0.1:{port}/")  # quitting QGIS stopped the server
