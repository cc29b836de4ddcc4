"""Preparing QGIS's Temporal Controller: one timeline for every temporal layer, the natural step."""

from __future__ import annotations

from datetime import timedelta

from qgis.core import QgsDateTimeRange, QgsInterval, QgsTemporalNavigationObject, QgsVectorLayer
from qgis.PyQt.QtCore import QDateTime

from ..compat import TemporalNavigationMode, VectorTemporalMode, calculated_temporal_extent
from ..layers import to_utc
from .clock import to_qdatetime
from .properties import PROPERTY_END_STAMPED, PROPERTY_STEP, PROPERTY_TIME_FIELD

_OWN: list[QgsTemporalNavigationObject] = []  # the controller made when a canvas has none (scripts, tests)


def canvas_controller(canvas=None) -> QgsTemporalNavigationObject:
    """The map canvas's Temporal Controller; without one (QGIS run from a script) one is made, set on the
    canvas if there is a canvas, and kept."""
    controller = canvas.temporalController() if canvas is not None else None
    if isinstance(controller, QgsTemporalNavigationObject):
        return controller
    if not _OWN:
        _OWN.append(QgsTemporalNavigationObject())
    if canvas is not None:
        canvas.setTemporalController(_OWN[0])
    return _OWN[0]


def layer_range(layer: QgsVectorLayer) -> QgsDateTimeRange | None:
    """The layer's time range: from its catalogue record (metadata), else from its time fields. For data
    stamped at the end of each period the range starts a step before the first stamp."""
    extents = layer.metadata().extent().temporalExtents()
    if extents and extents[0].begin().isValid():
        begin, end = extents[0].begin(), extents[0].end()
    else:
        found = field_range(layer)
        if found is None:
            return calculated_temporal_extent(layer)
        begin, end = found
    if layer.customProperty(PROPERTY_END_STAMPED):
        begin = begin.addSecs(-int(layer_step(layer).total_seconds()))
    return QgsDateTimeRange(begin, end)


def field_range(layer: QgsVectorLayer) -> tuple[QDateTime, QDateTime] | None:
    """The first and last instant of the layer's time fields, asked of its data source (worked out here:
    QGIS 3.22 offers no Python-callable way). None when its time is not in plain fields."""
    properties = layer.temporalProperties()
    mode = properties.mode()
    start_field = layer.customProperty(PROPERTY_TIME_FIELD) or (
        properties.startField() if mode in (VectorTemporalMode.FeatureDateTimeInstantFromField,
                                            VectorTemporalMode.FeatureDateTimeStartAndEndFromFields) else "")
    end_field = properties.endField() if mode == VectorTemporalMode.FeatureDateTimeStartAndEndFromFields else ""
    start_at, end_at = layer.fields().indexOf(start_field), layer.fields().indexOf(end_field or start_field)
    if start_at < 0 or end_at < 0:
        return None
    first, last = layer.minimumValue(start_at), layer.maximumValue(end_at)
    if not isinstance(first, QDateTime) or not isinstance(last, QDateTime) or not first.isValid():
        return None
    first, last = to_qdatetime(to_utc(first)), to_qdatetime(to_utc(last))
    if not end_field and not layer.customProperty(PROPERTY_END_STAMPED):
        last = last.addSecs(int(layer_step(layer).total_seconds()))  # the last instant lasts a step
    return first, last


def layer_step(layer: QgsVectorLayer) -> timedelta:
    seconds = layer.customProperty(PROPERTY_STEP)
    return timedelta(seconds=float(seconds)) if seconds else timedelta(minutes=30)


def prepare(controller: QgsTemporalNavigationObject, extent: QgsDateTimeRange, step: timedelta,
            share: bool = True) -> None:
    """Set the controller's range and step and put it on its first frame, ready to play. With ``share``,
    a range already set is widened (several temporal layers, one timeline), the finer step kept and the
    clock left at the time it shows."""
    now = None  # the clock as it is: a layer added later widens the timeline, it does not reset the clock
    if share and controller.navigationMode() == TemporalNavigationMode.Animated:
        current = controller.temporalExtents()
        if current.begin().isValid():
            extent = QgsDateTimeRange(min(current.begin(), extent.begin()), max(current.end(), extent.end()))
            step = min(step, timedelta(seconds=controller.frameDuration().seconds()))
            now = controller.dateTimeRangeForFrameNumber(controller.currentFrameNumber()).begin()
    controller.setNavigationMode(TemporalNavigationMode.Animated)
    controller.setTemporalExtents(extent)
    controller.setFrameDuration(QgsInterval(step.total_seconds()))
    frame = 0
    if now is not None and now.isValid() and step.total_seconds() > 0:
        frame = max(0, int(extent.begin().secsTo(now) // step.total_seconds()))
    controller.setCurrentFrameNumber(min(frame, max(controller.totalFrameCount() - 1, 0)))


_BOUND: dict[str, object] = {}  # layer id -> the playback kept alive while its layer is in the project


def bind_playback(playback, controller: QgsTemporalNavigationObject, project) -> None:
    """Show each frame of the controller in a PlaybackLayer, until the layer leaves the project."""
    from .clock import from_qdatetime

    def show(frame: QgsDateTimeRange) -> None:
        if frame.begin().isValid() and frame.end().isValid():
            playback.show_frame(from_qdatetime(frame.begin()), from_qdatetime(frame.end()))

    layer_id = playback.layer.id()
    controller.updateTemporalRange.connect(show)
    _BOUND[layer_id] = (playback, controller, show)

    def forget(removed_id: str) -> None:
        if removed_id == layer_id and layer_id in _BOUND:
            _, bound_controller, slot = _BOUND.pop(layer_id)
            bound_controller.updateTemporalRange.disconnect(slot)
            project.layerWillBeRemoved.disconnect(forget)

    project.layerWillBeRemoved.connect(forget)
    show(controller.dateTimeRangeForFrameNumber(controller.currentFrameNumber()))


def bound_playbacks() -> list:
    """The playback layers following a controller now."""
    return [playback for playback, _, _ in _BOUND.values()]
