"""Writing a dataset's (filtered) rows as GeoPackage 1.2, zipped Shapefile, GeoJSON or CSV.

Rows are streamed from the database, never all held in memory.
"""

from __future__ import annotations

import csv
import io
import math
import re
import sqlite3
import struct
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

import numpy as np
from osgeo import ogr, osr

from leo_qgis_plugin.core.formats.fields import FieldDef, FieldType

from .features import features_json
from .records import DatasetRecord
from .types import json_bytes, to_json_value

ogr.UseExceptions()
osr.UseExceptions()

_OGR_TYPES = {
    FieldType.STRING: ogr.OFTString,
    FieldType.INTEGER: ogr.OFTInteger64,
    FieldType.NUMBER: ogr.OFTReal,
    FieldType.BOOLEAN: ogr.OFTInteger,
    FieldType.DATE: ogr.OFTDate,
    FieldType.DATETIME: ogr.OFTDateTime,
}

Row = tuple  # (fid, wkb, *field values)


def _wgs84() -> osr.SpatialReference:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def _geometry_type(record: DatasetRecord) -> int:
    return {
        "Point": ogr.wkbPoint, "MultiPoint": ogr.wkbMultiPoint, "LineString": ogr.wkbLineString,
        "MultiLineString": ogr.wkbMultiLineString, "Polygon": ogr.wkbPolygon, "MultiPolygon": ogr.wkbMultiPolygon,
        None: ogr.wkbNone,
    }.get(record.geometry_type, ogr.wkbUnknown)


def metadata_text(record: DatasetRecord, source_url: str) -> str:
    """A sidecar note that keeps the licence and attribution with the exported files."""
    return (
        f"Title: {record.title}\nDataset: {record.id} (version {record.version})\nSource: {source_url}\n"
        f"Licence: {record.licence}\nAttribution: {record.attribution}\nProvenance: {record.provenance.value}\n"
        f"CRS: EPSG:4326 (WGS 84 longitude/latitude)\n"
    )


def _set_field(feature: ogr.Feature, index: int, field: FieldDef, value) -> None:
    if value is None:
        feature.SetFieldNull(index)
    elif field.type == FieldType.DATETIME:
        feature.SetField(index, value.year, value.month, value.day, value.hour, value.minute,
                         value.second + value.microsecond / 1e6, 100)
    elif field.type == FieldType.DATE:
        feature.SetField(index, value.year, value.month, value.day, 0, 0, 0, 0)
    elif field.type == FieldType.BOOLEAN:
        feature.SetField(index, int(value))
    else:
        feature.SetField(index, value)


def write_ogr(record: DatasetRecord, rows: Iterable[Row], path: Path, driver_name: str, note: str = "") -> None:
    """Write rows with GDAL: ``GPKG`` (GeoPackage 1.2, spatial index, the note as layer description) or
    ``ESRI Shapefile``."""
    driver = ogr.GetDriverByName(driver_name)
    options = ["VERSION=1.2"] if driver_name == "GPKG" else []
    source = driver.CreateDataSource(str(path), options=options)
    if driver_name == "ESRI Shapefile":
        layer_options = ["ENCODING=UTF-8"]
    else:
        # The rows go in through SQLite itself (below); the spatial index is built once they are in.
        layer_options = [f"IDENTIFIER={record.title}", f"DESCRIPTION={note}", "SPATIAL_INDEX=NO"]
    geom_type = _geometry_type(record)
    layer = source.CreateLayer(_layer_name(record.id), _wgs84() if geom_type != ogr.wkbNone else None,
                               geom_type, options=layer_options)
    for field in record.fields:
        definition = ogr.FieldDefn(field.name, _OGR_TYPES[field.type])
        if field.type == FieldType.BOOLEAN and driver_name == "GPKG":
            definition.SetSubType(ogr.OFSTBoolean)
        layer.CreateField(definition)
    if driver_name == "GPKG":
        source = None
        _fill_gpkg(record, rows, path, geom_type != ogr.wkbNone)
        return
    layer_defn = layer.GetLayerDefn()
    layer.StartTransaction()
    for row in rows:
        feature = ogr.Feature(layer_defn)
        if row[1] is not None and geom_type != ogr.wkbNone:
            feature.SetGeometry(ogr.CreateGeometryFromWkb(bytes(row[1])))
        for index, (field, value) in enumerate(zip(record.fields, row[2:])):
            _set_field(feature, index, field, value)
        layer.CreateFeature(feature)
    layer.CommitTransaction()
    source.FlushCache()
    source = None


def _gpkg_time(value: datetime) -> str:
    # The values are UTC already (UTCDateTime): ISO 8601 with milliseconds and Z, as GeoPackages store them.
    return value.isoformat(timespec="milliseconds")[:23] + "Z"


# How a GeoPackage stores each type (None: as it is).
_GPKG_CONVERT = {FieldType.DATETIME: _gpkg_time, FieldType.DATE: date.isoformat, FieldType.BOOLEAN: int}


def _gpkg_column(field: FieldDef, values: tuple) -> Iterable:
    convert = _GPKG_CONVERT.get(field.type)
    return values if convert is None else [None if v is None else convert(v) for v in values]


def _gpkg_geometries(wkbs: list) -> tuple[list, list[float]]:
    """GeoPackage geometry blobs (header, SRID 4326, an envelope except for points, then the WKB), and the
    batch's extent (minx, miny, maxx, maxy; NaN when it has no geometry)."""
    import shapely

    geoms = shapely.from_wkb(wkbs)
    bounds = shapely.bounds(geoms)
    points = shapely.get_type_id(geoms) == 0
    empty = shapely.is_empty(geoms)
    blobs = []
    for wkb, box, point, is_empty in zip(wkbs, bounds.tolist(), points.tolist(), empty.tolist()):
        if wkb is None:
            blobs.append(None)
        elif point or is_empty:
            blobs.append(struct.pack("<2sBBi", b"GP", 0, 0x01 | (0x10 if is_empty else 0), 4326) + wkb)
        else:
            blobs.append(struct.pack("<2sBBi4d", b"GP", 0, 0x03, 4326, box[0], box[2], box[1], box[3]) + wkb)
    with warnings.catch_warnings():  # all-NaN columns: a batch without geometries
        warnings.simplefilter("ignore", RuntimeWarning)
        extent = [*np.nanmin(bounds[:, :2], axis=0).tolist(), *np.nanmax(bounds[:, 2:], axis=0).tolist()]
    return blobs, extent


def _fill_gpkg(record: DatasetRecord, rows: Iterable[Row], path: Path, has_geometry: bool) -> None:
    """Insert the rows into the GeoPackage's (empty) layer through SQLite in batches (ten times faster than
    feature by feature through OGR), then set its count and extent and build the spatial index."""
    name = _layer_name(record.id)
    columns = ["fid", *(["geom"] if has_geometry else []), *[f.name for f in record.fields]]
    insert = (f'INSERT INTO "{name}" ({", ".join(chr(34) + c + chr(34) for c in columns)}) '
              f'VALUES ({", ".join("?" * len(columns))})')
    count, extent = 0, [math.inf, math.inf, -math.inf, -math.inf]
    with closing(sqlite3.connect(str(path))) as db:
        db.execute("PRAGMA synchronous=OFF")
        with db:
            # OGR's per-row feature-count triggers cost more than the inserts: out while they run, back after.
            triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                                  (name,)).fetchall()
            for trigger, _sql in triggers:
                db.execute(f'DROP TRIGGER "{trigger}"')
            for batch in _batches(rows, 5000):
                geometries = None
                if has_geometry:
                    geometries, box = _gpkg_geometries([bytes(r[1]) if r[1] is not None else None for r in batch])
                    extent = [min(extent[0], box[0]), min(extent[1], box[1]), max(extent[2], box[2]),
                              max(extent[3], box[3])]
                by_column = list(zip(*batch))
                values = [by_column[0], *([geometries] if has_geometry else []),
                          *[_gpkg_column(f, c) for f, c in zip(record.fields, by_column[2:])]]
                db.executemany(insert, zip(*values))
                count += len(batch)
            db.execute("UPDATE gpkg_ogr_contents SET feature_count = ? WHERE table_name = ?", (count, name))
            for _trigger, sql in triggers:
                db.execute(sql)
            if all(math.isfinite(v) for v in extent):
                db.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?",
                           (*extent, name))
    if has_geometry:
        source = ogr.Open(str(path), update=1)
        source.ExecuteSQL(f"SELECT CreateSpatialIndex('{name}', 'geom')")
        source = None


def _batches(rows: Iterable[Row], size: int) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _layer_name(dataset_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", dataset_id)


def zip_folder(folder: Path, target: Path) -> None:
    """Zip every file of a folder (flat) into ``target``."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, file.name)


def geojson_chunks(record: DatasetRecord, rows: Iterable[Row]) -> Iterator[bytes]:
    """A GeoJSON FeatureCollection, written a batch of features at a time."""
    yield json_bytes({"type": "FeatureCollection", "name": record.id, "license": record.licence,
                      "attribution": record.attribution})[:-1] + b',"features":['
    first = True
    for batch in _batches(rows, 2000):
        yield (b"" if first else b",") + b",".join(features_json(record, batch))
        first = False
    yield b"]}"


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): such text gets a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return to_json_value(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return str(value)


def csv_chunks(record: DatasetRecord, rows: Iterable[Row]) -> Iterator[bytes]:
    """CSV with a WKT geometry column first (UTF-8, with header)."""
    import shapely

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["fid", "wkt", *[f.name for f in record.fields]])
    for n, row in enumerate(rows):
        wkt = shapely.from_wkb(bytes(row[1])).wkt if row[1] is not None else ""
        writer.writerow([row[0], wkt, *[_csv_value(v) for v in row[2:]]])
        if n % 2000 == 1999:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
