"""A planner screens sites against headroom: the serving primary, distances, and the connect-them-all scenario."""

from __future__ import annotations

import math

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsProject,
    QgsVectorLayer,
)

from leo_qgis_plugin import api
from leo_qgis_plugin.core.constraints.screening import scenario_rag, screen_sites
from leo_qgis_plugin.core.exceptions import LeoError

from .support import network_layers


def by_site(layer: QgsVectorLayer) -> dict[str, dict]:
    names = layer.fields().names()
    return {f["site"]: dict(zip(names, f.attributes())) for f in layer.getFeatures()}


def null(value) -> bool:
    return value is None or (hasattr(value, "isNull") and value.isNull())


@pytest.fixture()
def result():
    return screen_sites(network_layers.sites(), network_layers.headroom(), network_layers.areas(),
                        demand_expression='"kva"', max_distance_m=2000)


def test_sites_are_matched_by_containment_then_nearest_then_flagged_outside(result):
    sites = by_site(result.sites)
    assert [sites[s]["match_rule"] for s in ("s1", "s2", "s3", "s4", "s6", "s7")] == [
        "contained", "contained", "outside", "nearest", "outside", "contained"]
    assert sites["s1"]["primary_id"] == "P1" and sites["s1"]["primary_name"] == "Primary One"
    assert sites["s1"]["leo_distance_m"] == pytest.approx(math.hypot(1000, 1000))
    assert sites["s4"]["primary_id"] == "P2" and sites["s4"]["leo_distance_m"] == pytest.approx(1500)
    assert null(sites["s3"]["primary_id"]) and null(sites["s3"]["demand_headroom_mva"])
    assert sites["s6"]["screening_note"] == "no geometry"
    assert result.counts == {"contained": 3, "nearest": 1, "outside": 2}


def test_the_bsp_is_never_a_serving_primary():
    far = screen_sites(network_layers.sites(), network_layers.headroom(), None, max_distance_m=100_000)
    assert {f["primary_id"] for f in far.sites.getFeatures() if not null(f["primary_id"])} <= {"P1", "P2"}


def test_scenario_adds_up_every_site_per_primary(result):
    sites = by_site(result.sites)
    # P1: s1 400 + s2 700 kVA (s7's demand is not a number: counted as nothing) = 1.1 MVA of 1.0 MVA headroom
    assert sites["s1"]["scenario_demand_headroom_mva"] == pytest.approx(-0.1)
    assert sites["s1"]["scenario_demand_rag"] == "Red" and sites["s7"]["scenario_demand_rag"] == "Red"
    # P2: s4 100 kVA of 0.3 MVA leaves 0.2 (Green by use), but SSEN published Amber: never better than that
    assert sites["s4"]["scenario_demand_headroom_mva"] == pytest.approx(0.2)
    assert sites["s4"]["scenario_demand_rag"] == "Amber"
    assert sites["s4"]["gen_rag"] == "Red" and sites["s4"]["scenario_gen_rag"] == "Red"
    assert sites["s4"]["demand_constraint"] == "Substation Thermal Capacity"
    assert sites["s4"]["reinforcement_date"].toString("yyyy-MM-dd") == "2027-09-01"
    summary = {f["primary_id"]: f for f in result.summary.getFeatures()}
    assert set(summary) == {"P1", "P2"}
    assert summary["P1"]["sites"] == 3 and summary["P1"]["added_demand_mva"] == pytest.approx(1.1)
    assert summary["P2"]["scenario_demand_headroom_mva"] == pytest.approx(0.2)


def test_problems_are_counted_in_messages(result):
    assert any("demand expression failed on 1 site" in m for m in result.messages)
    assert any("2 site(s) are outside the network coverage" in m for m in result.messages)
    assert "1 site(s): no geometry." in result.messages


def test_input_fields_are_kept_unchanged_and_clashing_names_prefixed(result):
    sites = by_site(result.sites)
    assert sites["s2"]["distance_m"] == 2.0 and sites["s2"]["kva"] == "700"
    assert result.added_field_names["distance_m"] == "leo_distance_m"
    assert result.sites.crs().authid() == "EPSG:27700"


def test_the_input_layer_is_not_modified():
    sites = network_layers.sites()
    before = [(f.attributes(), f.geometry().asWkt()) for f in sites.getFeatures()]
    screen_sites(sites, network_layers.headroom(), network_layers.areas(), '"kva"')
    assert [(f.attributes(), f.geometry().asWkt()) for f in sites.getFeatures()] == before
    assert sites.fields().names() == ["site", "kva", "distance_m"]


def test_polygons_and_invalid_polygons_are_screened_by_a_point_inside():
    result = screen_sites(network_layers.polygon_sites(), network_layers.headroom(), network_layers.areas(), '"kva"')
    sites = by_site(result.sites)
    assert sites["s5"]["primary_id"] == "P2" and sites["s5"]["screening_note"] == "invalid geometry repaired"
    assert "1 site(s): invalid geometry repaired." in result.messages
    assert sites["s8"]["primary_id"] == "P1"


def test_any_input_crs_gives_the_same_matches():
    source = network_layers.sites()
    wgs84 = QgsVectorLayer("Point?crs=EPSG:4326&field=site:string&field=kva:string&field=distance_m:double",
                           "wgs84 sites", "memory")
    transform = QgsCoordinateTransform(source.crs(), QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
    features = []
    for f in source.getFeatures():
        copy = QgsFeature(wgs84.fields())
        copy.setAttributes(f.attributes())
        if f.hasGeometry():
            geometry = f.geometry()
            geometry.transform(transform)
            copy.setGeometry(geometry)
        features.append(copy)
    wgs84.dataProvider().addFeatures(features)
    result = screen_sites(wgs84, network_layers.headroom(), network_layers.areas(), '"kva"')
    assert {s: v["match_rule"] for s, v in by_site(result.sites).items()} == {
        "s1": "contained", "s2": "contained", "s3": "outside", "s4": "nearest", "s6": "outside", "s7": "contained"}


@pytest.mark.parametrize("kwargs,message", [
    ({"demand_expression": '"kva" +* 2'}, "demand expression is not valid"),
    ({"max_distance_m": -1}, "must not be negative"),
])
def test_bad_parameters_are_clear_errors(kwargs, message):
    with pytest.raises(LeoError, match=message):
        screen_sites(network_layers.sites(), network_layers.headroom(), network_layers.areas(), **kwargs)


def test_an_empty_layer_is_a_clear_error():
    empty = QgsVectorLayer("Point?crs=EPSG:27700", "empty", "memory")
    with pytest.raises(LeoError, match="has no sites"):
        screen_sites(empty, network_layers.headroom(), network_layers.areas())


@pytest.mark.parametrize("headroom,remaining,published,expected", [
    (1.0, -0.1, "Green", "Red"), (1.0, 0.4, "Green", "Amber"), (1.0, 0.6, "Green", "Green"),
    (1.0, 0.6, "Amber", "Amber"), (1.0, 0.9, "Red", "Red"), (None, None, "Green", None), (0.0, 0.0, None, "Green"),
])
def test_scenario_rag_rules(headroom, remaining, published, expected):
    assert scenario_rag(headroom, remaining, published) == expected


def test_screening_against_the_catalogue_finds_real_places(sqlite_server):
    sites = network_layers.layer("Point?crs=EPSG:4326&field=site:string&field=homes:integer", "homes", [
        (["Didcot", 120], "POINT(-1.2402 51.6002)"), (["Channel", 1], "POINT(-1.5 50.5)")])
    catalogue = api.connect(sqlite_server.url)
    sites_out, summary = api.screen_sites(catalogue, sites, demand_expression='"homes" * 2.5')
    rows = by_site(sites_out)
    assert rows["Didcot"]["primary_name"] == "Didcot South" and rows["Didcot"]["match_rule"] == "contained"
    assert rows["Didcot"]["added_demand_kva"] == 300 and rows["Channel"]["match_rule"] == "outside"
    assert [f["primary_name"] for f in summary.getFeatures()] == ["Didcot South"]


def test_processing_algorithm_writes_layers_and_a_report(tmp_path, leo_processing):
    processing = leo_processing
    report = tmp_path / "report.html"
    outputs = processing.run("leo:screensites", {
        "INPUT": network_layers.sites(), "DEMAND_EXPRESSION": '"kva"', "MAX_DISTANCE": 2000,
        "HEADROOM": network_layers.headroom(), "AREAS": network_layers.areas(),
        "OUTPUT": "memory:", "SUMMARY": "memory:", "REPORT": str(report)})
    assert outputs["OUTPUT"].featureCount() == 6 and outputs["SUMMARY"].featureCount() == 2
    html = report.read_text()
    assert "Primary One" in html and "Site screening against network headroom" in html and "-0.10" in html


def test_results_loaded_from_processing_are_coloured_by_scenario_rag(leo_processing, qgis_iface, monkeypatch):
    from qgis.core import QgsLayerTreeModel
    from qgis.gui import QgsLayerTreeView

    # Processing (3.40+) adds results through QGIS's layer tree view: give the test interface a real one.
    view = QgsLayerTreeView()
    view.setModel(QgsLayerTreeModel(QgsProject.instance().layerTreeRoot(), view))
    monkeypatch.setattr(qgis_iface, "layerTreeView", lambda: view, raising=False)
    processing = leo_processing
    outputs = processing.runAndLoadResults("leo:screensites", {
        "INPUT": network_layers.sites(), "DEMAND_EXPRESSION": '"kva"', "HEADROOM": network_layers.headroom(),
        "AREAS": network_layers.areas(), "OUTPUT": "memory:Screened", "SUMMARY": "memory:Summary"})
    layer = QgsProject.instance().mapLayer(outputs["OUTPUT"])
    try:
        assert layer.renderer().type() == "categorizedSymbol"
        assert layer.renderer().classAttribute() == "scenario_demand_rag"
    finally:
        QgsProject.instance().removeAllMapLayers()
