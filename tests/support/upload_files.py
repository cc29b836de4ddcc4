"""Files to upload, made from the real ONS boundaries (MSOAs, in British National Grid) with GDAL, and the
hostile ones: zip slip, zip bomb, incomplete shapefiles, invalid geometry."""

from __future__ import annotations

import zipfile
from pathlib import Path

from osgeo import gdal, ogr, osr

from .servers import ROOT

BOUNDARIES = ROOT / "leo_catalogue" / "data" / "real" / "oxfordshire_boundaries.gpkg"
MSOA_COUNT = 85

gdal.UseExceptions()


def msoa_file(target: Path, driver: str = "GPKG", **options) -> Path:
    """The real Oxfordshire MSOAs, reprojected to British National Grid (EPSG:27700), in any OGR format."""
    options.setdefault("dstSRS", "EPSG:27700")
    gdal.VectorTranslate(str(target), str(BOUNDARIES), format=driver, layers=["msoa11"], **options)
    return target


def shapefile_zip(target: Path, leave_out: tuple[str, ...] = (), folder: Path | None = None) -> Path:
    """The MSOAs as a zipped shapefile, without the files whose suffixes are in ``leave_out``."""
    folder = folder or target.with_suffix("")
    folder.mkdir(parents=True, exist_ok=True)
    msoa_file(folder / "msoa.shp", "ESRI Shapefile")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(folder.iterdir()):
            if path.suffix not in leave_out:
                bundle.write(path, f"msoa/{path.name}")
    return target


def points_gpkg(target: Path, rows: list[dict], epsg: int = 27700, fields: dict[str, int] | None = None,
                wkts: list[str] | None = None, layer: str = "sites") -> Path:
    """A GeoPackage of features from rows (``x``, ``y`` or a WKT per row) and typed fields."""
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(target))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    out = dataset.CreateLayer(layer, srs, ogr.wkbUnknown if wkts else ogr.wkbPoint)
    for name, kind in (fields or {}).items():
        out.CreateField(ogr.FieldDefn(name, kind))
    out.StartTransaction()
    for index, row in enumerate(rows):
        feature = ogr.Feature(out.GetLayerDefn())
        for name in fields or {}:
            if row.get(name) is not None:
                feature[name] = row[name]
        wkt = wkts[index] if wkts else f"POINT ({row['x']} {row['y']})"
        feature.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        out.CreateFeature(feature)
    out.CommitTransaction()
    dataset = None
    return target


def cp1252_shapefile_zip(target: Path) -> Path:
    """A point shapefile whose .dbf is Windows-1252 text with no .cpg and no code page in its header (as older
    desktop GIS wrote them)."""
    folder = target.with_suffix("")
    folder.mkdir(parents=True, exist_ok=True)
    # QGIS turns GDAL's shapefile recoding off (SHAPE_ENCODING=""): turn it on while writing.
    previous = gdal.GetConfigOption("SHAPE_ENCODING")
    gdal.SetConfigOption("SHAPE_ENCODING", "CP1252")
    dataset = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(str(folder))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(27700)
    layer = dataset.CreateLayer("sites", srs, ogr.wkbPoint, options=["ENCODING=CP1252"])
    layer.CreateField(ogr.FieldDefn("name", ogr.OFTString))
    feature = ogr.Feature(layer.GetLayerDefn())
    feature["name"] = "Café – £5 “heat” €"
    feature.SetGeometry(ogr.CreateGeometryFromWkt("POINT (451000 206000)"))
    layer.CreateFeature(feature)
    dataset = None
    gdal.SetConfigOption("SHAPE_ENCODING", previous)
    dbf = folder / "sites.dbf"
    header = bytearray(dbf.read_bytes())
    assert "Café".encode("cp1252") in header
    header[29] = 0  # no language driver id
    dbf.write_bytes(bytes(header))
    with zipfile.ZipFile(target, "w") as bundle:
        for path in sorted(folder.iterdir()):
            if path.suffix != ".cpg":
                bundle.write(path, path.name)
    return target


def hostile_zip(target: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in entries.items():
            bundle.writestr(name, data)
    return target
