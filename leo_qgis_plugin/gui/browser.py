"""A "LEO" root in QGIS's Browser panel: catalogue connections and their datasets, which open by
double-click or drag onto the map (as live OGC API - Features layers)."""

from __future__ import annotations

from qgis.core import (
    Qgis,
    QgsDataCollectionItem,
    QgsDataItem,
    QgsDataItemProvider,
    QgsDataSourceUri,
    QgsErrorItem,
    QgsLayerItem,
)
from qgis.PyQt.QtGui import QIcon

from ..core.compat import BrowserLayerType, DataItemProviderCapability
from ..core.exceptions import LeoError
from ..core.resources import LEO_ICON as ICON
from ..core.settings import ConnectionKind, ConnectionSettings, load_connections

MAX_DATASETS = 500


class DatasetItem(QgsLayerItem):
    def __init__(self, parent: QgsDataItem, connection: ConnectionSettings, record) -> None:
        uri = QgsDataSourceUri()
        uri.setParam("url", connection.base_url)
        uri.setParam("typename", record.id)
        if connection.authcfg:
            uri.setAuthConfigId(connection.authcfg)
        kind = BrowserLayerType.TableLayer if record.kind == "table" else BrowserLayerType.Vector
        super().__init__(parent, record.title, f"{parent.path()}/{record.id}", uri.uri(False), kind, "OAPIF")
        self.setToolTip(f"{record.description}\n\nLicence: {record.licence}\n{record.attribution}")


class ConnectionItem(QgsDataCollectionItem):
    """A catalogue connection; its children are fetched when the user expands it (off the UI thread)."""

    def __init__(self, parent: QgsDataItem, connection: ConnectionSettings) -> None:
        super().__init__(parent, connection.name, f"/leo/{connection.name}", "leo")
        self.connection = connection
        self.setIcon(QIcon(ICON))

    def createChildren(self):  # noqa: N802 - QGIS API name
        from ..core.catalogue import OgcApiCatalogue  # loaded when a connection is first opened, not at start-up

        catalogue = OgcApiCatalogue(self.connection.url, self.connection.authcfg)
        try:
            results = catalogue.search(limit=MAX_DATASETS, sortby="title")
        except LeoError as exc:
            return [QgsErrorItem(self, str(exc), f"{self.path()}/error")]
        return [DatasetItem(self, self.connection, r) for r in results.records if r.links]


class LeoRootItem(QgsDataCollectionItem):
    def __init__(self) -> None:
        super().__init__(None, "LEO", "/leo", "leo")
        self.setIcon(QIcon(ICON))
        self.setCapabilitiesV2(Qgis.BrowserItemCapabilities(Qgis.BrowserItemCapability.Fast))

    def createChildren(self):  # noqa: N802 - QGIS API name
        # CKAN portals hold files rather than OGC API collections: they are browsed in the LEO catalogue panel.
        return [ConnectionItem(self, c) for c in load_connections() if c.kind is ConnectionKind.OGC_API_RECORDS]


class LeoDataItemProvider(QgsDataItemProvider):
    def name(self) -> str:
        return "LEO"

    def dataProviderKey(self) -> str:  # noqa: N802
        return "leo"

    def capabilities(self) -> int:
        return DataItemProviderCapability.NetworkSources

    def createDataItem(self, path: str, parent: QgsDataItem):  # noqa: N802
        return LeoRootItem() if not path else None
