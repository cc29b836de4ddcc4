"""Opendatasoft portals (UK Power Networks, Northern Powergrid, Electricity North West, SP Energy Networks):
search, records, datasets as layers — through QGIS's network stack, within each portal's limits.

A dataset opens from its GeoJSON export (no 10,000-record limit) streamed to the cache, points or polygons
as published; an operator's headroom dataset opens on the GB headroom schema, styled like the overlay.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from qgis.core import QgsFeedback, QgsVectorLayer

from .catalogue import PROPERTY_PREFIX, SearchResults, describe_layer
from .datasets import cache_folder, save_atomically
from .exceptions import LeoError, NetworkError
from .formats import ods_api
from .formats.portal_session import Answer, PortalError
from .formats.values import portal_time
from .gb_headroom_layer import gb_headroom_layer
from .models import CatalogueRecord
from .network import fetch_answer
from .portal_transport import PortalCatalogue

CAPABILITIES = frozenset({"search", "record", "open-dataset"})


def record_from_dataset(data: dict, portal_url: str) -> CatalogueRecord:
    """A catalogue record from an Explore API v2.1 dataset description."""
    metas = (data.get("metas") or {}).get("default") or {}
    publisher = metas.get("publisher") or ""
    keywords = metas.get("keyword") or []
    modified = metas.get("data_processed") or metas.get("modified") or ""
    updated = portal_time(modified)
    return CatalogueRecord(
        id=data["dataset_id"], title=metas.get("title") or data["dataset_id"],
        description=re.sub(r"<[^>]+>", "", metas.get("description") or "").strip(),
        keywords=list(keywords) if isinstance(keywords, list) else [str(keywords)],
        licence=metas.get("license") or "", attribution=f"Contains data published by {publisher}" if publisher else "",
        provenance="real", publisher=publisher, updated=updated, version=modified,
        fields=[{"name": f.get("name", ""), "type": f.get("type", "")} for f in data.get("fields") or []],
        links=[{"href": f"{portal_url}{ods_api.dataset_path(data['dataset_id'])}/exports/geojson", "rel": "enclosure",
                "type": "application/geo+json", "title": "GeoJSON export"}],
        feature_count=int(metas.get("records_count") or 0))


class OpendatasoftCatalogue(PortalCatalogue):
    """One Opendatasoft portal (Explore API v2.1); an API key, where the portal needs one, in ``authcfg``."""

    capabilities = CAPABILITIES
    kind = "opendatasoft"

    def search(self, text: str | None = None, limit: int = 20, offset: int = 0,
               feedback: QgsFeedback | None = None, **_ignored) -> SearchResults:
        """Full-text search of the portal's catalogue, 100 at most a page."""
        total, found = self._call(lambda s: ods_api.datasets(s, text or "", limit, offset), feedback)
        return SearchResults(total, [record_from_dataset(d, self.url) for d in found], offset, limit)

    def get(self, dataset_id: str, feedback: QgsFeedback | None = None) -> CatalogueRecord:
        return record_from_dataset(self._call(lambda s: ods_api.dataset(s, dataset_id), feedback), self.url)

    def records(self, dataset_id: str, where: str = "", feedback: QgsFeedback | None = None) -> list[dict]:
        """Every flat record (paged within the 10,000 window, else from the JSON export)."""
        return self._call(lambda s: ods_api.all_records(s, dataset_id, where), feedback)

    @staticmethod
    def _export_to(session, dataset_id: str, target: Path, feedback: QgsFeedback | None) -> None:
        """Stream the GeoJSON export to ``target`` (any size) with the portal's headers; NetworkError naming it."""
        url = ods_api.export_url(session, dataset_id, "geojson")
        headers = {**session.headers(), "Accept": "application/geo+json,*/*"}
        session.throttles["api"].wait()
        with target.open("wb") as out:
            try:
                status, _headers, error = fetch_answer(url, headers, session.transport_authcfg, feedback, out.write)
            except NetworkError as exc:
                raise NetworkError(f"{session.portal.name}'s portal, {dataset_id}: {exc}") from None
        try:
            session.check(Answer(status, {}, error), dataset_id)
        except PortalError as exc:
            raise NetworkError(str(exc)) from None

    def open_dataset(self, dataset_id: str, feedback: QgsFeedback | None = None) -> QgsVectorLayer:
        """The dataset as a layer: an operator's headroom on the GB schema, anything else from its GeoJSON
        export (streamed to the cache, kept per release)."""
        record = self.get(dataset_id, feedback)
        session = self._session(feedback)
        source = next((s for s in session.portal.headroom if s.dataset == dataset_id), None)
        if source is not None:
            layer = gb_headroom_layer(session, source, record.version, feedback).layer
        else:
            key = hashlib.sha1(f"{self.url}|{dataset_id}|{record.version}".encode()).hexdigest()[:16]
            path = (self.cache or cache_folder() / "opendatasoft") / f"{key}.geojson"
            if not path.exists():
                save_atomically(path, lambda partial: self._export_to(session, dataset_id, partial, feedback))
            layer = QgsVectorLayer(str(path), record.title, "ogr")
            if not layer.isValid():
                raise LeoError(f"{record.title}: the GeoJSON export was downloaded but QGIS cannot open it.")
        describe_layer(layer, record)
        layer.setName(record.title)
        layer.setCustomProperty(f"{PROPERTY_PREFIX}/id", record.id)
        layer.setCustomProperty(f"{PROPERTY_PREFIX}/catalogue", self.url)
        return layer
