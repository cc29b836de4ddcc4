"""Requests an outsider would send to bring the catalogue down, on SpatiaLite and PostGIS: list parameters
past their limits, values the databases cannot take, work that runs too long or whose client has gone, and
HTTP that is not what a browser or a script expects. Each gets a clear 4xx naming what is wrong, or a 503
saying which limit stopped it; never a 500, never invalid JSON."""

from __future__ import annotations

import json
import os
import socket
import time
from urllib.parse import quote

import pytest
import requests
from sqlalchemy import create_engine, text

from .support.servers import CatalogueServer

LOAD = "substation-load-hh"  # about a million half-hours: where work costs
CORS_ORIGIN = "https://maps.example.org"


def strict_json(body: bytes):
    """JSON as browsers parse it: NaN and Infinity are errors."""
    def refuse(constant):
        raise ValueError(f"invalid JSON constant {constant}")
    return json.loads(body, parse_constant=refuse)


def get(server, path: str, **kwargs) -> requests.Response:
    return requests.get(server.url.rstrip("/") + path, timeout=120, **kwargs)


def refused(server, path: str, parameter: str, words: str = "", status: int = 400) -> dict:
    answer = get(server, path)
    assert answer.status_code == status, (path, answer.status_code, answer.text[:300])
    body = strict_json(answer.content)
    assert body.get("parameter") == parameter, (path, body)
    assert words in body["description"], (path, body)
    return body


@pytest.fixture(scope="module", params=["sqlite", "postgis"])
def tuned(request):
    """The demo catalogue served with a short statement timeout, CORS for one web map and one download at a time
    per client."""
    url = (f"sqlite:///{request.getfixturevalue('demo_sqlite_path')}" if request.param == "sqlite"
           else request.getfixturevalue("demo_postgres_url"))
    server = CatalogueServer(url, env={"LEO_STATEMENT_TIMEOUT_MS": "300", "LEO_CORS_ORIGINS": CORS_ORIGIN,
                                       "LEO_DOWNLOADS_PER_CLIENT": "1"}).start()
    yield server
    server.stop()


def test_list_parameters_are_bounded_and_named(server):
    many = ",".join(f"k{i}" for i in range(101))
    refused(server, f"/collections/catalogue/items?keywords={many}", "keywords", "at most 100")
    refused(server, f"/collections/catalogue/items?ids={many}", "ids", "at most 100")
    refused(server, f"/collections/catalogue/items?keywords={'k' * 201}", "keywords", "at most 200 are accepted")
    refused(server, "/collections/catalogue/items?sortby=" + ",".join(["title"] * 9), "sortby", "at most 8")
    refused(server, "/collections/catalogue/items?q=" + ",".join(f"w{i}" for i in range(17)), "q", "at most 16")
    refused(server, f"/collections/{LOAD}/items?sortby=" + ",".join(["x"] * 999), "sortby", "at most 8")
    refused(server, f"/collections/{LOAD}/items?sortby=" + ",".join(["-avg_kw"] * 2000), "sortby", "at most")
    values = ",".join(f"'p{i}'" for i in range(1001))
    refused(server, f"/collections/{LOAD}/items?filter=" + quote(f"primary_id IN ({values})"), "filter", "at most 1000")
    for count in (600, 1200):  # past the limit on conditions, or on nesting: both 400s, never a recursion error
        conditions = " OR ".join(f"avg_kw = {i}" for i in range(count))
        refused(server, f"/collections/{LOAD}/items?filter=" + quote(conditions), "filter", "")
    refused(server, "/collections/catalogue/items?bbox=" + "1" * 3000, "bbox", "at most 2,000 are accepted")
    # 100 keywords, the most accepted: one grouped look-up, answered at once on both databases.
    hundred = ",".join(["headroom", *(f"k{i}" for i in range(99))])
    answer = get(server, f"/collections/catalogue/items?keywords={hundred}")
    assert answer.status_code == 200 and strict_json(answer.content)["numberMatched"] == 0
    found = strict_json(get(server, "/collections/catalogue/items?keywords=headroom,SSEN&limit=100").content)
    assert found["numberMatched"] > 0
    assert all({"headroom", "ssen"} <= {k.lower() for k in [*f["properties"]["keywords"],
                                                                *[c["id"] for t in f["properties"]["themes"]
                                                                  for c in t["concepts"]]]}
               for f in found["features"])


@pytest.mark.parametrize("path, parameter", [
    ("/collections/catalogue/items?offset=9223372036854775808", "offset"),
    ("/collections/catalogue/items?offset=-1", "offset"),
    (f"/collections/{LOAD}/items?offset=99999999999999999999999", "offset"),
    ("/collections/catalogue/items?datetime=0001-01-01T00:00:00%2B01:00", "datetime"),
    ("/collections/catalogue/items?datetime=9999-12-31T23:59:59-01:00", "datetime"),
    (f"/collections/{LOAD}/items?datetime=0001-01-01T00:30:00%2B01:00/2025-01-01", "datetime"),
    (f"/collections/{LOAD}/items?timestamp=0001-01-01T00:00:00%2B01:00", "timestamp"),
    (f"/collections/{LOAD}/items?filter=" + quote("timestamp > TIMESTAMP('0001-01-01T00:00:00+01:00')"), "filter"),
    (f"/collections/{LOAD}/items?filter=" + quote("timestamp < TIMESTAMP('9999-12-31T23:59:59-01:00')"), "filter"),
    (f"/collections/{LOAD}/items?filter=" + quote("avg_kw > 9223372036854775808"), "filter"),
    (f"/collections/{LOAD}/items?filter=" + quote("primary_name = 'A%00B'").replace("%2500", "%00"), "filter"),
    (f"/collections/{LOAD}/items?filter=" + quote("primary_name LIKE 'A\\'"), "filter"),
    (f"/collections/{LOAD}/items?primary_name=a%00b", "primary_name"),
    ("/collections/ssen-headroom/items?demand_headroom_mva=1e999", "demand_headroom_mva"),
    ("/collections/ssen-headroom/items?demand_headroom_mva=nan", "demand_headroom_mva"),
    ("/collections/ssen%00headroom/items", "path"),
    ("/collections/catalogue/items?q=%ff%fe", "query"),
])
def test_values_the_databases_cannot_take_are_400(server, path, parameter):
    refused(server, path, parameter)


def test_a_statement_past_the_timeout_is_stopped_with_a_503_naming_the_limit(tuned):
    slow = quote(" OR ".join(f"primary_name LIKE '%{chr(97 + i % 26)}{i}%'" for i in range(200)))
    answer = get(tuned, f"/collections/{LOAD}/items?filter={slow}&limit=1")
    assert answer.status_code == 503, answer.text[:300]
    body = strict_json(answer.content)
    assert body["code"] == "Timeout" and "LEO_STATEMENT_TIMEOUT_MS (300 ms)" in body["description"]
    assert get(tuned, "/collections/ssen-headroom/items?limit=1").status_code == 200, "the server goes on"


def _server_busy(server, conn) -> bool:
    """True while the server's database is working for a request."""
    if conn is not None:
        return bool(conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                                      "AND query LIKE '%LIKE%' AND pid <> pg_backend_pid()")).scalar())
    # Any real use of the processor over a second: an idle server uses almost none, and a working one gets a share
    # of it however loaded the machine is (a fixed share, e.g. 60 %, is not reached on a busy machine).
    return _cpu_seconds(server.process.pid, 1.0) > 0.08


def _cpu_seconds(pid: int, over: float) -> float:
    """CPU seconds the process used in the next ``over`` seconds."""
    def used() -> float:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    before = used()
    time.sleep(over)
    return used() - before


def test_work_stops_when_the_client_goes_away(request, server):
    """A request that would keep the database busy for minutes is stopped once its client disconnects, long
    before the statement timeout (here two minutes) would stop it."""
    slow_server = CatalogueServer(server.db_url, env={"LEO_STATEMENT_TIMEOUT_MS": "120000"}).start()
    monitor = None
    if server.db_url.startswith("postgresql"):
        monitor = create_engine(server.db_url.replace("postgresql://", "postgresql+psycopg2://")).connect()
        monitor = monitor.execution_options(isolation_level="AUTOCOMMIT")
    try:
        slow = quote(" OR ".join(f"primary_name LIKE '%{chr(97 + i % 26)}{i}%'" for i in range(450)))
        client = socket.create_connection(("127.0.0.1", slow_server.port))
        client.sendall(f"GET /collections/{LOAD}/items?filter={slow}&limit=1 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        deadline = time.monotonic() + 30
        while not _server_busy(slow_server, monitor):
            assert time.monotonic() < deadline, "the slow query never started"
        client.close()
        deadline = time.monotonic() + 20
        while _server_busy(slow_server, monitor):
            assert time.monotonic() < deadline, "the work went on after its client had gone"
        assert get(slow_server, "/collections/ssen-headroom/items?limit=1").status_code == 200
    finally:
        if monitor is not None:
            monitor.close()
        slow_server.stop()


def test_405_says_what_is_allowed_and_head_answers_every_get(server):
    base = server.url.rstrip("/")
    for method, path, allowed in [("DELETE", "/collections", {"GET", "HEAD", "POST"}),
                                  ("PATCH", "/collections/ssen-headroom", {"GET", "HEAD", "DELETE"}),
                                  ("POST", "/conformance", {"GET", "HEAD"})]:
        answer = requests.request(method, base + path, timeout=30)
        assert answer.status_code == 405
        assert set(answer.headers["Allow"].split(", ")) == allowed
        assert strict_json(answer.content)["code"] == "MethodNotAllowed"
    for path in ["/", "/collections", "/collections/catalogue/items?q=headroom", "/collections/ssen-headroom/items",
                 "/api", "/collections/ssen-headroom/download?f=csv", "/collections/nope"]:
        got, head = get(server, path), requests.head(base + path, timeout=60)
        assert head.status_code == got.status_code and head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]


def test_a_head_of_a_download_gives_back_its_slot(server):
    """HEAD runs the GET it stands for, which takes one of the client's download slots: it must give it back."""
    base = server.url.rstrip("/")
    for _ in range(5):  # more than LEO_DOWNLOADS_PER_CLIENT (2)
        assert requests.head(base + "/collections/ssen-headroom/download?f=csv", timeout=60).status_code == 200
    assert get(server, "/collections/ssen-headroom/download?f=csv").status_code == 200


def test_the_api_document_is_openapi_3_0_and_documents_the_errors(server):
    answer = get(server, "/api")
    document = strict_json(answer.content)
    assert document["openapi"].startswith("3.0.") and "version=3.0" in answer.headers["content-type"]
    assert "anyOf" not in json.dumps(document) or '"type": "null"' not in json.dumps(document)
    responses = document["components"]["responses"]
    assert {"400", "401", "403", "404", "409", "413", "415", "422", "503"} <= set(responses)
    upload = document["paths"]["/collections"]["post"]["responses"]
    assert {"400", "401", "403", "409", "413", "415", "422", "503"} <= set(upload)
    items = document["paths"]["/collections/{collection_id}/items"]["get"]["responses"]
    assert {"400", "404", "503"} <= set(items) and "HTTPValidationError" not in json.dumps(document)


def test_a_token_sent_without_bearer_is_never_echoed(server):
    secret = "leo_s3cr3t-t0ken-value"
    for header in (secret, f"Token {secret}", f"{secret} {secret}"):
        answer = get(server, "/collections", headers={"Authorization": header})
        assert answer.status_code == 401 and secret not in answer.text


def test_reads_are_open_to_the_configured_web_map_origins(tuned):
    answer = get(tuned, "/collections", headers={"Origin": CORS_ORIGIN})
    assert answer.headers["access-control-allow-origin"] == CORS_ORIGIN
    preflight = requests.options(tuned.url + "collections/ssen-headroom/items", timeout=30, headers={
        "Origin": CORS_ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 200 and "GET" in preflight.headers["access-control-allow-methods"]
    other = get(tuned, "/collections", headers={"Origin": "https://elsewhere.example.com"})
    assert "access-control-allow-origin" not in other.headers
    writes = requests.options(tuned.url + "collections", timeout=30, headers={
        "Origin": CORS_ORIGIN, "Access-Control-Request-Method": "POST"})
    assert writes.status_code == 400, "uploads are not offered to web pages"


def test_one_client_gets_its_limit_of_downloads_at_once(tuned):
    first = requests.get(tuned.url + f"collections/{LOAD}/download?f=csv", stream=True, timeout=120)
    try:
        assert first.status_code == 200
        first.raw.read(1024)  # started, and held open: far more is still to come
        second = get(tuned, f"/collections/{LOAD}/download?f=geojson")
        assert second.status_code == 429 and "LEO_DOWNLOADS_PER_CLIENT" in second.json()["description"]
        assert second.headers["Retry-After"]
    finally:
        first.close()
    deadline = time.monotonic() + 30
    while get(tuned, "/collections/flex-zones/download?f=geojson").status_code == 429:
        assert time.monotonic() < deadline, "the slot was never given back"
        time.sleep(0.2)
