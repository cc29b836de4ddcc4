"""Docs scene: half-hourly load played fast at each primary (coloured by use of firm capacity), the CMZ
with an active flexibility event lit up, the LEO time dock with two substations charted."""

import os
import sys
from datetime import datetime, timezone

import qgis.utils
from qgis.PyQt.QtCore import QTimer

from leo_qgis_plugin import api

sys.path.insert(0, os.path.join(os.getcwd(), "scripts", "screenshots"))
from scene import show_in_british_national_grid  # noqa: E402

catalogue = api.connect(os.environ.get("LEO_CATALOGUE_URL", "http://127.0.0.1:8765/"))
headroom = api.add_dataset(catalogue, "ssen-headroom", mode="live")
headroom.setOpacity(0.0)  # only its capacities are used here
api.add_dataset(catalogue, "flex-events", mode="live")
load = api.add_dataset(catalogue, "substation-load-hh", mode="download")
qgis.utils.iface.layerTreeView().setCurrentLayer(load)
load.setSubsetString("\"timestamp\" = '2025-11-04T17:30:00'")  # keep the raw rows light on the map
dock = qgis.utils.plugins["leo_qgis_plugin"].open_panel("time")


def start() -> None:
    load.setSubsetString("")
    dock.start_fast_playback()


def show() -> None:
    from qgis.core import QgsProject

    (playback,) = [lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.name().endswith("(playback)")]
    qgis.utils.iface.setActiveLayer(playback)
    playback.selectByExpression("\"site_id\" IN ('30033', '30035')")
    api.play(load, datetime(2025, 11, 3, tzinfo=timezone.utc), datetime(2025, 11, 8, tzinfo=timezone.utc))
    dock.jump_to(datetime(2025, 11, 4, 17, 0, tzinfo=timezone.utc))
    dock.refresh_chart()


QTimer.singleShot(1000, start)
QTimer.singleShot(9000, show)
show_in_british_national_grid(440000, 178000, 470000, 200000, delay_ms=10000)
