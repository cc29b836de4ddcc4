"""Readers of Project LEO trial files: meter logs (tab or comma separated) and half-hourly prices.

Trial files stamp rows in UK clock time (GMT/BST); rows are returned in UTC, the autumn hour that happens
twice told apart by file order (see ``ukclock``). Each file's data quality is summarised with Project LEO's
own labels (see ``quality``).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from .errors import FormatError
from .fields import FieldDef, FieldType
from .quality import QualitySummary, series_quality
from .text import decode_text
from .ukclock import uk_clock_to_utc
from .values import parse_number

METER_SEPARATORS = {"\t": "tab", ",": "comma"}


@dataclass
class TimeTable:
    """Typed, time-stamped rows read from a trial file, in time order."""

    fields: list[FieldDef]
    rows: list[dict]
    warnings: list[str] = field(default_factory=list)
    quality: QualitySummary = field(default_factory=QualitySummary)


def field_name(title: str) -> str:
    """A lower-case identifier for a column title: ``Price (£/MWh)`` -> ``price_gbp_per_mwh``."""
    text = title.replace("£", "gbp").replace("/", " per ").replace("%", " pct ")
    name = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    if not name or name[0].isdigit():
        name = f"f_{name}"
    return name


def _numeric_rows(reader, header: list[str], stamp_cells: int, local_time, source: str) -> TimeTable:
    """Rows whose first ``stamp_cells`` cells give a UK clock time (``local_time``) and the rest numbers."""
    names = [field_name(h) for h in header]
    if len(set(names)) != len(names):
        repeated = sorted({h for h, n in zip(header, names) if names.count(n) > 1})
        raise FormatError(f"The {source} has duplicate column names: {', '.join(map(repr, repeated))}.")
    table = TimeTable(
        fields=[FieldDef("timestamp", FieldType.DATETIME, "Time (UTC)")]
        + [FieldDef(n, FieldType.NUMBER, h, h) for n, h in zip(names, header)],
        rows=[],
    )
    local, lines, cells = [], [], []
    for record in reader:
        if not any(c.strip() for c in record):
            continue
        try:
            local.append(local_time(record[:stamp_cells]))
        except (ValueError, IndexError):
            table.warnings.append(f"Line {reader.line_num}: unreadable date or time; row skipped.")
            continue
        lines.append(reader.line_num)
        cells.append(record[stamp_cells:])
    clock = uk_clock_to_utc(local, lines, source)
    table.warnings += clock.warnings
    kept = sorted((instant, line, values) for instant, line, values in zip(clock.instants, lines, cells)
                  if instant is not None)
    raw_columns: dict[str, list] = {n: [] for n in names}
    for instant, line, values in kept:
        row = {"timestamp": instant}
        for name, raw in zip(names, values + [""] * (len(names) - len(values))):
            try:
                row[name] = parse_number(raw)
            except ValueError:
                row[name] = None
                table.warnings.append(f"Line {line}: {name} {raw!r} is not a number; kept as empty.")
            raw_columns[name].append(raw.strip() if row[name] is None and raw.strip() else row[name])
        table.rows.append(row)
    if not table.rows:
        raise FormatError(f"The {source} has no data rows.")
    table.quality = series_quality([r["timestamp"] for r in table.rows], raw_columns)
    return table


def meter_separator(header_line: str) -> str | None:
    """The separator of a LEO meter file's header (``Date`` and ``Time`` first), tab or comma; else None."""
    for separator in METER_SEPARATORS:
        cells = [c.strip().strip('"') for c in header_line.split(separator)]
        if cells[:2] == ["Date", "Time"] and len(cells) >= 3:
            return separator
    return None


def read_meter_file(data: bytes, source: str = "LEO meter file") -> TimeTable:
    """Parse a LEO MVS meter log: ``Date`` dd/mm/yyyy and ``Time`` hh:mm:ss first, tab or comma separated."""
    text = decode_text(data, source)
    separator = meter_separator(text.split("\n", 1)[0].rstrip("\r"))
    if separator is None:
        raise FormatError(f"The {source} must start with the columns Date and Time, separated by tabs or commas.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    header = [h.strip() for h in next(reader)]

    def local_time(cells: list[str]) -> datetime:
        return datetime.strptime(f"{cells[0].strip()} {cells[1].strip()}", "%d/%m/%Y %H:%M:%S")

    try:
        return _numeric_rows(reader, header[2:], 2, local_time, source)
    except csv.Error as exc:
        raise FormatError(f"The {source} is not valid {METER_SEPARATORS[separator]}-separated text: {exc}.") \
            from None


def read_price_file(data: bytes, source: str = "LEO price file") -> TimeTable:
    """Parse a LEO price file: CSV with a time stamp column (``YYYY-MM-DD HH:MM:SS``) first."""
    reader = csv.reader(io.StringIO(decode_text(data, source), newline=""))
    header = [h.strip() for h in next(reader, [])]
    if len(header) < 2:
        raise FormatError(f"The {source} needs a time column and at least one value column.")

    def local_time(cells: list[str]) -> datetime:
        return datetime.strptime(cells[0].strip(), "%Y-%m-%d %H:%M:%S")

    try:
        return _numeric_rows(reader, header[1:], 1, local_time, source)
    except csv.Error as exc:
        raise FormatError(f"The {source} is not valid CSV: {exc}.") from None
