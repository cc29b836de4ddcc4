"""Reading a time series for fast playback in the background (17.5 million rows take seconds)."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsFeedback, QgsTask, QgsVectorLayer

from ..core.exceptions import LeoError
from ..core.temporal.series import SeriesMatrix, read_series
from .background import BackgroundTask


def read_series_task(layer: QgsVectorLayer, done: Callable[[SeriesMatrix], None], failed: Callable[[str], None],
                     site_field: str = "primary_id", time_field: str = "timestamp",
                     value_field: str = "avg_kw") -> QgsTask:
    """done(series) on the UI thread."""
    missing = [n for n in (site_field, time_field, value_field) if layer.fields().indexOf(n) < 0]
    # The file is read through GDAL (or a copy of the layer): nothing the UI thread owns is touched.
    source = layer.clone()

    def work(feedback: QgsFeedback) -> SeriesMatrix:
        if missing:
            raise LeoError(f"{layer.name()!r} is not a half-hourly series by site: it has no field "
                           f"{', '.join(missing)}.")
        return read_series(source, site_field, time_field, value_field, feedback=feedback)

    return BackgroundTask(f"LEO: reading {layer.name()} for playback", work, done, failed)
