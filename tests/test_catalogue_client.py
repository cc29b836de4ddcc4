"""A planner's scripts find LEO data and open it: search, records, live layers and cached downloads."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from qgis.core import QgsWkbTypes

from leo_qgis_plugin import api
from leo_qgis_plugin.core.compat import attribution
from leo_qgis_plugin.core.datasets import cached_path
from leo_qgis_plugin.core.exceptions import NetworkError

from .support.servers import CatalogueServer


def test_search_by_words_place_time_and_keywords(sqlite_server):
    catalogue = api.connect(sqlite_server.url)
    found = catalogue.search("headroom")
    assert "ssen-headroom" in [r.id for r in found.records] and found.total == len(found.records)
    record = next(r for r in found.records if r.id == "ssen-headroom")
    assert record.licence == "CC-BY-4.0" and record.provenance == "synthetic" and record.version == "1"
    assert record.spatial_extent[0] < -1.5 and record.feature_count == 68
    in_2019 = catalogue.search(start=datetime(2019, 1, 1, tzinfo=timezone.utc),
                               end=datetime(2019, 12, 31, tzinfo=timezone.utc))
    assert {r.id for r in in_2019.records} == {"leo-mvs-leod041f06", "leo-price-2019-01-23"}
    assert {r.id for r in catalogue.search(keywords=["flexibility"]).records} == {"flex-zones", "flex-events"}
    assert catalogue.search(bbox=(10, 10, 11, 11)).total == 0
    page = catalogue.search(limit=4, offset=4, sortby="title")
    assert page.total == 9 and len(page.records) == 4 and page.has_more
    series = catalogue.get("substation-load-hh")
    assert series.is_time_series and series.temporal_extent[0] == datetime(2025, 1, 1, 0, 30, tzinfo=timezone.utc)


def test_add_a_dataset_live_with_its_licence_in_the_layer_metadata(project, sqlite_server):
    layer = api.add_dataset(api.connect(sqlite_server.url), "ssen-headroom", mode="live")
    assert layer.providerType() == "OAPIF" and layer.featureCount() == 68
    assert layer.metadata().licenses() == ["CC-BY-4.0"] and "Synthetic" in attribution(layer)
    assert layer.customProperty("leo_qgis/dataset/version") == "1"
    assert project.mapLayer(layer.id()) is layer


def test_large_datasets_are_downloaded_once_and_open_offline(project, demo_sqlite_path):
    server = CatalogueServer(f"sqlite:///{demo_sqlite_path}").start()
    catalogue = api.connect(server.url)
    try:
        path = cached_path(catalogue, "leo-mvs-leod041f06", "1")
        path.unlink(missing_ok=True)
        layer = api.add_dataset(catalogue, "leo-mvs-leod041f06", mode="download")
        assert layer.providerType() == "ogr" and layer.featureCount() == 2295 and path.exists()
        assert layer.metadata().licenses() == ["MIT"]
        stamp = path.stat().st_mtime_ns
        api.add_dataset(catalogue, "leo-mvs-leod041f06", mode="download")
        assert path.stat().st_mtime_ns == stamp  # from the cache, not downloaded again
        assert not list(path.parent.glob("*.part-*"))
    finally:
        server.stop()
    offline = api.add_dataset(catalogue, "leo-mvs-leod041f06")  # the server is gone
    assert offline.featureCount() == 2295 and "offline" in offline.name()
    with pytest.raises(NetworkError, match="Could not reach"):
        api.add_dataset(catalogue, "oxon-msoa")


def test_auto_mode_reads_small_datasets_live_and_downloads_large_ones(project, sqlite_server):
    from leo_qgis_plugin.core.datasets import AddMode, open_dataset

    catalogue = api.connect(sqlite_server.url)
    small = open_dataset(catalogue, catalogue.get("oxon-districts"), AddMode.AUTO, live_limit=1000)
    large = open_dataset(catalogue, catalogue.get("leo-price-2019-01-23"), AddMode.AUTO, live_limit=10)
    assert small.providerType() == "OAPIF" and small.customProperty("leo_qgis/dataset/mode") == "live"
    assert large.providerType() == "ogr" and large.customProperty("leo_qgis/dataset/mode") == "download"
    assert large.featureCount() == 48 and QgsWkbTypes.geometryType(small.wkbType()) == QgsWkbTypes.PolygonGeometry


def test_added_datasets_get_sensible_default_styles(project, sqlite_server):
    catalogue = api.connect(sqlite_server.url)
    substations = api.add_dataset(catalogue, "ssen-headroom", mode="live")
    assert substations.renderer().type() == "categorizedSymbol" and substations.renderer().classAttribute() == "demand_rag"
    districts = api.add_dataset(catalogue, "oxon-districts", mode="live")
    assert districts.labelsEnabled() and districts.labeling().settings().fieldName == '"lad20nm"'
    assert districts.renderer().symbol().color().alpha() == 0  # outlines only: the data beneath stays visible
    zones = api.add_dataset(catalogue, "flex-zones", mode="live")
    assert zones.labelsEnabled() and "mw_required" in zones.labeling().settings().fieldName
