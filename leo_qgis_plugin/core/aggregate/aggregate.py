"""Aggregate a layer's features into boundaries: count, sum, mean, min, max and RAG shares.

Points count in the boundary that contains them. Polygons are apportioned by area and lines by length:
a polygon half in one district and half in another adds 0.5 to each district's count, half its value to
each sum, and weighs 0.5 in each mean; min and max take every feature that reaches into the boundary.
Areas and lengths are measured in British National Grid (EPSG:27700) when the layer is in degrees.
Features outside every boundary are counted separately (``AggregateResult.outside``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeedback,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProject,
    QgsSpatialIndex,
    QgsVectorLayer,
    QgsWkbTypes,
)

from ..compat import GeometryType, MetaType
from ..exceptions import LeoError
from ..layers import is_null
from .point_arrays import read_points
from .point_lookup import containing_boundary
from .stats import RAG_STATES, Stat

OUTSIDE_PROPERTY = "leo_qgis/aggregate/outside"


@dataclass
class Contributions:
    """Which boundary each feature (or part of one) falls in, with what weight, and its values."""

    boundary: np.ndarray  # index of the boundary, or -1 outside them all
    weight: np.ndarray    # 1 for points; the share of area or length for polygons and lines
    values: dict[str, np.ndarray]
    features: int


@dataclass
class AggregateResult:
    layer: QgsVectorLayer
    outside: float  # features (or shares of them) outside every boundary
    features: int
    messages: list[str] = field(default_factory=list)


def aggregate(layer: QgsVectorLayer, boundaries: QgsVectorLayer, fields: list[str] | None = None,
              stats: list[Stat] | None = None, rag_fields: list[str] | None = None, name: str | None = None,
              feedback: QgsFeedback | None = None) -> AggregateResult:
    """One polygon per boundary with its attributes, ``count``, ``<field>_<stat>`` and
    ``<rag field>_<red|amber|green>_share`` fields."""
    fields, rag_fields = list(fields or []), list(rag_fields or [])
    stats = [Stat(s) for s in (stats or [Stat.SUM, Stat.MEAN])]
    _check_fields(layer, fields, rag_fields)
    shapes, messages = _boundary_shapes(boundaries)
    if QgsWkbTypes.geometryType(layer.wkbType()) == GeometryType.Point:
        parts = _points(layer, fields + rag_fields, shapes, boundaries.crs(), feedback)
    elif QgsWkbTypes.geometryType(layer.wkbType()) in (GeometryType.Polygon, GeometryType.Line):
        parts = _apportioned(layer, fields + rag_fields, shapes, boundaries.crs(), feedback)
    else:
        raise LeoError(f"{layer.name()!r} has no geometry to aggregate by place.")
    inside = parts.boundary >= 0
    outside = float(parts.weight[~inside].sum()) if len(parts.weight) else 0.0
    output = _output_layer(boundaries, shapes, parts, fields, stats, rag_fields,
                           name or f"{layer.name()} by {boundaries.name()}")
    output.setCustomProperty(OUTSIDE_PROPERTY, outside)
    if outside:
        messages.append(f"{outside:,.1f} of {layer.name()!r}'s features lie outside every boundary of "
                        f"{boundaries.name()!r}; they are counted separately.")
    return AggregateResult(output, outside, parts.features, messages)


def _check_fields(layer: QgsVectorLayer, fields: list[str], rag_fields: list[str]) -> None:
    names = layer.fields().names()
    missing = [f for f in fields + rag_fields if f not in names]
    if missing:
        raise LeoError(f"{layer.name()!r} has no field {', '.join(map(repr, missing))}.")
    text = [f for f in fields if not layer.fields().field(f).isNumeric()]
    if text:
        raise LeoError(f"Sums and means need numbers; {', '.join(map(repr, text))} of {layer.name()!r} are text "
                       "(choose them as RAG fields for shares of Red, Amber and Green).")


def _boundary_shapes(boundaries: QgsVectorLayer) -> tuple[list[QgsFeature], list[str]]:
    """The boundary features, invalid geometries repaired (and reported)."""
    if QgsWkbTypes.geometryType(boundaries.wkbType()) != GeometryType.Polygon:
        raise LeoError(f"Boundaries must be polygons; {boundaries.name()!r} is not.")
    shapes, messages = [], []
    for feature in boundaries.getFeatures():
        geometry = feature.geometry()
        if not geometry.isEmpty() and not geometry.isGeosValid():
            feature.setGeometry(geometry.makeValid())
            messages.append(f"Boundary feature {feature.id()} of {boundaries.name()!r} had an invalid geometry; "
                            "it was repaired before aggregating.")
        shapes.append(feature)
    if not shapes:
        raise LeoError(f"The boundary layer {boundaries.name()!r} is empty.")
    return shapes, messages


def transformed(shapes: list[QgsFeature], source: QgsCoordinateReferenceSystem,
                 target: QgsCoordinateReferenceSystem) -> list[QgsGeometry]:
    transform = QgsCoordinateTransform(source, target, QgsProject.instance().transformContext())
    geometries = []
    for feature in shapes:
        geometry = QgsGeometry(feature.geometry())
        if source != target and not geometry.isEmpty():
            geometry.transform(transform)
        geometries.append(geometry)
    return geometries


def _points(layer: QgsVectorLayer, names: list[str], shapes: list[QgsFeature],
            boundary_crs: QgsCoordinateReferenceSystem, feedback: QgsFeedback | None) -> Contributions:
    # The boundaries (few) move into the points' CRS, not the points (many) into theirs.
    arrays = read_points(layer, names, feedback)
    index = containing_boundary(arrays.xs, arrays.ys, transformed(shapes, boundary_crs, layer.crs()))
    return Contributions(index, np.ones(len(index)), arrays.values, len(index))


def _measure_crs(layer: QgsVectorLayer) -> QgsCoordinateReferenceSystem:
    return QgsCoordinateReferenceSystem("EPSG:27700") if layer.crs().isGeographic() else layer.crs()


def _apportioned(layer: QgsVectorLayer, names: list[str], shapes: list[QgsFeature],
                 boundary_crs: QgsCoordinateReferenceSystem, feedback: QgsFeedback | None) -> Contributions:
    crs = _measure_crs(layer)
    geometries = transformed(shapes, boundary_crs, crs)
    index = QgsSpatialIndex()
    for n, geometry in enumerate(geometries):
        index.addFeature(n, geometry.boundingBox())
    to_measure = QgsCoordinateTransform(layer.crs(), crs, QgsProject.instance().transformContext())
    polygons = QgsWkbTypes.geometryType(layer.wkbType()) == GeometryType.Polygon
    size = (lambda g: g.area()) if polygons else (lambda g: g.length())
    boundary, weight, rows = [], [], {name: [] for name in names}
    count = 0
    for feature in layer.getFeatures(QgsFeatureRequest().setSubsetOfAttributes(names, layer.fields())):
        if feedback is not None and feedback.isCanceled():
            break
        geometry = QgsGeometry(feature.geometry())
        if geometry.isEmpty():
            continue
        count += 1
        if not geometry.isGeosValid():
            geometry = geometry.makeValid()
        geometry.transform(to_measure)
        whole = size(geometry)
        shares = []
        for candidate in index.intersects(geometry.boundingBox()):
            part = geometry.intersection(geometries[candidate])
            share = size(part) / whole if whole else 0.0
            if share > 1e-9:
                shares.append((candidate, share))
        left = 1.0 - sum(share for _, share in shares)
        if left > 1e-6:
            shares.append((-1, left))
        for candidate, share in shares:
            boundary.append(candidate)
            weight.append(share)
            for name in names:
                rows[name].append(feature[name])
    values = {name: _as_array(column, layer.fields().field(name).isNumeric()) for name, column in rows.items()}
    return Contributions(np.array(boundary, dtype=np.int64), np.array(weight, dtype=float), values, count)


def _as_array(column: list, numeric: bool) -> np.ndarray:
    if numeric:
        return np.array([np.nan if is_null(v) else float(v) for v in column], dtype=float)
    return np.array([None if is_null(v) else str(v) for v in column], dtype=object)


def statistics(parts: Contributions, boundaries: int, fields: list[str], stats: list[Stat],
               rag_fields: list[str]) -> dict[str, np.ndarray]:
    """Per boundary: ``count`` and the requested statistics, as arrays indexed like the boundaries."""
    inside = parts.boundary >= 0
    where, weight = parts.boundary[inside], parts.weight[inside]
    out = {"count": np.bincount(where, weights=weight, minlength=boundaries)}
    for name in fields:
        values = parts.values[name][inside]
        known = ~np.isnan(values)
        weighted = np.bincount(where[known], weights=weight[known] * values[known], minlength=boundaries)
        counted = np.bincount(where[known], weights=weight[known], minlength=boundaries)
        for stat in stats:
            if stat is Stat.COUNT:
                out[f"{name}_count"] = counted
            elif stat is Stat.SUM:
                out[f"{name}_sum"] = weighted
            elif stat is Stat.MEAN:
                out[f"{name}_mean"] = np.divide(weighted, counted, out=np.full(boundaries, np.nan), where=counted > 0)
            else:
                extreme = np.full(boundaries, np.inf if stat is Stat.MIN else -np.inf)
                (np.minimum if stat is Stat.MIN else np.maximum).at(extreme, where[known], values[known])
                extreme[np.isinf(extreme)] = np.nan
                out[f"{name}_{stat.value}"] = extreme
    for name in rag_fields:
        states = parts.values[name][inside]
        rated = np.bincount(where, weights=weight * np.isin(states, RAG_STATES), minlength=boundaries)
        for state in RAG_STATES:
            matching = np.bincount(where, weights=weight * (states == state), minlength=boundaries)
            out[f"{name}_{state.lower()}_share"] = np.divide(matching, rated, out=np.full(boundaries, np.nan),
                                                             where=rated > 0)
    return out


def _output_layer(boundaries: QgsVectorLayer, shapes: list[QgsFeature], parts: Contributions, fields: list[str],
                  stats: list[Stat], rag_fields: list[str], name: str) -> QgsVectorLayer:
    columns = statistics(parts, len(shapes), fields, stats, rag_fields)
    layer = QgsVectorLayer(f"MultiPolygon?crs={boundaries.crs().authid() or boundaries.crs().toWkt()}", name,
                           "memory")
    output_fields = QgsFields(boundaries.fields())
    for column in columns:
        output_fields.append(QgsField(column, MetaType.Double))
    layer.dataProvider().addAttributes(output_fields.toList())
    layer.updateFields()
    features = []
    for n, shape in enumerate(shapes):
        feature = QgsFeature(layer.fields())
        geometry = QgsGeometry(shape.geometry())
        geometry.convertToMultiType()
        feature.setGeometry(geometry)
        extra = [None if np.isnan(columns[c][n]) else round(float(columns[c][n]), 6) for c in columns]
        feature.setAttributes(list(shape.attributes()) + extra)
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    layer.updateExtents()
    return layer
