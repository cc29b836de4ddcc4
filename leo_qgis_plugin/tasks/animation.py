"""Exporting an animation in the background: the map's layers are copied, so QGIS keeps drawing its own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from qgis.core import QgsFeedback, QgsMapLayer, QgsMapSettings, QgsRectangle, QgsTask
from qgis.PyQt.QtCore import QSize

from ..core.temporal.animation import AnimationResult, Movie, export_animation
from ..core.temporal.controller import bound_playbacks
from .background import BackgroundTask


def animation_task(layers: list[QgsMapLayer], extent: QgsRectangle, crs, size: QSize, start: datetime,
                   end: datetime, step: timedelta, folder: Path, movie: Movie, frames_per_second: float,
                   done: Callable[[AnimationResult], None], failed: Callable[[str], None]) -> QgsTask:
    playbacks = {p.layer.id(): p.copy() for p in bound_playbacks() if p.layer in layers}
    copies = [playbacks[layer.id()].layer if layer.id() in playbacks else layer.clone() for layer in layers]
    settings = QgsMapSettings()
    settings.setLayers(copies)
    settings.setDestinationCrs(crs)
    settings.setExtent(extent)
    settings.setOutputSize(size)

    def on_frame(frame_start: datetime, frame_end: datetime) -> None:
        for playback in playbacks.values():
            playback.show_frame(frame_start, frame_end)

    def work(feedback: QgsFeedback) -> AnimationResult:
        return export_animation(settings, start, end, step, folder, movie, frames_per_second, feedback, on_frame)

    def finished(call: Callable, value) -> None:
        task.keep = None  # the layer copies go as soon as the export ends
        call(value)

    task = BackgroundTask(f"LEO: exporting an animation to {folder}", work, lambda result: finished(done, result),
                          lambda message: finished(failed, message))
    task.keep = (copies, playbacks)  # the copies live while the task renders them
    return task
