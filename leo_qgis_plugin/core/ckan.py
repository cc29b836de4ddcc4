"""CKAN portals (SSEN's and National Grid's open data portals): search, records, resources as layers.

Talks to the CKAN Action API (``/api/3/action/``) through QGIS's network stack. A CKAN dataset has
many resources (files); the newest one that QGIS can open is added, by ``last_modified``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from qgis.core import QgsFeedback, QgsVectorLayer

from .catalogue import PROPERTY_PREFIX, SearchResults, describe_layer
from .constraints.headroom_file import headroom_layer
from .datasets import cache_folder, save_atomically
from .exceptions import LeoError
from .formats.ckan_api import OPENABLE, Resource, action, newest, resource_from
from .formats.dno_headroom import detect_publisher
from .formats.values import portal_time
from .gb_headroom_layer import gb_headroom_layer
from .models import CatalogueRecord
from .network import fetch_to_file
from .portal_transport import PortalCatalogue

LATITUDE = ("latitude", "lat", "location latitude", "y")
LONGITUDE = ("longitude", "lon", "lng", "long", "location longitude", "x")
CAPABILITIES = frozenset({"search", "record", "open-dataset", "resources"})


def record_from_package(package: dict) -> CatalogueRecord:
    """A catalogue record from a CKAN package (as package_show or package_search return it)."""
    organisation = package.get("organization") or {}
    publisher = package.get("publisher") or organisation.get("title") or ""
    resources = [resource_from(r) for r in package.get("resources") or []]
    return CatalogueRecord(
        id=package["name"], title=package.get("title") or package["name"], description=package.get("notes") or "",
        keywords=[t.get("display_name") or t.get("name", "") for t in package.get("tags") or []],
        licence=package.get("license_title") or package.get("rights") or "",
        attribution=f"Contains data published by {publisher}" if publisher else "",
        provenance="real", publisher=publisher, updated=portal_time(package.get("metadata_modified")),
        version=str(package.get("version") or package.get("metadata_modified") or ""), kind="",
        update_frequency=package.get("updatefrequency") or package.get("frequency") or "",
        links=[{"href": r.url, "rel": "enclosure", "type": r.format, "title": r.name} for r in resources],
        feature_count=0,
    )


def newest_openable(resources: list[Resource]) -> Resource | None:
    """The most recently modified resource QGIS can open (SSEN republishes headroom as new resources)."""
    return newest(resources)


class CkanCatalogue(PortalCatalogue):
    """One CKAN portal."""

    capabilities = CAPABILITIES
    kind = "ckan"

    def _action(self, name: str, params: dict, feedback: QgsFeedback | None = None):
        """One Action API call within the portal's rate limits, with its User-Agent; NetworkError naming it."""
        return self._call(lambda s: action(s, name, params, str(params.get("id") or params.get("q") or name)),
                          feedback)

    def search(self, text: str | None = None, keywords: list[str] | None = None, organisation: str | None = None,
               limit: int = 20, offset: int = 0, feedback: QgsFeedback | None = None, **_ignored) -> SearchResults:
        """package_search: words, tags (all must match), an organisation, paging."""
        filters = [f'tags:"{k}"' for k in keywords or []]
        if organisation:
            filters.append(f'organization:"{organisation}"')
        params = {"rows": limit, "start": offset}
        if text and text.strip():
            params["q"] = text.strip()
        if filters:
            params["fq"] = " AND ".join(filters)
        result = self._action("package_search", params, feedback)
        records = [record_from_package(p) for p in result.get("results", [])]
        return SearchResults(int(result.get("count", len(records))), records, offset, limit)

    def get(self, dataset_id: str, feedback: QgsFeedback | None = None) -> CatalogueRecord:
        return record_from_package(self._action("package_show", {"id": dataset_id}, feedback))

    def resources(self, dataset_id: str, feedback: QgsFeedback | None = None) -> list[Resource]:
        package = self._action("package_show", {"id": dataset_id}, feedback)
        return [resource_from(r) for r in package.get("resources") or []]

    def open_resource(self, record: CatalogueRecord, resource: Resource,
                      feedback: QgsFeedback | None = None) -> QgsVectorLayer:
        """A layer from one resource, downloaded to the cache first."""
        kind = OPENABLE.get(resource.format.upper())
        if kind is None:
            raise LeoError(f"{resource.name}: {resource.format or 'this'} files cannot be opened as a layer.")
        stamp = resource.last_modified.isoformat() if resource.last_modified else ""
        key = hashlib.sha1(f"{self.url}|{resource.id}|{resource.url}|{stamp}".encode()).hexdigest()[:16]
        path = (self.cache or cache_folder() / "ckan") / f"{key}.{kind}"
        if not path.exists():
            save_atomically(path, lambda partial: fetch_to_file(resource.url, partial, self.authcfg, feedback, "*/*"))
        if kind == "csv":
            header = path.read_bytes()[:65536].decode("utf-8-sig", "replace").splitlines()[0]
            columns = [c.strip().strip('"') for c in header.split(",")]
            if detect_publisher(columns):
                layer = headroom_layer(path.read_bytes(), resource.name).layer
            else:
                layer = QgsVectorLayer(_csv_uri(path, columns), resource.name, "delimitedtext")
        elif kind == "zip":
            layer = QgsVectorLayer(f"/vsizip/{path}", resource.name, "ogr")
        else:
            layer = QgsVectorLayer(str(path), resource.name, "ogr")
        if not layer.isValid():
            raise LeoError(f"{resource.name} was downloaded but QGIS cannot open it as a layer.")
        describe_layer(layer, record)
        layer.setName(f"{record.title} – {resource.name}")
        layer.setCustomProperty(f"{PROPERTY_PREFIX}/id", record.id)
        layer.setCustomProperty(f"{PROPERTY_PREFIX}/catalogue", self.url)
        layer.setCustomProperty(f"{PROPERTY_PREFIX}/resource", resource.id)
        return layer

    def open_dataset(self, dataset_id: str, feedback: QgsFeedback | None = None) -> QgsVectorLayer:
        """The dataset's newest resource that QGIS can open; an operator's datastore headroom on the GB schema."""
        record = self.get(dataset_id, feedback)
        session = self._session(feedback)
        source = next((s for s in session.portal.headroom if s.dataset == dataset_id and s.via == "datastore"), None)
        if source is not None:
            layer = gb_headroom_layer(session, source, record.version, feedback).layer
            describe_layer(layer, record)
            layer.setCustomProperty(f"{PROPERTY_PREFIX}/id", record.id)
            layer.setCustomProperty(f"{PROPERTY_PREFIX}/catalogue", self.url)
            return layer
        package_resources = self.resources(dataset_id, feedback)
        resource = newest_openable(package_resources)
        if resource is None:
            formats = sorted({r.format for r in package_resources if r.format}) or ["none"]
            raise LeoError(f"{record.title} has no resource QGIS can open (formats: {', '.join(formats)}).")
        return self.open_resource(record, resource, feedback)


def _csv_uri(path: Path, columns: list[str]) -> str:
    lowered = {c.lower(): c for c in columns}
    y = next((lowered[name] for name in LATITUDE if name in lowered), None)
    x = next((lowered[name] for name in LONGITUDE if name in lowered), None)
    base = f"{path.as_uri()}?type=csv&detectTypes=yes&geomType=none"
    if x and y:
        base = f"{path.as_uri()}?type=csv&detectTypes=yes&xField={x}&yField={y}&crs=EPSG:4326"
    return base
