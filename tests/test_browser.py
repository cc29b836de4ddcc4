"""The LEO root in QGIS's Browser panel lists connections and datasets that open as layers."""

from __future__ import annotations

from qgis.core import QgsApplication, QgsSettings, QgsVectorLayer

from leo_qgis_plugin.core import settings as leo_settings
from leo_qgis_plugin.core.settings import ConnectionKind, ConnectionSettings, save_connection
from leo_qgis_plugin.gui.browser import LeoDataItemProvider

from .support.postgres import free_port


def test_browser_lists_connections_and_datasets_that_open(sqlite_server):
    settings = QgsSettings()
    settings.remove(leo_settings.SETTINGS_PREFIX)
    save_connection(ConnectionSettings("Demo", sqlite_server.url))
    save_connection(ConnectionSettings("Down", f"http://127.0.0.1:{free_port()}/"))
    save_connection(ConnectionSettings("A portal", "https://example.org/", ConnectionKind.CKAN))
    try:
        provider = LeoDataItemProvider()
        root = provider.createDataItem("", None)
        assert root.name() == "LEO" and provider.createDataItem("/elsewhere", None) is None
        connections = {item.name(): item for item in root.createChildren()}
        assert set(connections) == {"Demo", "Down"}
        datasets = {item.name(): item for item in connections["Demo"].createChildren()}
        assert len(datasets) == 9
        item = datasets["SSEN network headroom, Oxfordshire (synthetic)"]
        layer = QgsVectorLayer(item.uri(), item.name(), item.providerKey())
        assert layer.isValid() and layer.featureCount() == 68
        (error,) = connections["Down"].createChildren()
        assert "Could not reach" in error.name()
    finally:
        settings.remove(leo_settings.SETTINGS_PREFIX)


def test_the_plugin_registers_and_removes_its_browser_provider(qgis_iface):
    import leo_qgis_plugin

    registry = QgsApplication.dataItemProviderRegistry()
    plugin = leo_qgis_plugin.classFactory(qgis_iface)
    plugin.initGui()
    assert registry.provider("LEO") is not None
    plugin.unload()
    assert registry.provider("LEO") is None
