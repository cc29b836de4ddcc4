"""QGIS's own MetaSearch (Web > MetaSearch) finds LEO catalogue records over OGC API Records, through its own
search code as its dialog calls it (QGIS 3.24 and later; 3.22's MetaSearch speaks CSW only)."""

from __future__ import annotations

import sys
import urllib.request

import pytest
from qgis.core import Qgis

METASEARCH_PLUGINS = "/usr/share/qgis/python/plugins"


@pytest.fixture()
def metasearch():
    if Qgis.QGIS_VERSION_INT < 32400:
        pytest.skip(f"MetaSearch in QGIS {Qgis.version()} speaks CSW only (OGC API Records came in 3.24)")
    sys.path.insert(0, METASEARCH_PLUGINS)
    from MetaSearch import search_backend

    yield search_backend
    sys.path.remove(METASEARCH_PLUGINS)


def _catalogue(metasearch, server):
    """As MetaSearch's dialog connects: the records collection's URL and the OGC API - Records type."""
    records_type = metasearch.CATALOG_TYPES[1]
    assert records_type == "OGC API - Records"
    return metasearch.get_catalog_service(f"{server.url}collections/catalogue", records_type, 30, None, None)


def test_metasearch_lists_records_by_text_with_working_links(metasearch, sqlite_server):
    catalogue = _catalogue(metasearch, sqlite_server)
    catalogue.query_records(keywords="headroom", limit=10, offset=1)
    records = catalogue.records()
    assert catalogue.matches >= 1 and records
    headroom = next(r for r in records if r["identifier"] == "ssen-headroom")
    assert "headroom" in headroom["title"].lower()
    box = headroom["bbox"]
    assert -2 < float(box["minx"]) < float(box["maxx"]) < 0 and 51 < float(box["miny"]) < float(box["maxy"]) < 53
    links = [catalogue.parse_link(link) for link in headroom["links"]]
    ours = [link for link in links if link["url"].startswith(sqlite_server.url)]  # others: licences, sources
    assert any("/collections/ssen-headroom/items" in link["url"] for link in ours)
    for link in ours:
        with urllib.request.urlopen(link["url"], timeout=60) as answer:
            assert answer.status == 200, link
            answer.read()  # a client takes what it asked for (downloads hold one of the client's slots until sent)
    record = catalogue.get_record("ssen-headroom")
    assert record["id"] == "ssen-headroom"


def test_metasearch_filters_by_the_map_extent(metasearch, sqlite_server):
    catalogue = _catalogue(metasearch, sqlite_server)
    catalogue.query_records(bbox=["-1.3", "51.6", "-1.2", "51.7"], limit=100, offset=1)  # around Didcot
    inside = {r["identifier"] for r in catalogue.records()}
    assert "ssen-headroom" in inside
    catalogue.query_records(bbox=["10", "40", "11", "41"], limit=100, offset=1)  # Italy: nothing of LEO's
    assert catalogue.matches == 0 and catalogue.records() == []
