"""Layer-tree indicators for catalogue layers with a newer version, and refreshing them on a click."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qgis.core import Qgis, QgsApplication, QgsProject
from qgis.gui import QgsLayerTreeViewIndicator
from qgis.PyQt.QtCore import QObject, pyqtSignal
from qgis.PyQt.QtGui import QIcon

from ..tasks.background import BackgroundTask

if TYPE_CHECKING:
    from ..core.updates import Update

ICON = ":/images/themes/default/mActionRefresh.svg"


class UpdateChecker(QObject):
    """Checks the project's catalogue layers (on project open and on demand) and marks newer versions."""

    message = pyqtSignal(str, int)
    checked = pyqtSignal(int)  # how many layers have a newer version

    def __init__(self, view, parent=None) -> None:
        super().__init__(parent)
        self.view = view  # the layer tree view
        self.indicators: dict[str, QgsLayerTreeViewIndicator] = {}
        self.task = None

    def check(self) -> None:
        # The catalogue client loads on the first check (a project opened), not at QGIS start-up.
        from ..core.updates import catalogue_layers, find_updates, layer_keys

        layers = catalogue_layers()
        if not layers:
            self.checked.emit(0)
            return
        keys = layer_keys(layers)
        self.task = BackgroundTask("LEO: checking for newer versions",
                                   lambda feedback: find_updates(keys, feedback), self._mark,
                                   lambda text: self.message.emit(text, Qgis.Warning))
        QgsApplication.taskManager().addTask(self.task)

    def _mark(self, updates: list[Update]) -> None:
        self.clear()
        for update in updates:
            node = QgsProject.instance().layerTreeRoot().findLayer(update.layer_id)
            if node is None:
                continue
            indicator = QgsLayerTreeViewIndicator(self.view)
            indicator.setIcon(QIcon(ICON))
            what_changed = (f" What changed comes with it: {update.changes.title}." if update.changes else "")
            indicator.setToolTip(f"Version {update.record.version} of {update.dataset_id} is available (this layer "
                                 f"has version {update.current or 'unknown'}). Click to refresh; your style is "
                                 f"kept.{what_changed}")
            indicator.clicked.connect(lambda _index, u=update: self.refresh(u))
            self.view.addIndicator(node, indicator)
            self.indicators[update.layer_id] = indicator
        self.checked.emit(len(updates))
        if updates:
            self.message.emit(f"{len(updates)} layer(s) from the catalogue have a newer version: click the refresh "
                              "mark beside them in the Layers panel.", Qgis.Info)

    def refresh(self, update: Update) -> None:
        from ..core.catalogue import PROPERTY_PREFIX
        from ..core.updates import add_change_layer, apply_version, fetch_version

        layer = QgsProject.instance().mapLayer(update.layer_id)
        if layer is None:
            return
        url = layer.customProperty(f"{PROPERTY_PREFIX}/catalogue")
        mode = layer.customProperty(f"{PROPERTY_PREFIX}/mode", "live")

        def done(path) -> None:
            apply_version(layer, update.record, path)
            self._remove(update.layer_id)
            added = add_change_layer(layer, url, update.changes) if update.changes else None
            also = f" What changed: {added.name()}, added above it." if added else ""
            self.message.emit(f"{layer.name()} now shows version {update.record.version}.{also}", Qgis.Success)

        self.task = BackgroundTask(f"LEO: refreshing {update.dataset_id}",
                                   lambda feedback: fetch_version(url, update.record, mode, feedback), done,
                                   lambda text: self.message.emit(text, Qgis.Critical))
        QgsApplication.taskManager().addTask(self.task)

    def _remove(self, layer_id: str) -> None:
        indicator = self.indicators.pop(layer_id, None)
        node = QgsProject.instance().layerTreeRoot().findLayer(layer_id)
        if indicator is not None and node is not None:
            self.view.removeIndicator(node, indicator)

    def clear(self) -> None:
        for layer_id in list(self.indicators):
            self._remove(layer_id)
        self.indicators.clear()
