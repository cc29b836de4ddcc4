"""JSON documents for records and collections, built from DatasetRecord."""

from __future__ import annotations

import math

from fastapi import Request

from ..records import DatasetRecord
from ..types import to_json_value
from .negotiation import GEOJSON, HTML, JSON, link, url

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CATALOGUE_ID = "catalogue"

DOWNLOAD_FORMATS = {
    "gpkg": ("application/geopackage+sqlite3", "GeoPackage"),
    "shp": ("application/zip", "Shapefile (zipped)"),
    "geojson": (GEOJSON, "GeoJSON"),
    "csv": ("text/csv", "CSV"),
}


def lonlat_bbox(bbox) -> tuple | None:
    """The bbox if it is four finite longitudes and latitudes in order, else None (never NaN in an answer)."""
    if not bbox or len(bbox) != 4 or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in bbox):
        return None
    minx, miny, maxx, maxy = bbox
    return bbox if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90 else None


def _bbox_polygon(bbox) -> dict | None:
    bbox = lonlat_bbox(bbox)
    if not bbox:
        return None
    minx, miny, maxx, maxy = bbox
    return {"type": "Polygon", "coordinates": [[[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]]}


def _interval(record: DatasetRecord) -> list | None:
    if record.time_start is None and record.time_end is None:
        return None
    return [to_json_value(record.time_start), to_json_value(record.time_end)]


def data_links(request: Request, record: DatasetRecord) -> list[dict]:
    """Links to a dataset's collection, items, queryables and downloads."""
    base = f"/collections/{record.id}"
    links = [
        link(url(request, base), "collection", JSON, f"{record.title} (OGC API Features collection)"),
        link(url(request, f"{base}/items"), "items", GEOJSON, "Features as GeoJSON"),
        link(url(request, f"{base}/queryables"), "http://www.opengis.net/def/rel/ogc/1.0/queryables",
             "application/schema+json", "Queryable properties"),
    ]
    for key, (media, label) in DOWNLOAD_FORMATS.items():
        links.append(link(url(request, f"{base}/download", f=key), "enclosure", media, f"Download as {label}"))
    return links


def record_json(request: Request, record: DatasetRecord) -> dict:
    """An OGC API Records record (a GeoJSON feature) for a dataset."""
    path = f"/collections/{CATALOGUE_ID}/items/{record.id}"
    interval = _interval(record)
    properties = {
        "type": "dataset",
        "title": record.title,
        "description": record.description,
        "keywords": record.keywords,
        "themes": [{"concepts": [{"id": t} for t in record.themes], "scheme": "https://leo.local/themes"}]
        if record.themes else [],
        "language": "en",
        "license": record.licence,
        "licenseUrl": record.licence_url or None,
        "rights": record.attribution,
        "attribution": record.attribution,
        "provenance": record.provenance.value,
        "publisher": record.publisher,
        "contacts": [{"name": record.publisher, "roles": ["publisher"]}],
        "updateFrequency": record.update_frequency,
        "version": record.version,
        "updated": to_json_value(record.updated),
        "accessLevel": record.access.value,
        "kind": record.kind.value,
        "featureCount": record.feature_count,
        "geometryType": record.geometry_type,
        "timeField": record.time_field,
        "timeStartField": record.time_start_field,
        "timeEndField": record.time_end_field,
        "siteField": record.site_field,
        "fields": [f.to_json() for f in record.fields],
        "notes": record.notes,
        "formats": [{"name": label, "mediaType": media} for media, label in DOWNLOAD_FORMATS.values()],
    }
    links = [
        link(url(request, path), "self", GEOJSON),
        link(url(request, path, f="html"), "alternate", HTML),
        link(url(request, f"/collections/{CATALOGUE_ID}"), "collection", JSON, "The LEO catalogue"),
    ]
    if record.licence_url:
        links.append(link(record.licence_url, "license", HTML, record.licence))
    if record.table_name:
        links += data_links(request, record)
    return {
        "id": record.id,
        "type": "Feature",
        "conformsTo": ["http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core"],
        "geometry": _bbox_polygon(record.bbox),
        "time": {"interval": interval} if interval else None,
        "properties": properties,
        "links": links,
    }


def collection_json(request: Request, record: DatasetRecord) -> dict:
    """An OGC API Features collection description for a dataset."""
    extent: dict = {}
    if lonlat_bbox(record.bbox):
        extent["spatial"] = {"bbox": [list(record.bbox)], "crs": CRS84}
    interval = _interval(record)
    if interval:
        extent["temporal"] = {"interval": [interval], "trs": GREGORIAN}
    base = f"/collections/{record.id}"
    return {
        "id": record.id,
        "title": record.title,
        "description": record.description,
        "keywords": record.keywords,
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": extent,
        "license": record.licence,
        "attribution": record.attribution,
        "provenance": record.provenance.value,
        "version": record.version,
        "updated": to_json_value(record.updated),
        "links": [
            link(url(request, base), "self", JSON),
            link(url(request, base, f="html"), "alternate", HTML),
            link(url(request, f"/collections/{CATALOGUE_ID}/items/{record.id}"), "describedby", GEOJSON,
                 "Catalogue record"),
            *data_links(request, record)[1:],
        ],
    }


def catalogue_collection_json(request: Request, bbox: tuple | None) -> dict:
    """The OGC API Records collection that holds the dataset records."""
    base = f"/collections/{CATALOGUE_ID}"
    return {
        "id": CATALOGUE_ID,
        "title": "LEO data catalogue",
        "description": "Records of the datasets of Project LEO (Local Energy Oxfordshire) and related "
                       "network data, searchable by text, place, time and keyword.",
        "itemType": "record",
        "type": "Collection",
        "conformsTo": ["http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-collection"],
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [list(bbox)], "crs": CRS84}} if bbox else {},
        "links": [
            link(url(request, base), "self", JSON),
            link(url(request, base, f="html"), "alternate", HTML),
            link(url(request, f"{base}/items"), "items", GEOJSON, "Records"),
            link(url(request, f"{base}/queryables"), "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                 "application/schema+json", "Record queryables"),
        ],
    }
