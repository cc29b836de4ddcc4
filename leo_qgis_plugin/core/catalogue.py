"""A LEO catalogue (OGC API Records + Features): its records, and its datasets as QGIS layers."""

from __future__ import annotations

from urllib.parse import quote

from qgis.core import QgsDataSourceUri, QgsFeedback, QgsLayerMetadata, QgsVectorLayer

from .exceptions import LeoError
from .models import CatalogueRecord
from .network import fetch_json

# Custom layer properties that remember where a layer came from (kept in saved projects).
PROPERTY_PREFIX = "leo_qgis/dataset"


class OgcApiCatalogue:
    """One OGC API catalogue server, e.g. the LEO catalogue."""

    def __init__(self, url: str, authcfg: str = "") -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.authcfg = authcfg or ""

    def get(self, dataset_id: str, feedback: QgsFeedback | None = None) -> CatalogueRecord:
        """The record of one dataset (NetworkError if the server cannot give it)."""
        data = fetch_json(f"{self.url}collections/catalogue/items/{quote(dataset_id)}", self.authcfg, feedback)
        return CatalogueRecord.from_json(data)

    def layer(self, dataset_id: str, name: str | None = None, record: CatalogueRecord | None = None) -> QgsVectorLayer:
        """The dataset as a live OGC API - Features layer, with metadata and provenance filled in."""
        uri = QgsDataSourceUri()
        uri.setParam("url", self.url)
        uri.setParam("typename", dataset_id)
        if self.authcfg:
            uri.setAuthConfigId(self.authcfg)
        layer = QgsVectorLayer(uri.uri(False), name or (record.title if record else dataset_id), "OAPIF")
        if not layer.isValid():
            raise LeoError(f"Could not open {dataset_id!r} from {self.url}: is the catalogue server running?")
        if record is not None:
            describe_layer(layer, record)
        layer.setCustomProperty(f"{PROPERTY_PREFIX}/id", dataset_id)
        layer.setCustomProperty(f"{PROPERTY_PREFIX}/catalogue", self.url)
        return layer


def describe_layer(layer: QgsVectorLayer, record: CatalogueRecord) -> None:
    """Fill a layer's QGIS metadata (title, abstract, keywords, licence, attribution) from its record."""
    metadata = QgsLayerMetadata(layer.metadata())
    metadata.setIdentifier(record.id)
    metadata.setTitle(record.title)
    metadata.setAbstract(record.description)
    if record.keywords:
        metadata.addKeywords("LEO", record.keywords)
    if record.licence:
        metadata.setLicenses([record.licence])
    if record.attribution:
        metadata.setRights([record.attribution])
    layer.setMetadata(metadata)
    layer.setAttribution(record.attribution)
    layer.setCustomProperty(f"{PROPERTY_PREFIX}/version", record.version)
