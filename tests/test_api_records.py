"""OGC API Records: a planner searches the catalogue by words, place, time and keyword."""

from __future__ import annotations

import pytest


def ids(page: dict) -> list[str]:
    return [feature["id"] for feature in page["features"]]


def test_full_text_search_finds_headroom_first(http):
    page = http.json("/collections/catalogue/items?q=headroom")
    assert ids(page)[0] in ("ssen-headroom", "ssen-primary-areas")
    assert "ssen-headroom" in ids(page)
    assert page["numberMatched"] == len(page["features"])


def test_search_as_you_type_matches_word_prefixes(http):
    assert "ssen-headroom" in ids(http.json("/collections/catalogue/items?q=headr"))


def test_comma_separated_terms_match_any(http):
    found = set(ids(http.json("/collections/catalogue/items?q=msoa,prices&limit=50")))
    assert {"oxon-msoa", "leo-price-2019-01-23"} <= found


def test_search_with_no_match_is_empty_not_an_error(http):
    page = http.json("/collections/catalogue/items?q=zzzzqqq")
    assert page["numberMatched"] == 0 and page["features"] == []


def test_hostile_search_text_is_just_text(http):
    for q in ['"', "title:*", "NEAR(a b)", "a' OR '1'='1", "%", "-", "))((", "ñandú 日本"]:
        status, body, _ = http.get("/collections/catalogue/items?q=" + __import__("urllib.parse").parse.quote(q))
        assert status == 200, (q, body)


def test_a_record_carries_licence_provenance_extent_and_links(http):
    record = http.json("/collections/catalogue/items/substation-load-hh")
    props = record["properties"]
    assert props["provenance"] == "synthetic"
    assert props["license"] and props["attribution"]
    assert props["updateFrequency"] == "daily" and props["version"] == "1"
    assert record["time"]["interval"] == ["2025-01-01T00:30:00Z", "2026-01-01T00:00:00Z"]
    assert record["geometry"]["type"] == "Polygon"
    rels = {(link["rel"], link.get("type")) for link in record["links"]}
    assert ("collection", "application/json") in rels and ("items", "application/geo+json") in rels
    assert ("enclosure", "application/geopackage+sqlite3") in rels
    real = http.json("/collections/catalogue/items/oxon-districts")["properties"]
    assert real["provenance"] == "real" and "Office for National Statistics" in real["attribution"]


def test_bbox_search_excludes_datasets_elsewhere(http):
    # The LEO price file has no geometry, so no spatial extent: a bbox search never finds it.
    found = ids(http.json("/collections/catalogue/items?bbox=-1.3,51.7,-1.2,51.8&limit=50"))
    assert "ssen-headroom" in found and "leo-price-2019-01-23" not in found
    assert ids(http.json("/collections/catalogue/items?bbox=10,10,11,11")) == []


@pytest.mark.parametrize("interval,expected,absent", [
    ("2019-01-23T12:00:00Z", "leo-price-2019-01-23", "substation-load-hh"),
    ("2025-06-01T00:00:00Z/2025-06-02T00:00:00Z", "substation-load-hh", "leo-price-2019-01-23"),
    ("../2019-12-31T00:00:00Z", "leo-mvs-leod041f06", "flex-events"),
    ("2025-11-05/..", "flex-events", "leo-mvs-leod041f06"),
])
def test_datetime_search_intersects_temporal_extents(http, interval, expected, absent):
    found = ids(http.json(f"/collections/catalogue/items?datetime={interval}&limit=50"))
    assert expected in found and absent not in found


def test_keywords_filter_all_must_match(http):
    found = ids(http.json("/collections/catalogue/items?keywords=flexibility&limit=50"))
    assert set(found) == {"flex-zones", "flex-events"}
    assert ids(http.json("/collections/catalogue/items?keywords=flexibility,events")) == ["flex-events"]


def test_kind_filter(http):
    assert set(ids(http.json("/collections/catalogue/items?kind=timeseries&limit=50"))) == {
        "substation-load-hh", "flex-events", "leo-mvs-leod041f06"}
    assert ids(http.json("/collections/catalogue/items?kind=table")) == ["leo-price-2019-01-23"]
    status, body, _ = http.get("/collections/catalogue/items?kind=raster")
    assert status == 400 and body["parameter"] == "kind"


def test_sortby_and_paging(http):
    first = http.json("/collections/catalogue/items?sortby=-title&limit=4")
    second = http.json("/collections/catalogue/items?sortby=-title&limit=4&offset=4")
    titles = [f["properties"]["title"] for f in first["features"] + second["features"]]
    assert titles == sorted(titles, reverse=True)
    assert first["numberMatched"] == 9 and first["numberReturned"] == 4
    rels = {link["rel"] for link in first["links"]}
    assert "next" in rels and "prev" not in rels
    assert "prev" in {link["rel"] for link in second["links"]}


@pytest.mark.parametrize("query,parameter", [
    ("bbox=1,2,3", "bbox"), ("bbox=a,b,c,d", "bbox"), ("bbox=10,10,0,0", "bbox"),
    ("datetime=yesterday", "datetime"), ("datetime=2025-02-01/2025-01-01", "datetime"),
    ("limit=0", "limit"), ("limit=ten", "limit"), ("offset=-1", "offset"),
    ("sortby=password", "sortby"), ("colour=red", "colour"),
])
def test_malformed_search_parameters_are_400_naming_the_parameter(http, query, parameter):
    status, body, _ = http.get(f"/collections/catalogue/items?{query}")
    assert status == 400, body
    assert body["parameter"] == parameter


def test_owslib_records_client_searches_and_pages(server):
    from owslib.ogcapi.records import Records

    client = Records(server.url)
    assert "catalogue" in [c["id"] for c in client.collections()["collections"]]
    result = client.collection_items("catalogue", q="load")
    assert "substation-load-hh" in [f["id"] for f in result["features"]]
    page2 = client.collection_items("catalogue", limit=5, offset=5)
    page1 = client.collection_items("catalogue", limit=5)
    assert len(page1["features"]) == 5 and len(page2["features"]) == 4
    assert client.collection_item("catalogue", "flex-zones")["id"] == "flex-zones"
