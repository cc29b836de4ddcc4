"""Docs scene: 60 planned housing sites screened against demand headroom, coloured by scenario RAG."""

import os
import random

import processing
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsSettings,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QTimer
from qgis.utils import iface

from leo_qgis_plugin import api

QgsSettings().setValue("/projections/promptWhenMultipleTransformsExist", False, QgsSettings.App)
url = os.environ.get("LEO_CATALOGUE_URL", "http://127.0.0.1:8765/")
api.add_constraint_overlay(api.connect(url), kind="demand")
rng = random.Random(7)
sites = QgsVectorLayer("Point?crs=EPSG:27700&field=site:string&field=homes:integer", "Planned housing sites",
                       "memory")
features = []
for n in range(60):
    feature = QgsFeature(sites.fields())
    feature.setAttributes([f"Site {n + 1}", rng.choice([20, 50, 120, 300, 600])])
    feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(rng.uniform(440000, 462000), rng.uniform(186000, 206000))))
    features.append(feature)
sites.dataProvider().addFeatures(features)
result = processing.runAndLoadResults("leo:screensites", {
    "INPUT": sites, "DEMAND_EXPRESSION": '"homes" * 2.5', "MAX_DISTANCE": 2000, "CATALOGUE": url,
    "OUTPUT": "memory:Screened sites", "SUMMARY": "memory:Screening summary"})
layer = QgsProject.instance().mapLayer(result["OUTPUT"])
iface.setActiveLayer(layer)


def finish() -> None:
    # After the layers have loaded: British National Grid, as UK councils work, and a clean screen.
    QgsProject.instance().setCrs(QgsCoordinateReferenceSystem("EPSG:27700"))
    iface.mapCanvas().setExtent(QgsRectangle(430000, 178000, 472000, 214000))
    iface.messageBar().clearWidgets()
    iface.mapCanvas().refresh()


QTimer.singleShot(3000, finish)
