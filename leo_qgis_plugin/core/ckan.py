"""CKAN portals (SSEN's and National Grid's open data portals): search, records, resources as layers.

Talks to the CKAN Action API (``/api/3/action/``) through QGIS's network stack. A CKAN dataset has
many resources (files); the newest one that QGIS can open is added, by ``last_modified``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from qgis.core import QgsFeedback, QgsVectorLayer

from .catalogue import PROPERTY_PREFIX, SearchResults, describe_layer
from .constraints.headroom_file import headroom_layer
from .datasets import cache_folder, save_atomically
from .exceptions import LeoError, NetworkError
from .formats.dno_headroom import detect_publisher
from .models import CatalogueRecord
from .network import fetch, fetch_to_file

# Formats QGIS can open from a CKAN resource, by CKAN's "format" value.
OPENABLE = {"CSV": "csv", "GEOJSON": "geojson", "JSON": "geojson", "GPKG": "gpkg", "GEOPACKAGE": "gpkg",
            "SHP": "zip", "ZIP": "zip", "SHAPEFILE": "zip"}
LATITUDE = ("latitude", "lat", "location latitude", "y")
LONGITUDE = ("longitude", "lon", "lng", "long", "location longitude", "x")


def _time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass
class Resource:
    id: str
    name: str
    url: str
    format: str
    last_modified: datetime | None
    size: int | None

    @property
    def openable(self) -> bool:
        return self.format.upper() in OPENABLE


def record_from_package(package: dict) -> CatalogueRecord:
    """A catalogue record from a CKAN package (as package_show or package_search return it)."""
    organisation = package.get("organization") or {}
    publisher = package.get("publisher") or organisation.get("title") or ""
    resources = [_resource(r) for r in package.get("resources") or []]
    return CatalogueRecord(
        id=package["name"], title=package.get("title") or package["name"], description=package.get("notes") or "",
        keywords=[t.get("display_name") or t.get("name", "") for t in package.get("tags") or []],
        licence=package.get("license_title") or package.get("rights") or "",
        attribution=f"Contains data published by {publisher}" if publisher else "",
        provenance="real", publisher=publisher, updated=_time(package.get("metadata_modified")),
        version=str(package.get("version") or package.get("metadata_modified") or ""), kind="",
        update_frequency=package.get("updatefrequency") or package.get("frequency") or "",
        links=[{"href": r.url, "rel": "enclosure", "type": r.format, "title": r.name} for r in resources],
        feature_count=0,
    )


def _resource(data: dict) -> Resource:
    size = data.get("size")
    return Resource(id=str(data.get("id", "")), name=data.get("name") or data.get("url", ""), url=data.get("url", ""),
                    format=(data.get("format") or "").strip(), last_modified=_time(data.get("last_modified")
                                                                                  or data.get("created")),
                    size=int(size) if isinstance(size, (int, float)) else None)


def newest_openable(resources: list[Resource]) -> Resource | None:
    """The most recently modified resource QGIS can open (SSEN republishes headroom as new resources)."""
    candidates = [r for r in resources if r.openable]
    return max(candidates, key=lambda r: r.last_modified or datetime.min, default=None)


class CkanCatalogue:
    """One CKAN portal."""

    def __init__(self, url: str, authcfg: str = "", cache: Path | None = None) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.authcfg = authcfg or ""
        self.cache = cache

    def _action(self, name: str, params: dict, feedback: QgsFeedback | None = None):
        url = f"{self.url}api/3/action/{name}?{urlencode(params)}"
        body = fetch(url, self.authcfg, feedback)
        try:
            answer = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise NetworkError(f"{url} did not answer with JSON (is it a CKAN portal?).") from None
        if not isinstance(answer, dict) or not answer.get("success"):
            error = answer.get("error", {}) if isinstance(answer, dict) else {}
            raise NetworkError(f"The portal refused {name}: {error.get('message') or error or 'no reason given'}.")
        return answer["result"]

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
        return [_resource(r) for r in package.get("resources") or []]

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
        """The dataset's newest resource that QGIS can open."""
        record = self.get(dataset_id, feedback)
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
