"""Fetching one operator's newest headroom release from its portal, read onto the GB headroom schema.

A release is every headroom dataset the operator publishes (``dno_portals.json``), fetched whole before
anything is stored, within the portal's rate limits. Its stamp (the portals' own ``last_modified`` /
``metas.default.modified``) lets an unchanged source be skipped without downloading it. Standard library
only, transport-agnostic: the catalogue's harvest and the plugin's Processing algorithm both use it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from . import ckan_api, ods_api
from .dno_headroom import read_dno_headroom
from .gb_headroom import finish_rows, map_headroom
from .gb_schema import GB_FIELDS
from .portal_session import PortalError, PortalSession
from .portals import HeadroomSource, Portal


@dataclass
class Release:
    """One operator's publication, read onto the GB schema."""

    portal: Portal
    stamp: str
    rows: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows_without_location: list[str] = field(default_factory=list)

    @property
    def digest(self) -> str:
        """A hash of the content, so a re-stamped but unchanged release adds no version."""
        canonical = json.dumps([[row.get(f.name) for f in GB_FIELDS if f.name != "published"] for row in self.rows],
                               default=str, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def source_stamp(session: PortalSession, source: HeadroomSource) -> tuple[str, object]:
    """(the portal's modified stamp for the source, what fetching it needs next)."""
    if session.portal.kind == "ckan":
        package = ckan_api.package(session, source.dataset)
        resources = [ckan_api.resource_from(r) for r in package.get("resources") or []]
        if source.via == "datastore":
            resource = ckan_api.newest(resources, lambda r: r.datastore_active)
        else:
            resource = ckan_api.newest(resources, lambda r: r.format.upper() == "CSV")
        if resource is None:
            raise PortalError(f"{session.portal.name}'s {source.dataset} has no "
                              f"{'datastore' if source.via == 'datastore' else 'CSV'} resource.")
        modified = resource.last_modified.isoformat() if resource.last_modified else package.get("metadata_modified")
        return f"{resource.id}@{modified}", resource
    metas = (ods_api.dataset(session, source.dataset).get("metas") or {}).get("default") or {}
    return str(metas.get("data_processed") or metas.get("modified") or ""), None


def fetch_source(session: PortalSession, source: HeadroomSource, stamp: str, found):
    """The source's rows on the GB schema."""
    published = stamp.split("@")[-1]
    if source.via == "resource":
        data = session.get(found.url, source.dataset).body
        _publisher, table = read_dno_headroom(data, f"{session.portal.name}'s {source.dataset} ({found.name})")
        finish_rows(table, session.portal, source, published, {"demand_rag", "generation_rag"} & _mapped(table))
        return table
    if source.via == "datastore":
        _names, records = ckan_api.datastore_records(session, found.id, source.dataset)
    else:
        records = ods_api.export(session, source.dataset)
    return map_headroom(records, session.portal, source, published)


def _mapped(table) -> set[str]:
    return {name for name in ("demand_rag", "generation_rag") if any(row.get(name) for row in table.rows)}


def fetch_release(session: PortalSession, known_stamp: str = "") -> Release | None:
    """The operator's release, or None when the portal's stamps say it is the one already stored."""
    portal = session.portal
    looked = [(source, *source_stamp(session, source)) for source in portal.headroom]
    stamp = "|".join(s for _source, s, _found in looked)
    if known_stamp and stamp == known_stamp and all(s for _source, s, _found in looked):
        return None
    release = Release(portal, stamp)
    for source, source_stamp_, found in looked:
        table = fetch_source(session, source, source_stamp_, found)
        release.rows += table.rows
        release.warnings += [f"{source.dataset}: {w}" for w in table.warnings]
        release.rows_without_location += [f"{source.dataset} {r}" for r in table.rows_without_location]
    return release
