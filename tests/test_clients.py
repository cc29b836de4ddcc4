"""Third-party clients and many users at once: OWSLib's OGC API Features client, concurrent readers."""

from __future__ import annotations

import urllib.request
from concurrent.futures import ThreadPoolExecutor

from .support.demo import PRIMARIES


def test_owslib_features_client_lists_queries_and_pages(server):
    from owslib.ogcapi.features import Features

    client = Features(server.url)
    assert "ssen-headroom" in [c["id"] for c in client.collections()["collections"]]
    # OWSLib 0.27 sends its datetime_ keyword literally: pass the OGC name through **kwargs.
    page = client.collection_items("substation-load-hh", limit=100, **{"datetime": "2025-03-01T08:00:00Z"})
    assert page["numberMatched"] == PRIMARIES and len(page["features"]) == PRIMARIES
    first = client.collection_items("ssen-headroom", limit=30)
    second = client.collection_items("ssen-headroom", limit=30, offset=30)
    ids = [f["id"] for f in first["features"] + second["features"]]
    assert len(ids) == len(set(ids)) == 60
    assert client.collection_queryables("ssen-headroom")["properties"]["demand_rag"]["type"] == "string"


def test_sixteen_concurrent_clients_all_get_answers(server):
    urls = [f"{server.url}collections/substation-load-hh/items?datetime=2025-02-{day:02d}T18:00:00Z&limit=100"
            for day in range(1, 29)] * 4
    urls += [f"{server.url}collections/catalogue/items?q=load"] * 16

    def fetch(url: str) -> int:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            return response.status

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(fetch, urls))
    assert statuses == [200] * len(urls)


def test_huge_query_strings_get_an_answer_not_a_crash(http):
    long_q = "heat pump " * 2000
    status, body, _ = http.get(f"/collections/catalogue/items?q={long_q.replace(' ', '%20')}")
    assert status == 400 and body["parameter"] == "q" and "at most 2,000" in body["description"]
    status, body, _ = http.get(f"/collections/catalogue/items?q={('heat pump ' * 8).replace(' ', '%20')}")
    assert status == 200
    status, body, _ = http.get("/collections/ssen-headroom/items?bbox=" + ",".join(["1"] * 5000))
    assert status == 400 and body["parameter"] == "bbox"
