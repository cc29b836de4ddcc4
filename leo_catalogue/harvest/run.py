"""``harvest``: each configured operator's newest headroom release into the catalogue as a new version of
``gb-headroom-<operator>`` (earlier versions kept), with its change layer ``gb-headroom-<operator>-changes``.

Idempotent: the portal's stamps, then a hash of the content, tell an unchanged release apart, and nothing is
stored for it. A release is fetched whole before anything is stored, so a failure half-way stores nothing;
the next run tries again (and rebuilds a change layer that a failure left behind).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import shapely
from sqlalchemy import Engine, select

from leo_qgis_plugin.core.formats.errors import FormatError
from leo_qgis_plugin.core.formats.gb_release import Release, fetch_release
from leo_qgis_plugin.core.formats.gb_schema import GB_FIELDS
from leo_qgis_plugin.core.formats.headroom_changes import CHANGE_FIELDS, change_rows, summary
from leo_qgis_plugin.core.formats.portal_session import PortalSession
from leo_qgis_plugin.core.formats.portals import Portal, portals

from ..importers.ssen_headroom import next_version
from ..records import DatasetKind, DatasetRecord, Provenance
from ..schema import dataset_table
from ..store import get_record, list_versions, put_dataset
from .transport import urllib_transport

STATE_NOTE = "Harvest state: "


@dataclass
class HarvestResult:
    operator: str
    status: str  # "new version", "unchanged" or "failed"
    dataset_id: str
    version: str = ""
    rows: int = 0
    changes: dict[str, int] = field(default_factory=dict)
    message: str = ""
    requests: int = 0

    def line(self) -> str:
        if self.status == "failed":
            return f"{self.operator}: failed, nothing stored. {self.message}"
        if self.status == "unchanged":
            return f"{self.operator}: unchanged since version {self.version} ({self.message})."
        changed = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in self.changes.items() if n)
        return f"{self.operator}: version {self.version} of {self.dataset_id}, {self.rows} substations ({changed})."


def dataset_id(portal: Portal) -> str:
    return f"gb-headroom-{portal.key}"


def harvest_state(record: DatasetRecord | None) -> tuple[str, str]:
    """(stamp, digest) of the release stored last."""
    for note in record.notes if record else []:
        if note.startswith(STATE_NOTE):
            stamp, _, digest = note[len(STATE_NOTE):].rpartition(" sha256=")
            return stamp.removeprefix("stamp="), digest
    return "", ""


def _record(portal: Portal, existing: DatasetRecord | None, release: Release, provenance: Provenance) -> DatasetRecord:
    record = existing or DatasetRecord(
        id=dataset_id(portal), title=f"{portal.name} network headroom", keywords=["headroom", "network capacity",
                                                                                 portal.operator, "GB headroom"],
        description=(f"Substation demand and generation headroom published by {portal.name}, read onto LEO's Great "
                     "Britain headroom schema (units as published; RAG as published or derived, and marked so)."),
        licence=portal.licence, attribution=f"Contains data published by {portal.name}", provenance=provenance,
        publisher=portal.name, kind=DatasetKind.VECTOR, themes=["network"], update_frequency="quarterly")
    if provenance is Provenance.SYNTHETIC and not existing:  # invented values: the project's licence, not theirs
        record.title += " (synthetic)"
        record.description = f"Synthetic: invented values at real places. {record.description}"
        record.licence = "CC BY 4.0"
        record.attribution = f"Synthetic data by LEO for QGIS, in {portal.name}'s published columns"
    record.version = next_version(existing.version) if existing else "1"
    record.updated = None
    record.fields, record.geometry_type = list(GB_FIELDS), "Point"
    record.notes = [f"{STATE_NOTE}stamp={release.stamp} sha256={release.digest}"]
    if provenance is Provenance.SYNTHETIC:
        record.notes.append("Synthetic: invented values at real places, in the operator's exact published columns.")
    if release.rows_without_location:
        listed = "; ".join(release.rows_without_location[:50])
        record.notes.append(f"Rows without a location (kept, not on the map): {listed}")
    record.notes += release.warnings[:20]
    return record


def _located(rows: list[dict]) -> list[dict]:
    return [{**r, "geometry": shapely.Point(r["longitude"], r["latitude"])
             if r.get("latitude") is not None and r.get("longitude") is not None else None} for r in rows]


def stored_rows(engine: Engine, dataset: str, version: str) -> list[dict]:
    """The attribute rows of one stored version of a dataset ([] when there is none)."""
    with engine.connect() as conn:
        stored = next((v for v in list_versions(conn, dataset) if v["version"] == version), None)
        if stored is None:
            return []
        table = dataset_table(stored["table_name"], list(GB_FIELDS))
        return [dict(row._mapping) for row in conn.execute(select(*[table.c[f.name] for f in GB_FIELDS]))]


def store_changes(engine: Engine, record: DatasetRecord, then: list[dict], now: list[dict]) -> dict[str, int]:
    """The change layer of ``record``'s version against the one before it."""
    rows = change_rows(then, now)
    changes = DatasetRecord(
        id=f"{record.id}-changes", title=f"{record.title}: what changed in version {record.version}",
        description=("Synthetic. " if record.provenance is Provenance.SYNTHETIC else "")
        + f"Per substation: headroom in the previous release and in version {record.version} of "
          f"{record.id}, the difference, new and removed substations, RAG changes.",
        keywords=["headroom", "changes", *record.keywords[2:3]], licence=record.licence,
        attribution=record.attribution, provenance=record.provenance, publisher=record.publisher,
        kind=DatasetKind.VECTOR, themes=["network"], version=record.version, fields=list(CHANGE_FIELDS),
        geometry_type="Point", update_frequency=record.update_frequency, notes=[f"Changes of {record.id} version "
                                                                                f"{record.version}."])
    put_dataset(engine, changes, [_located(rows)], keep_previous=True)
    return summary(rows)


def harvest_portal(engine: Engine, portal: Portal, session: PortalSession,
                   provenance: Provenance = Provenance.REAL) -> HarvestResult:
    """Harvest one operator; never raises for what the portal does (the result says it)."""
    target = dataset_id(portal)
    with engine.connect() as conn:
        existing = get_record(conn, target)
        changes = get_record(conn, f"{target}-changes")
    stamp, digest = harvest_state(existing)
    try:
        release = fetch_release(session, stamp)
        if release is not None and release.digest == digest:
            release = None
    except FormatError as exc:
        return HarvestResult(portal.operator, "failed", target, message=str(exc), requests=session.requests)
    if release is None:
        counts = {}
        lagging = changes is None or changes.version != (existing.version if existing else "")
        if existing and existing.version.isdigit() and int(existing.version) > 1 and lagging:
            previous = str(int(existing.version) - 1)  # a change layer a failure left behind
            counts = store_changes(engine, existing, stored_rows(engine, target, previous),
                                   stored_rows(engine, target, existing.version))
        return HarvestResult(portal.operator, "unchanged", target, existing.version if existing else "",
                             existing.feature_count if existing else 0, counts, "the portal's release is the one "
                             "stored", session.requests)
    record, counts = store_release(engine, release, provenance)
    return HarvestResult(portal.operator, "new version", target, record.version, len(release.rows), counts,
                         requests=session.requests)


def store_release(engine: Engine, release: Release,
                  provenance: Provenance = Provenance.REAL) -> tuple[DatasetRecord, dict[str, int]]:
    """A release as the next version of its operator's dataset (earlier ones kept), then its change layer."""
    target = dataset_id(release.portal)
    with engine.connect() as conn:
        existing = get_record(conn, target)
    then = stored_rows(engine, target, existing.version) if existing else []
    record = _record(release.portal, existing, release, provenance)
    put_dataset(engine, record, [_located(release.rows)], keep_previous=True)
    return record, store_changes(engine, record, then, release.rows)


def harvest(engine: Engine, keys: list[str] | None = None, urls: dict[str, str] | None = None,
            provenance: Provenance = Provenance.REAL, timeout: float = 60.0) -> list[HarvestResult]:
    """Harvest the configured operators (all with headroom by default) one after the other; ``urls`` moves a
    portal to another address. API keys come from ``LEO_HARVEST_APIKEY_<KEY>`` (e.g. ``…_ENWL``)."""
    chosen = [p for p in portals().values() if p.headroom and (not keys or p.key in keys)]
    unknown = set(keys or ()) - {p.key for p in portals().values()}
    if unknown:
        raise FormatError(f"No portal {', '.join(sorted(unknown))} is configured; known: {', '.join(portals())}.")
    results = []
    for portal in chosen:
        portal = portal.at(urls[portal.key]) if urls and portal.key in urls else portal
        session = PortalSession(portal, urllib_transport(timeout),
                                api_key=os.environ.get(f"LEO_HARVEST_APIKEY_{portal.key.upper()}", ""))
        results.append(harvest_portal(engine, portal, session, provenance))
    return results
