"""Uploads to the real catalogue server: new datasets and versions from real boundaries in every accepted
format, who may upload, replace and delete, the audit log, and hostile or broken files, each refused with a
clear message and nothing stored."""

from __future__ import annotations

import http.client
import io
import json
import shutil
import time
import zipfile
from pathlib import Path

import pytest
import requests
import shapely
from osgeo import ogr
from pyproj import Transformer

from .support.upload_catalogue import OGL, Catalogue
from .support.upload_files import (
    MSOA_COUNT,
    cp1252_shapefile_zip,
    hostile_zip,
    msoa_file,
    points_gpkg,
    shapefile_zip,
)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    root = tmp_path_factory.mktemp("uploads")
    made = Catalogue(f"sqlite:///{root / 'catalogue.sqlite'}", root, LEO_MAX_UPLOAD_MB="40")
    yield made
    made.stop()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """The real MSOAs (EPSG:27700) in each accepted format."""
    folder = tmp_path_factory.mktemp("files")
    return {
        "gpkg": msoa_file(folder / "msoa.gpkg"),
        "zip": shapefile_zip(folder / "msoa.zip"),
        "geojson": msoa_file(folder / "msoa.geojson", "GeoJSON", dstSRS="EPSG:4326"),
        "csv": msoa_file(folder / "msoa.csv", "CSV", layerCreationOptions=["GEOMETRY=AS_WKT"], dstSRS="EPSG:4326"),
    }


def _nothing_left(catalogue: Catalogue, tables_before: set[str]) -> None:
    assert catalogue.stored_tables() == tables_before
    assert catalogue.staged() == []


@pytest.mark.parametrize("fmt", ["gpkg", "zip", "geojson", "csv"])
def test_upload_each_format_round_trips(catalogue, files, fmt):
    answer = catalogue.upload(files[fmt], id=f"msoa-{fmt}", repair="true", keywords="boundaries, msoa",
                              access="public")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["feature_count"] == MSOA_COUNT
    assert answer.headers["Location"].endswith(f"/collections/msoa-{fmt}")
    # One real MSOA boundary has a self-intersecting ring: repaired on request, and said so.
    assert any("repaired" in note for note in body["notes"])
    record = catalogue.get(f"/collections/msoa-{fmt}").json()
    notes = catalogue.get(f"/collections/catalogue/items/msoa-{fmt}").json()["properties"]["notes"]
    assert any("repaired" in note for note in notes) and any("stored in EPSG:4326" in note for note in notes)
    west, south, east, north = record["extent"]["spatial"]["bbox"][0]
    assert -1.75 < west < -1.7 and 52.1 < north < 52.2, "stored in EPSG:4326 whatever it was sent in"
    items = catalogue.get(f"/collections/msoa-{fmt}/items?msoa11cd=E02005921").json()
    assert items["numberMatched"] == 1
    assert items["features"][0]["properties"]["msoa11nm"] == "Cherwell 001"
    # Found by search at once.
    found = catalogue.get("/collections/catalogue/items?q=msoa").json()
    assert f"msoa-{fmt}" in [f["id"] for f in found["features"]]
    assert catalogue.staged() == []


def test_invalid_geometry_is_refused_with_a_report_and_nothing_stored(catalogue, files):
    before = catalogue.stored_tables()
    answer = catalogue.upload(files["gpkg"], id="msoa-invalid")
    assert answer.status_code == 422
    message = answer.json()["description"]
    assert "1 feature(s) have invalid geometry" in message and "Self-intersection" in message
    assert "repair=true" in message
    assert catalogue.get("/collections/msoa-invalid").status_code == 404
    _nothing_left(catalogue, before)


def test_new_version_keeps_the_old_one_and_owners_delete(catalogue, tmp_path):
    _version_lifecycle(catalogue, tmp_path)


def test_uploads_versions_and_delete_on_postgis(postgres_cluster, files, tmp_path):
    on_postgis = Catalogue(postgres_cluster.create_database("uploads"), tmp_path)
    try:
        before = on_postgis.stored_tables()
        assert on_postgis.upload(files["gpkg"], id="msoa-invalid").status_code == 422
        _nothing_left(on_postgis, before)
        answer = on_postgis.upload(files["gpkg"], id="msoa", repair="true")
        assert answer.status_code == 201 and answer.json()["feature_count"] == MSOA_COUNT
        items = on_postgis.get("/collections/msoa/items?msoa11cd=E02005921").json()
        assert items["features"][0]["properties"]["msoa11nm"] == "Cherwell 001"
        _version_lifecycle(on_postgis, tmp_path)
    finally:
        on_postgis.stop()


SITES = "oxford-city-council--council-sites"


def _version_lifecycle(catalogue: Catalogue, tmp_path: Path) -> None:
    first = points_gpkg(tmp_path / "sites.gpkg", [{"x": 451000, "y": 206000, "name": "Rose Hill"}],
                        fields={"name": ogr.OFTString})
    created = catalogue.upload(first, id="council-sites", title="Council EV sites", access="restricted")
    assert created.status_code == 201, created.text
    # Restricted data lives in its organisation's own id space, where no other organisation can ask for an id.
    assert created.json()["id"] == SITES
    second = points_gpkg(tmp_path / "sites2.gpkg", [{"x": 451000, "y": 206000, "name": "Rose Hill"},
                                                   {"x": 452000, "y": 207000, "name": "Cowley"}],
                         fields={"name": ogr.OFTString})
    # Another organisation's editor can neither see nor replace it; a viewer may not upload at all.
    assert catalogue.upload(second, user="ssen", dataset=SITES).status_code == 404
    refused = catalogue.upload(second, user="viewer", dataset=SITES)
    assert refused.status_code == 403 and "viewer" in refused.json()["description"]
    replaced = catalogue.upload(second, dataset=SITES)
    assert replaced.status_code == 201 and replaced.json()["version"] == "2"
    assert replaced.json()["access"] == "restricted", "a new version keeps the access level"
    history = catalogue.get(f"/collections/{SITES}/versions", "council").json()
    assert [(v["version"], v["feature_count"], v["current"]) for v in history["versions"]] == [
        ("1", 1, False), ("2", 2, True)]
    old = catalogue.get(f"/collections/{SITES}/download?f=geojson&version=1", "council").json()
    assert [f["properties"]["name"] for f in old["features"]] == ["Rose Hill"]
    assert catalogue.get(f"/collections/{SITES}/download?version=9", "council").status_code == 404
    # An earlier version can be removed alone (say it held something it should not); the current cannot.
    third = catalogue.upload(second, dataset=SITES)
    assert third.json()["version"] == "3"
    base = f"{catalogue.base}/collections/{SITES}/versions"
    assert requests.delete(f"{base}/3", headers=catalogue.headers("council")).status_code == 409
    assert requests.delete(f"{base}/2", headers=catalogue.headers("viewer")).status_code == 403
    assert requests.delete(f"{base}/2", headers=catalogue.headers("council")).status_code == 204
    assert requests.delete(f"{base}/2", headers=catalogue.headers("council")).status_code == 404
    history = catalogue.get(f"/collections/{SITES}/versions", "council").json()
    assert [v["version"] for v in history["versions"]] == ["1", "3"]
    assert catalogue.get(f"/collections/{SITES}/download?version=2", "council").status_code == 404
    # Only the owner's editors (or an admin) delete.
    assert requests.delete(f"{catalogue.base}/collections/{SITES}").status_code == 401
    other = requests.delete(f"{catalogue.base}/collections/{SITES}", headers=catalogue.headers("ssen"))
    assert other.status_code == 404
    viewer = requests.delete(f"{catalogue.base}/collections/{SITES}", headers=catalogue.headers("viewer"))
    assert viewer.status_code == 403
    gone = requests.delete(f"{catalogue.base}/collections/{SITES}", headers=catalogue.headers("council"))
    assert gone.status_code == 204
    assert catalogue.get(f"/collections/{SITES}", "admin").status_code == 404
    assert not [t for t in catalogue.stored_tables() if "council_sites" in t], "every version's table dropped"
    log = catalogue.get(f"/audit?dataset={SITES}", "admin").json()["entries"]
    assert [(e["action"], e["user"], e["version"]) for e in reversed(log)] == [
        ("upload", "council", "1"), ("replace", "council", "2"), ("replace", "council", "3"),
        ("delete-version", "council", "2"), ("delete", "council", "1, 3")]
    assert catalogue.get("/audit", "council").status_code == 403


def test_public_dataset_of_another_organisation_is_not_replaced(catalogue, files):
    assert catalogue.upload(files["geojson"], user="ssen", id="ssen-areas", title="SSEN areas",
                            repair="true").status_code == 201
    refused = catalogue.upload(files["geojson"], user="council", dataset="ssen-areas")
    assert refused.status_code == 403
    assert "belongs to SSEN" in refused.json()["description"]
    taken = catalogue.upload(files["geojson"], user="council", id="ssen-areas")
    assert taken.status_code == 409 and "taken" in taken.json()["description"]
    assert catalogue.upload(files["geojson"], user="admin", dataset="ssen-areas", repair="1").status_code == 201
    assert catalogue.get("/collections/ssen-areas/versions").json()["current"] == "2"


@pytest.mark.parametrize("user, status", [(None, 401), ("viewer", 403)])
def test_uploads_need_an_editor(catalogue, files, user, status):
    answer = catalogue.upload(files["geojson"], user=user, id="nope")
    assert answer.status_code == status
    assert catalogue.get("/collections/nope", "admin").status_code == 404


def test_wrong_token_is_401(catalogue, files):
    answer = requests.post(f"{catalogue.base}/collections", headers={"Authorization": "Bearer leo_expired"},
                           files={"file": ("a.geojson", files["geojson"].read_bytes())}, data={"title": "x"})
    assert answer.status_code == 401 and "not valid" in answer.json()["description"]


def test_account_says_who_is_asking(catalogue):
    assert catalogue.get("/account").json() == {"signed_in": False, "user": "", "organisation": "", "role": None,
                                                "may_upload": False}
    mine = catalogue.get("/account", "council").json()
    assert (mine["organisation"], mine["role"], mine["may_upload"]) == ("Oxford City Council", "editor", True)


def test_shapefile_without_cpg_is_read_as_windows_1252(catalogue, tmp_path):
    answer = catalogue.upload(cp1252_shapefile_zip(tmp_path / "cafe.zip"), id="cafe", title="Cafe")
    assert answer.status_code == 201, answer.text
    assert any("Windows-1252" in note for note in answer.json()["notes"])
    feature = catalogue.get("/collections/cafe/items").json()["features"][0]
    assert feature["properties"]["name"] == "Café – £5 “heat” €"


def test_csv_with_coordinates_mixed_columns_and_no_crs(catalogue, tmp_path):
    path = tmp_path / "chargers.csv"
    path.write_text("name,easting,northing,kw\nRose Hill,451000,206000,22\nCowley,452000,207000,7\n"
                    "Headington,453000,207500,unknown\n", encoding="utf-8")
    answer = catalogue.upload(path, id="chargers", title="Chargers")
    assert answer.status_code == 201, answer.text
    notes = " ".join(answer.json()["notes"])
    assert "British National Grid" in notes and "kw" in notes and "mix numbers and text" in notes
    features = catalogue.get("/collections/chargers/items").json()["features"]
    assert [f["properties"]["kw"] for f in features] == ["22", "7", "unknown"], "nothing lost: kept as text"
    expected = Transformer.from_crs(27700, 4326, always_xy=True).transform(451000, 206000)
    assert shapely.Point(features[0]["geometry"]["coordinates"]).distance(shapely.Point(expected)) < 1e-7


def test_time_field_is_checked_and_makes_a_time_series(catalogue, tmp_path):
    rows = [{"x": 451000, "y": 206000, "at": "2024-02-12T10:30:00Z", "kw": 3.5}]
    path = points_gpkg(tmp_path / "load.gpkg", rows, fields={"at": ogr.OFTDateTime, "kw": ogr.OFTReal})
    wrong = catalogue.upload(path, id="load", title="Load", time_field="kw")
    assert wrong.status_code == 422 and "holds number values, not times" in wrong.json()["description"]
    assert "at" in wrong.json()["description"]
    answer = catalogue.upload(path, id="load", title="Load", time_field="at")
    assert answer.status_code == 201, answer.text
    record = catalogue.get("/collections/load").json()
    assert record["extent"]["temporal"]["interval"][0][0].startswith("2024-02-12T10:30:00")


BAD_FILES = {
    "empty.gpkg": (b"", "empty (0 bytes)"),
    "text.gpkg": (b"hello, this is not a database", "not a GeoPackage"),
    "notzip.zip": (b"PK but not really", "not a zip file"),
    "data.shp": (b"\x00\x00\x27\x0a", "send it as a .zip"),
    "data.xlsx": (b"PK\x03\x04", "not a format the catalogue takes"),
    "page.geojson": (b"<html>Login</html>", "not GeoJSON"),
    "broken.geojson": (b'{"type": "FeatureCollection", "features": [{"type": "Feat', "could not be read"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_files_are_refused_clearly(catalogue, name):
    before = catalogue.stored_tables()
    data, message = BAD_FILES[name]
    answer = catalogue.upload(None, data=data, name=name, id="bad-file")
    assert answer.status_code == 422, answer.text
    assert message in answer.json()["description"]
    _nothing_left(catalogue, before)


def _zip_bytes(entries: dict[str, bytes], tmp_path: Path) -> bytes:
    return hostile_zip(tmp_path / "hostile.zip", entries).read_bytes()


@pytest.mark.parametrize("case, message", [
    ("slip", "unsafe path"), ("absolute", "unsafe path"), ("bomb", "zip bomb"), ("no-dbf", ".dbf is missing"),
    ("no-shx", ".shx is missing"), ("no-shp", "no shapefile"), ("two-shp", "one layer per upload"),
])
def test_hostile_and_incomplete_zips_are_refused(catalogue, files, tmp_path, case, message):
    with zipfile.ZipFile(files["zip"]) as bundle:
        parts = {Path(n).suffix: bundle.read(n) for n in bundle.namelist()}
    shapefile = {f"msoa{suffix}": data for suffix, data in parts.items()}
    entries = {
        "slip": {**shapefile, "../../evil.txt": b"owned"},
        "absolute": {**shapefile, "/tmp/evil.txt": b"owned"},
        "bomb": {**shapefile, "padding.bin": b"\0" * (300 * 1024 * 1024)},
        "no-dbf": {k: v for k, v in shapefile.items() if not k.endswith(".dbf")},
        "no-shx": {k: v for k, v in shapefile.items() if not k.endswith(".shx")},
        "no-shp": {"readme.txt": b"hello"},
        "two-shp": {**shapefile, **{f"b/{k}": v for k, v in shapefile.items()}},
    }[case]
    before = catalogue.stored_tables()
    answer = catalogue.upload(None, data=_zip_bytes(entries, tmp_path), name="layer.zip", id="hostile")
    assert answer.status_code == 422, answer.text
    assert message in answer.json()["description"]
    _nothing_left(catalogue, before)
    assert not (tmp_path.parent / "evil.txt").exists() and not Path("/tmp/evil.txt").exists()


def test_several_layers_and_empty_layers_are_refused(catalogue, files, tmp_path):
    several = tmp_path / "several.gpkg"
    shutil.copy(files["gpkg"], several)
    points_gpkg(tmp_path / "other.gpkg", [{"x": 1, "y": 2}])
    from osgeo import gdal

    gdal.VectorTranslate(str(several), str(tmp_path / "other.gpkg"), accessMode="append", layerName="other")
    answer = catalogue.upload(several, id="several")
    assert answer.status_code == 422 and "2 layers (msoa11, other)" in answer.json()["description"]
    empty = points_gpkg(tmp_path / "empty.gpkg", [])
    answer = catalogue.upload(empty, id="empty")
    assert answer.status_code == 422 and "no features" in answer.json()["description"]


@pytest.mark.parametrize("fields, message", [
    ({"title": ""}, "title is needed"), ({"licence": ""}, "licence is needed"),
    ({"access": "secret"}, "access must be"), ({"id": "../etc"}, "lower-case letters"),
    ({"title": "x" * 5000}, "longer than 200"), ({"crs": "EPSG:99999999"}, "not a coordinate reference system"),
    ({"organisation": "SSEN"}, "only an admin may upload for SSEN"),
])
def test_bad_metadata_is_refused(catalogue, files, fields, message):
    before = catalogue.stored_tables()
    answer = catalogue.upload(files["geojson"], **{"id": "bad-metadata", **fields})
    assert answer.status_code in (400, 403, 422), answer.text
    assert message in answer.json()["description"]
    _nothing_left(catalogue, before)


def test_title_with_markup_is_kept_as_text_and_escaped_in_html(catalogue, files):
    title = '<script>alert("x")</script> sites'
    answer = catalogue.upload(files["geojson"], id="markup", title=title, repair="true")
    assert answer.status_code == 201
    page = catalogue.get("/collections/markup?f=html").text
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def _raw_request(catalogue: Catalogue, headers: dict, body: bytes = b"") -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", catalogue.server.port, timeout=60)
    connection.putrequest("POST", "/collections")
    for key, value in {**catalogue.headers("council"), **headers}.items():
        connection.putheader(key, value)
    connection.endheaders(body)
    response = connection.getresponse()
    status, data = response.status, json.loads(response.read() or b"{}")
    connection.close()
    return status, data


def test_too_large_or_unsized_uploads_are_refused_before_reading(catalogue):
    status, body = _raw_request(catalogue, {"Content-Type": "multipart/form-data; boundary=x",
                                            "Content-Length": str(41 * 1024 * 1024)})
    assert status == 413 and "at most 40 MB" in body["description"]
    status, body = _raw_request(catalogue, {"Content-Type": "application/json", "Content-Length": "2"}, b"{}")
    assert status == 415
    status, body = _raw_request(catalogue, {"Content-Type": "multipart/form-data; boundary=x",
                                            "Content-Length": "11"}, b"not a form!")
    assert status == 400


def _multipart(path: Path, fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = "leo-test-boundary"
    out = io.BytesIO()
    for key, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
              "Content-Type: application/octet-stream\r\n\r\n".encode())
    out.write(path.read_bytes())
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _send(catalogue: Catalogue, body: bytes, content_type: str, length: int | None = None) -> http.client.HTTPConnection:
    connection = http.client.HTTPConnection("127.0.0.1", catalogue.server.port, timeout=60)
    connection.putrequest("POST", "/collections")
    for key, value in {**catalogue.headers("council"), "Content-Type": content_type,
                       "Content-Length": str(length or len(body))}.items():
        connection.putheader(key, value)
    connection.endheaders(body)
    return connection


def test_server_killed_mid_upload_leaves_no_half_dataset(tmp_path):
    """Killed while the body arrives, then while the upload is being stored: after a restart there is no
    half dataset, no orphan file, the database is sound, and the same upload then succeeds."""
    catalogue = Catalogue(f"sqlite:///{tmp_path / 'killed.sqlite'}", tmp_path)
    rows = [{"x": 400000 + i % 1000 * 50, "y": 200000 + i // 1000 * 50, "n": i} for i in range(150_000)]
    path = points_gpkg(tmp_path / "many.gpkg", rows, fields={"n": ogr.OFTInteger})
    body, content_type = _multipart(path, {"title": "Many", "licence": OGL, "id": "many"})
    before = catalogue.stored_tables()
    try:
        _send(catalogue, body[: len(body) // 2], content_type, len(body))
        catalogue.server.process.kill()
        catalogue.server.process.wait(10)
        catalogue.server.start()
        connection = _send(catalogue, body, content_type)
        deadline = time.monotonic() + 60
        while not any(p.name.startswith("upload") for p in catalogue.staged()) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert catalogue.staged(), "the upload reached the staging folder"
        time.sleep(0.3)  # somewhere in reading and storing it
        catalogue.server.process.kill()
        catalogue.server.process.wait(10)
        connection.close()
        assert catalogue.staged(), "the killed server left its staging folder behind"
        catalogue.server.start()
        assert catalogue.staged() == [], "a new server removes what a killed one left"
        assert catalogue.get("/collections/many", "admin").status_code == 404
        assert catalogue.stored_tables() == before
        with catalogue.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        answer = catalogue.upload(path, id="many", title="Many")
        assert answer.status_code == 201 and answer.json()["feature_count"] == len(rows)
    finally:
        catalogue.stop()


def test_client_that_disconnects_mid_upload_leaves_nothing(catalogue, files):
    before = catalogue.stored_tables()
    body, content_type = _multipart(files["gpkg"], {"title": "Cut short", "licence": OGL, "id": "cut-short"})
    _send(catalogue, body[: len(body) // 2], content_type, len(body)).close()
    assert catalogue.get("/collections/cut-short", "admin").status_code == 404
    _nothing_left(catalogue, before)


def test_mixed_geometry_layer_keeps_every_geometry(catalogue, tmp_path):
    wkts = ["POINT (451000 206000)", "LINESTRING (451000 206000, 452000 207000)",
            "POLYGON ((451000 206000, 452000 206000, 452000 207000, 451000 206000))"]
    path = points_gpkg(tmp_path / "mixed.gpkg", [{"name": w.split()[0]} for w in wkts],
                       fields={"name": ogr.OFTString}, wkts=wkts)
    answer = catalogue.upload(path, id="mixed", title="Mixed")
    assert answer.status_code == 201, answer.text
    features = catalogue.get("/collections/mixed/items").json()["features"]
    assert [f["geometry"]["type"] for f in features] == ["Point", "LineString", "Polygon"]


def test_an_upload_while_another_write_holds_the_database_is_refused_clearly(tmp_path, files):
    """SQLite has one writer at a time: an upload that cannot get its turn says so, and stores nothing."""
    import sqlite3

    busy = Catalogue(f"sqlite:///{tmp_path / 'busy.sqlite'}", tmp_path, LEO_SQLITE_BUSY_TIMEOUT_MS="300")
    writer = sqlite3.connect(tmp_path / "busy.sqlite", isolation_level=None)
    try:
        before = busy.stored_tables()
        writer.execute("BEGIN IMMEDIATE")  # another write in progress
        answer = busy.upload(files["geojson"], id="waiting", repair="true")
        assert answer.status_code == 503 and "another upload" in answer.json()["description"]
        assert answer.headers["Retry-After"] == "60"
        writer.execute("ROLLBACK")
        assert busy.stored_tables() == before and busy.staged() == []
        assert busy.upload(files["geojson"], id="waiting", repair="true").status_code == 201
    finally:
        writer.close()
        busy.stop()


def test_geometry_only_layers_and_impossible_crs(catalogue, tmp_path):
    """A layer with no fields is stored; a CRS that cannot reach WGS 84, or coordinates outside the file's own
    CRS, are refused with a message (they were server errors), and nothing is stored."""
    bare = points_gpkg(tmp_path / "bare.gpkg", [{"x": 451000, "y": 206000}])
    assert catalogue.upload(bare, id="bare", title="Bare points").status_code == 201
    before = catalogue.stored_tables()
    site_grid = catalogue.upload(bare, id="site-grid", crs='LOCAL_CS["site grid",LOCAL_DATUM["site",0],UNIT["metre",1]]')
    assert site_grid.status_code == 422 and "cannot be brought to WGS 84" in site_grid.json()["description"]
    far = points_gpkg(tmp_path / "far.gpkg", [{"x": 1e12, "y": 1e12}])
    outside = catalogue.upload(far, id="far")
    assert outside.status_code == 422 and "lies outside the area where EPSG:27700" in outside.json()["description"]
    _nothing_left(catalogue, before)
