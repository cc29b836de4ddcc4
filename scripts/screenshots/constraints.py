"""Docs scene: the network constraints overlay (demand headroom) with the LEO dock open."""

import os

import qgis.utils
from qgis.core import QgsCoordinateReferenceSystem, QgsProject, QgsRectangle, QgsSettings
from qgis.PyQt.QtCore import QTimer
from qgis.utils import iface

from leo_qgis_plugin import api

QgsSettings().setValue("/projections/promptWhenMultipleTransformsExist", False, QgsSettings.App)
catalogue = api.connect(os.environ.get("LEO_CATALOGUE_URL", "http://127.0.0.1:8765/"))
overlay = api.add_constraint_overlay(catalogue, kind="demand")
qgis.utils.plugins["leo_qgis_plugin"].dock.show()


def finish() -> None:
    # After the layers have loaded: British National Grid, as UK councils work, and a clean screen.
    QgsProject.instance().setCrs(QgsCoordinateReferenceSystem("EPSG:27700"))
    iface.mapCanvas().setExtent(QgsRectangle(436000, 183000, 470000, 215000))
    iface.messageBar().clearWidgets()
    iface.mapCanvas().refresh()


QTimer.singleShot(3000, finish)
