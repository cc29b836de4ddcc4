"""SSEN's half-hourly LV-feeder smart-meter data (CSV) and its postcode lookup, read to typed rows.

Ids keep their leading zeros (they are text); energy is Wh per half hour with ``avg_kw`` derived
(Wh x 2 / 1000); times are UTC; empty cells are nulls. SSEN leaves ``substation_geo_location`` empty, so a
feeder's place is its postcodes, from the lookup file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .errors import FormatError
from .fields import FieldDef, FieldType
from .text import decode_text
from .values import NULL_MARKERS, is_null, parse_number, parse_utc_timestamp

S, N, DT = FieldType.STRING, FieldType.NUMBER, FieldType.DATETIME
COLUMNS = [
    ("dataset_id", S), ("dno_name", S), ("dno_alias", S), ("secondary_substation_id", S),
    ("secondary_substation_name", S), ("lv_feeder_id", S), ("lv_feeder_name", S), ("substation_geo_location", S),
    ("aggregated_device_count_active", N), ("primary_consumption_active_import", N),
    ("secondary_consumption_active_import", N), ("total_consumption_active_import", N),
    ("aggregated_device_count_reactive", N), ("total_consumption_reactive_import", N),
    ("data_collection_log_timestamp", DT), ("insert_time", DT), ("last_modified_time", DT),
]
LOOKUP_COLUMNS = ("dataset_id", "postcode", "total_mpan_count")
FIELDS = [FieldDef(name, kind, unit="Wh" if name.endswith("_import") and "reactive" not in name else "")
          for name, kind in COLUMNS] + [
    FieldDef("timestamp", DT, "End of half hour (UTC)"), FieldDef("avg_kw", N, "Average load", "kW"),
    FieldDef("postcodes", S, "Postcodes served (lookup)"), FieldDef("total_mpan_count", N, "Meters (lookup)")]


@dataclass
class FeederTable:
    rows: list[dict]
    warnings: list[str] = field(default_factory=list)
    duplicates: int = 0


def is_lv_feeder_header(columns: list[str]) -> bool:
    return {"lv_feeder_id", "data_collection_log_timestamp", "total_consumption_active_import"} <= set(columns)


def read_postcode_lookup(data: bytes, source: str = "postcode lookup") -> dict[str, tuple[list[str], float | None]]:
    """Per feeder (``dataset_id``): its postcodes and meter count."""
    reader = csv.DictReader(io.StringIO(decode_text(data, source), newline=""))
    if not set(LOOKUP_COLUMNS) <= set(reader.fieldnames or []):
        raise FormatError(f"The {source} needs the columns {', '.join(LOOKUP_COLUMNS)}.")
    feeders: dict[str, tuple[list[str], float | None]] = {}
    for row in reader:
        postcodes, _ = feeders.setdefault(row["dataset_id"], ([], parse_number(row["total_mpan_count"])))
        if not is_null(row["postcode"]):
            postcodes.append(row["postcode"].strip())
    return feeders


def read_lv_feeder_csv(data: bytes, source: str = "LV-feeder file",
                       lookup: dict[str, tuple[list[str], float | None]] | None = None) -> FeederTable:
    """A whole (small) file read to rows; large files go through ``FeederReader.batches`` instead."""
    reader = FeederReader(source, lookup)
    rows = [row for batch in reader.batches(io.StringIO(decode_text(data, source), newline="")) for row in batch]
    return FeederTable(rows, reader.warnings, reader.duplicates)


class FeederReader:
    """Streams an LV-feeder CSV to typed rows in batches: memory stays small whatever the file's size (one
    real day for SSEN's whole area is 806 MB). Warnings and the duplicate count are filled in as it reads."""

    def __init__(self, source: str = "LV-feeder file",
                 lookup: dict[str, tuple[list[str], float | None]] | None = None) -> None:
        self.source = source
        self.lookup = lookup or {}
        self.warnings: list[str] = []
        self.duplicates = 0
        self.rows = 0

    def batches(self, lines: Iterable[str], size: int = 20000) -> Iterator[list[dict]]:
        reader = csv.reader(lines)
        header = next(reader, None) or []
        if not is_lv_feeder_header(header):
            raise FormatError(f"The {self.source} is not SSEN's LV-feeder format (it needs lv_feeder_id, "
                              "data_collection_log_timestamp and total_consumption_active_import).")
        positions = [(name, kind, header.index(name) if name in header else None) for name, kind in COLUMNS]
        key_at = header.index("dataset_id") if "dataset_id" in header else None
        time_at = header.index("data_collection_log_timestamp")
        # The clock change repeats rows: each (feeder, time) is read once. Hashes, not the keys, are kept so a
        # day of the whole licence area fits in memory (a clash of 64-bit hashes is vanishingly unlikely).
        seen: set[int] = set()
        batch: list[dict] = []
        try:
            for cells in reader:
                key = hash((cells[key_at] if key_at is not None else "", cells[time_at] if time_at < len(cells) else ""))
                if key in seen:
                    self.duplicates += 1
                    continue
                seen.add(key)
                typed = self._typed(cells, positions, reader.line_num)
                if typed is not None:
                    batch.append(typed)
                if len(batch) >= size:
                    self.rows += len(batch)
                    yield batch
                    batch = []
        except csv.Error as exc:
            raise FormatError(f"The {self.source} is not valid CSV (line {reader.line_num}): {exc}.") from None
        self.rows += len(batch)
        if batch:
            yield batch
        if not self.rows:
            raise FormatError(f"The {self.source} has no readable rows.")
        if self.duplicates:
            self.warnings.append(f"{self.duplicates} repeated row(s) (same feeder and time) were read once.")

    def _typed(self, cells: list[str], positions, line: int) -> dict | None:
        typed: dict = {}
        for name, kind, at in positions:
            raw = cells[at] if at is not None and at < len(cells) else None
            try:
                typed[name] = _CONVERT[kind](raw)
            except ValueError:
                if name == "data_collection_log_timestamp":
                    self.warnings.append(f"Line {line}: the time {raw!r} is not a date and time; row skipped.")
                    return None
                self.warnings.append(f"Line {line}: {name} {raw!r} is not valid; kept as empty.")
                typed[name] = None
        if typed["data_collection_log_timestamp"] is None:
            self.warnings.append(f"Line {line}: no time; row skipped.")
            return None
        typed["timestamp"] = typed["data_collection_log_timestamp"]
        energy = typed["total_consumption_active_import"]
        typed["avg_kw"] = None if energy is None else energy * 2 / 1000
        postcodes, meters = self.lookup.get(typed["dataset_id"], ([], None))
        typed["postcodes"] = ", ".join(postcodes) or None
        typed["total_mpan_count"] = meters
        return typed


def _text(raw: str | None) -> str | None:
    if not raw:
        return None
    text = raw.strip()
    return None if text.upper() in NULL_MARKERS else text


def _number(raw: str | None) -> float | None:
    if not raw:
        return None
    try:
        return float(raw)  # the common case, fast
    except ValueError:
        return parse_number(raw)  # null markers, thousands separators, units


def _timestamp(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)  # the common case (Python 3.11 reads the Z), fast
    except ValueError:
        return parse_utc_timestamp(raw)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


_CONVERT = {S: _text, N: _number, DT: _timestamp}
