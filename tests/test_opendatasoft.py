"""The plugin's portal clients against local portals in each portal's envelope: Opendatasoft v2.1 search,
records (100 a page, 10,000 at most), GeoJSON exports as layers, headroom on the GB schema; CKAN's datastore;
rate limits, the User-Agent, API keys from QGIS's authentication database, and faults."""

from __future__ import annotations

import pytest

from leo_qgis_plugin import api
from leo_qgis_plugin.core.exceptions import NetworkError

from .support.auth import token_authcfg
from .support.dno_portals import ENWL_KEY, DnoPortals


@pytest.fixture(scope="module")
def portals():
    with DnoPortals(sizes={"enwl-bsp-heatmap": 10_500}) as running:
        yield running


@pytest.fixture(scope="module")
def enwl_key(portals):
    with token_authcfg("ENWL test key", ENWL_KEY, "Apikey") as authcfg:
        yield authcfg


@pytest.fixture(autouse=True)
def no_faults(portals):
    portals.faults.clear()
    portals.release = 1


def test_search_and_record_of_an_opendatasoft_portal(portals):
    catalogue = api.connect(portals.url_of("npg"), kind="opendatasoft", operator="npg")
    found = catalogue.search("headroom")
    assert found.total == 1 and found.records[0].id == "heatmapsubstationareas"
    record = catalogue.get("heatmapsubstationareas")
    assert record.publisher == "Northern Powergrid" and record.feature_count == 8
    assert record.description == "Synthetic test data." and record.version.startswith("2026-03-02")
    assert catalogue.search("nothing-like-this").total == 0


def test_records_page_by_100_and_switch_to_the_export_past_10000(portals, enwl_key):
    catalogue = api.connect(portals.url_of("enwl"), kind="opendatasoft", authcfg=enwl_key, operator="enwl")
    before = len(portals.requests_to("enwl"))
    records = catalogue.records("enwl-pry-heatmap")
    assert len(records) == 6 and len(portals.requests_to("enwl")) - before == 1
    before = len(portals.requests_to("enwl"))
    big = catalogue.records("enwl-bsp-heatmap")
    assert len(big) == 10_500  # one records request to learn the total, then the export
    paths = [p for p, _a, _t in portals.requests_to("enwl")[before:]]
    assert len(paths) == 2 and "/exports/json" in paths[1]


def test_paging_past_the_window_is_refused_with_a_clear_message(portals):
    from leo_qgis_plugin.core.formats import ods_api
    from leo_qgis_plugin.core.portal_transport import session_for

    session = session_for(portals.url_of("enwl"), "opendatasoft", operator="enwl")
    with pytest.raises(Exception, match="cannot be paged"):
        ods_api.records(session, "enwl-bsp-heatmap", offset=9_950)
    assert ods_api.records(session, "enwl-bsp-heatmap", offset=9_900)[0] == 10_500


def test_a_headroom_dataset_opens_on_the_gb_schema_styled(portals, project):
    catalogue = api.connect(portals.url_of("ukpn"), kind="opendatasoft", operator="ukpn")
    layer = api.add_dataset(catalogue, "dfes-network-headroom-report")
    assert layer.featureCount() == 8  # one scenario, one year of the 32 published rows
    names = [f.name() for f in layer.fields()]
    assert {"operator", "demand_headroom_mva", "generation_headroom_mw", "demand_rag_derived"} <= set(names)
    feature = next(layer.getFeatures())
    assert feature["operator"] == "UKPN" and feature["demand_rag"] in ("Red", "Amber", "Green")
    assert layer.metadata().licenses() == ["CC BY 4.0"]


def test_any_other_dataset_opens_from_its_geojson_export(portals, project, tmp_path):
    from leo_qgis_plugin.core.opendatasoft import OpendatasoftCatalogue

    catalogue = OpendatasoftCatalogue(portals.url_of("npg"), cache=tmp_path)  # not known as NPG's: a plain portal
    layer = catalogue.open_dataset("heatmapsubstationareas")
    assert layer.featureCount() == 8 and layer.geometryType() == 0  # points, from the GeoJSON export
    assert list(tmp_path.glob("*.geojson"))


def test_an_api_key_comes_from_the_qgis_authentication_database(portals, project, enwl_key):
    catalogue = api.connect(portals.url_of("enwl"), kind="opendatasoft", operator="enwl")
    with pytest.raises(NetworkError, match="Electricity North West.*enwl-pry-heatmap.*HTTP 401.*API key"):
        catalogue.open_dataset("enwl-pry-heatmap")
    keyed = api.connect(portals.url_of("enwl"), kind="opendatasoft", authcfg=enwl_key, operator="enwl")
    assert keyed.open_dataset("enwl-pry-heatmap").featureCount() == 6


@pytest.mark.parametrize("fault, said", [("500", "HTTP 500"), ("html", "did not answer"),
                                         ("cut", "could not be reached"), ("rename", "renamed")])
def test_portal_faults_are_clear_messages(portals, project, fault, said):
    portals.faults["npg"] = ["", "", fault]  # the record and the description answer, then the export fails
    catalogue = api.connect(portals.url_of("npg"), kind="opendatasoft", operator="npg")
    with pytest.raises(NetworkError, match=said) as caught:
        catalogue.open_dataset("heatmapsubstationareas")
    assert "Northern Powergrid" in str(caught.value) and "heatmapsubstationareas" in str(caught.value)


def test_a_429_is_waited_out(portals):
    portals.faults["npg"] = ["429"]
    catalogue = api.connect(portals.url_of("npg"), kind="opendatasoft", operator="npg")
    assert catalogue.get("heatmapsubstationareas").id == "heatmapsubstationareas"
    times = [t for _p, _a, t in portals.requests_to("npg")[-2:]]
    assert times[1] - times[0] >= 0.9  # Retry-After: 1 (seen from the server, on a loaded machine)


def test_ckan_datastore_headroom_and_ssen_with_a_browser_user_agent(portals, project):
    nged = api.connect(portals.url_of("nged"), kind="ckan", operator="nged")
    layer = nged.open_dataset("network-opportunity-map-headroom")
    assert layer.featureCount() == 8
    feature = next(f for f in layer.getFeatures() if f["name"] == "Nechells")
    assert feature["firm_capacity_mva"] == 240.0 and feature["generation_headroom_mva"] is not None
    ssen = api.connect(portals.url_of("ssen"), kind="ckan", operator="ssen")
    assert ssen.open_dataset("generation-availability-and-network-capacity").featureCount() == 68
    assert all(agent.startswith("Mozilla/") for _p, agent, _t in portals.requests_to("ssen"))


def test_every_operator_opens_through_the_scripting_api(portals, project):
    kinds = {"ssen": "ckan", "nged": "ckan", "ukpn": "opendatasoft", "npg": "opendatasoft", "spen": "opendatasoft"}
    for key, kind in kinds.items():
        opened = api.open_operator_headroom(portals.url_of(key), kind, operator=key)
        assert opened and all(o.rows for o in opened), key
    spen = api.open_operator_headroom(portals.url_of("spen"), "opendatasoft", operator="spen", add_to_project=False)
    assert spen[0].rows_without_location and "without coordinates" in spen[0].message()


def test_the_processing_algorithm_writes_headroom_and_the_change_layer(portals, leo_processing, tmp_path):
    from qgis.core import QgsVectorLayer

    first = leo_processing.run("leo:operatorheadroom", {
        "OPERATOR": 2, "PORTAL_URL": portals.url_of("ukpn"), "OUTPUT": str(tmp_path / "ukpn-1.gpkg")})
    earlier = QgsVectorLayer(first["OUTPUT"], "earlier", "ogr")
    assert earlier.featureCount() == 8 and "demand_rag_derived" in earlier.fields().names()
    portals.release = 2
    second = leo_processing.run("leo:operatorheadroom", {
        "OPERATOR": 2, "PORTAL_URL": portals.url_of("ukpn"), "PREVIOUS": first["OUTPUT"],
        "OUTPUT": str(tmp_path / "ukpn-2.gpkg"), "CHANGES": str(tmp_path / "ukpn-changes.gpkg")})
    changes = QgsVectorLayer(second["CHANGES"], "changes", "ogr")
    kinds = sorted(f["change"] for f in changes.getFeatures())
    assert kinds.count("new") == 1 and kinds.count("removed") == 1 and kinds.count("changed") == 3
    del earlier, changes  # file layers closed while QGIS still runs
    with pytest.raises(Exception, match="could not be reached"):
        leo_processing.run("leo:operatorheadroom", {"OPERATOR": 2, "PORTAL_URL": "http://127.0.0.1:9/",
                                                    "OUTPUT": str(tmp_path / "none.gpkg")})


def test_the_dock_searches_an_opendatasoft_connection_and_adds_a_dataset(portals, project):
    from qgis.core import QgsApplication, QgsSettings

    from leo_qgis_plugin.core import settings as leo_settings
    from leo_qgis_plugin.core.settings import ConnectionKind, ConnectionSettings, save_connection
    from leo_qgis_plugin.gui.catalogue_dock import CatalogueDock

    from .support.qt import wait_for

    settings = QgsSettings()
    settings.remove(leo_settings.SETTINGS_PREFIX)
    save_connection(ConnectionSettings("Northern Powergrid (local)", portals.url_of("npg"), ConnectionKind.OPENDATASOFT))
    try:
        dock = CatalogueDock()
        dock.search.setText("headroom")
        wait_for(lambda: dock.list.count() == 1)
        dock.list.setCurrentRow(0)
        assert "Northern Powergrid Open Data Licence" in dock.details.toHtml()
        dock.add.click()
        wait_for(lambda: project.mapLayers())
        layer = next(iter(project.mapLayers().values()))
        assert layer.featureCount() == 8 and layer.renderer() is not None
        wait_for(lambda: QgsApplication.taskManager().countActiveTasks() == 0)
    finally:
        settings.remove(leo_settings.SETTINGS_PREFIX)
