"""The "LEO time" dock: QGIS's Temporal Controller driven from one place (not a second clock), the
current frame in UK time, fast playback of a series, and a chart of the selected sites with a cursor
that follows the frame (click the chart to jump there)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

from qgis.core import QgsApplication, QgsDateTimeRange, QgsProject, QgsTemporalNavigationObject, QgsVectorLayer
from qgis.PyQt.QtCore import QDateTime, QObject, Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDockWidget,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ..core.compat import AnimationState, TemporalNavigationMode
from ..core.layer_roles import describe_choice, find_layers, role_of
from ..core.project_layers import add_layer
from ..core.temporal.clock import UK, from_qdatetime, to_qdatetime, uk_label
from ..core.temporal.controller import bind_playback, bound_playbacks
from .charts import LazyChart

SITE_FIELDS = ("site_id", "asset_id", "primary_id")  # how a selected feature names its site
CHART_POINTS = 2000  # longest series drawn; longer ranges are thinned evenly


class TimeDock(QDockWidget):
    message = pyqtSignal(str, int)  # text, Qgis.MessageLevel

    def __init__(self, controller: QgsTemporalNavigationObject, active_layer, map_view=None, parent=None) -> None:
        super().__init__("LEO time", parent)
        self.setObjectName("LeoTimeDock")
        self.controller = controller
        self.active_layer = active_layer  # callable: the layer selected in the Layers panel
        self.map_view = map_view  # callable: (layers, extent, crs, QSize) of the map as shown
        self.task = None
        body = QWidget()
        layout = QVBoxLayout(body)

        self.now = QLabel("No time range yet: add a time series or events, then Play.")
        self.now.setStyleSheet("font-weight: bold")
        self.now.setWordWrap(True)  # a long status never widens the dock
        layout.addWidget(self.now)
        buttons = QHBoxLayout()
        # Qt's own media icons: every platform font draws them (the ⏮ ⏭ characters are missing from many).
        self.back = QPushButton(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaSkipBackward), "")
        self.back.setToolTip("Step back one frame")
        self.play = QPushButton("Play")
        self.play.setCheckable(True)
        self.forward = QPushButton(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward), "")
        self.forward.setToolTip("Step forward one frame")
        self.loop = QCheckBox("Loop")
        self.speed = QDoubleSpinBox()
        self.speed.setRange(0.1, 60)
        self.speed.setValue(controller.framesPerSecond())
        self.speed.setSuffix(" frames/s")
        for widget in (self.back, self.play, self.forward, self.loop, self.speed):
            buttons.addWidget(widget)
        layout.addLayout(buttons)

        form = QFormLayout()
        self.jump = self._time_edit()
        jump_row = QHBoxLayout()
        jump_row.addWidget(self.jump)
        self.go = QPushButton("Go")
        jump_row.addWidget(self.go)
        form.addRow("Jump to (UK time)", jump_row)
        self.range_start, self.range_end = self._time_edit(), self._time_edit()
        range_row = QHBoxLayout()
        range_row.addWidget(self.range_start)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.range_end)
        self.apply_range = QPushButton("Set")
        range_row.addWidget(self.apply_range)
        form.addRow("Range (UK time)", range_row)
        layout.addLayout(form)

        self.fast = QPushButton("Fast playback of the active layer")
        self.fast.setToolTip("One point per site, its value looked up per frame: smooth however long the series. "
                             "Coloured by use of firm capacity when a headroom layer is in the project.")
        layout.addWidget(self.fast)
        capacity_form = QFormLayout()
        self.capacity = QComboBox()
        self.capacity.setToolTip("The substations whose firm capacity (maximum demand plus demand headroom) colours "
                                 "the fast playback")
        self.capacity.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.capacity.setMinimumContentsLength(12)
        capacity_form.addRow("Firm capacity from", self.capacity)
        layout.addLayout(capacity_form)
        export_row = QHBoxLayout()
        self.movie = QComboBox()
        for movie, label in (("gif", "Animated GIF"), ("mp4", "MP4 video"), ("none", "PNG frames only")):
            self.movie.addItem(label, movie)  # a Movie value (the export module loads when exporting)
        self.export = QPushButton("Export animation…")
        self.export.setToolTip("Every frame of the range as PNG with its UK time, and a GIF or MP4.")
        export_row.addWidget(self.export)
        export_row.addWidget(self.movie)
        layout.addLayout(export_row)
        self.chart = _Chart()
        layout.addWidget(self.chart.widget)
        self.setWidget(body)

        self.back.clicked.connect(controller.previous)
        self.forward.clicked.connect(controller.next)
        self.play.toggled.connect(self._play)
        self.loop.toggled.connect(controller.setLooping)
        self.speed.valueChanged.connect(controller.setFramesPerSecond)
        self.go.clicked.connect(lambda: self.jump_to(_utc(self.jump.dateTime())))
        self.apply_range.clicked.connect(self._set_range)
        self.fast.clicked.connect(self.start_fast_playback)
        self.export.clicked.connect(lambda: self.export_animation())
        controller.updateTemporalRange.connect(self._frame_changed)
        controller.temporalExtentsChanged.connect(self._extents_changed)
        self.chart.clicked.connect(self.jump_to)
        self._extents_changed(controller.temporalExtents())
        # numpy takes seconds to import on a busy machine: loaded now, beside the UI thread, rather than when
        # Fast playback is first pressed (the chart loads matplotlib itself).
        threading.Thread(target=_warm_imports, name="LEO time imports", daemon=True).start()
        project = QgsProject.instance()
        project.layersAdded.connect(self.refresh_capacity_layers)
        project.layersRemoved.connect(self.refresh_capacity_layers)
        self.refresh_capacity_layers()

    def disconnect_controller(self) -> None:
        """Stop following QGIS's controller (the plugin is unloading; the controller stays)."""
        project = QgsProject.instance()
        for signal, slot in ((self.controller.updateTemporalRange, self._frame_changed),
                             (self.controller.temporalExtentsChanged, self._extents_changed),
                             (project.layersAdded, self.refresh_capacity_layers),
                             (project.layersRemoved, self.refresh_capacity_layers)):
            signal.disconnect(slot)

    def refresh_capacity_layers(self, *_changed) -> None:
        """Offer the project's substation layers (by role, not by field names), keeping the user's choice."""
        chosen = self.capacity.currentData()
        layers = find_layers("substations")
        self.capacity.blockSignals(True)
        self.capacity.clear()
        for layer in layers:
            self.capacity.addItem(describe_choice(layer, layers), layer.id())
            self.capacity.setItemData(self.capacity.count() - 1, layer.source(), Qt.ItemDataRole.ToolTipRole)
        self.capacity.addItem("None: colour by load only", "")
        index = self.capacity.findData(chosen) if chosen else -1
        self.capacity.setCurrentIndex(index if index >= 0 else 0)
        self.capacity.blockSignals(False)

    def capacity_layer(self) -> QgsVectorLayer | None:
        layer = QgsProject.instance().mapLayer(self.capacity.currentData() or "")
        return layer if isinstance(layer, QgsVectorLayer) else None

    @staticmethod
    def _time_edit() -> QDateTimeEdit:
        edit = QDateTimeEdit()
        edit.setDisplayFormat("dd MMM yyyy HH:mm")
        edit.setCalendarPopup(True)
        return edit

    def _play(self, on: bool) -> None:
        self.controller.setNavigationMode(TemporalNavigationMode.Animated)
        self.controller.playForward() if on else self.controller.pause()
        self.play.setText("Pause" if on else "Play")

    def jump_to(self, instant: datetime) -> None:
        """Move the controller to the frame holding ``instant`` (UTC)."""
        begin = self.controller.temporalExtents().begin()
        if not begin.isValid():
            return
        step = self.controller.frameDuration().seconds() or 1800
        frame = int((instant - from_qdatetime(begin)).total_seconds() // step)
        self.controller.setCurrentFrameNumber(max(0, min(frame, self.controller.totalFrameCount() - 1)))

    def _set_range(self) -> None:
        start, end = _utc(self.range_start.dateTime()), _utc(self.range_end.dateTime())
        if end <= start:
            self.message.emit("The range must end after it starts.", 1)
            return
        self.controller.setTemporalExtents(QgsDateTimeRange(to_qdatetime(start), to_qdatetime(end)))

    def _extents_changed(self, extents: QgsDateTimeRange) -> None:
        if extents.begin().isValid():
            for edit, value in ((self.range_start, extents.begin()), (self.range_end, extents.end())):
                edit.setDateTime(_uk(from_qdatetime(value)))

    def _frame_changed(self, frame: QgsDateTimeRange) -> None:
        if not frame.begin().isValid():
            return
        start = from_qdatetime(frame.begin())
        total = self.controller.totalFrameCount()
        self.now.setText(f"{uk_label(start)}   (frame {self.controller.currentFrameNumber() + 1:,} of {total:,})")
        self.jump.setDateTime(_uk(start))
        self.chart.set_cursor(start)
        # PyQt 5 cannot connect to the controller's stateChanged (an unregistered enum): follow it from here,
        # e.g. the button returns to Play when the animation reaches the end.
        playing = self.controller.animationState() == AnimationState.Forward
        if playing != self.play.isChecked():
            self.play.blockSignals(True)
            self.play.setChecked(playing)
            self.play.setText("Pause" if playing else "Play")
            self.play.blockSignals(False)

    def series_layer(self) -> QgsVectorLayer | None:
        """The active layer if it is a series by site, else the project's one half-hourly load layer."""
        from ..core.temporal.series import series_fields

        layer = self.active_layer()
        if isinstance(layer, QgsVectorLayer) and role_of(layer) == "load":
            return layer
        if isinstance(layer, QgsVectorLayer) and role_of(layer) not in ("substations", "areas", "zones") \
                and series_fields(layer) is not None:
            return layer
        loads = find_layers("load")
        return loads[0] if len(loads) == 1 else None

    def start_fast_playback(self) -> None:
        layer = self.series_layer()
        if layer is None:
            self.message.emit("Select a half-hourly series (e.g. Primary substation half-hourly load) in the Layers "
                              "panel first.", 1)
            return
        from ..tasks.playback import read_series_task  # numpy: loaded when first used, not at QGIS start-up

        self.task = read_series_task(layer, self.capacity_layer(), lambda result: self._add_playback(layer, *result),
                                     lambda text: self.message.emit(f"Fast playback of {layer.name()}: {text}", 2))
        QgsApplication.taskManager().addTask(self.task)

    def _add_playback(self, layer: QgsVectorLayer, series, sources) -> None:
        from ..core.temporal.playback import make_playback

        project = QgsProject.instance()
        view = make_playback(layer, series, sources)
        add_layer(view.layer, project)
        view.layer.selectionChanged.connect(lambda *_: self.refresh_chart())
        bind_playback(view, self.controller, project)
        notes = " ".join(view.warnings)
        self.message.emit(f"Fast playback of {layer.name()}: {len(series.sites)} sites; select sites to chart them. "
                          f"{notes}".strip(), 1 if notes else 0)

    def export_animation(self, folder: str | None = None) -> None:
        """Frames of the controller's range (as the map shows them) into a folder, in a task."""
        extents = self.controller.temporalExtents()
        if not extents.begin().isValid() or self.map_view is None:
            self.message.emit("Nothing to animate yet: add a time series or events first.", 1)
            return
        folder = folder or QFileDialog.getExistingDirectory(self, "Export the animation into")
        if not folder:
            return
        from ..core.temporal.animation import Movie
        from ..tasks.animation import animation_task

        layers, extent, crs, size = self.map_view()
        step = timedelta(seconds=self.controller.frameDuration().seconds())
        self.task = animation_task(layers, extent, crs, size, from_qdatetime(extents.begin()),
                                   from_qdatetime(extents.end()), step, Path(folder), Movie(self.movie.currentData()),
                                   self.speed.value(), self._exported, lambda text: self.message.emit(text, 2))
        QgsApplication.taskManager().addTask(self.task)

    def _exported(self, result) -> None:
        made = f" and {result.movie.name}" if result.movie else ""
        self.message.emit(f"Exported {len(result.frames)} frames{made} to {result.frames[0].parent}. {result.note}"
                          if result.frames else "No frames were exported.", 1 if result.note else 0)

    def selected_sites(self) -> list[tuple[object, str]]:
        """(playback, site) for the sites selected in playback layers or in the active layer."""
        chosen = []
        active = self.active_layer()
        for playback in bound_playbacks():
            names = {f["site_id"] for f in playback.layer.selectedFeatures()}
            if isinstance(active, QgsVectorLayer) and active is not playback.layer:
                for field in SITE_FIELDS:
                    if field in active.fields().names():
                        names |= {str(f[field]) for f in active.selectedFeatures()}
            chosen += [(playback, site) for site in sorted(names) if site in playback.series.sites]
        return chosen

    def refresh_chart(self) -> None:
        extents = self.controller.temporalExtents()
        if not extents.begin().isValid():
            return
        start, end = from_qdatetime(extents.begin()), from_qdatetime(extents.end())
        self.chart.plot([(site, playback.series.series(site, start, end)) for playback, site in self.selected_sites()])
        frame = self.controller.dateTimeRangeForFrameNumber(self.controller.currentFrameNumber())
        if frame.begin().isValid():
            self.chart.set_cursor(from_qdatetime(frame.begin()))


def _warm_imports() -> None:
    from ..tasks import playback  # noqa: F401 - numpy, the series and playback modules


def _uk(instant: datetime) -> QDateTime:
    local = instant.astimezone(UK)
    return QDateTime(local.year, local.month, local.day, local.hour, local.minute)


def _utc(value: QDateTime) -> datetime:
    """A UK clock time typed in the dock, as UTC."""
    local = datetime(value.date().year(), value.date().month(), value.date().day(), value.time().hour(),
                     value.time().minute(), tzinfo=UK)
    return local.astimezone(timezone.utc)


class _ChartClicks(QObject):
    clicked = pyqtSignal(object)  # the UTC datetime clicked


class _Chart:
    """The selected sites' series with a cursor at the current frame; clicks report the time clicked."""

    def __init__(self) -> None:
        self._signals = _ChartClicks()
        self.clicked = self._signals.clicked
        self.cursor = None
        self.widget = LazyChart(2.4, lambda canvas: canvas.mpl_connect("button_press_event", self._click),
                                placeholder="Select sites in a fast playback layer (or substations) to chart their "
                                            "load over the range here; click the chart to jump there.")

    @property
    def axes(self):
        return self.widget.axes

    def plot(self, series: list[tuple[str, list[tuple[datetime, float]]]]) -> None:
        if not self.widget.ensure():
            return
        self.axes.clear()
        self.cursor = None
        for site, pairs in series:
            step = max(1, len(pairs) // CHART_POINTS)
            pairs = pairs[::step]
            self.axes.plot([t.astimezone(UK) for t, _ in pairs], [v for _, v in pairs], label=site, linewidth=0.8)
        if series:
            self.axes.legend(fontsize=7)
        self.axes.set_title("Selected sites" if series else "Select sites to chart them", fontsize=9)
        self.axes.tick_params(labelsize=7)
        self.widget.redraw()

    def set_cursor(self, instant: datetime) -> None:
        if self.axes is None or not self.axes.lines:
            return
        when = instant.astimezone(UK)
        if self.cursor is None:
            self.cursor = self.axes.axvline(when, color="#d7191c", linewidth=1)
        else:
            self.cursor.set_xdata([when, when])
        self.widget.redraw()

    def _click(self, event) -> None:
        if event.xdata is None or self.axes is None or not self.axes.lines:
            return
        from matplotlib.dates import num2date

        self.clicked.emit(num2date(event.xdata).astimezone(timezone.utc))
