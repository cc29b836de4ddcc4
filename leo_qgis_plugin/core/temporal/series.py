"""A time series held as a matrix, sites by instants, so any frame is one column away.

Read once from the layer (GDAL's Arrow interface for file layers, QGIS otherwise): a year of half-hours
for 1,000 sites is 17.5 million rows but a 70 MB matrix. Duplicated rows (the clock change) land on the
same cell and are not counted twice; missing rows stay NaN, shown as "no data", never as zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np
from qgis.core import QgsFeatureRequest, QgsFeedback, QgsVectorLayer

from ..compat import FeatureRequestFlag
from ..exceptions import LeoError
from ..gdal_source import gdal_source
from ..layers import is_null, to_utc


@dataclass
class SeriesMatrix:
    sites: list[str]
    instants: np.ndarray  # epoch seconds (UTC), sorted
    values: np.ndarray    # float32, sites x instants; NaN where there is no reading
    first_row: dict[str, int]  # a feature id per site (where its location is read from)
    stamps_mark_end: bool = True

    @property
    def step(self) -> timedelta:
        steps = np.diff(self.instants)
        return timedelta(seconds=int(np.median(steps))) if len(steps) else timedelta(minutes=30)

    def columns(self, start: datetime, end: datetime) -> slice:
        """The instants a frame [start, end) covers: stamps in (start, end] when they mark period ends."""
        low, high = start.timestamp(), end.timestamp()
        side = "right" if self.stamps_mark_end else "left"
        return slice(int(np.searchsorted(self.instants, low, side)), int(np.searchsorted(self.instants, high, side)))

    def frame(self, start: datetime, end: datetime) -> np.ndarray:
        """Each site's mean over the frame; NaN where it has no reading in it."""
        block = self.values[:, self.columns(start, end)]
        if block.shape[1] == 0:
            return np.full(len(self.sites), np.nan, dtype=np.float32)
        if block.shape[1] == 1:
            return block[:, 0]
        counts = np.sum(~np.isnan(block), axis=1)
        sums = np.nansum(block, axis=1)
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan).astype(np.float32)

    def series(self, site: str, start: datetime | None = None, end: datetime | None = None) -> list[tuple]:
        """(UTC datetime, value) pairs of one site, gaps left out."""
        row = self.values[self.sites.index(site)]
        low = np.searchsorted(self.instants, start.timestamp()) if start else 0
        high = np.searchsorted(self.instants, end.timestamp(), "right") if end else len(self.instants)
        return [(datetime.fromtimestamp(int(t), timezone.utc), float(v))
                for t, v in zip(self.instants[low:high], row[low:high]) if not np.isnan(v)]


def read_series(layer: QgsVectorLayer, site_field: str, time_field: str, value_field: str,
                stamps_mark_end: bool = True, feedback: QgsFeedback | None = None) -> SeriesMatrix:
    missing = [n for n in (site_field, time_field, value_field) if layer.fields().indexOf(n) < 0]
    if missing:
        raise LeoError(f"{layer.name()!r} has no field {', '.join(map(repr, missing))}: a time series needs a site "
                       "id, a time and a value field.")
    columns = _read_with_gdal(layer, site_field, time_field, value_field)
    if columns is None:
        columns = _read_with_qgis(layer, site_field, time_field, value_field, feedback)
    batches, site_names, first_row = columns
    # Batch by batch: never one array of every row (17.5 million rows would need gigabytes).
    uniques = [np.unique(stamps) for _, stamps, _ in batches]
    instants = np.unique(np.concatenate(uniques)) if uniques else np.zeros(0, dtype=np.int64)
    matrix = np.full((len(site_names), len(instants)), np.nan, dtype=np.float32)
    for codes, stamps, values in batches:
        matrix[codes, np.searchsorted(instants, stamps)] = values
    return SeriesMatrix(site_names, instants, matrix, first_row, stamps_mark_end)


def _read_with_gdal(layer: QgsVectorLayer, site_field: str, time_field: str, value_field: str):
    source = gdal_source(layer)
    if source is None:
        return None
    index: dict[str, int] = {}
    first_row: dict[str, int] = {}
    batches = []
    for batch in source.batches():
        if not {site_field, time_field, value_field} <= set(batch):
            return None
        times = batch[time_field]
        if times.dtype.kind != "M":
            return None  # times held as text: QGIS parses those
        sites = np.ma.getdata(batch[site_field])
        fids = batch.get("OGC_FID", batch.get("fid"))
        code = np.empty(len(sites), dtype=np.int32)
        for n, site in enumerate(sites):
            key = site.decode() if isinstance(site, bytes) else str(site)
            number = index.get(key)
            if number is None:
                number = index[key] = len(index)
                first_row[key] = int(fids[n]) if fids is not None else -1
            code[n] = number
        stamp = np.ma.getdata(times).astype("datetime64[s]").astype(np.int64)
        value = np.ma.filled(batch[value_field].astype(np.float32), np.nan)
        known = ~np.ma.getmaskarray(times)
        batches.append((code[known], stamp[known], value[known]))
    return batches, list(index), first_row


def _read_with_qgis(layer: QgsVectorLayer, site_field: str, time_field: str, value_field: str,
                    feedback: QgsFeedback | None):
    request = QgsFeatureRequest().setFlags(FeatureRequestFlag.NoGeometry)
    request.setSubsetOfAttributes([site_field, time_field, value_field], layer.fields())
    at = [layer.fields().indexOf(n) for n in (site_field, time_field, value_field)]
    index: dict[str, int] = {}
    first_row: dict[str, int] = {}
    codes, stamps, values = [], [], []
    for n, feature in enumerate(layer.getFeatures(request)):
        if feedback is not None and n % 100_000 == 0 and feedback.isCanceled():
            break
        attributes = feature.attributes()
        site, stamp, value = str(attributes[at[0]]), attributes[at[1]], attributes[at[2]]
        try:
            instant = to_utc(stamp)
        except ValueError as exc:
            raise LeoError(f"{layer.name()}, feature {feature.id()}, field {time_field!r}: {exc}; times need a "
                           "zone (Z or +01:00), or a date-time field.") from None
        if instant is None:
            continue  # a row without a time cannot be placed in the series
        if site not in index:
            index[site] = len(index)
            first_row[site] = feature.id()
        codes.append(index[site])
        stamps.append(int(instant.timestamp()))
        values.append(np.nan if is_null(value) else float(value))
    batch = (np.array(codes, dtype=np.int32), np.array(stamps, dtype=np.int64), np.array(values, dtype=np.float32))
    return [batch], list(index), first_row


SITE_FIELDS = ("primary_id", "site_id", "asset_id", "feeder_id", "dataset_id")  # dataset_id: SSEN's LV feeder
VALUE_FIELDS = ("avg_kw", "active_power_total_avg", "total_consumption_active_import")


def series_fields(layer: QgsVectorLayer) -> tuple[str, str, str] | None:
    """(site, time, value) fields of a time series by site, guessed from LEO's and SSEN's names."""
    names = layer.fields().names()
    site = next((n for n in SITE_FIELDS if n in names), None)
    time = "timestamp" if "timestamp" in names else None
    value = next((n for n in VALUE_FIELDS if n in names), None)
    if value is None:
        value = next((f.name() for f in layer.fields() if f.isNumeric() and f.name() not in (site, "fid")), None)
    return (site, time, value) if site and time and value else None
