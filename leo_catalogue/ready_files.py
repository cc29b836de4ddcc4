"""Ready-made GeoPackages: one per dataset version, built when the version is stored, served as a static file.

A file's name carries a fingerprint of everything it is made from (table, version, time of the version, row count,
fields, the record's title, licence and attribution). A new version, a re-import of the same version or a change
of the record gives a new fingerprint, so an old file is never found for it: the file is made again (the next
request waits for it) and the old one removed. A file is written beside its final name and renamed only when
complete, so a half-written file is never served.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from datetime import timezone
from pathlib import Path

from osgeo import ogr
from sqlalchemy import Engine, select

from .config import VAR_DIR
from .db import restart_clock
from .export import metadata_text, write_ogr
from .features import FeatureQuery, build_select
from .records import DatasetRecord

BATCH = 2000
_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def ready_folder(engine: Engine) -> Path:
    """Where an engine's ready-made files live: ``LEO_READY_DIR``; else beside a SQLite file
    (``<name>-ready/``); else under ``var/ready/`` per database."""
    configured = os.environ.get("LEO_READY_DIR")
    if configured:
        return Path(configured)
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        database = Path(url.database)
        return database.with_name(f"{database.stem}-ready")
    where = f"{url.host}:{url.port}/{url.database}"
    return VAR_DIR / "ready" / hashlib.sha1(where.encode()).hexdigest()[:12]


def fingerprint(record: DatasetRecord) -> str:
    """What the file of this record's current version is made from, as 16 hex digits (also its ETag)."""
    updated = record.updated.astimezone(timezone.utc).isoformat() if record.updated else ""
    made_from = [record.id, record.version, record.table_name, updated, record.feature_count,
                 [f.to_json() for f in record.fields], record.title, record.licence, record.attribution,
                 record.provenance.value]
    return hashlib.sha256(json.dumps(made_from, default=str).encode()).hexdigest()[:16]


def _safe(dataset_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", dataset_id)


def ready_path(engine: Engine, record: DatasetRecord) -> Path:
    """The file this record's current version has when it is ready (it may not exist yet)."""
    return ready_folder(engine) / _safe(record.id) / f"v{_safe(record.version)}-{fingerprint(record)}.gpkg"


def _lock(path: Path) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path, threading.Lock())


def ensure_ready(engine: Engine, record: DatasetRecord) -> Path:
    """The record's ready-made GeoPackage, built first when it is missing or made from something else."""
    target = ready_path(engine, record)
    if target.exists():
        return target
    with _lock(target):
        if target.exists():  # another request built it meanwhile
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{os.getpid()}-{threading.get_ident()}-{target.name}")  # GDAL wants .gpkg
        try:
            _build(engine, record, partial)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        for old in target.parent.glob("v*.gpkg"):
            if old != target:
                old.unlink(missing_ok=True)
    return target


def _build(engine: Engine, record: DatasetRecord, path: Path) -> None:
    """Write the whole dataset to ``path`` (GeoPackage 1.2, spatial index), with an index on its time columns."""
    with engine.connect() as conn:
        page, _ = build_select(conn, record, FeatureQuery(limit=None))
        result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(page)

        def rows():
            while batch := result.fetchmany(BATCH):
                yield from (tuple(row) for row in batch)
                restart_clock(conn)

        write_ogr(record, rows(), path, "GPKG", metadata_text(record, f"/collections/{record.id} on the LEO catalogue"))
    if record.time_columns:
        source = ogr.Open(str(path), update=1)
        layer = source.GetLayer(0).GetName()
        for column in dict.fromkeys(record.time_columns):
            source.ExecuteSQL(f'CREATE INDEX "idx_{layer}_{column}" ON "{layer}" ("{column}")')
        source = None


def prepare_all(engine: Engine, log=lambda _message: None) -> int:
    """Build every dataset's ready-made file that is missing or stale; how many were built."""
    from .schema import records
    from .store import get_record

    with engine.connect() as conn:
        ids = conn.execute(select(records.c.id).where(records.c.table_name.is_not(None))).scalars().all()
        stored = [get_record(conn, dataset_id) for dataset_id in ids]
    built = 0
    for record in stored:
        if record is not None and not ready_path(engine, record).exists():
            ensure_ready(engine, record)
            built += 1
            log(f"Ready-made GeoPackage of {record.id!r} (version {record.version}) built.")
    return built
