"""Reading an uploaded vector file with GDAL: typed fields, geometries checked and brought to EPSG:4326,
rows in batches through GDAL's Arrow interface (fast enough for a million features)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from osgeo import gdal, ogr, osr
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError

from leo_qgis_plugin.core.formats.fields import FieldDef, FieldType

from .limits import UploadError
from .unpack import UploadFormat, dbf_encoding

RESERVED = {"fid", "geom"}  # the catalogue's own columns
CSV_OPTIONS = ["AUTODETECT_TYPE=YES", "AUTODETECT_SIZE_LIMIT=0", "EMPTY_STRING_AS_NULL=YES", "KEEP_GEOM_COLUMNS=NO",
               "GEOM_POSSIBLE_NAMES=wkt,geometry,geom,the_geom", "X_POSSIBLE_NAMES=x,lon,long,longitude,easting",
               "Y_POSSIBLE_NAMES=y,lat,latitude,northing"]
DRIVERS = {UploadFormat.GPKG: "GPKG", UploadFormat.SHAPEFILE_ZIP: "ESRI Shapefile",
           UploadFormat.GEOJSON: "GeoJSON", UploadFormat.CSV: "CSV"}
MAX_REPORTED = 10


def _field_type(definition: ogr.FieldDefn) -> FieldType | None:
    kind = definition.GetType()
    if kind == ogr.OFTInteger and definition.GetSubType() == ogr.OFSTBoolean:
        return FieldType.BOOLEAN
    return {ogr.OFTInteger: FieldType.INTEGER, ogr.OFTInteger64: FieldType.INTEGER, ogr.OFTReal: FieldType.NUMBER,
            ogr.OFTString: FieldType.STRING, ogr.OFTDate: FieldType.DATE, ogr.OFTDateTime: FieldType.DATETIME,
            ogr.OFTTime: FieldType.STRING}.get(kind)


def column_name(name: str, taken: set[str]) -> str:
    """A name safe as a column and in CQL filters: letters, digits and _, not the catalogue's own, unique
    whatever the letter case."""
    safe = re.sub(r"[^A-Za-z0-9_]", "_", name.strip()) or "field"
    if safe[0].isdigit():
        safe = f"f_{safe}"
    candidate, number = safe, 1
    while candidate.lower() in RESERVED or candidate.lower() in taken:
        candidate, number = f"{safe}_{number}", number + 1
    taken.add(candidate.lower())
    return candidate


@dataclass
class InvalidGeometries:
    """Features whose geometry is not valid (OGC simple features), with GEOS's reason for the first few."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, numbers: np.ndarray, geoms: np.ndarray) -> None:
        self.count += len(numbers)
        for number, geom in zip(numbers[:MAX_REPORTED - len(self.examples)], geoms):
            self.examples.append(f"feature {number}: {shapely.is_valid_reason(geom)}")

    def message(self) -> str:
        more = f" and {self.count - len(self.examples)} more" if self.count > len(self.examples) else ""
        return (f"{self.count} feature(s) have invalid geometry ({'; '.join(self.examples)}{more}). Fix them (QGIS: "
                "Vector > Geometry Tools > Fix Geometries) or upload again with repair=true.")


@dataclass
class MixedColumns:
    """CSV text columns that also hold numbers: kept as text, and said so."""

    names: list[str]
    numeric: set[str] = field(default_factory=set)
    text: set[str] = field(default_factory=set)

    def add(self, name: str, values: list) -> None:
        if name in self.numeric and name in self.text:
            return
        for value in values:
            if value is None:
                continue
            try:
                float(value)
                self.numeric.add(name)
            except ValueError:
                self.text.add(name)
            if name in self.numeric and name in self.text:
                return  # mixed: nothing more to learn from this column

    def note(self) -> str:
        mixed = [n for n in self.names if n in self.numeric and n in self.text]
        return (f"Column(s) {', '.join(mixed)} mix numbers and text; kept as text." if mixed else "")


class UploadedLayer:
    """One layer of an uploaded file, open for reading."""

    def __init__(self, path: Path, fmt: UploadFormat, crs: str = ""):
        self.notes: list[str] = []
        self.is_csv = fmt is UploadFormat.CSV
        options = list(CSV_OPTIONS) if self.is_csv else []
        if fmt is UploadFormat.SHAPEFILE_ZIP:
            encoding, note = dbf_encoding(path)
            if encoding:
                options.append(f"ENCODING={encoding}")
                self.notes.append(note)
        try:
            self.dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY,
                                       allowed_drivers=[DRIVERS[fmt]], open_options=options)
        except RuntimeError as exc:
            raise UploadError(f"The file could not be read: {exc}") from None
        if self.dataset is None:
            raise UploadError("The file could not be read as a " + DRIVERS[fmt] + " file.")
        names = [self.dataset.GetLayer(i).GetName() for i in range(self.dataset.GetLayerCount())]
        if len(names) != 1:
            raise UploadError(f"The file holds {len(names)} layers ({', '.join(names) or 'none'}); send one layer "
                              "per upload." if names else "The file holds no layer.")
        self.layer = self.dataset.GetLayer(0)
        self.feature_count = self.layer.GetFeatureCount()
        if self.feature_count <= 0:
            raise UploadError("The layer has no features: there is nothing to publish.")
        self._read_fields()
        self._read_geometry(crs)

    def _read_fields(self) -> None:
        definition = self.layer.GetLayerDefn()
        taken: set[str] = set()
        self.fields: list[FieldDef] = []
        self.sources: list[str] = []
        for index in range(definition.GetFieldCount()):
            source = definition.GetFieldDefn(index)
            kind = _field_type(source)
            if kind is None:
                self.notes.append(f"Field {source.GetName()!r} ({source.GetTypeName()}) is of a kind the catalogue "
                                  "does not keep; left out.")
                continue
            name = column_name(source.GetName(), taken)
            if name != source.GetName():
                self.notes.append(f"Field {source.GetName()!r} is stored as {name!r}.")
            self.fields.append(FieldDef(name, kind, source=source.GetName()))
            self.sources.append(source.GetName())

    def _read_geometry(self, crs: str) -> None:
        kind = self.layer.GetGeomType()
        self.geometry_type: str | None = None
        self.transformer: Transformer | None = None
        self.source_crs = ""
        if kind == ogr.wkbNone:
            self.notes.append("The layer has no geometry: stored as a table.")
            return
        flat = ogr.GT_Flatten(kind)
        self.geometry_type = "Geometry" if flat == ogr.wkbUnknown else ogr.GeometryTypeToName(flat).replace(" ", "")
        try:
            source = self._source_crs(crs)
            self.source_crs = source.to_string()
            if not source.equals(CRS.from_epsg(4326), ignore_axis_order=True):
                self.transformer = Transformer.from_crs(source, CRS.from_epsg(4326), always_xy=True)
        except (CRSError, ProjError) as exc:
            raise UploadError(f"The data's coordinate reference system cannot be brought to WGS 84 ({exc}); say "
                              "which CRS it is in (e.g. crs=EPSG:27700).") from None

    def _source_crs(self, override: str) -> CRS:
        if override:
            try:
                return CRS.from_user_input(override)
            except CRSError:
                raise UploadError(f"{override!r} is not a coordinate reference system (try e.g. EPSG:27700).") from None
        reference: osr.SpatialReference | None = self.layer.GetSpatialRef()
        if reference is not None:
            return CRS.from_wkt(reference.ExportToWkt())
        extent = self.layer.GetExtent()  # (minx, maxx, miny, maxy)
        if -180 <= extent[0] <= extent[1] <= 180 and -90 <= extent[2] <= extent[3] <= 90:
            self.notes.append("The file names no CRS; its coordinates are longitudes and latitudes, read as EPSG:4326.")
            return CRS.from_epsg(4326)
        if 0 <= extent[0] <= extent[1] <= 700000 and 0 <= extent[2] <= extent[3] <= 1300000:
            self.notes.append("The file names no CRS; its coordinates fit British National Grid, read as EPSG:27700.")
            return CRS.from_epsg(27700)
        raise UploadError("The file names no coordinate reference system and its coordinates are not recognisable; "
                          "say which CRS it is in (e.g. crs=EPSG:27700).")

    def batches(self, repair: bool = False) -> Iterator[list[dict]]:
        """Rows (field values plus ``geometry`` in EPSG:4326) in batches; UploadError at the end if any geometry
        is invalid and ``repair`` is off (the caller's transaction then stores nothing)."""
        invalid = InvalidGeometries()
        mixed = MixedColumns([f.name for f in self.fields if f.type is FieldType.STRING and self.is_csv])
        geometry_column = self.layer.GetGeometryColumn() or "wkb_geometry"
        start = 1
        for batch in self._arrow_batches():
            size = len(next(iter(batch.values()))) if batch else 0
            columns = {f.name: _values(batch[s], f.type, size) for f, s in zip(self.fields, self.sources)}
            for name in mixed.names:
                mixed.add(name, columns[name])
            geoms = self._geometries(batch.get(geometry_column), size)
            if self.geometry_type:
                bad = np.flatnonzero(~shapely.is_valid(geoms) & ~shapely.is_missing(geoms))
                if len(bad):
                    if repair:
                        geoms[bad] = shapely.make_valid(geoms[bad])
                    invalid.add(bad + start, geoms[bad])
                if self.transformer is not None:
                    geoms = shapely.transform(geoms, self._to_wgs84)
                    if not np.isfinite(shapely.get_coordinates(geoms)).all():
                        raise UploadError(f"Some coordinates lie outside {self.source_crs} and cannot be brought to "
                                          "WGS 84: is that the data's CRS? (say which with crs=…)")
            names = list(columns)
            rows = [dict(zip(names, values)) for values in zip(*columns.values())] or [{} for _ in range(size)]
            for row, geom in zip(rows, geoms):
                row["geometry"] = geom
            start += size
            yield rows
        if invalid.count and not repair:
            raise UploadError(invalid.message())
        if invalid.count:
            self.notes.append(f"{invalid.count} invalid geometries were repaired (GEOS make_valid).")
        if mixed.note():
            self.notes.append(mixed.note())

    def _arrow_batches(self) -> Iterator[dict]:
        """GDAL's Arrow batches; a file damaged past what opening it reads is an UploadError, not a crash."""
        # Not INCLUDE_FID=NO: in GDAL 3.6 it empties the variable-length geometries of GEOMETRY layers.
        try:
            yield from self.layer.GetArrowStreamAsNumPy(options=["MAX_FEATURES_IN_BATCH=20000"])
        except RuntimeError as exc:
            raise UploadError(f"The file could not be read to the end: {exc}") from None

    def _geometries(self, column, size: int) -> np.ndarray:
        if column is None:
            return np.full(size, None, dtype=object)
        mask = np.ma.getmaskarray(column)
        wkbs = np.asarray(np.ma.getdata(column)).astype(object)
        wkbs[mask] = None
        try:
            return shapely.from_wkb(wkbs)
        except shapely.errors.GEOSException as exc:
            raise UploadError(f"A geometry could not be read: {exc}") from None

    def _to_wgs84(self, xy: np.ndarray) -> np.ndarray:
        x, y = self.transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])


def _values(column, kind: FieldType, size: int) -> list:
    """A column of an Arrow batch as Python values, nulls as None."""
    if column is None:
        return [None] * size
    mask = np.ma.getmaskarray(column)
    data = np.ma.getdata(column)
    if data.dtype.kind == "S":
        values = [v.decode("utf-8", "replace") for v in data.tolist()]
    elif data.dtype.kind == "m":  # times of day: kept as text
        values = [str(v) for v in data.astype("timedelta64[s]").tolist()]
    elif data.dtype.kind == "O":
        values = [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in data.tolist()]
    else:
        values = data.tolist()
    if kind is FieldType.BOOLEAN:
        values = [bool(v) for v in values]
    if mask.any():
        for index in np.flatnonzero(mask):
            values[index] = None
    return values
