"""The demo catalogue's Great Britain operators: one area of each, synthetic records in the operator's exact
published columns (``dno_records``; SSEN's own CSV for SSEN), read through the same mapping tables as the real
portals' records and stored as the harvest stores them (``gb-headroom-<operator>`` and its change layer)."""

from __future__ import annotations

from leo_qgis_plugin.core.formats.dno_headroom import read_dno_headroom
from leo_qgis_plugin.core.formats.gb_headroom import finish_rows, map_headroom
from leo_qgis_plugin.core.formats.gb_release import Release
from leo_qgis_plugin.core.formats.portals import portals

from ..harvest.run import dataset_id, harvest_state, store_release
from ..records import Provenance
from ..store import get_record
from .dno_records import published_records
from .headroom_csv import headroom_csv
from .network import build_network

PUBLISHED = {1: "2026-03-02T09:00:00+00:00", 2: "2026-06-01T09:00:00+00:00"}


def operator_ids() -> list[str]:
    return [dataset_id(p) for p in portals().values() if p.headroom]


def demo_release(key: str, number: int = 1) -> Release:
    """The synthetic release of one operator (1 or the later 2), read as its portal's would be."""
    portal = portals()[key]
    published = PUBLISHED[number]
    release = Release(portal, f"synthetic@{published}")
    for source in portal.headroom:
        if source.via == "resource":
            _publisher, table = read_dno_headroom(headroom_csv(build_network()), f"{portal.name}'s {source.dataset}")
            finish_rows(table, portal, source, published, {"demand_rag", "generation_rag"})
        else:
            table = map_headroom(published_records(source.dataset, number), portal, source, published)
        release.rows += table.rows
        release.rows_without_location += [f"{source.dataset} {r}" for r in table.rows_without_location]
    return release


def load_gb_operators(engine, log) -> None:
    """Each operator's two synthetic releases (SSEN's second is its first again), as two harvests store them:
    version 2 and its change layer. A release already stored is not stored again."""
    for key, portal in portals().items():
        if not portal.headroom:
            continue
        for number in (1, 2):
            release = demo_release(key, number)
            with engine.connect() as conn:
                stored = harvest_state(get_record(conn, dataset_id(portal)))[1]
            if stored == release.digest:
                continue
            record, changes = store_release(engine, release, Provenance.SYNTHETIC)
            log(f"Loaded {record.id} version {record.version}: {record.feature_count} synthetic substations of "
                f"{portal.name} ({changes['new']} new, {changes['removed']} removed, {changes['changed']} changed).")
