"""A load layer's site, time and value columns as numpy arrays, read in bulk.

A GeoPackage is read through GDAL's Arrow interface (only the three columns, the sites filtered by GDAL):
a million rows in a fraction of a second, where QGIS's feature iteration takes seconds. GeoPackage times
are UTC by the standard (GDAL warns of any that are not, and then QGIS reads the layer); any other layer
(memory, OGC API, database, CSV, a layer with a filter or unsaved edits) goes through QGIS's feature
iteration, which reads anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np
from qgis.core import QgsExpression, QgsFeatureRequest, QgsFeedback, QgsVectorLayer
from qgis.PyQt.QtCore import QDateTime, Qt

from ..compat import FeatureRequestFlag
from ..gdal_source import gdal_source
from ..layers import to_utc
from .definitions import BaselineError
from .quality import number_of

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


@dataclass
class LoadColumns:
    sites: list[str]      # site id by code
    codes: np.ndarray     # each row's site code
    stamps: np.ndarray    # microseconds since 1970, UTC
    values: np.ndarray    # float, NaN when empty
    text: np.ndarray      # True where the value was text, not a number
    reader: str           # "gdal" or "qgis"

    def by_site(self):
        """(site, row indexes) per site."""
        order = np.argsort(self.codes, kind="stable")
        bounds = np.flatnonzero(np.diff(self.codes[order])) + 1
        for rows in np.split(order, bounds) if len(order) else []:
            yield self.sites[int(self.codes[rows[0]])], rows


def read_load_columns(layer: QgsVectorLayer, site: str, time: str, value: str, sites: set[str] | None,
                      naive_as_utc: bool = False, feedback: QgsFeedback | None = None) -> LoadColumns | None:
    """The rows of ``sites`` (every site when None); None when cancelled."""
    columns = _read_with_gdal(layer, site, time, value, sites)
    return columns if columns is not None else _read_with_qgis(layer, site, time, value, sites, naive_as_utc,
                                                                feedback)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _read_with_gdal(layer: QgsVectorLayer, site: str, time: str, value: str,
                    sites: set[str] | None) -> LoadColumns | None:
    if layer.isEditable() and layer.isModified():
        return None  # unsaved edits live in QGIS only
    source = gdal_source(layer)
    if source is None or source.dataset.GetDriver().GetName() != "GPKG":
        return None
    from osgeo import gdal

    where = None if sites is None else f'"{site}" IN ({", ".join(map(_sql_text, sorted(sites)))})'
    warnings: list[str] = []
    gdal.PushErrorHandler(lambda _class, _number, message: warnings.append(message))
    try:
        batches = list(source.batches([site, time, value], where))
    finally:
        gdal.PopErrorHandler()
    if warnings or any(not {site, time, value} <= set(b) for b in batches):
        return None  # times not in UTC (GDAL would drop their offset), or a column GDAL does not hand over
    if not batches:
        return LoadColumns([], *(np.zeros(0, dtype=t) for t in (np.int32, np.int64, float, bool)), "gdal")
    times = np.ma.concatenate([b[time] for b in batches])
    values = np.ma.concatenate([b[value] for b in batches])
    names = np.ma.concatenate([b[site] for b in batches])
    if times.dtype.kind != "M" or values.dtype.kind not in "iuf" or np.ma.is_masked(times) or np.ma.is_masked(names):
        return None  # text times or values, empty times or sites: QGIS reads those (and says what is wrong)
    distinct, codes = np.unique(np.ma.getdata(names), return_inverse=True)
    sites_found = [s.decode() if isinstance(s, bytes) else str(s) for s in distinct.tolist()]
    stamps = np.ma.getdata(times).astype("datetime64[us]").astype(np.int64)
    numbers = np.ma.filled(values.astype(float), np.nan)
    return LoadColumns(sites_found, codes.astype(np.int32), stamps, numbers, np.zeros(len(numbers), dtype=bool),
                       "gdal")


def _read_with_qgis(layer: QgsVectorLayer, site: str, time: str, value: str, sites: set[str] | None,
                    naive_as_utc: bool, feedback: QgsFeedback | None) -> LoadColumns | None:
    request = QgsFeatureRequest().setFlags(FeatureRequestFlag.NoGeometry)
    if sites is not None:
        listed = ", ".join(QgsExpression.quotedValue(s) for s in sorted(sites))
        request.setFilterExpression(f"{QgsExpression.quotedColumnRef(site)} IN ({listed})")
    request.setSubsetOfAttributes([site, time, value], layer.fields())
    site_at, time_at, value_at = (layer.fields().indexOf(n) for n in (site, time, value))
    index: dict[str, int] = {}
    codes, stamps, numbers, text = [], [], [], []
    stamp_of = _StampReader(time, naive_as_utc)
    total = max(layer.featureCount(), 1)
    for n, feature in enumerate(layer.getFeatures(request)):
        if feedback is not None and n % 50_000 == 0:
            if feedback.isCanceled():
                return None
            feedback.setProgress(50.0 * n / total)
        attributes = feature.attributes()
        name, raw = str(attributes[site_at]), attributes[value_at]
        codes.append(index.setdefault(name, len(index)))
        stamps.append(stamp_of.read(attributes[time_at], feature.id()))
        number = number_of(raw)
        numbers.append(np.nan if number is None else number)
        text.append(number is None and isinstance(raw, str) and bool(raw.strip()))
    return LoadColumns(list(index), np.array(codes, dtype=np.int32), np.array(stamps, dtype=np.int64),
                       np.array(numbers, dtype=float), np.array(text, dtype=bool), "qgis")


class _StampReader:
    """Microseconds since 1970 from a time field, fast for QGIS date-times."""

    def __init__(self, field: str, naive_as_utc: bool) -> None:
        self.field = field
        self.naive_as_utc = naive_as_utc

    def read(self, value, feature_id: int) -> int:
        # QGIS date-times: the clock reading is UTC (see layers.to_utc); text goes the long way.
        if isinstance(value, QDateTime) and value.isValid() and value.timeSpec() != Qt.TimeSpec.OffsetFromUTC:
            value.setTimeSpec(Qt.TimeSpec.UTC)
            return value.toMSecsSinceEpoch() * 1000
        return (utc_stamp(value, self.field, feature_id, "load", self.naive_as_utc) - _EPOCH) // _MICROSECOND


def utc_stamp(value, field: str, feature_id: int, what: str, naive_as_utc: bool) -> datetime:
    """A time field's value as UTC, or a BaselineError naming the feature and field."""
    try:
        stamp = to_utc(value, naive_as_utc)
    except ValueError as exc:
        raise BaselineError(f"The {what}, feature {feature_id}, field {field!r}: {exc}. Give UTC times (or choose "
                            "to read times without a zone as UTC).") from None
    if stamp is None:
        raise BaselineError(f"The {what}, feature {feature_id}, field {field!r}: the time is empty.")
    return stamp
