"""Synthetic primary supply areas: Voronoi cells of the primaries, clipped to the county."""

from __future__ import annotations

import math

import shapely
from shapely import affinity

from .network import Substation

# Voronoi in degrees would stretch cells north-south; squash longitude to about metres first.
_X_SCALE = math.cos(math.radians(51.75))


def supply_areas(primaries: list[Substation], county: shapely.Geometry) -> dict[str, shapely.MultiPolygon]:
    """Asset id -> supply area for every located primary."""
    located = [p for p in primaries if p.latitude is not None]
    points = shapely.MultiPoint([(p.longitude * _X_SCALE, p.latitude) for p in located])
    envelope = affinity.scale(county, xfact=_X_SCALE, yfact=1.0, origin=(0, 0)).buffer(0.2)
    cells = shapely.voronoi_polygons(points, extend_to=envelope)
    areas = {}
    for primary in located:
        point = shapely.Point(primary.longitude * _X_SCALE, primary.latitude)
        cell = next(c for c in cells.geoms if c.covers(point))
        cell = affinity.scale(cell, xfact=1 / _X_SCALE, yfact=1.0, origin=(0, 0))
        area = shapely.intersection(cell, county)
        polygons = [g for g in getattr(area, "geoms", [area]) if g.geom_type == "Polygon"]
        areas[primary.asset_id] = shapely.MultiPolygon(polygons)
    return areas
