"""Spatial SQL that differs between SpatiaLite and PostGIS, behind one set of functions."""

from __future__ import annotations

import shapely
from sqlalchemy import Table, and_, column, func, literal, select, table
from sqlalchemy.sql import ColumnElement

from .schema import GEOMETRY_COLUMN, ID_COLUMN, WKB_TYPE

SPATIAL_FUNCTIONS = {
    "intersects": "ST_Intersects",
    "within": "ST_Within",
    "contains": "ST_Contains",
    "disjoint": "ST_Disjoint",
    "equals": "ST_Equals",
    "touches": "ST_Touches",
    "crosses": "ST_Crosses",
    "overlaps": "ST_Overlaps",
}


def geometry_literal(geometry: shapely.Geometry) -> ColumnElement:
    """A WGS 84 geometry as an SQL value."""
    return func.ST_GeomFromWKB(literal(shapely.to_wkb(geometry), WKB_TYPE), 4326)


def predicate(dialect: str, name: str, left: ColumnElement, right: ColumnElement) -> ColumnElement:
    """A spatial predicate; SpatiaLite's answer -1 (for NULL geometry) must not count as true."""
    expression = getattr(func, SPATIAL_FUNCTIONS[name])(left, right)
    return expression == 1 if dialect == "sqlite" else expression


def bbox_filter(dialect: str, data: Table, bbox: tuple[float, float, float, float]) -> ColumnElement:
    """Rows whose geometry intersects the box, using the spatial index on both backends."""
    minx, miny, maxx, maxy = bbox
    geom = data.c[GEOMETRY_COLUMN]
    envelope = geometry_literal(shapely.box(minx, miny, maxx, maxy))
    if dialect == "sqlite":
        # SpatiaLite does not use its R*Tree by itself: pre-select candidates from it.
        index = table(f"idx_{data.name}_{GEOMETRY_COLUMN}", column("pkid"), column("xmin"),
                      column("xmax"), column("ymin"), column("ymax"))
        candidates = select(index.c.pkid).where(and_(
            index.c.xmin <= maxx, index.c.xmax >= minx, index.c.ymin <= maxy, index.c.ymax >= miny))
        return and_(data.c[ID_COLUMN].in_(candidates), predicate(dialect, "intersects", geom, envelope))
    return and_(geom.op("&&")(func.ST_MakeEnvelope(minx, miny, maxx, maxy, 4326)),
                func.ST_Intersects(geom, envelope))
