"""QGIS start-up code for the docs screenshot: LEO datasets from the local catalogue on the map.

Run by scripts/take_screenshots.sh through `qgis --code`; it uses QGIS's own OAPIF provider
against the server that `make run` started, exactly as a user adding layers from the Browser would.
"""

import os

from qgis.core import QgsDataSourceUri, QgsFillSymbol, QgsProject, QgsSingleSymbolRenderer, QgsVectorLayer
from qgis.utils import iface

URL = os.environ.get("LEO_CATALOGUE_URL", "http://127.0.0.1:8765/")


def add(dataset_id: str, title: str, fill: dict | None = None) -> QgsVectorLayer:
    uri = QgsDataSourceUri()
    uri.setParam("url", URL)
    uri.setParam("typename", dataset_id)
    layer = QgsVectorLayer(uri.uri(False), title, "OAPIF")
    if fill and layer.isValid():
        layer.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple(fill)))
    QgsProject.instance().addMapLayer(layer)
    print(title, "valid" if layer.isValid() else "INVALID", layer.featureCount())
    return layer


iface.mainWindow().showMaximized()
districts = add("oxon-districts", "Oxfordshire districts (ONS)",
                {"color": "0,0,0,0", "outline_color": "40,40,40", "outline_width": "0.8"})
areas = add("ssen-primary-areas", "Primary supply areas (synthetic)",
            {"color": "214,232,208", "outline_color": "120,150,120", "outline_width": "0.2"})
headroom = add("ssen-headroom", "SSEN headroom (synthetic)")
iface.mapCanvas().setExtent(areas.extent())
iface.mapCanvas().refresh()
