"""Aggregates that follow the Temporal Controller: each frame of a playback layer is aggregated again.

Which boundary holds each site never changes, so it is worked out once; a frame then costs one weighted
count per level (microseconds for thousands of sites)."""

from __future__ import annotations

import numpy as np
from qgis.core import QgsVectorLayer

from .aggregate import Stat, transformed
from .point_lookup import containing_boundary

FIELD = "value"  # the playback layer's per-frame value


class FrameAggregates:
    def __init__(self, playback, aggregate_layers: list[QgsVectorLayer]) -> None:
        points = {f["site_id"]: f.geometry().asPoint() for f in playback.layer.getFeatures() if f.hasGeometry()}
        xs = np.array([points[s].x() if s in points else np.nan for s in playback.series.sites])
        ys = np.array([points[s].y() if s in points else np.nan for s in playback.series.sites])
        self.levels = []
        for layer in aggregate_layers:
            shapes = list(layer.getFeatures())
            index = containing_boundary(xs, ys, transformed(shapes, layer.crs(), playback.layer.crs()))
            fields = {stat: layer.fields().indexOf(f"{FIELD}_{stat.value}") for stat in Stat}
            self.levels.append((layer, index, [f.id() for f in shapes], {s: i for s, i in fields.items() if i >= 0}))
        playback.listeners.append(self.update)

    def update(self, values: np.ndarray) -> None:
        for layer, index, fids, fields in self.levels:
            known = (index >= 0) & ~np.isnan(values)
            where, vals, n = index[known], values[known].astype(float), len(fids)
            counted = np.bincount(where, minlength=n).astype(float)
            sums = np.bincount(where, weights=vals, minlength=n)
            columns = {Stat.COUNT: counted, Stat.SUM: sums,
                       Stat.MEAN: np.divide(sums, counted, out=np.full(n, np.nan), where=counted > 0)}
            for stat, reduce in ((Stat.MIN, np.minimum), (Stat.MAX, np.maximum)):
                extreme = np.full(n, np.inf if stat is Stat.MIN else -np.inf)
                reduce.at(extreme, where, vals)
                extreme[np.isinf(extreme)] = np.nan
                columns[stat] = extreme
            changes = {fid: {column: None if np.isnan(columns[stat][k]) else round(float(columns[stat][k]), 3)
                             for stat, column in fields.items()} for k, fid in enumerate(fids)}
            layer.dataProvider().changeAttributeValues(changes)
            layer.triggerRepaint()
