"""QGIS's own OGC API - Features provider reads every dataset of the catalogue correctly."""

from __future__ import annotations

import pytest
from qgis.core import QgsDataSourceUri, QgsVectorLayer, QgsWkbTypes

from .support.demo import DATASETS


def oapif_layer(server, dataset_id: str) -> QgsVectorLayer:
    uri = QgsDataSourceUri()
    uri.setParam("url", server.url)
    uri.setParam("typename", dataset_id)
    return QgsVectorLayer(uri.uri(False), dataset_id, "OAPIF")


@pytest.mark.parametrize("dataset_id", sorted(DATASETS))
def test_every_dataset_loads_with_the_right_feature_count(server, http, dataset_id):
    expected = http.json(f"/collections/{dataset_id}/items?limit=1")["numberMatched"]
    layer = oapif_layer(server, dataset_id)
    assert layer.isValid(), dataset_id
    assert layer.featureCount() == expected


def test_small_dataset_reads_every_feature_with_attributes(server):
    layer = oapif_layer(server, "ssen-headroom")
    features = list(layer.getFeatures())
    assert len(features) == 68
    names = {f["name"] for f in features}
    assert "Didcot GSP" in names and "Cholsey" in names
    assert layer.fields().field("demand_headroom_mva").typeName() == "Real"
    assert QgsWkbTypes.geometryType(layer.wkbType()) == QgsWkbTypes.PointGeometry


def test_tabular_dataset_is_a_table_without_geometry(server):
    layer = oapif_layer(server, "leo-price-2019-01-23")
    assert layer.wkbType() == QgsWkbTypes.NoGeometry
    assert len(list(layer.getFeatures())) == 48


def test_datetime_subset_string_is_answered_by_the_server(server):
    layer = oapif_layer(server, "substation-load-hh")
    assert layer.setSubsetString("\"timestamp\" >= '2025-06-01T12:00:00' AND \"timestamp\" <= '2025-06-01T12:00:00'")
    features = list(layer.getFeatures())
    assert len(features) == 55
    assert {f["timestamp"].toString("yyyy-MM-ddThh:mm") for f in features} == {"2025-06-01T12:00"}


def test_extent_comes_from_the_collection(server):
    layer = oapif_layer(server, "oxon-districts")
    extent = layer.extent()
    assert -1.75 < extent.xMinimum() < -1.6 and -0.95 < extent.xMaximum() < -0.8


@pytest.fixture(scope="module")
def logged_server(demo_sqlite_path):
    """The demo catalogue with every request in its log (uvicorn's access log)."""
    from .support.servers import CatalogueServer

    server = CatalogueServer(f"sqlite:///{demo_sqlite_path}", log_level="info").start()
    yield server
    server.stop()


def test_a_subset_string_is_sent_as_a_cql2_filter_where_qgis_can(logged_server):
    """QGIS 3.32+ sends a subset string to a server that declares the Filter, Features Filter, CQL2 Text and
    Basic CQL2 conformance classes and serves queryables; 3.22 downloads everything and filters itself.
    Either way the layer holds the right features."""
    from urllib.parse import unquote_plus

    from qgis.core import Qgis

    from .support.http_client import Http

    expected = Http(logged_server.url).json("/collections/ssen-headroom/items?filter=demand_rag%3D'Red'&limit=1000")
    red = {f["id"] for f in expected["features"]}
    assert red and expected["numberMatched"] == len(red)
    before = len(logged_server.log.read_text().splitlines())  # only what QGIS asks from here on
    layer = oapif_layer(logged_server, "ssen-headroom")
    assert layer.setSubsetString("\"demand_rag\" = 'Red'")
    features = list(layer.getFeatures())
    assert {f["asset_id"] for f in features} == {f["properties"]["asset_id"] for f in expected["features"]}
    log = logged_server.log.read_text().splitlines()[before:]
    requests = [unquote_plus(line) for line in log if "/collections/ssen-headroom/items" in line]
    sent = [line for line in requests if "filter=" in line and "demand_rag" in line and "Red" in line]
    if Qgis.QGIS_VERSION_INT < 33200:
        assert not sent  # filtered in QGIS: nothing was asked of the server
        pytest.skip(f"QGIS {Qgis.version()} filters subset strings itself (CQL2 filters are sent from 3.32)")
    assert sent, requests
    assert any("/collections/ssen-headroom/queryables" in line for line in log)
