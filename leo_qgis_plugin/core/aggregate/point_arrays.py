"""A point layer's coordinates and chosen fields as numpy arrays.

File layers read by GDAL come through its Arrow interface (GDAL 3.6+) in a fraction of a second for a
million points; any other layer (memory, OGC API, database, a layer with a filter) through QGIS's own
feature iteration, which is slower but reads anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from qgis.core import QgsFeatureRequest, QgsFeedback, QgsVectorLayer

from ..gdal_source import gdal_source
from ..layers import is_null

WKB_POINT_SIZE = 21  # byte order, type, x, y


@dataclass
class PointArrays:
    xs: np.ndarray
    ys: np.ndarray
    values: dict[str, np.ndarray]  # numbers as float (NaN for empty), text as object arrays
    reader: str  # "gdal" or "qgis": which way the layer was read


def read_points(layer: QgsVectorLayer, fields: list[str], feedback: QgsFeedback | None = None) -> PointArrays:
    """Coordinates (in the layer's CRS) and the values of ``fields``; features without a geometry are left
    out; a multi-point counts at its centroid."""
    arrays = _read_with_gdal(layer, fields)
    return arrays if arrays is not None else _read_with_qgis(layer, fields, feedback)


def _read_with_gdal(layer: QgsVectorLayer, fields: list[str]) -> PointArrays | None:
    source = gdal_source(layer)
    if source is None:
        return None
    geometry_column = source.layer.GetGeometryColumn() or "wkb_geometry"
    wkbs, columns = [], {name: [] for name in fields}
    # Masked arrays keep empty values apart from zeros.
    for batch in source.batches():
        if geometry_column not in batch or np.ma.is_masked(batch[geometry_column]):
            return None  # features without geometry: QGIS reads those
        wkbs.append(np.ma.getdata(batch[geometry_column]))
        for name in fields:
            if name not in batch:
                return None
            columns[name].append(batch[name])
    raw = _point_wkb(wkbs)
    if raw is None or (len(raw) and (np.any(raw[:, 0] != 1) or np.any(raw[:, 1:5].copy().view("<u4")[:, 0] != 1))):
        return None  # empty, 3D, multi-point or big-endian geometries: QGIS reads those
    coordinates = raw[:, 5:].copy().view("<f8")
    values = {name: _column(np.ma.concatenate(batches)) for name, batches in columns.items()}
    return PointArrays(coordinates[:, 0].copy(), coordinates[:, 1].copy(), values, "gdal")


def _point_wkb(batches: list[np.ndarray]) -> np.ndarray | None:
    """The WKB of every feature as rows of bytes, if all are 21 bytes (2D points). GDAL hands equal-sized
    blobs over as one fixed-size array, mixed sizes as objects."""
    rows = []
    for batch in batches:
        if batch.dtype.kind == "V" and batch.dtype.itemsize == WKB_POINT_SIZE:
            rows.append(np.frombuffer(batch.tobytes(), dtype=np.uint8).reshape(-1, WKB_POINT_SIZE))
        elif batch.dtype == object and all(b is not None and len(b) == WKB_POINT_SIZE for b in batch):
            rows.append(np.frombuffer(b"".join(bytes(b) for b in batch), dtype=np.uint8).reshape(-1, WKB_POINT_SIZE))
        else:
            return None
    return np.concatenate(rows) if rows else np.zeros((0, WKB_POINT_SIZE), dtype=np.uint8)


def _column(values: np.ma.MaskedArray) -> np.ndarray:
    if values.dtype.kind in "iuf":
        return np.ma.filled(values.astype(float), np.nan)
    return np.array([None if v is np.ma.masked else v.decode() if isinstance(v, bytes) else v for v in values],
                    dtype=object)


def _read_with_qgis(layer: QgsVectorLayer, fields: list[str], feedback: QgsFeedback | None) -> PointArrays:
    request = QgsFeatureRequest().setSubsetOfAttributes(fields, layer.fields())
    xs, ys, columns = [], [], {name: [] for name in fields}
    total = max(layer.featureCount(), 1)
    for n, feature in enumerate(layer.getFeatures(request)):
        if feedback is not None and n % 100_000 == 0:
            if feedback.isCanceled():
                break
            feedback.setProgress(50.0 * n / total)
        geometry = feature.geometry()
        if geometry.isEmpty():
            continue
        point = geometry.constGet() if not geometry.isMultipart() else geometry.centroid().constGet()
        xs.append(point.x())
        ys.append(point.y())
        for name in fields:
            columns[name].append(feature[name])
    values = {}
    for name, column in columns.items():
        if layer.fields().field(name).isNumeric():
            values[name] = np.array([np.nan if is_null(v) else float(v) for v in column], dtype=float)
        else:
            values[name] = np.array([None if is_null(v) else str(v) for v in column], dtype=object)
    return PointArrays(np.array(xs, dtype=float), np.array(ys, dtype=float), values, "qgis")
