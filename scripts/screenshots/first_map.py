"""QGIS start-up code for the docs screenshot: LEO datasets from the local catalogue on the map, added as
the plugin adds them from the Browser's LEO entry or the catalogue panel (styles, draw order, British
National Grid). Run by scripts/take_screenshots.sh through `qgis --code`."""

import os

from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject
from qgis.utils import iface

from leo_qgis_plugin import api

URL = os.environ.get("LEO_CATALOGUE_URL", "http://127.0.0.1:8765/")

iface.mainWindow().showMaximized()
catalogue = api.connect(URL)
for dataset_id in ("oxon-districts", "ssen-primary-areas", "ssen-headroom"):
    layer = api.add_dataset(catalogue, dataset_id, mode="live")
    print(dataset_id, "valid" if layer.isValid() else "INVALID", layer.featureCount())
areas = next(lyr for lyr in QgsProject.instance().mapLayers().values()
             if lyr.customProperty("leo_qgis/dataset/id") == "ssen-primary-areas")
to_map = QgsCoordinateTransform(areas.crs(), QgsProject.instance().crs(), QgsProject.instance())
iface.mapCanvas().setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:27700"))
iface.mapCanvas().setExtent(to_map.transformBoundingBox(areas.extent()))
iface.mapCanvas().refresh()
