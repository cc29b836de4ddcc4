"""Downloads: a GIS officer takes a whole or filtered dataset away as GeoPackage, Shapefile, GeoJSON or CSV."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from urllib.parse import quote

import pytest
from osgeo import ogr


def download(http, tmp_path, query: str, name: str):
    status, body, headers = http.get(f"/collections/{query}")
    assert status == 200, body
    target = tmp_path / name
    target.write_bytes(body if isinstance(body, bytes) else json.dumps(body).encode())
    return target, headers


def test_geopackage_is_version_1_2_with_all_features_and_the_licence(http, tmp_path):
    path, headers = download(http, tmp_path, "ssen-headroom/download?f=gpkg", "h.gpkg")
    assert "ssen-headroom.gpkg" in headers["content-disposition"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200
        description = db.execute("SELECT description FROM gpkg_contents").fetchone()[0]
    assert "Licence: CC-BY-4.0" in description and "Synthetic data" in description
    source = ogr.Open(str(path))  # keep the data source alive while its layer is used
    layer = source.GetLayer(0)
    assert layer.GetFeatureCount() == 68
    assert layer.GetLayerDefn().GetFieldDefn(layer.GetLayerDefn().GetFieldIndex("demand_headroom_mva")).GetType() \
        == ogr.OFTReal


def test_filtered_geopackage_download_applies_time_and_filter(http, tmp_path):
    cql = quote("avg_kw > 0")
    path, _ = download(http, tmp_path, f"substation-load-hh/download?f=gpkg&datetime=2025-06-01&filter={cql}",
                       "day.gpkg")
    source = ogr.Open(str(path))
    layer = source.GetLayer(0)
    assert layer.GetFeatureCount() == 48 * 55
    feature = layer.GetNextFeature()
    assert feature.GetFieldAsString("timestamp").startswith("2025/06/01")


def test_zipped_shapefile_has_prj_cpg_and_a_licence_note(http, tmp_path):
    path, _ = download(http, tmp_path, "oxon-districts/download?f=shp", "d.zip")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert {"oxon-districts.shp", "oxon-districts.dbf", "oxon-districts.shx", "oxon-districts.prj",
                "oxon-districts.cpg", "oxon-districts.txt"} <= names
        note = archive.read("oxon-districts.txt").decode()
        archive.extractall(tmp_path / "shp")
    assert "Office for National Statistics" in note
    source = ogr.Open(str(tmp_path / "shp" / "oxon-districts.shp"))
    layer = source.GetLayer(0)
    assert layer.GetFeatureCount() == 5
    assert sorted(f.GetField("lad20nm") for f in layer)[0] == "Cherwell"


def test_geojson_download_is_a_valid_feature_collection(http):
    status, body, _ = http.get("/collections/flex-zones/download?f=geojson")
    assert status == 200
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 5
    assert body["attribution"]
    assert "Didcot and Cholsey" in {f["properties"]["name"] for f in body["features"]}


def test_csv_download_has_wkt_and_typed_text(http):
    status, body, _ = http.get("/collections/leo-price-2019-01-23/download?f=csv")
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert len(rows) == 48 and rows[0]["wkt"] == "" and rows[0]["timestamp"] == "2019-01-23T00:30:00Z"
    status, body, _ = http.get("/collections/ssen-headroom/download?f=csv&substation_type=GSP")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert len(rows) == 3 and rows[0]["wkt"].startswith("POINT")


@pytest.mark.parametrize("query,parameter", [
    ("f=xlsx", "f"), ("f=gpkg&bbox=1,2", "bbox"), ("f=csv&filter=%28%28", "filter"), ("f=gpkg&limit=5", "limit"),
])
def test_bad_download_requests_are_400(http, query, parameter):
    status, body, _ = http.get(f"/collections/ssen-headroom/download?{query}")
    assert status == 400 and body["parameter"] == parameter
