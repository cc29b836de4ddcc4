"""Exporting an animation in the background: the map's layers are copied (reopened inside the task, with
their style), so QGIS keeps drawing its own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from qgis.core import QgsFeedback, QgsMapLayer, QgsMapSettings, QgsRectangle, QgsTask
from qgis.PyQt.QtCore import QSize

from ..core.temporal.animation import AnimationResult, Movie, export_animation
from ..core.temporal.controller import bound_playbacks
from .background import BackgroundTask, copy_for_task


def animation_task(layers: list[QgsMapLayer], extent: QgsRectangle, crs, size: QSize, start: datetime,
                   end: datetime, step: timedelta, folder: Path, movie: Movie, frames_per_second: float,
                   done: Callable[[AnimationResult], None], failed: Callable[[str], None]) -> QgsTask:
    playbacks = {p.layer.id(): p.copy() for p in bound_playbacks() if p.layer in layers}  # memory layers
    makers = [(lambda copy=playbacks[layer.id()].layer: copy) if layer.id() in playbacks
              else copy_for_task(layer, keep_style=True) for layer in layers]

    def on_frame(frame_start: datetime, frame_end: datetime) -> None:
        for playback in playbacks.values():
            playback.show_frame(frame_start, frame_end)

    def work(feedback: QgsFeedback) -> AnimationResult:
        copies = [make() for make in makers]  # opened here, not on QGIS's UI thread
        settings = QgsMapSettings()
        settings.setLayers(copies)
        settings.setDestinationCrs(crs)
        settings.setExtent(extent)
        settings.setOutputSize(size)
        try:
            return export_animation(settings, start, end, step, folder, movie, frames_per_second, feedback, on_frame)
        finally:
            del copies[:]  # the reopened layers go in the thread that made them

    def finished(call: Callable, value) -> None:
        task.keep = None  # the playback copies go as soon as the export ends
        call(value)

    task = BackgroundTask(f"LEO: exporting an animation to {folder}", work, lambda result: finished(done, result),
                          lambda message: finished(failed, message))
    task.keep = playbacks  # their memory layers live while the task renders them
    return task
