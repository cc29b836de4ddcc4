"""A LEO catalogue (OGC API Records + Features): its records, and its datasets as QGIS layers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from qgis.core import (
    QgsBox3d,
    QgsCoordinateReferenceSystem,
    QgsDataSourceUri,
    QgsDateTimeRange,
    QgsFeedback,
    QgsLayerMetadata,
    QgsVectorLayer,
)

from .compat import set_attribution
from .exceptions import LeoError
from .models import PROPERTY_PREFIX, CatalogueRecord
from .network import delete, fetch_json, post_form
from .temporal.clock import to_qdatetime


@dataclass
class SearchResults:
    """One page of a catalogue search."""

    total: int
    records: list[CatalogueRecord]
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.records) < self.total


def interval_end(value: datetime | None) -> str:
    """One end of an OGC API ``datetime`` interval: ISO 8601 (UTC as Z), or ``..`` when open."""
    return ".." if value is None else value.isoformat().replace("+00:00", "Z")


class OgcApiCatalogue:
    """One OGC API catalogue server, e.g. the LEO catalogue."""

    def __init__(self, url: str, authcfg: str = "") -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.authcfg = authcfg or ""

    def search(self, text: str | None = None, bbox: tuple[float, float, float, float] | None = None,
               start: datetime | None = None, end: datetime | None = None, keywords: list[str] | None = None,
               limit: int = 20, offset: int = 0, sortby: str | None = None, kinds: list[str] | None = None,
               feedback: QgsFeedback | None = None) -> SearchResults:
        """Search the catalogue's records (OGC API Records): words, a WGS 84 box, a time range, keywords."""
        params: dict = {"limit": limit, "offset": offset}
        if text and text.strip():
            params["q"] = text.strip()
        if bbox:
            params["bbox"] = ",".join(f"{v:.6f}" for v in bbox)
        if start or end:
            params["datetime"] = f"{interval_end(start)}/{interval_end(end)}"
        if keywords:
            params["keywords"] = ",".join(keywords)
        if sortby:
            params["sortby"] = sortby
        if kinds:
            params["kind"] = ",".join(kinds)
        data = fetch_json(f"{self.url}collections/catalogue/items?{urlencode(params)}", self.authcfg, feedback)
        records = [CatalogueRecord.from_json(f) for f in data.get("features", [])]
        return SearchResults(int(data.get("numberMatched", len(records))), records, offset, limit)

    def get(self, dataset_id: str, feedback: QgsFeedback | None = None) -> CatalogueRecord:
        """The record of one dataset (NetworkError if the server cannot give it)."""
        data = fetch_json(f"{self.url}collections/catalogue/items/{quote(dataset_id)}", self.authcfg, feedback)
        return CatalogueRecord.from_json(data)

    def publish(self, path: Path, fields: dict[str, str], dataset_id: str | None = None,
                feedback: QgsFeedback | None = None) -> dict:
        """Upload a file as a new dataset, or as a new version of ``dataset_id``; the server's answer (id,
        version, feature_count, notes). Needs an editor's token in this connection's authcfg."""
        target = f"collections/{quote(dataset_id)}/versions" if dataset_id else "collections"
        return post_form(self.url + target, fields, path, self.authcfg, feedback)

    def versions(self, dataset_id: str, feedback: QgsFeedback | None = None) -> list[dict]:
        """The stored versions of a dataset, oldest first."""
        return fetch_json(f"{self.url}collections/{quote(dataset_id)}/versions", self.authcfg, feedback)["versions"]

    def delete(self, dataset_id: str, feedback: QgsFeedback | None = None) -> None:
        """Delete a dataset with all its versions (its organisation's editors, or an admin)."""
        delete(f"{self.url}collections/{quote(dataset_id)}", self.authcfg, feedback)

    def delete_version(self, dataset_id: str, version: str, feedback: QgsFeedback | None = None) -> None:
        """Delete one earlier version of a dataset (not the current one)."""
        delete(f"{self.url}collections/{quote(dataset_id)}/versions/{quote(version)}", self.authcfg, feedback)

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


def _metadata_extent(record: CatalogueRecord) -> QgsLayerMetadata.Extent:
    """The record's extent in QGIS's metadata terms: a box in EPSG:4326 and a time range."""
    extent = QgsLayerMetadata.Extent()
    if record.spatial_extent:
        spatial = QgsLayerMetadata.SpatialExtent()
        spatial.extentCrs = QgsCoordinateReferenceSystem("EPSG:4326")
        xmin, ymin, xmax, ymax = record.spatial_extent
        spatial.bounds = QgsBox3d(xmin, ymin, 0, xmax, ymax, 0)
        extent.setSpatialExtents([spatial])
    if record.temporal_extent and None not in record.temporal_extent:
        start, end = record.temporal_extent
        extent.setTemporalExtents([QgsDateTimeRange(to_qdatetime(start), to_qdatetime(end))])
    return extent


def describe_layer(layer: QgsVectorLayer, record: CatalogueRecord) -> None:
    """Fill a layer's QGIS metadata (title, abstract, keywords, licence, attribution, spatial and temporal
    extent) from its record."""
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
    metadata.setExtent(_metadata_extent(record))
    if record.notes:  # the catalogue's notes on the data (e.g. its quality with Project LEO's labels)
        metadata.setHistory(list(record.notes))
    layer.setMetadata(metadata)
    set_attribution(layer, record.attribution)
    layer.setCustomProperty(f"{PROPERTY_PREFIX}/version", record.version)
