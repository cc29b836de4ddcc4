"""What Shapefile cannot hold, handled openly: 10-character field names, no date-times, 254-byte text,
one geometry type per file, 2 GB per file."""

from __future__ import annotations

from qgis.core import QgsFeatureRequest, QgsVectorLayer, QgsWkbTypes

from ..compat import FeatureRequestFlag, GeometryType, MetaType, WkbType

TEXT_BYTES = 254
SIZE_LIMIT = 2 * 1024 ** 3
DATE_TYPES = (MetaType.Date, MetaType.DateTime, MetaType.Time)
GEOMETRY_SUFFIX = {GeometryType.Point: "points", GeometryType.Line: "lines",
                   GeometryType.Polygon: "polygons"}


def scan(layer: QgsVectorLayer, request: QgsFeatureRequest) -> tuple[list[int], dict[str, int]]:
    """In one pass over the features: the geometry types they have (point, line, polygon) and, per text
    field, how many values are longer than a Shapefile keeps (254 bytes of UTF-8).

    Files read through OGR can hold any type in a GEOMETRY layer while QGIS reports the first feature's
    type, so their geometries are looked at; other providers enforce their declared type.
    """
    declared = QgsWkbTypes.geometryType(layer.wkbType())
    trusted = (layer.providerType() != "ogr" and declared in GEOMETRY_SUFFIX
               and QgsWkbTypes.flatType(layer.wkbType()) != WkbType.GeometryCollection)
    text_fields = [i for i, f in enumerate(layer.fields()) if f.type() == MetaType.String]
    counts: dict[str, int] = {}
    found: set[int] = {declared} if trusted else set()
    if trusted and not text_fields:
        return [declared], counts
    scan_request = QgsFeatureRequest(request).setSubsetOfAttributes(text_fields)
    if trusted:
        scan_request.setFlags(FeatureRequestFlag.NoGeometry)
    for feature in layer.getFeatures(scan_request):
        if not trusted and feature.hasGeometry():
            found.add(feature.geometry().type())
        for index in text_fields:
            value = feature.attribute(index)
            # Only long strings can exceed 254 bytes: skip encoding the short ones.
            if isinstance(value, str) and len(value) > TEXT_BYTES // 4 and len(value.encode("utf-8")) > TEXT_BYTES:
                name = layer.fields().at(index).name()
                counts[name] = counts.get(name, 0) + 1
    return sorted(t for t in found if t in GEOMETRY_SUFFIX), counts


def estimated_sizes(feature_count: int, record_bytes: int, sample_geometry_bytes: float) -> tuple[int, int]:
    """(dBASE, .shp) sizes in bytes a Shapefile would take, from a record length and a geometry sample."""
    return 32 + feature_count * (record_bytes + 1), 100 + int(feature_count * (8 + sample_geometry_bytes))


def record_bytes(layer: QgsVectorLayer, field_indexes: list[int]) -> int:
    """A dBASE record's length for these fields (as GDAL sizes them, text at 254)."""
    total = 0
    for index in field_indexes:
        field = layer.fields().at(index)
        if field.type() == MetaType.String or field.type() in DATE_TYPES:
            total += TEXT_BYTES if field.type() == MetaType.String else 24
        else:
            total += max(field.length(), 24) if field.length() > 0 else 24
    return total


def sample_geometry_bytes(layer: QgsVectorLayer, sample: int = 1000) -> float:
    sizes = []
    for feature in layer.getFeatures(QgsFeatureRequest().setNoAttributes().setLimit(sample)):
        if feature.hasGeometry():
            sizes.append(len(feature.geometry().asWkb()))
    return sum(sizes) / len(sizes) if sizes else 0.0
