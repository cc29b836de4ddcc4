"""Reading a time series for fast playback in the background (17.5 million rows take seconds)."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsFeedback, QgsTask, QgsVectorLayer

from ..core.exceptions import LeoError
from ..core.temporal.properties import layer_stamps_mark_end
from ..core.temporal.series import SeriesMatrix, read_series, series_fields
from .background import BackgroundTask


def read_series_task(layer: QgsVectorLayer, done: Callable[[SeriesMatrix], None],
                     failed: Callable[[str], None]) -> QgsTask:
    """done(series) on the UI thread; the site, time and value fields are found by their names."""
    fields = series_fields(layer)
    stamps_mark_end = layer_stamps_mark_end(layer)
    # The file is read through GDAL (or a copy of the layer): nothing the UI thread owns is touched.
    source = layer.clone()

    def work(feedback: QgsFeedback) -> SeriesMatrix:
        if fields is None:
            raise LeoError(f"{layer.name()!r} is not a time series by site: it needs a site id (e.g. primary_id "
                           "or site_id), a timestamp and a value field.")
        return read_series(source, *fields, stamps_mark_end, feedback=feedback)

    return BackgroundTask(f"LEO: reading {layer.name()} for playback", work, done, failed)
