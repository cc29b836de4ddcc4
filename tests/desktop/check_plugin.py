"""Run inside desktop QGIS (`qgis --code`) by tests/test_desktop.py: is the plugin there, and does it
unload and load again cleanly? Writes a JSON report to $LEO_DESKTOP_REPORT, then quits QGIS."""

import json
import os

import qgis.utils
from qgis.core import QgsApplication, QgsOwsConnection
from qgis.PyQt.QtCore import QCoreApplication, QEvent, QTimer
from qgis.PyQt.QtWidgets import QAction, QDockWidget, QToolBar

NAME = "leo_qgis_plugin"


def registered():
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)  # let deleteLater() happen
    window = qgis.utils.iface.mainWindow()
    return [len(window.findChildren(QAction)), len(window.findChildren(QDockWidget)),
            len(QgsApplication.processingRegistry().providers()),
            window.findChild(QDockWidget, "LeoConstraintsDock") is not None
            and window.findChild(QDockWidget, "LeoCatalogueDock") is not None,
            window.findChild(QToolBar, "LeoToolbar") is not None,
            QgsApplication.processingRegistry().providerById("leo") is not None]


def leo_docks() -> list[str]:
    window = qgis.utils.iface.mainWindow()
    return sorted(d.objectName() for d in window.findChildren(QDockWidget) if d.objectName().startswith("Leo"))


def check():
    report = {"loaded_at_start": NAME in qgis.utils.active_plugins}
    report["wfs_connections"] = QgsOwsConnection.connectionList("WFS")
    report["panels_at_start"] = leo_docks()  # none: panels are made when first opened
    plugin = qgis.utils.plugins[NAME]
    for action in plugin.menu.actions()[:3]:  # the catalogue, constraints and time panels, as a user opens them
        action.trigger()
    plugin.open_panel("flex")
    report["panels_opened"] = leo_docks()
    report["before_unload"] = registered()
    report["unloaded"] = qgis.utils.unloadPlugin(NAME)
    report["after_unload"] = registered()
    report["reloaded"] = qgis.utils.loadPlugin(NAME) and qgis.utils.startPlugin(NAME)
    report["after_reload"] = registered()
    qgis.utils.unloadPlugin(NAME)
    report["after_second_unload"] = registered()
    with open(os.environ["LEO_DESKTOP_REPORT"], "w") as out:
        json.dump(report, out)
    qgis.utils.iface.actionExit().trigger()


QTimer.singleShot(2000, check)
