"""Ready-made GeoPackages: the whole current version of a dataset as a static file (ETag, 304, byte ranges),
rebuilt when missing or made from something older, never served stale; on SpatiaLite and PostGIS."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
import shapely
from osgeo import ogr

from leo_catalogue.db import make_engine
from leo_catalogue.records import DatasetKind, DatasetRecord, Provenance
from leo_catalogue.store import init_catalogue, put_dataset
from leo_qgis_plugin.core.formats.fields import FieldDef, FieldType

from .support.servers import CatalogueServer

WHOLE = "/collections/ssen-headroom/download?f=gpkg"


def fetch(base: str, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, bytes, dict]:
    request = urllib.request.Request(base.rstrip("/") + path, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, answer.read(), {k.lower(): v for k, v in answer.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()}


@pytest.fixture(scope="module")
def whole(server):
    status, body, headers = fetch(server.url, WHOLE)
    assert status == 200
    return body, headers


def test_whole_geopackage_has_etag_length_and_takes_ranges(server, whole):
    body, headers = whole
    assert body.startswith(b"SQLite format 3\x00")
    assert headers["content-length"] == str(len(body))
    assert headers["accept-ranges"] == "bytes"
    assert headers["etag"].startswith('"') and headers["etag"].endswith('"')
    assert fetch(server.url, WHOLE)[2]["etag"] == headers["etag"]  # the same file again: the same tag


def test_if_none_match_answers_304_without_a_body(server, whole):
    etag = whole[1]["etag"]
    status, body, headers = fetch(server.url, WHOLE, {"If-None-Match": etag})
    assert (status, body, headers["etag"]) == (304, b"", etag)
    assert fetch(server.url, WHOLE, {"If-None-Match": '"something-else"'})[0] == 200


@pytest.mark.parametrize("spec, first, last", [("bytes=0-99", 0, 99), ("bytes=100-", 100, None),
                                               ("bytes=-500", -500, None), ("bytes=10-10", 10, 10),
                                               ("bytes=50-99999999999", 50, None)])
def test_a_byte_range_answers_206_with_exactly_those_bytes(server, whole, spec, first, last):
    body = whole[0]
    status, part, headers = fetch(server.url, WHOLE, {"Range": spec})
    expected = body[first:] if last is None else body[first:last + 1]
    assert status == 206 and part == expected
    start = first if first >= 0 else len(body) + first
    assert headers["content-range"] == f"bytes {start}-{start + len(expected) - 1}/{len(body)}"
    assert headers["content-length"] == str(len(expected))


@pytest.mark.parametrize("spec", ["bytes=999999999-", "bytes=-0"])
def test_a_range_past_the_end_answers_416_with_the_size(server, whole, spec):
    status, body, headers = fetch(server.url, WHOLE, {"Range": spec})
    assert status == 416 and body == b""
    assert headers["content-range"] == f"bytes */{len(whole[0])}"


@pytest.mark.parametrize("spec", [
    "bytes=0-1,5-9", "bytes=" + ",".join(f"{n}-{n}" for n in range(2000)), "items=0-10", "bytes=abc-def",
    "bytes=9-2", "bytes=-", "bytes=99999999999999999999999999-", "bytes=0-1\r\nX: y", "bytes= 0-1", "bytes=0x10-",
    "bytes=" + "9" * 5000, "\x00", "bytes=-99999999999999999999",
])
def test_hostile_range_headers_get_the_whole_file_or_416_never_an_error(server, whole, spec):
    try:
        status, body, _ = fetch(server.url, WHOLE, {"Range": spec})
    except ValueError:  # a header urllib itself refuses to send (a line break): nothing to test on the server
        return
    assert status in (200, 400, 416)  # 400: a header HTTP itself does not allow (a NUL), refused by uvicorn
    if status == 200:
        assert body == whole[0]


def test_if_range_with_another_etag_sends_the_whole_file(server, whole):
    status, body, _ = fetch(server.url, WHOLE, {"Range": "bytes=100-", "If-Range": '"an-older-file"'})
    assert status == 200 and body == whole[0]
    assert fetch(server.url, WHOLE, {"Range": "bytes=100-", "If-Range": whole[1]["etag"]})[0] == 206


def test_head_gives_the_length_without_the_body(server, whole):
    status, body, headers = fetch(server.url, WHOLE, method="HEAD")
    assert (status, body) == (200, b"")
    assert headers["content-length"] == str(len(whole[0]))


def _record(version: str) -> DatasetRecord:
    return DatasetRecord(id="sites", title="Sites", description="", keywords=[], licence="OGL", attribution="LEO",
                         provenance=Provenance.SYNTHETIC, publisher="LEO", kind=DatasetKind.VECTOR,
                         fields=[FieldDef("name", FieldType.STRING)], geometry_type="Point", version=version)


def _names(body: bytes, tmp_path) -> list[str]:
    path = tmp_path / "got.gpkg"
    path.write_bytes(body)
    source = ogr.Open(str(path))
    names = sorted(feature.GetField("name") for feature in source.GetLayer(0))
    source = None
    return names


@pytest.fixture(params=["sqlite", "postgis"])
def scratch_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ready.sqlite'}"
    return request.getfixturevalue("postgres_cluster").create_database(f"ready_{tmp_path.name[-20:].lower()}")


def test_a_stale_or_missing_ready_file_is_rebuilt_never_served(scratch_url, tmp_path):
    engine = make_engine(scratch_url)
    init_catalogue(engine)
    put_dataset(engine, _record("1"), [[{"name": "a", "geometry": shapely.Point(-1.2, 51.7)}]])
    ready = tmp_path / "ready"
    server = CatalogueServer(scratch_url, env={"LEO_READY_DIR": str(ready)}).start()
    try:
        path = "/collections/sites/download?f=gpkg"
        status, body, headers = fetch(server.url, path)
        assert status == 200 and _names(body, tmp_path) == ["a"]
        # The same version imported again with other rows: a new file, never the old one.
        put_dataset(engine, _record("1"), [[{"name": n, "geometry": shapely.Point(-1.2, 51.7)} for n in "bc"]])
        status, body, again = fetch(server.url, path)
        assert _names(body, tmp_path) == ["b", "c"] and again["etag"] != headers["etag"]
        assert fetch(server.url, path, {"If-None-Match": headers["etag"]})[0] == 200
        # A new version: its own file; the older one's is removed.
        put_dataset(engine, _record("2"), [[{"name": "d", "geometry": shapely.Point(-1.2, 51.7)}]])
        assert _names(fetch(server.url, path)[1], tmp_path) == ["d"]
        assert [p.name.split("-")[0] for p in (ready / "sites").glob("*.gpkg")] == ["v2"]
        # A file deleted under the server: made again.
        for file in (ready / "sites").glob("*.gpkg"):
            file.unlink()
        assert _names(fetch(server.url, path)[1], tmp_path) == ["d"]
        # A filtered download is still made for its request, not taken from the ready-made file.
        status, body, headers = fetch(server.url, path + "&name=zzz")
        assert status == 200 and "etag" not in headers and _names(body, tmp_path) == []
    finally:
        server.stop()
        engine.dispose()
