"""A "LEO" root in QGIS's Browser panel: catalogue connections and their datasets, which open by
double-click or drag onto the map exactly as from the LEO catalogue panel (one task builds the layer with
its style, time settings and roles: see core.datasets.finish_layer)."""

from __future__ import annotations

import json

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsDataCollectionItem,
    QgsDataItem,
    QgsDataItemProvider,
    QgsDataSourceUri,
    QgsErrorItem,
    QgsLayerItem,
    QgsMimeDataUtils,
)
from qgis.PyQt.QtGui import QIcon

from ..core.compat import BrowserLayerType, DataItemProviderCapability
from ..core.exceptions import LeoError
from ..core.resources import LEO_ICON as ICON
from ..core.settings import ConnectionKind, ConnectionSettings, load_connections

MAX_DATASETS = 500
DROP_KEY = "leo_qgis"  # a Browser dataset dragged onto the map: handled by gui.file_drop's handler
_ADDING: set = set()  # tasks under way, referenced until they end


def add_dataset(url: str, authcfg: str, dataset_id: str) -> None:
    """Open a dataset in a task and add it to the map, as the catalogue panel does; messages in QGIS's bar."""
    from qgis.utils import iface

    from ..core.catalogue import OgcApiCatalogue
    from ..core.datasets import AddMode
    from ..core.project_layers import add_layer
    from ..tasks.catalogue import add_dataset_task

    def tell(text: str, level) -> None:
        if iface is not None:
            iface.messageBar().pushMessage("LEO", text, level, 8)

    def done(result) -> None:
        _ADDING.discard(task)
        layer, offline = result
        add_layer(layer)
        if offline:
            tell(f"Added {layer.name()} from the offline copy: the catalogue is unreachable.", Qgis.Warning)

    def failed(text: str) -> None:
        _ADDING.discard(task)
        tell(text, Qgis.Critical)

    task = add_dataset_task(OgcApiCatalogue(url, authcfg), dataset_id, AddMode.AUTO, done, failed)
    _ADDING.add(task)
    QgsApplication.taskManager().addTask(task)


def drop_uri(connection: ConnectionSettings, dataset_id: str, title: str) -> QgsMimeDataUtils.Uri:
    uri = QgsMimeDataUtils.Uri()
    uri.layerType = "custom"
    uri.providerKey = DROP_KEY
    uri.name = title
    uri.uri = json.dumps({"url": connection.url, "authcfg": connection.authcfg, "id": dataset_id})
    return uri


def handle_drop(uri: QgsMimeDataUtils.Uri) -> bool:
    """A dataset dragged from the Browser: opened as a double-click opens it."""
    try:
        target = json.loads(uri.uri)
        add_dataset(target["url"], target.get("authcfg", ""), target["id"])
    except (ValueError, KeyError, TypeError):
        return False
    return True


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
        self.connection = connection
        self.dataset_id = record.id

    def handleDoubleClick(self) -> bool:  # noqa: N802 - QGIS API name
        add_dataset(self.connection.url, self.connection.authcfg, self.dataset_id)
        return True

    def mimeUris(self):  # noqa: N802
        return [drop_uri(self.connection, self.dataset_id, self.name())]

    def mimeUri(self):  # noqa: N802 - QGIS before 3.18 asks for one
        return drop_uri(self.connection, self.dataset_id, self.name())


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
