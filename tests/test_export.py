"""A GIS officer exports layers for a contractor: Shapefile done properly, other formats, licence kept."""

from __future__ import annotations

import csv
import json
import zipfile

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeatureRequest,
    QgsFeedback,
    QgsGeometry,
    QgsLayerMetadata,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt

from leo_catalogue.demo.headroom_csv import headroom_csv
from leo_catalogue.demo.network import build_network
from leo_qgis_plugin import api
from leo_qgis_plugin.core.constraints.headroom_file import headroom_layer
from leo_qgis_plugin.core.exceptions import LeoError
from leo_qgis_plugin.core.export import shapefile

from .support.network_layers import layer as make_layer


@pytest.fixture()
def headroom():
    opened = headroom_layer(headroom_csv(build_network()), "Headroom Dashboard Data.csv")
    metadata = QgsLayerMetadata(opened.layer.metadata())
    metadata.setLicenses(["CC-BY-4.0"])
    opened.layer.setMetadata(metadata)
    return opened.layer


def events() -> QgsVectorLayer:
    uri = "Point?crs=EPSG:4326&field=event_id:string&field=start:datetime&field=day:date&field=notes:string(1000)"
    def when(text: str) -> QDateTime:
        return QDateTime.fromString(text, Qt.ISODate)

    return make_layer(uri, "Flex events", [
        (["E1", when("2025-11-03T16:30:00Z"), QDate(2025, 11, 3), "x" * 300], "POINT(-1.25 51.6)"),
        (["E2", when("2025-11-04T16:30:00Z"), QDate(2025, 11, 4), "short"], "POINT(-1.26 51.61)"),
    ])


def open_shapefile(path) -> QgsVectorLayer:
    layer = QgsVectorLayer(str(path), "read back", "ogr")
    assert layer.isValid(), path
    return layer


def test_zipped_shapefile_in_british_national_grid_with_all_its_parts(headroom, tmp_path):
    report = api.export_layers([headroom], str(tmp_path / "for contractor"), "shp-zip", crs="EPSG:27700")
    archive = tmp_path / "for contractor.zip"
    assert report.files == [archive]
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
        z.extractall(tmp_path / "x")
    base = "SSEN_headroom_Headroom_Dashboard_Data_csv"
    assert {f"{base}.{e}" for e in ("shp", "shx", "dbf", "prj", "cpg", "fields.csv", "metadata.txt")} <= names
    assert (tmp_path / "x" / f"{base}.cpg").read_text().strip().upper() in ("UTF-8", "UTF8")
    back = open_shapefile(tmp_path / "x" / f"{base}.shp")
    assert back.crs().authid() == "EPSG:27700" and back.featureCount() == 68
    assert 400_000 < back.extent().center().x() < 500_000
    sidecar = (tmp_path / "x" / f"{base}.metadata.txt").read_text()
    assert "Licence: CC-BY-4.0" in sidecar and "Contains data published by SSEN" in sidecar and "EPSG:27700" in sidecar


def test_field_names_are_shortened_uniquely_with_the_mapping_written_and_shown(headroom, tmp_path):
    report = api.export_layers([headroom], str(tmp_path / "folder"), "shp")
    mapping = list(csv.DictReader((tmp_path / "folder" / "SSEN_headroom_Headroom_Dashboard_Data_csv.fields.csv").open()))
    short = [row["shapefile_field"] for row in mapping]
    assert len(short) == len(set(s.lower() for s in short)) == len(headroom.fields())
    assert all(len(s) <= 10 for s in short)
    by_name = {row["field"]: row["shapefile_field"] for row in mapping}
    back = open_shapefile(tmp_path / "folder" / "SSEN_headroom_Headroom_Dashboard_Data_csv.shp")
    original = {f["asset_id"]: f for f in headroom.getFeatures()}
    for feature in back.getFeatures():
        source = original[feature[by_name["asset_id"]]]
        assert feature[by_name["demand_headroom_mva"]] == source["demand_headroom_mva"]
        assert feature[by_name["name"]] == source["name"]
    assert "field name(s) shortened" in report.message() and "fields.csv" in report.message()


def test_date_times_become_iso_text_and_long_text_is_reported(tmp_path):
    report = api.export_layers([events()], str(tmp_path / "ev"), "shp")
    back = open_shapefile(tmp_path / "ev" / "Flex_events.shp")
    values = {f["event_id"]: f for f in back.getFeatures()}
    assert values["E1"]["start"] == "2025-11-03T16:30:00Z"
    assert "ISO 8601" in report.message() and "1 value(s) of 'notes' are longer than the 254 bytes" in report.message()
    assert "ISO 8601" in (tmp_path / "ev" / "Flex_events.metadata.txt").read_text()


def mixed_layer(path) -> QgsVectorLayer:
    """A GeoPackage layer of geometry type GEOMETRY holding points, a line and a polygon."""
    from osgeo import ogr, osr

    srs = osr.SpatialReference()
    srs.ImportFromEPSG(27700)
    source = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = source.CreateLayer("mixed", srs, ogr.wkbUnknown)
    layer.CreateField(ogr.FieldDefn("id", ogr.OFTInteger))
    for n, wkt in enumerate(["POINT(450000 200000)", "LINESTRING(450000 200000, 451000 201000)",
                             "POLYGON((450000 200000, 451000 200000, 451000 201000, 450000 200000))",
                             "POINT(450100 200100)"], start=1):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("id", n)
        feature.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        layer.CreateFeature(feature)
    source = None
    return QgsVectorLayer(f"{path}|layername=mixed", "Mixed", "ogr")


def test_mixed_geometry_layers_make_one_shapefile_per_type(tmp_path):
    mixed = mixed_layer(tmp_path / "mixed.gpkg")
    assert mixed.isValid() and mixed.featureCount() == 4
    report = api.export_layers([mixed], str(tmp_path / "m"), "shp")
    del mixed
    assert open_shapefile(tmp_path / "m" / "Mixed_points.shp").featureCount() == 2
    assert open_shapefile(tmp_path / "m" / "Mixed_lines.shp").featureCount() == 1
    assert open_shapefile(tmp_path / "m" / "Mixed_polygons.shp").featureCount() == 1
    assert "one Shapefile per type" in report.message()


def test_geopackage_holds_many_layers_and_other_formats_write(headroom, tmp_path):
    api.export_layers([headroom, events()], str(tmp_path / "bundle.gpkg"), "gpkg")
    assert QgsVectorLayer(f"{tmp_path / 'bundle.gpkg'}|layername=Flex_events", "e", "ogr").featureCount() == 2
    assert QgsVectorLayer(f"{tmp_path / 'bundle.gpkg'}|layername=SSEN_headroom_Headroom_Dashboard_Data_csv",
                          "h", "ogr").featureCount() == 68
    api.export_layers([events()], str(tmp_path / "json"), "geojson")
    data = json.loads((tmp_path / "json" / "Flex_events.geojson").read_text())
    assert len(data["features"]) == 2
    api.export_layers([events()], str(tmp_path / "csv"), "csv-xy", crs="EPSG:27700")
    rows = list(csv.DictReader((tmp_path / "csv" / "Flex_events.csv").open()))
    assert float(rows[0]["X"]) > 400_000 and rows[0]["event_id"] == "E1"
    api.export_layers([events()], str(tmp_path / "wkt"), "csv")
    assert list(csv.DictReader((tmp_path / "wkt" / "Flex_events.csv").open()))[0]["WKT"].startswith("POINT")


def test_clip_to_an_extent_or_polygons_selected_only_and_chosen_fields(headroom, tmp_path):
    oxford = QgsRectangle(-1.30, 51.70, -1.15, 51.80)
    report = api.export_layers([headroom], str(tmp_path / "oxford"), "gpkg", extent=oxford)
    assert 0 < report.features < 68
    clipped = QgsVectorLayer(str(tmp_path / "oxford.gpkg"), "c", "ogr")
    assert all(oxford.contains(f.geometry().asPoint()) for f in clipped.getFeatures())
    square = QgsGeometry.fromWkt("POLYGON((440000 200000, 460000 200000, 460000 215000, 440000 215000, 440000 200000))")
    report = api.export_layers([headroom], str(tmp_path / "bng"), "gpkg", clip=square, area_crs="EPSG:27700")
    assert 0 < report.features < 68
    headroom.selectByExpression("\"substation_type\" = 'GSP'")
    report = api.export_layers([headroom], str(tmp_path / "gsps"), "gpkg", selected_only=True,
                               fields=["asset_id", "name"])
    gsps = QgsVectorLayer(str(tmp_path / "gsps.gpkg"), "g", "ogr")
    assert report.features == 3 and gsps.featureCount() == 3
    assert [f for f in gsps.fields().names() if f != "fid"] == ["asset_id", "name"]


def test_nothing_is_overwritten_without_being_told(headroom, tmp_path):
    api.export_layers([headroom], str(tmp_path / "out.zip"), "shp-zip")
    before = (tmp_path / "out.zip").read_bytes()
    with pytest.raises(LeoError, match="already exists"):
        api.export_layers([events()], str(tmp_path / "out.zip"), "shp-zip")
    assert (tmp_path / "out.zip").read_bytes() == before
    api.export_layers([events()], str(tmp_path / "folder"), "geojson")
    with pytest.raises(LeoError, match="already has Flex_events.geojson"):
        api.export_layers([events()], str(tmp_path / "folder"), "geojson")
    api.export_layers([events()], str(tmp_path / "folder"), "geojson", overwrite=True)
    api.export_layers([events()], str(tmp_path / "out.zip"), "shp-zip", overwrite=True)
    assert (tmp_path / "out.zip").read_bytes() != before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".leo-export-")]


def test_a_failed_export_leaves_no_partial_files(headroom, tmp_path):
    from leo_qgis_plugin.core.export.exporter import ExportOptions, export_layers
    from leo_qgis_plugin.core.export.formats import ExportFormat

    feedback = QgsFeedback()
    feedback.cancel()
    with pytest.raises(LeoError):
        export_layers([headroom], tmp_path / "x.zip", ExportOptions(ExportFormat.SHAPEFILE_ZIP), feedback)
    with pytest.raises(LeoError, match="X/Y columns need a point layer"):
        api.export_layers([headroom, make_layer("Polygon?crs=EPSG:27700", "Areas", [])], str(tmp_path / "c"), "csv-xy")
    with pytest.raises(LeoError, match="no field"):
        api.export_layers([headroom], str(tmp_path / "f.gpkg"), "gpkg", fields=["nope"])
    assert [p.name for p in tmp_path.iterdir()] == []


def test_shapefiles_over_2_gb_are_refused_before_writing():
    dbf, shp = shapefile.estimated_sizes(10_000_000, shapefile.TEXT_BYTES, 21)
    assert dbf > shapefile.SIZE_LIMIT > shp


def test_export_algorithm_runs_in_processing(headroom, tmp_path, leo_processing):
    processing = leo_processing
    result = processing.run("leo:exportlayers", {"LAYERS": [headroom], "FORMAT": 0,
                                                 "CRS": QgsCoordinateReferenceSystem("EPSG:27700"),
                                                 "OUTPUT": str(tmp_path / "alg.zip")})
    assert (tmp_path / "alg.zip").exists() and "Exported 68 feature(s)" in result["REPORT"]
    with pytest.raises(Exception, match="already exists"):
        processing.run("leo:exportlayers", {"LAYERS": [headroom], "FORMAT": 0, "OUTPUT": str(tmp_path / "alg.zip")})



def _file_layer(tmp_path, crs: str = "EPSG:4326") -> QgsVectorLayer:
    """Real MSOA polygons in a GeoPackage with a long text field and a long field name: a plain file layer."""
    from osgeo import gdal

    from .support.upload_files import BOUNDARIES

    path = tmp_path / "msoa.gpkg"
    gdal.VectorTranslate(str(path), str(BOUNDARIES), layers=["msoa11"], dstSRS=crs, SQLDialect="SQLITE",
                         SQLStatement="SELECT msoa11cd, msoa11nm AS name_of_the_area, "
                                      "CASE WHEN msoa11cd = 'E02005921' THEN printf('%.300c', 'x') END AS remarks, "
                                      "geom FROM msoa11", layerName="msoa")
    return QgsVectorLayer(f"{path}|layername=msoa", "MSOAs", "ogr")


def _records(path) -> list:
    layer = open_shapefile(path)
    return [(f.attributes(), f.geometry().asWkt(3)) for f in layer.getFeatures()]


def test_plain_file_layers_are_written_by_gdal_exactly_as_by_qgis(tmp_path):
    from leo_qgis_plugin.core.export.direct import direct_source

    layer = _file_layer(tmp_path)
    assert direct_source(layer, list(range(layer.fields().count()))) is not None, "the GDAL path applies"
    copy = layer.materialize(QgsFeatureRequest())  # a memory layer: QGIS's writer
    assert direct_source(copy, list(range(copy.fields().count()))) is None
    reports = {}
    for name, source in (("gdal", layer), ("qgis", copy)):
        reports[name] = api.export_layers([source], str(tmp_path / name), "shp", crs="EPSG:27700")
    assert _records(tmp_path / "gdal" / "MSOAs.shp") == _records(tmp_path / "qgis" / "MSOAs.shp")
    assert open_shapefile(tmp_path / "gdal" / "MSOAs.shp").fields().names() == [
        "fid", "msoa11cd", "name_of_th", "remarks"]
    assert open_shapefile(tmp_path / "gdal" / "MSOAs.shp").crs().authid() == "EPSG:27700"
    for name in ("gdal", "qgis"):
        folder = tmp_path / name
        assert (folder / "MSOAs.cpg").read_text().strip() == "UTF-8"
        assert "name_of_the_area,name_of_th" in (folder / "MSOAs.fields.csv").read_text().splitlines()
        assert any("1 value(s) of 'remarks' are longer than the 254 bytes" in n for n in reports[name].notes)


def test_gdal_path_cancels_and_leaves_nothing(tmp_path):
    from leo_qgis_plugin.core.export.exporter import ExportOptions, export_layers
    from leo_qgis_plugin.core.export.formats import ExportFormat

    layer = _file_layer(tmp_path)
    feedback = QgsFeedback()
    feedback.cancel()
    with pytest.raises(LeoError, match="cancelled"):
        export_layers([layer], tmp_path / "out", ExportOptions(ExportFormat.SHAPEFILE), feedback)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["msoa.gpkg"]
