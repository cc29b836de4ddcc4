"""Docs scene: 60 planned housing sites screened against demand headroom, coloured by scenario RAG."""

import os
import random
import sys

import processing
from qgis.core import (
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsVectorLayer,
)
from qgis.utils import iface

from leo_qgis_plugin import api

sys.path.insert(0, os.path.join(os.getcwd(), "scripts", "screenshots"))
from scene import show_in_british_national_grid  # noqa: E402

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

show_in_british_national_grid(430000, 178000, 472000, 214000)
