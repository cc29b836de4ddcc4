"""Docs scene: the Export layers dialog with a catalogue layer chosen."""

import os
import sys

import processing
from qgis.core import QgsCoordinateReferenceSystem, QgsProject
from qgis.PyQt.QtCore import QTimer

from leo_qgis_plugin import api

sys.path.insert(0, os.path.join(os.getcwd(), "scripts", "screenshots"))
from scene import show_in_british_national_grid  # noqa: E402

catalogue = api.connect(os.environ.get("LEO_CATALOGUE_URL", "http://127.0.0.1:8765/"))
layer = catalogue.layer("ssen-headroom", record=catalogue.get("ssen-headroom"))
QgsProject.instance().addMapLayer(layer)
show_in_british_national_grid(420000, 180000, 480000, 245000)
QTimer.singleShot(4000, lambda: processing.execAlgorithmDialog("leo:exportlayers", {
    "LAYERS": [layer.id()], "FORMAT": 0, "CRS": QgsCoordinateReferenceSystem("EPSG:27700"),
    "OUTPUT": "/home/planner/for-contractor.zip"}))
