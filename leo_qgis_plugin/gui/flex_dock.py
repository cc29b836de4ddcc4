"""The "LEO flexibility" dock: run the baselining, then read its results as charts: baseline against
metered for the event selected in the baselines table, and delivery by zone from the business case."""

from __future__ import annotations

from qgis.core import QgsProject, QgsVectorLayer
from qgis.PyQt.QtWidgets import QComboBox, QDockWidget, QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..core.compat import LayerType
from ..core.layers import to_utc
from .charts import LazyChart

RESULT_MARKERS = {"event_id", "baseline_kwh", "baseline_profile"}
SUMMARY_MARKERS = {"zone", "month", "delivered_mwh"}


class FlexDock(QDockWidget):
    def __init__(self, run_baselining, parent=None) -> None:
        super().__init__("LEO flexibility", parent)
        self.setObjectName("LeoFlexDock")
        body = QWidget()
        layout = QVBoxLayout(body)
        self.run = QPushButton("Baseline flexibility events…")
        self.run.clicked.connect(run_baselining)
        layout.addWidget(self.run)
        form = QFormLayout()
        self.results = QComboBox()
        self.summary = QComboBox()
        form.addRow("Baselines", self.results)
        form.addRow("Business case", self.summary)
        layout.addLayout(form)
        self.hint = QLabel("Select an event in the baselines table to chart it.")
        self.hint.setWordWrap(True)
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.event_chart = LazyChart(2.6, placeholder="After a run: the selected event's metered load against "
                                                      "its baseline, half-hour by half-hour.")
        self.zone_chart = LazyChart(2.6, placeholder="After a run: the energy delivered per zone and month.")
        for widget in (self.event_chart, self.zone_chart):
            layout.addWidget(widget)
        self.setWidget(body)
        self._watched: QgsVectorLayer | None = None
        self.results.currentIndexChanged.connect(self._results_chosen)
        self.summary.currentIndexChanged.connect(self.draw_zones)
        project = QgsProject.instance()
        project.layersAdded.connect(self.refresh_lists)
        project.layersRemoved.connect(self.refresh_lists)
        self.refresh_lists()

    def disconnect_project(self) -> None:
        project = QgsProject.instance()
        project.layersAdded.disconnect(self.refresh_lists)
        project.layersRemoved.disconnect(self.refresh_lists)

    def refresh_lists(self, *_args) -> None:
        for combo, markers in ((self.results, RESULT_MARKERS), (self.summary, SUMMARY_MARKERS)):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for layer in QgsProject.instance().mapLayers().values():
                if layer.type() == LayerType.Vector and markers <= set(layer.fields().names()):
                    combo.addItem(layer.name(), layer.id())
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)
        self._results_chosen()
        self.draw_zones()

    def _layer(self, combo: QComboBox) -> QgsVectorLayer | None:
        return QgsProject.instance().mapLayer(combo.currentData()) if combo.currentData() else None

    def _results_chosen(self, *_args) -> None:
        layer = self._layer(self.results)
        if self._watched is not None and self._watched is not layer:
            try:
                self._watched.selectionChanged.disconnect(self.draw_event)
            except (RuntimeError, TypeError):  # the layer is already gone
                pass
            self._watched = None
        if layer is not None and self._watched is None:
            layer.selectionChanged.connect(self.draw_event)
            self._watched = layer
        self.draw_event()

    def draw_event(self, *_args) -> None:
        from ..core.flex.outputs import EventProfile, draw_event, profile_values  # not at QGIS start-up

        layer = self._layer(self.results)
        chosen = layer.selectedFeatures() if layer is not None else []
        if not chosen or not self.event_chart.ensure():
            return
        row = chosen[0]
        delivered = row["delivered_kwh"]
        draw_event(self.event_chart.axes, EventProfile(
            str(row["event_id"]), to_utc(row["start"]), to_utc(row["end"]), str(row["method"]),
            None if delivered is None or not isinstance(delivered, float) else delivered,
            [v for v in profile_values(row["baseline_profile"] or None) if v is not None],
            profile_values(row["metered_profile"] or None)))
        self.event_chart.redraw()
        self.hint.setText(f"{row['event_id']}: like-days {row['like_days'] or '—'}; flags {row['flags'] or 'none'}.")

    def draw_zones(self, *_args) -> None:
        from ..core.flex.outputs import draw_delivery, zone_totals

        layer = self._layer(self.summary)
        if layer is None or not self.zone_chart.ensure():
            return
        rows = [{name: f[name] for name in ("zone", "requested_mwh", "delivered_mwh")} for f in layer.getFeatures()]
        draw_delivery(self.zone_chart.axes, zone_totals(rows))
        self.zone_chart.redraw()

