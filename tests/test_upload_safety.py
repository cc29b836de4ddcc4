"""Uploads and downloads that must not corrupt the catalogue or leak what an editor may not see, on SpatiaLite and
PostGIS: coordinates outside their CRS, values that cannot be stored exactly, files whose content is not what
their name says, versions that keep their own access, ids that tell nothing, writers that queue, downloads that
fail visibly and leave no files behind."""

from __future__ import annotations

import json
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from osgeo import ogr

from leo_catalogue.records import DatasetKind, DatasetRecord, Provenance
from leo_catalogue.store import put_dataset
from leo_qgis_plugin.core.formats.fields import FieldDef, FieldType

from .support.upload_catalogue import Catalogue
from .support.upload_files import msoa_file, points_gpkg, shapefile_zip


def strict_json(body: bytes):
    def refuse(constant):
        raise ValueError(f"invalid JSON constant {constant}")
    return json.loads(body, parse_constant=refuse)


@pytest.fixture(scope="module", params=["sqlite", "postgis"])
def catalogue(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"safety-{request.param}")
    url = (f"sqlite:///{root / 'catalogue.sqlite'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_cluster").create_database(f"safety_{int(time.time() * 1000)}"))
    (root / "tmp").mkdir()
    made = Catalogue(url, root, LEO_MAX_VERTICES_PER_FEATURE="5000", LEO_MAX_FIELDS="100", TMPDIR=str(root / "tmp"))
    made.tmp = root / "tmp"
    yield made
    made.stop()


def geojson(tmp_path: Path, name: str, features: list[dict], crs: str | None = None) -> Path:
    data = {"type": "FeatureCollection", "features": features}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    path = tmp_path / name
    path.write_text(json.dumps(data, allow_nan=True))
    return path


def point(x, y, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": {"type": "Point", "coordinates": [x, y]}}


def refused(answer: requests.Response, *words: str, status: int = 422) -> str:
    assert answer.status_code == status, answer.text[:500]
    description = strict_json(answer.content)["description"]
    for word in words:
        assert word in description, description
    return description


def test_coordinates_outside_their_crs_or_not_finite_are_refused(catalogue, tmp_path):
    before = catalogue.stored_tables()
    collections = catalogue.get("/collections").content
    huge = geojson(tmp_path, "huge.geojson", [point(-1.2, 51.7), point(1e300, -1e300)])
    refused(catalogue.upload(huge, id="huge"), "Feature 2", "outside the area")
    nan = tmp_path / "nan.geojson"
    nan.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
                   '"geometry":{"type":"Point","coordinates":[NaN, Infinity]}}]}')
    refused(catalogue.upload(nan, id="nan"), "Feature 1", "empty geometry")
    infinite = geojson(tmp_path, "inf.geojson", [point(-1.2, 51.7), point(1.0, float("inf"))])
    refused(catalogue.upload(infinite, id="inf"), "Feature 2", "not a finite number")
    bng_as_degrees = points_gpkg(tmp_path / "bng.gpkg", [{"x": 451000, "y": 206000}], epsg=4326)
    refused(catalogue.upload(bng_as_degrees, id="bng-as-degrees"), "Feature 1", "EPSG:4326")
    degrees_as_bng = points_gpkg(tmp_path / "deg.gpkg", [{"x": -1.25, "y": 51.75}], epsg=27700)
    refused(catalogue.upload(degrees_as_bng, id="deg-as-bng"), "look like longitudes and latitudes")
    wrong_crs = points_gpkg(tmp_path / "ok.gpkg", [{"x": 451000, "y": 206000}])
    refused(catalogue.upload(wrong_crs, id="wrong-crs", crs="EPSG:4326"), "outside the area")
    assert catalogue.stored_tables() == before and catalogue.staged() == []
    assert catalogue.get("/collections").content == collections, "nothing another dataset answers changed"


def test_one_bad_stored_record_changes_nothing_else(catalogue):
    """A dataset stored before uploads were checked, with an extent of 1e300 and NaN: the catalogue's extent and
    every JSON answer stay valid."""
    good = catalogue.upload(None, data=json.dumps({"type": "FeatureCollection", "features": [
        point(-1.3, 51.6), point(-1.1, 51.8)]}).encode(), name="good.geojson", id="good-points")
    assert good.status_code == 201, good.text
    extent = strict_json(catalogue.get("/collections/catalogue").content)["extent"]
    bad = DatasetRecord(id="old-bad", title="Old bad", description="", keywords=[], licence="OGL", attribution="",
                        provenance=Provenance.REAL, publisher="x", kind=DatasetKind.TABLE,
                        fields=[FieldDef("v", FieldType.NUMBER)])
    put_dataset(catalogue.engine, bad, [[{"v": float("nan"), "geometry": None}, {"v": float("inf"), "geometry": None}]])
    from sqlalchemy import update

    from leo_catalogue.schema import records
    with catalogue.engine.begin() as conn:
        conn.execute(update(records).where(records.c.id == "old-bad")
                     .values(minx=-7.5, miny=-1e300, maxx=1e300, maxy=float("nan")))
    for path in ("/collections", "/collections/catalogue", "/collections/catalogue/items?limit=100",
                 "/collections/old-bad", "/collections/old-bad/items", "/collections/catalogue/items/old-bad",
                 "/collections/old-bad/download?f=geojson"):
        answer = catalogue.get(path)
        assert answer.status_code == 200, (path, answer.text[:300])
        strict_json(answer.content)
    assert strict_json(catalogue.get("/collections/catalogue").content)["extent"] == extent
    values = [f["properties"]["v"] for f in strict_json(catalogue.get("/collections/old-bad/items").content)["features"]]
    assert values == [None, None]


def test_each_version_keeps_its_access_level_and_record(catalogue, tmp_path):
    rows = [{"x": 451000, "y": 206000, "at": "2024-02-12T10:30:00Z", "name": "confidential"}]
    first = points_gpkg(tmp_path / "v1.gpkg", rows, fields={"at": ogr.OFTDateTime, "name": ogr.OFTString})
    made = catalogue.upload(first, id="feeder-faults", title="Feeder faults (confidential)", access="restricted",
                            time_field="at", licence="Confidential")
    assert made.status_code == 201, made.text
    dataset = made.json()["id"]
    second = points_gpkg(tmp_path / "v2.gpkg", [{**rows[0], "name": "public"}],
                         fields={"at": ogr.OFTDateTime, "name": ogr.OFTString})
    published = catalogue.upload(second, dataset=dataset, access="public", title="Feeder faults", licence="OGL")
    assert published.status_code == 201 and published.json()["version"] == "2"
    # The public version keeps the time dimension the form did not repeat.
    assert strict_json(catalogue.get(f"/collections/{dataset}").content)["extent"]["temporal"]
    assert catalogue.get(f"/collections/{dataset}/download?f=geojson&version=1").status_code == 404
    assert catalogue.get(f"/collections/{dataset}/download?f=geojson&version=2").status_code == 200
    listed = catalogue.get(f"/collections/{dataset}/versions").json()["versions"]
    assert [v["version"] for v in listed] == ["2"], "anonymous users see only the versions they may read"
    mine = catalogue.get(f"/collections/{dataset}/versions", "council").json()["versions"]
    assert [(v["version"], v["accessLevel"], v["title"], v["licence"]) for v in mine] == [
        ("1", "restricted", "Feeder faults (confidential)", "Confidential"), ("2", "public", "Feeder faults", "OGL")]
    old = catalogue.get(f"/collections/{dataset}/download?f=geojson&version=1", "council").json()
    assert old["license"] == "Confidential" and old["features"][0]["properties"]["name"] == "confidential"
    # Opening version 1 is an explicit, audited act; another organisation cannot do it.
    change = f"{catalogue.base}/collections/{dataset}/versions/1/access"
    assert requests.put(change, json={"access": "public"}, headers=catalogue.headers("ssen")).status_code == 403
    assert requests.put(change, json={"access": "secret"}, headers=catalogue.headers("council")).status_code == 400
    opened = requests.put(change, json={"access": "public"}, headers=catalogue.headers("council"))
    assert opened.status_code == 200 and opened.json()["was"] == "restricted"
    assert catalogue.get(f"/collections/{dataset}/download?f=geojson&version=1").status_code == 200
    log = catalogue.get(f"/audit?dataset={dataset}", "admin").json()["entries"]
    assert [(e["action"], e["version"]) for e in reversed(log)] == [
        ("upload", "1"), ("replace", "2"), ("access", "2"), ("access", "1")]
    assert "restricted → public" in log[0]["detail"]
    # time_field=none drops the time dimension on purpose; a file without the time field must say so.
    bare = points_gpkg(tmp_path / "v3.gpkg", [{"x": 451000, "y": 206000}])
    refused(catalogue.upload(bare, dataset=dataset), "time field 'at'", "time_field=none")
    assert catalogue.upload(bare, dataset=dataset, time_field="none").status_code == 201
    assert "temporal" not in strict_json(catalogue.get(f"/collections/{dataset}").content)["extent"]


def test_ids_tell_nothing_about_datasets_one_cannot_see(catalogue, tmp_path):
    sites = points_gpkg(tmp_path / "s.gpkg", [{"x": 451000, "y": 206000}])
    secret = catalogue.upload(sites, id="orga-secret", title="Secret", access="restricted")
    assert secret.status_code == 201 and secret.json()["id"] == "oxford-city-council--orga-secret"
    # SSEN's editor asking for that id, or for any in the council's space, gets the answer a free id gets...
    free = catalogue.upload(sites, user="ssen", id="orga-secret", title="Also secret")
    assert free.status_code == 201 and free.json()["id"] == "orga-secret"
    for asked in ("oxford-city-council--orga-secret", "oxford-city-council--nothing-here"):
        refused(catalogue.upload(sites, user="ssen", id=asked), "own space", status=400)
    # ...and the words the API uses are no dataset's id.
    refused(catalogue.upload(sites, id="catalogue"), "a word the API uses", status=400)
    assert catalogue.upload(sites, title="Catalogue").json()["id"] == "catalogue-1"


def test_values_that_cannot_be_stored_exactly_are_refused_or_kept_as_text(catalogue, tmp_path):
    big = geojson(tmp_path, "big.geojson", [point(-1.2, 51.7, n=1), point(-1.2, 51.7, n=123456789012345678901)])
    refused(catalogue.upload(big, id="big-int"), "Feature 2", "'n'", "64 bits")
    nan = tmp_path / "nanvalue.geojson"
    nan.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"kw":NaN},'
                   '"geometry":{"type":"Point","coordinates":[-1.2,51.7]}}]}')
    refused(catalogue.upload(nan, id="nan-value"), "Feature 1", "'kw'")
    latin = tmp_path / "latin.geojson"
    latin.write_bytes(b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Caf\xe9"},'
                      b'"geometry":{"type":"Point","coordinates":[-1.2,51.7]}}]}')
    answer = catalogue.upload(latin, id="latin")
    assert answer.status_code == 422, answer.text  # GDAL or the server: refused, never replaced silently
    excel = tmp_path / "excel.csv"
    excel.write_bytes("name,lon,lat,count\nCafé – £5,-1.2,51.7,9007199254740993\n".encode("cp1252"))
    kept = catalogue.upload(excel, id="excel-csv", title="Excel CSV")
    assert kept.status_code == 201, kept.text
    assert any("Windows-1252" in note for note in kept.json()["notes"])
    feature = catalogue.get("/collections/excel-csv/items").json()["features"][0]
    assert feature["properties"]["name"] == "Café – £5" and feature["properties"]["count"] == 9007199254740993
    # Filters on a 64-bit field: past 64 bits is a 400, not a database error.
    assert catalogue.get("/collections/excel-csv/items?count=9007199254740993").json()["numberMatched"] == 1
    for query in ("count=9223372036854775808", "filter=" + quote("count > 9223372036854775808")):
        answer = catalogue.get(f"/collections/excel-csv/items?{query}")
        assert answer.status_code == 400 and "64-bit" in answer.json()["description"]


def test_files_are_read_by_their_content(catalogue, tmp_path):
    gpkg = msoa_file(tmp_path / "msoa.gpkg")
    refused(catalogue.upload(gpkg, id="gpkg-as-csv", name="boundaries.csv"), "named .csv", "GeoPackage")
    zipped = shapefile_zip(tmp_path / "msoa.zip")
    refused(catalogue.upload(zipped, id="zip-as-gpkg", name="msoa.gpkg"), "named .gpkg", "zip")
    damaged = bytearray(zipped.read_bytes())
    with zipfile.ZipFile(zipped) as bundle:
        member = next(m for m in bundle.infolist() if m.filename.endswith(".dbf"))
    damaged[member.header_offset + 30 + len(member.filename) + 5] ^= 0xFF  # inside the .dbf's compressed data
    refused(catalogue.upload(None, data=bytes(damaged), name="damaged.zip", id="damaged"), "damaged")


def test_field_names_and_counts_the_database_cannot_take(catalogue, tmp_path):
    named = geojson(tmp_path, "named.geojson", [point(-1.2, 51.7, geometry="a", fid=3, geom="b")])
    answer = catalogue.upload(named, id="named-geometry", title="Named")
    assert answer.status_code == 201, answer.text
    properties = catalogue.get("/collections/named-geometry/items").json()["features"][0]["properties"]
    assert sorted(properties.values(), key=str) == [3, "a", "b"] and "geometry" not in properties
    wide = geojson(tmp_path, "wide.geojson", [point(-1.2, 51.7, **{f"c{i}": i for i in range(2100)})])
    refused(catalogue.upload(wide, id="wide"), "2100 fields", "LEO_MAX_FIELDS")


def test_vertex_limits(catalogue, tmp_path):
    """A feature past LEO_MAX_VERTICES_PER_FEATURE (here 5,000) is refused naming it; in GeoJSON GDAL itself
    refuses it before parsing it whole (it would take about 300 bytes of memory per vertex)."""
    import math
    ring = [(451000 + 1000 * math.cos(a / 6000 * 2 * math.pi), 206000 + 1000 * math.sin(a / 6000 * 2 * math.pi))
            for a in range(6000)]
    wkt = "POLYGON ((" + ", ".join(f"{x} {y}" for x, y in [*ring, ring[0]]) + "))"
    dense = points_gpkg(tmp_path / "dense.gpkg", [{}, {}], wkts=["POINT (451000 206000)", wkt])
    refused(catalogue.upload(dense, id="dense"), "Feature 2", "6,001 vertices", "LEO_MAX_VERTICES_PER_FEATURE")
    lonlat = [[-1.2 + 0.01 * math.cos(a / 60000 * 2 * math.pi), 51.7 + 0.01 * math.sin(a / 60000 * 2 * math.pi)]
              for a in range(60000)]
    polygon = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[*lonlat, lonlat[0]]]}}
    refused(catalogue.upload(geojson(tmp_path, "dense.geojson", [polygon]), id="dense-json"),
            "LEO_MAX_VERTICES_PER_FEATURE")


def test_csv_downloads_neutralise_spreadsheet_formulas(catalogue, tmp_path):
    path = tmp_path / "formulas.csv"
    path.write_text('name,lon,lat,kw\n"=HYPERLINK(""http://x"")",-1.2,51.7,-5\n@SUM(A1),-1.2,51.7,3\n+1,-1.2,51.7,2\n'
                    "-x,-1.2,51.7,1\nplain,-1.2,51.7,0\n", encoding="utf-8")
    assert catalogue.upload(path, id="formulas", title="Formulas").status_code == 201
    text = catalogue.get("/collections/formulas/download?f=csv").text
    import csv
    import io
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in rows] == ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "'+1", "'-x", "plain"]
    assert [r["kw"] for r in rows] == ["-5", "3", "2", "1", "0"], "numbers stay numbers"


def _slow_upload(catalogue: Catalogue, tmp_path: Path, name: str) -> Path:
    rows = [{"x": 400000 + i % 1000 * 50, "y": 200000 + i // 1000 * 50, "n": i} for i in range(60_000)]
    return points_gpkg(tmp_path / f"{name}.gpkg", rows, fields={"n": ogr.OFTInteger})


def test_writers_queue_instead_of_failing(catalogue, tmp_path):
    """Overlapping uploads and a delete during an upload: all succeed in turn (SQLite has one writer at a time;
    it queues for LEO_SQLITE_BUSY_TIMEOUT_MS), none is a 500 or a 503."""
    assert catalogue.upload(points_gpkg(tmp_path / "d.gpkg", [{"x": 451000, "y": 206000}]), id="to-delete",
                            title="To delete").status_code == 201
    files = [_slow_upload(catalogue, tmp_path, f"many{i}") for i in range(2)]
    answers: dict[str, int] = {}

    def upload(index: int) -> None:
        answers[f"upload{index}"] = catalogue.upload(files[index], id=f"queued-{index}", title=f"Queued {index}").status_code

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    answers["delete"] = requests.delete(f"{catalogue.base}/collections/to-delete", headers=catalogue.headers("council"),
                                        timeout=120).status_code
    for thread in threads:
        thread.join(120)
    assert answers == {"upload0": 201, "upload1": 201, "delete": 204}


def test_a_download_that_fails_after_it_started_is_seen_to_fail_and_leaves_no_files(catalogue, tmp_path):
    rows = [{"x": 400000 + i, "y": 200000, "n": i} for i in range(12_000)]
    assert catalogue.upload(points_gpkg(tmp_path / "long.gpkg", rows, fields={"n": ogr.OFTInteger}), id="long",
                            title="Long").status_code == 201
    table = next(t for t in catalogue.stored_tables() if t.startswith("d_long_"))
    restore = _break_a_late_row(catalogue, table)
    before = set(catalogue.tmp.iterdir())
    try:
        for fmt in ("geojson", "csv"):
            with requests.get(f"{catalogue.base}/collections/long/download?f={fmt}", stream=True, timeout=120) as got:
                assert got.status_code == 200  # the first rows were sound
                with pytest.raises(requests.exceptions.ChunkedEncodingError):
                    for _ in got.iter_content(65536):
                        pass
        for fmt in ("gpkg", "shp"):  # filtered, so made for this request (not the ready-made file of the upload)
            answer = catalogue.get(f"/collections/long/download?f={fmt}&bbox=-180,-90,180,90")
            assert answer.status_code >= 500 and "content-length" in answer.headers, answer.text[:300]
        assert set(catalogue.tmp.iterdir()) == before, "no leo-download-* folder left behind"
    finally:
        restore()
    assert catalogue.get("/collections/long/download?f=gpkg").status_code == 200


def _break_a_late_row(catalogue: Catalogue, table: str):
    """Make row 11,000 (past the first batch) one the database cannot give back: a time that is not a time
    (SQLite), a division by zero (PostgreSQL). Returns what puts it right."""
    from sqlalchemy import update

    from leo_catalogue.schema import records

    with catalogue.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            record = conn.execute(records.select().where(records.c.id == "long")).first()
            conn.exec_driver_sql(f'ALTER TABLE "{table}" ADD COLUMN broken DATETIME')
            conn.exec_driver_sql(f"UPDATE \"{table}\" SET broken = 'not a time' WHERE fid = 11000")
            conn.execute(update(records).where(records.c.id == "long")
                         .values(fields=[*record.fields, {"name": "broken", "type": "datetime"}]))

            def restore() -> None:
                with catalogue.engine.begin() as again:
                    again.execute(update(records).where(records.c.id == "long").values(fields=record.fields))
        else:
            conn.exec_driver_sql(f'ALTER TABLE "{table}" RENAME TO "{table}_raw"')
            conn.exec_driver_sql(f'CREATE VIEW "{table}" AS SELECT fid, geom, n + 0 * (1 / (fid - 11000)) AS n '
                                 f'FROM "{table}_raw"')

            def restore() -> None:
                with catalogue.engine.begin() as again:
                    again.exec_driver_sql(f'DROP VIEW "{table}"')
                    again.exec_driver_sql(f'ALTER TABLE "{table}_raw" RENAME TO "{table}"')
    return restore
