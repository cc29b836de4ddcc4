"""SSEN's half-hourly LV-feeder smart-meter data (CSV) and its postcode lookup, read to typed rows.

Ids keep their leading zeros (they are text); energy is Wh per half hour with ``avg_kw`` derived
(Wh x 2 / 1000); times are UTC; empty cells are nulls. SSEN leaves ``substation_geo_location`` empty, so a
feeder's place is its postcodes, from the lookup file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from .errors import FormatError
from .fields import FieldDef, FieldType
from .text import decode_text
from .values import is_null, parse_number, parse_utc_timestamp

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
    reader = csv.DictReader(io.StringIO(decode_text(data, source), newline=""))
    if not is_lv_feeder_header(reader.fieldnames or []):
        raise FormatError(f"The {source} is not SSEN's LV-feeder format (it needs lv_feeder_id, "
                          "data_collection_log_timestamp and total_consumption_active_import).")
    table = FeederTable([])
    seen: set[tuple[str, str]] = set()
    try:
        for row in reader:
            line = reader.line_num
            key = (row.get("dataset_id", ""), row.get("data_collection_log_timestamp", ""))
            if key in seen:
                table.duplicates += 1  # the clock change repeats rows: counted once
                continue
            seen.add(key)
            typed = _typed(row, line, table.warnings)
            if typed is not None:
                postcodes, meters = (lookup or {}).get(typed["dataset_id"], ([], None))
                typed["postcodes"] = ", ".join(postcodes) or None
                typed["total_mpan_count"] = meters
                table.rows.append(typed)
    except csv.Error as exc:
        raise FormatError(f"The {source} is not valid CSV (line {reader.line_num}): {exc}.") from None
    if not table.rows:
        raise FormatError(f"The {source} has no readable rows.")
    if table.duplicates:
        table.warnings.append(f"{table.duplicates} repeated row(s) (same feeder and time) were read once.")
    return table


def _typed(row: dict, line: int, warnings: list[str]) -> dict | None:
    typed: dict = {}
    for name, kind in COLUMNS:
        raw = row.get(name)
        try:
            if kind is S:
                typed[name] = None if is_null(raw) else raw.strip()
            elif kind is N:
                typed[name] = parse_number(raw)
            else:
                typed[name] = parse_utc_timestamp(raw)
        except ValueError:
            if name == "data_collection_log_timestamp":
                warnings.append(f"Line {line}: the time {raw!r} is not a date and time; row skipped.")
                return None
            warnings.append(f"Line {line}: {name} {raw!r} is not valid; kept as empty.")
            typed[name] = None
    if typed["data_collection_log_timestamp"] is None:
        warnings.append(f"Line {line}: no time; row skipped.")
        return None
    typed["timestamp"] = typed["data_collection_log_timestamp"]
    energy = typed["total_consumption_active_import"]
    typed["avg_kw"] = None if energy is None else energy * 2 / 1000
    return typed
