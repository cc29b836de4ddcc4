"""The "Multi-scale view" dialog: which fields and statistics to aggregate from county to MSOA."""

from __future__ import annotations

from qgis.core import QgsVectorLayer
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from ..core.aggregate.stats import RAG_STATES, Stat

# Numbers that are not amounts: summing coordinates or identifiers means nothing.
_NOT_MEASURES = ("fid", "id", "objectid", "lat", "latitude", "lon", "lng", "long", "longitude", "x", "y",
                 "easting", "northing", "year", "month")


def is_measure(name: str) -> bool:
    lowered = name.lower()
    return lowered not in _NOT_MEASURES and not lowered.endswith(("_id", "_code", "_lat", "_lon", "_x", "_y"))


def is_rag(name: str) -> bool:
    """A field holding Red/Amber/Green states, by SSEN's and the plugin's naming (``demand_rag``)."""
    lowered = name.lower()
    return lowered == "rag" or lowered.endswith("_rag") or lowered.startswith("rag_")


class MultiscaleDialog(QDialog):
    def __init__(self, layer: QgsVectorLayer, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Multi-scale view of {layer.name()}")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            "Aggregates at county, district and MSOA level (boundaries from the LEO catalogue), each shown in its "
            "band of map scales above the features themselves. Every level counts features."))
        self.fields = self._checklist([f.name() for f in layer.fields() if f.isNumeric() and is_measure(f.name())])
        self.rag_fields = self._checklist([f.name() for f in layer.fields() if not f.isNumeric() and is_rag(f.name())],
                                          checked=lambda _name: True)
        self.stats = {stat: QCheckBox(stat.value) for stat in Stat if stat is not Stat.COUNT}
        for stat in (Stat.SUM, Stat.MEAN):
            self.stats[stat].setChecked(True)
        layout.addWidget(self._group("Numeric fields", self.fields), 1)  # the lists grow with the dialog
        stats_box = QGroupBox("Statistics of those fields")
        row = QHBoxLayout(stats_box)
        for box in self.stats.values():
            row.addWidget(box)
        layout.addWidget(stats_box)
        layout.addWidget(self._group(f"RAG fields (share of {', '.join(RAG_STATES)})", self.rag_fields), 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @staticmethod
    def _checklist(names: list[str], checked=lambda _name: False) -> QListWidget:
        widget = QListWidget()
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if checked(name) else Qt.CheckState.Unchecked)
            widget.addItem(item)
        widget.setMinimumHeight(80)
        return widget

    @staticmethod
    def _group(title: str, widget: QListWidget) -> QGroupBox:
        box = QGroupBox(title)
        QVBoxLayout(box).addWidget(widget)
        return box

    @staticmethod
    def _checked(widget: QListWidget) -> list[str]:
        return [widget.item(i).text() for i in range(widget.count()) if widget.item(i).checkState() == Qt.CheckState.Checked]

    def chosen_fields(self) -> list[str]:
        return self._checked(self.fields)

    def chosen_rag_fields(self) -> list[str]:
        return self._checked(self.rag_fields)

    def chosen_stats(self) -> list[Stat]:
        return [stat for stat, box in self.stats.items() if box.isChecked()]
