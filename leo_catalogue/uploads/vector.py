"""Reading an uploaded vector file with GDAL: typed fields, geometries checked and brought to EPSG:4326,
rows in batches through GDAL's Arrow interface (fast enough for a million features)."""

from __future__ import annotations

import math
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

from .limits import MB, UploadError, UploadLimits
from .unpack import UploadFormat, dbf_encoding

# The catalogue's own columns, and the name CQL filters use for the geometry.
RESERVED = {"fid", "geom", "geometry"}
INT64 = (-2**63, 2**63 - 1)  # GDAL clamps integers beyond 64 bits to these
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

    def __init__(self, path: Path, fmt: UploadFormat, crs: str = "", limits: UploadLimits | None = None):
        self.notes: list[str] = []
        self.limits = limits or UploadLimits()
        self.file_bytes = path.stat().st_size
        self.is_csv = fmt is UploadFormat.CSV
        options = list(CSV_OPTIONS) if self.is_csv else []
        if fmt is UploadFormat.GEOJSON:
            # GDAL parses one GeoJSON feature whole, at about 300 bytes of memory per vertex (measured): it refuses
            # a feature past the vertex limit before parsing it, instead of taking gigabytes for it.
            gdal.SetConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE",
                                 str(max(1, self.limits.max_vertices_per_feature * 320 // MB)))
        if fmt is UploadFormat.SHAPEFILE_ZIP:
            encoding, note = dbf_encoding(path)
            if encoding:
                options.append(f"ENCODING={encoding}")
                self.notes.append(note)
        try:
            self.dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY,
                                       allowed_drivers=[DRIVERS[fmt]], open_options=options)
        except RuntimeError as exc:
            raise UploadError(f"The file could not be read: {exc}{self._hint(fmt)}") from None
        if self.dataset is None:
            raise UploadError(f"The file could not be read as a {DRIVERS[fmt]} file{self._hint(fmt)}.")
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

    def _hint(self, fmt: UploadFormat) -> str:
        if fmt is not UploadFormat.GEOJSON:
            return ""
        return (f" (or one of its features has more than about {self.limits.max_vertices_per_feature:,} vertices, "
                "the most accepted: LEO_MAX_VERTICES_PER_FEATURE)")

    def _read_fields(self) -> None:
        definition = self.layer.GetLayerDefn()
        if definition.GetFieldCount() > self.limits.max_fields:
            raise UploadError(f"The layer has {definition.GetFieldCount()} fields; at most {self.limits.max_fields} are "
                              "accepted (LEO_MAX_FIELDS). Leave out the ones others do not need.")
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
        self.area = _area_of_use(source)
        extent = self.layer.GetExtent()  # (minx, maxx, miny, maxy)
        if source.is_projected and all(math.isfinite(v) for v in extent) and \
                -180 <= extent[0] <= extent[1] <= 180 and -90 <= extent[2] <= extent[3] <= 90:
            raise UploadError(f"The coordinates look like longitudes and latitudes, but the data says it is in "
                              f"{self.source_crs}, which is in metres: is that its CRS? (say which with crs=…)")

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
        vertices = 0
        for batch in self._arrow_batches():
            size = len(next(iter(batch.values()))) if batch else 0
            columns = {f.name: self._column(batch[s], f, size, start) for f, s in zip(self.fields, self.sources)}
            for name in mixed.names:
                mixed.add(name, columns[name])
            geoms = self._geometries(batch.get(geometry_column), size)
            if self.geometry_type:
                vertices += self._check_vertices(geoms, start, vertices)
                self._check_finite(geoms, start)
                bad = np.flatnonzero(~shapely.is_valid(geoms) & ~shapely.is_missing(geoms))
                if len(bad):
                    if repair:
                        geoms[bad] = shapely.make_valid(geoms[bad])
                    invalid.add(bad + start, geoms[bad])
                if self.transformer is not None:
                    geoms = shapely.transform(geoms, self._to_wgs84)
                self._check_area(geoms, start)
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

    def _check_vertices(self, geoms: np.ndarray, start: int, so_far: int) -> int:
        """The batch's vertex count; UploadError past the limits per feature and per upload."""
        counts = shapely.get_num_coordinates(geoms)
        over = np.flatnonzero(counts > self.limits.max_vertices_per_feature)
        if len(over):
            raise UploadError(f"Feature {start + over[0]} has {counts[over[0]]:,} vertices; at most "
                              f"{self.limits.max_vertices_per_feature:,} per feature are accepted "
                              "(LEO_MAX_VERTICES_PER_FEATURE): simplify it or split it.")
        total = int(counts.sum())
        if so_far + total > self.limits.max_vertices:
            raise UploadError(f"The layer has more than {self.limits.max_vertices:,} vertices, the most one upload may "
                              "have (LEO_MAX_VERTICES_PER_UPLOAD): split it or simplify it.")
        return total

    def _check_finite(self, geoms: np.ndarray, start: int) -> None:
        """UploadError naming the first feature with a coordinate that is not a finite number (NaN, Infinity)."""
        xy, index = shapely.get_coordinates(geoms, return_index=True)
        bad = set(index[~np.isfinite(xy).all(axis=1)].tolist())
        with_z = np.flatnonzero(shapely.has_z(geoms))
        if len(with_z):
            xyz, z_index = shapely.get_coordinates(geoms[with_z], include_z=True, return_index=True)
            bad |= set(with_z[z_index[~np.isfinite(xyz).all(axis=1)]].tolist())
        if bad:
            raise UploadError(f"Feature {start + min(bad)} has a coordinate that is not a finite number (NaN or "
                              "Infinity).")
        empty = np.flatnonzero(shapely.is_empty(geoms))
        if len(empty):  # GDAL reads GeoJSON coordinates such as [NaN, Infinity] as an empty point
            raise UploadError(f"Feature {start + empty[0]} has an empty geometry (coordinates that are not numbers "
                              "read as none): give it coordinates, or a null geometry.")

    def _check_area(self, lonlat: np.ndarray, start: int) -> None:
        """UploadError naming the first feature whose coordinates, in WGS 84, lie outside the area where the data's
        CRS is valid (a wrong CRS, or coordinates such as 1e300)."""
        xy, index = shapely.get_coordinates(lonlat, return_index=True)
        if not len(xy):
            return
        west, south, east, north = self.area
        x, y = xy[:, 0], xy[:, 1]
        inside_x = (x >= west) & (x <= east) if west <= east else (x >= west) | (x <= east)  # across 180°
        bad = np.flatnonzero(~(np.isfinite(xy).all(axis=1) & inside_x & (y >= south) & (y <= north)))
        if len(bad):
            raise UploadError(f"Feature {start + index[bad[0]]} lies outside the area where {self.source_crs} is "
                              f"used (longitude {west:g} to {east:g}, latitude {south:g} to {north:g}): is that the "
                              "data's CRS? (say which with crs=…)")

    def _column(self, column, field_def: FieldDef, size: int, start: int) -> list:
        try:
            return _values(column, field_def.type, size)
        except _BadValue as exc:
            raise UploadError(f"Feature {start + exc.index}: field {field_def.source or field_def.name!r} {exc.problem}.") \
                from None

    def _arrow_batches(self) -> Iterator[dict]:
        """GDAL's Arrow batches, each of at most about ``batch_bytes`` of the file; a file damaged past what opening
        it reads is an UploadError, not a crash."""
        per_feature = max(1, self.file_bytes // max(self.feature_count, 1))
        size = int(min(20000, max(10, self.limits.batch_bytes // per_feature)))
        # Not INCLUDE_FID=NO: in GDAL 3.6 it empties the variable-length geometries of GEOMETRY layers.
        try:
            yield from self.layer.GetArrowStreamAsNumPy(options=[f"MAX_FEATURES_IN_BATCH={size}"])
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


class _BadValue(ValueError):
    """A value that cannot be stored as it is: at ``index`` in its batch."""

    def __init__(self, index: int, problem: str) -> None:
        super().__init__(problem)
        self.index = index
        self.problem = problem


def _text(values: list, mask: np.ndarray) -> list:
    out = []
    for index, value in enumerate(values):
        if isinstance(value, bytes):
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError:
                if not mask[index]:
                    raise _BadValue(index, "holds text that is not UTF-8 (save the file as UTF-8)") from None
                value = None
        out.append(value)
    return out


def _values(column, kind: FieldType, size: int) -> list:
    """A column of an Arrow batch as Python values, nulls as None; _BadValue for a value that would not be stored
    exactly (text that is not UTF-8, NaN or infinite numbers, integers GDAL clamped to 64 bits)."""
    if column is None:
        return [None] * size
    mask = np.ma.getmaskarray(column)
    data = np.ma.getdata(column)
    if data.dtype.kind in ("S", "O"):
        values = _text(data.tolist(), mask)
    elif data.dtype.kind == "m":  # times of day: kept as text
        values = [str(v) for v in data.astype("timedelta64[s]").tolist()]
    else:
        if data.dtype.kind == "f":
            bad = np.flatnonzero(~np.isfinite(data) & ~mask)
            if len(bad):
                raise _BadValue(int(bad[0]), f"is {data[bad[0]]}, which JSON cannot carry (leave it empty instead)")
            # GDAL 3.13 reads an integer beyond 64 bits as a real number (older GDAL clamps it, below): a whole
            # number that large has lost its last digits.
            huge = np.flatnonzero((np.abs(data) >= 2.0 ** 63) & (np.floor(data) == data) & ~mask)
            if len(huge):
                raise _BadValue(int(huge[0]), f"holds the whole number {data[huge[0]]:.0f}, beyond 64 bits, which "
                                              "cannot be stored exactly (quote it in the file to keep it as text)")
        elif data.dtype.kind == "i" and data.dtype.itemsize == 8:
            bad = np.flatnonzero(((data == INT64[0]) | (data == INT64[1])) & ~mask)
            if len(bad):
                raise _BadValue(int(bad[0]), "holds an integer beyond 64 bits, which cannot be stored exactly "
                                             "(quote it in the file to keep it as text)")
        values = data.tolist()
    if kind is FieldType.BOOLEAN:
        values = [bool(v) for v in values]
    if mask.any():
        for index in np.flatnonzero(mask):
            values[index] = None
    return values


def _area_of_use(crs: CRS, margin: float = 1.0) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees where ``crs`` is used, ``margin`` degrees wider; the whole world
    when the CRS does not say."""
    area = crs.area_of_use
    if area is None and crs.to_epsg() is not None:  # a file's WKT rarely carries it: the EPSG entry does
        area = CRS.from_epsg(crs.to_epsg()).area_of_use
    if area is None:
        return -180.0, -90.0, 180.0, 90.0
    west, east = area.west - margin, area.east + margin
    if area.east - area.west >= 360 - 2 * margin:
        west, east = -180.0, 180.0
    return (max(west, -180.0) if west >= -180 else west + 360, max(area.south - margin, -90.0),
            min(east, 180.0) if east <= 180 else east - 360, min(area.north + margin, 90.0))
