"""DNO open-data portals (CKAN): search them, read records with 1,500+ resources, open the newest headroom file."""

from __future__ import annotations

import pytest

from leo_qgis_plugin import api
from leo_qgis_plugin.core.ckan import newest_openable
from leo_qgis_plugin.core.exceptions import LeoError, NetworkError

from .support.ckan import CkanPortal


@pytest.fixture(scope="module")
def portal():
    with CkanPortal() as running:
        yield running


def test_search_and_records(portal):
    catalogue = api.connect(portal.url, kind="ckan")
    results = catalogue.search("headroom")
    assert results.total == 1 and results.records[0].id == "generation-availability-and-network-capacity"
    record = results.records[0]
    assert record.publisher == "Scottish and Southern Electricity Networks" and record.licence == "SSEN Open Data Licence"
    assert record.keywords == ["headroom", "capacity"]
    assert catalogue.search(keywords=["capacity"]).total == 1
    assert catalogue.search("nothing-like-this").total == 0


def test_a_package_with_1554_resources_lists_them_all(portal):
    catalogue = api.connect(portal.url, kind="ckan")
    record = catalogue.get("aggregated-smart-meter-data-lv-feeder")
    resources = catalogue.resources("aggregated-smart-meter-data-lv-feeder")
    assert len(resources) == 1554 and len(record.links) == 1554
    assert record.publisher == "National Grid Electricity Distribution" and record.licence == "WPD Shared Data Licence"
    assert newest_openable(resources).format == "CSV"


def test_the_newest_headroom_resource_opens_as_a_styled_layer(portal, project):
    catalogue = api.connect(portal.url, kind="ckan")
    layer = api.add_dataset(catalogue, "generation-availability-and-network-capacity")
    assert layer.featureCount() == 68
    assert layer.customProperty("leo_qgis/dataset/resource") == "res-2"  # March 2026, not December 2025 or the PDF
    assert layer.metadata().licenses() == ["SSEN Open Data Licence"]
    assert "March 2026" in layer.name()


def test_portal_errors_are_clear(portal):
    catalogue = api.connect(portal.url, kind="ckan")
    with pytest.raises(NetworkError, match="HTTP 404"):
        catalogue.get("no-such-dataset")
    not_ckan = api.connect(f"{portal.url}/files/", kind="ckan")
    with pytest.raises(NetworkError):
        not_ckan.search("x")
    with pytest.raises(LeoError, match="not known"):
        api.connect(portal.url, kind="wms")


def test_the_dock_searches_a_ckan_connection_and_adds_its_newest_resource(portal, project):
    from qgis.core import QgsApplication, QgsSettings

    from leo_qgis_plugin.core import settings as leo_settings
    from leo_qgis_plugin.core.settings import ConnectionKind, ConnectionSettings, save_connection
    from leo_qgis_plugin.gui.catalogue_dock import CatalogueDock

    from .support.qt import wait_for

    settings = QgsSettings()
    settings.remove(leo_settings.SETTINGS_PREFIX)
    save_connection(ConnectionSettings("Portal", portal.url, ConnectionKind.CKAN))
    try:
        dock = CatalogueDock()
        dock.search.setText("headroom")
        wait_for(lambda: dock.list.count() == 1)
        dock.list.setCurrentRow(0)
        assert "SSEN Open Data Licence" in dock.details.toHtml()
        dock.add.click()
        wait_for(lambda: project.mapLayers())
        assert next(iter(project.mapLayers().values())).featureCount() == 68
        wait_for(lambda: QgsApplication.taskManager().countActiveTasks() == 0)
    finally:
        settings.remove(leo_settings.SETTINGS_PREFIX)


def test_portal_time_stamps_are_utc_and_bad_ones_are_none():
    from datetime import datetime, timezone

    from leo_qgis_plugin.core.formats.values import portal_time

    utc = timezone.utc
    assert portal_time("2024-05-01T10:00:00.123456") == datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=utc)  # CKAN
    assert portal_time("2024-05-01T11:00:00+01:00") == datetime(2024, 5, 1, 10, 0, tzinfo=utc)  # Opendatasoft
    assert portal_time("2024-05-01T10:00:00Z") == datetime(2024, 5, 1, 10, 0, tzinfo=utc)
    for hostile in (None, "", "yesterday", "2024-13-45", 1714557600, ["2024-05-01"], {"date": "x"}):
        assert portal_time(hostile) is None
