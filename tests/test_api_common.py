"""OGC API Common: what any client first sees of the catalogue server."""

from __future__ import annotations

from .support.demo import DATASETS


def test_landing_page_links_are_absolute_and_name_the_api_and_data(http):
    page = http.json("/")
    rels = {link["rel"]: link["href"] for link in page["links"]}
    for rel in ("self", "service-desc", "conformance", "data"):
        assert rels[rel].startswith(http.base.rstrip("/")), rel
    assert rels["service-desc"].endswith("/api")


def test_conformance_declares_features_records_and_cql2(http):
    classes = http.json("/conformance")["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in classes
    assert "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/core" in classes
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text" in classes


def test_openapi_document_at_api_and_openapi_has_the_limit_parameter_qgis_reads(http):
    for path in ("/api", "/openapi"):
        status, document, headers = http.get(path)
        assert status == 200
        assert "openapi" in headers["content-type"]
        limit = document["components"]["parameters"]["limit"]["schema"]
        assert limit["maximum"] == 10_000 and limit["default"] == 10
        assert "/collections/{collection_id}/items" in document["paths"]


def test_collections_list_the_catalogue_and_every_demo_dataset(http):
    ids = {c["id"] for c in http.json("/collections")["collections"]}
    assert ids == DATASETS | {"catalogue"}


def test_a_collection_has_spatial_and_temporal_extent(http):
    load = http.json("/collections/substation-load-hh")
    minx, miny, maxx, maxy = load["extent"]["spatial"]["bbox"][0]
    assert -1.8 < minx < maxx < -0.8 and 51.4 < miny < maxy < 52.2
    start, end = load["extent"]["temporal"]["interval"][0]
    assert start == "2025-01-01T00:30:00Z" and end == "2026-01-01T00:00:00Z"
    assert load["itemType"] == "feature"
    assert any(link["rel"] == "items" for link in load["links"])


def test_html_pages_are_readable(http):
    for path in ("/?f=html", "/collections?f=html", "/collections/ssen-headroom?f=html",
                 "/collections/ssen-headroom/items?f=html&limit=2", "/collections/catalogue/items?f=html&q=load"):
        status, body, headers = http.get(path)
        assert status == 200 and headers["content-type"].startswith("text/html"), path
        assert b"<h1>" in body


def test_unknown_collection_and_feature_are_404_with_json(http):
    for path in ("/collections/nope", "/collections/nope/items", "/collections/ssen-headroom/items/999999",
                 "/collections/ssen-headroom/items/abc", "/collections/catalogue/items/nope", "/nope"):
        status, body, _ = http.get(path)
        assert status == 404, path
        assert body["code"] == "NotFound"


def test_unknown_format_is_400_naming_f(http):
    status, body, _ = http.get("/collections?f=xml")
    assert status == 400 and body["parameter"] == "f"
