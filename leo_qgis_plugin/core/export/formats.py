"""The export formats, as definitions: label, GDAL driver, file extension, options."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class FormatSpec:
    label: str
    driver: str
    extension: str
    layer_options: tuple[str, ...] = ()
    one_file_for_all: bool = False  # many layers in one file (GeoPackage)
    zipped: bool = False


class ExportFormat(Enum):
    """Where the output goes: a .zip or .gpkg file for those formats, otherwise a folder of files."""

    SHAPEFILE_ZIP = FormatSpec("Shapefile (zipped)", "ESRI Shapefile", "shp", ("ENCODING=UTF-8",), zipped=True)
    SHAPEFILE = FormatSpec("Shapefile (folder)", "ESRI Shapefile", "shp", ("ENCODING=UTF-8",))
    GEOPACKAGE = FormatSpec("GeoPackage (one file, many layers)", "GPKG", "gpkg", one_file_for_all=True)
    GEOJSON = FormatSpec("GeoJSON", "GeoJSON", "geojson", ("RFC7946=NO",))
    CSV_WKT = FormatSpec("CSV with WKT geometry", "CSV", "csv", ("GEOMETRY=AS_WKT",))
    CSV_XY = FormatSpec("CSV with X/Y columns (points)", "CSV", "csv", ("GEOMETRY=AS_XY",))

    @property
    def is_shapefile(self) -> bool:
        return self.value.driver == "ESRI Shapefile"

    @classmethod
    def from_name(cls, name: str) -> ExportFormat:
        aliases = {"shp-zip": cls.SHAPEFILE_ZIP, "zip": cls.SHAPEFILE_ZIP, "shp": cls.SHAPEFILE,
                   "gpkg": cls.GEOPACKAGE, "geojson": cls.GEOJSON, "csv": cls.CSV_WKT, "csv-wkt": cls.CSV_WKT,
                   "csv-xy": cls.CSV_XY}
        key = name.strip().lower()
        if key in aliases:
            return aliases[key]
        if name.upper() in cls.__members__:
            return cls[name.upper()]
        raise ValueError(f"Unknown export format {name!r}; use one of: {', '.join(aliases)}.")
