"""The real ONS boundaries (districts and MSOAs) from the shipped GeoPackage."""

from __future__ import annotations

import shapely
from osgeo import ogr

from .sources import BOUNDARIES

ogr.UseExceptions()


def read_layer(layer_name: str, fields: list[str]) -> list[dict]:
    """Rows of a boundary layer: the named fields plus ``geometry`` (shapely, EPSG:4326), as published."""
    source = ogr.Open(str(BOUNDARIES))
    layer = source.GetLayerByName(layer_name)
    rows = []
    for feature in layer:
        geometry = shapely.from_wkb(bytes(feature.GetGeometryRef().ExportToIsoWkb()))
        if geometry.geom_type == "Polygon":
            geometry = shapely.MultiPolygon([geometry])
        rows.append({**{f: feature.GetField(f) for f in fields}, "geometry": geometry})
    return sorted(rows, key=lambda r: r[fields[0]])


def county_outline(districts: list[dict]) -> shapely.Geometry:
    """Oxfordshire as the union of its districts."""
    return shapely.union_all([shapely.make_valid(d["geometry"]) for d in districts])
