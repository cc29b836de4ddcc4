"""SSEN's half-hourly LV-feeder files, of any size, opened as a GeoPackage table.

A day of SSEN's whole licence area is 806 MB: read into a memory layer it would need about 14 GB. The file
is streamed instead, in batches, into a GeoPackage in the plugin's cache, indexed by feeder and time, and the
layer is that GeoPackage. An unchanged file (same size and
modification time, same reader) is not read again: the GeoPackage remembers what it was made from and what
the reader said. Memory stays small whatever the size: the batch being written, a bit table of keys, one
feeder's series at a time for the quality summary.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from .formats.lv_feeder import (
    FIELDS,
    HALF_HOUR,
    QUALITY_COLUMNS,
    FeederReader,
    check_header,
    read_postcode_lookup,
    with_text_cells,
)
from .formats.quality import QualitySummary, sites_quality
from .gpkg_table import GpkgTableWriter, read_source

TABLE = "lv_feeder"
READER_VERSION = 2  # raise when the reader's output changes: GeoPackages made before are then made again


@dataclass
class FeederFile:
    """The GeoPackage an LV-feeder file was read into, with what the reader found."""

    path: Path
    rows: int
    warnings: list[str]
    quality: QualitySummary
    first: datetime | None
    last: datetime | None
    reused: bool = False

    @property
    def uri(self) -> str:
        return f"{self.path}|layername={TABLE}"


def geopackage_for(source: Path, cache: Path) -> Path:
    """Where a file's GeoPackage goes: the plugin's cache (a user's data folder may be read-only, shared or slow;
    the cache is on the local disk and can be cleared), named after the file and its full path."""
    digest = hashlib.sha1(str(source.resolve()).encode()).hexdigest()[:16]
    return cache / "opened-files" / f"{source.stem}-{digest}.gpkg"


def _fingerprint(source: Path, lookup: Path | None) -> dict:
    def stamp(path: Path | None) -> list | None:
        if path is None:
            return None
        info = path.stat()
        return [str(path.resolve()), info.st_size, info.st_mtime_ns]

    return {"reader": READER_VERSION, "file": stamp(source), "lookup": stamp(lookup)}


def open_feeder_file(source: Path, lookup: Path | None, cache: Path,
                     progress: Callable[[float], None] = lambda _p: None,
                     is_cancelled: Callable[[], bool] = lambda: False) -> FeederFile | None:
    """The file's GeoPackage, made (or reused when up to date); None when cancelled (nothing is left behind)."""
    target = geopackage_for(source, cache)
    fingerprint = _fingerprint(source, lookup)
    known = read_source(target) if target.exists() else None
    if known is not None and known.get("fingerprint") == fingerprint:
        return _described(target, known, reused=True)
    with source.open("rb") as handle:
        header = handle.readline().decode("utf-8-sig", "replace").strip()
    check_header([c.strip().strip('"') for c in header.split(",")], source.name)  # before anything is written
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    lookup_table = read_postcode_lookup(lookup.read_bytes(), lookup.name) if lookup else None
    reader = FeederReader(source.name, lookup_table, lambda f: progress(0.85 * f), is_cancelled)
    try:
        facts = _write(source, partial, reader, {"fingerprint": fingerprint}, progress, is_cancelled)
    except _Cancelled:
        return None
    os.replace(partial, target)
    progress(1.0)
    return _described(target, facts)


class _Cancelled(Exception):
    """Raised inside the writer's ``with`` so that the partial GeoPackage is removed."""


def _write(source: Path, partial: Path, reader: FeederReader, facts: dict, progress: Callable[[float], None],
           is_cancelled: Callable[[], bool]) -> dict:
    """Stream the rows into the GeoPackage, index them, summarise their quality; what was found."""
    with GpkgTableWriter(partial, TABLE, FIELDS, f"SSEN LV-feeder half-hourly data read from {source.name}") as out:
        with _TextFiles(source) as files:
            for batch in reader.batches(files.open, total_chars=source.stat().st_size):
                out.append(batch)
        if is_cancelled():
            raise _Cancelled
        progress(0.87)
        out.index("dataset_id", "timestamp")
        progress(0.93)
        quality = feeder_quality(out.connection, reader.text_cells)
        first, last = out.connection.execute(f'SELECT min("timestamp"), max("timestamp") FROM "{TABLE}"').fetchone()
        facts.update(rows=reader.rows, warnings=reader.warnings, quality=quality.to_json(), first=first, last=last)
        out.close(facts)
    return facts


def _described(path: Path, facts: dict, reused: bool = False) -> FeederFile:
    def instant(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None

    return FeederFile(path, int(facts["rows"]), list(facts["warnings"]), QualitySummary.from_json(facts["quality"]),
                      instant(facts["first"]), instant(facts["last"]), reused)


def feeder_quality(connection: sqlite3.Connection, text_cells: dict[tuple[str, datetime], list[str]],
                   step: timedelta = HALF_HOUR) -> QualitySummary:
    """Project LEO's labels per feeder, read back in one pass ordered by feeder and time (the index)."""
    stamps: dict[str, datetime] = {}

    def stamp(text: str) -> datetime:
        if text not in stamps:
            stamps[text] = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return stamps[text]

    listed = ", ".join(f'"{c}"' for c in QUALITY_COLUMNS)
    rows = connection.execute(f'SELECT dataset_id, "timestamp", {listed} FROM "{TABLE}" ORDER BY dataset_id, "timestamp"')
    return sites_quality(with_text_cells(rows, text_cells, stamp), QUALITY_COLUMNS, step=step, instant=stamp)


class _TextFiles:
    """Opens the source as text as often as the reader asks (it reads twice), and closes every copy."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handles: list = []

    def open(self):
        handle = self.path.open(encoding="utf-8-sig", newline="")
        self.handles.append(handle)
        return handle

    def __enter__(self) -> _TextFiles:
        return self

    def __exit__(self, *_exc) -> None:
        for handle in self.handles:
            handle.close()

