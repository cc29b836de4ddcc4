"""Docs scene: sharing a layer to the catalogue, the metadata form (leo:uploadlayer) filled in."""

import os
import sys

import processing
from qgis.core import QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QTimer

sys.path.insert(0, os.path.join(os.getcwd(), "scripts", "screenshots"))
from scene import show_in_british_national_grid  # noqa: E402

msoas = QgsVectorLayer(os.path.join(os.getcwd(), "leo_catalogue", "data", "real", "oxfordshire_boundaries.gpkg")
                       + "|layername=msoa11", "Heat pump survey by MSOA", "ogr")
QgsProject.instance().addMapLayer(msoas)
show_in_british_national_grid(420000, 180000, 480000, 245000)
QTimer.singleShot(4000, lambda: processing.execAlgorithmDialog("leo:uploadlayer", {
    "INPUT": msoas.id(), "CATALOGUE": os.environ.get("LEO_CATALOGUE_URL", "http://127.0.0.1:8765/"),
    "TITLE": "Heat pump survey 2024 by MSOA",
    "DESCRIPTION": "Households interested in a heat pump, from the council's 2024 survey.",
    "KEYWORDS": "heat pumps, survey, MSOA", "LICENCE": 0, "ACCESS": 1, "REPAIR": True}))
