"""Readers of Project LEO trial files: meter logs (tab separated) and half-hourly prices.

Trial files stamp rows in UK local time (GMT/BST); rows are returned in UTC.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from .errors import FormatError
from .fields import FieldDef, FieldType
from .text import decode_text
from .values import parse_number

UK = ZoneInfo("Europe/London")


@dataclass
class TimeTable:
    """Typed, time-stamped rows read from a trial file."""

    fields: list[FieldDef]
    rows: list[dict]
    warnings: list[str] = field(default_factory=list)


def field_name(title: str) -> str:
    """A lower-case identifier for a column title: ``Price (£/MWh)`` -> ``price_gbp_per_mwh``."""
    text = title.replace("£", "gbp").replace("/", " per ").replace("%", " pct ")
    name = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    if not name or name[0].isdigit():
        name = f"f_{name}"
    return name


def _uk_local_to_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UK).astimezone(timezone.utc)


def _numeric_rows(reader, header: list[str], stamp, source: str) -> TimeTable:
    names = [field_name(h) for h in header]
    if len(set(names)) != len(names):
        raise FormatError(f"The {source} has duplicate column names.")
    table = TimeTable(
        fields=[FieldDef("timestamp", FieldType.DATETIME, "Time (UTC)")]
        + [FieldDef(n, FieldType.NUMBER, h, h) for n, h in zip(names, header)],
        rows=[],
    )
    for record in reader:
        if not any(c.strip() for c in record):
            continue
        line = reader.line_num
        try:
            row = {"timestamp": stamp(record)}
        except (ValueError, IndexError):
            table.warnings.append(f"Line {line}: unreadable date or time; row skipped.")
            continue
        values = record[len(record) - len(header):] if len(record) >= len(header) else record
        for name, raw in zip(names, values):
            try:
                row[name] = parse_number(raw)
            except ValueError:
                row[name] = None
                table.warnings.append(f"Line {line}: {name} {raw!r} is not a number; kept as empty.")
        table.rows.append(row)
    if not table.rows:
        raise FormatError(f"The {source} has no data rows.")
    return table


def read_meter_file(data: bytes, source: str = "LEO meter file") -> TimeTable:
    """Parse a LEO MVS meter log: tab separated, ``Date`` dd/mm/yyyy and ``Time`` hh:mm:ss first."""
    reader = csv.reader(io.StringIO(decode_text(data, source), newline=""), delimiter="\t")
    header = [h.strip() for h in next(reader, [])]
    if header[:2] != ["Date", "Time"] or len(header) < 3:
        raise FormatError(f"The {source} must be tab separated and start with the columns Date and Time.")

    def stamp(record: list[str]) -> datetime:
        return _uk_local_to_utc(datetime.strptime(f"{record[0].strip()} {record[1].strip()}", "%d/%m/%Y %H:%M:%S"))

    try:
        return _numeric_rows(reader, header[2:], stamp, source)
    except csv.Error as exc:
        raise FormatError(f"The {source} is not valid tab-separated text: {exc}.") from None


def read_price_file(data: bytes, source: str = "LEO price file") -> TimeTable:
    """Parse a LEO price file: CSV with a time stamp column (``YYYY-MM-DD HH:MM:SS``) first."""
    reader = csv.reader(io.StringIO(decode_text(data, source), newline=""))
    header = [h.strip() for h in next(reader, [])]
    if len(header) < 2:
        raise FormatError(f"The {source} needs a time column and at least one value column.")

    def stamp(record: list[str]) -> datetime:
        return _uk_local_to_utc(datetime.strptime(record[0].strip(), "%Y-%m-%d %H:%M:%S"))

    try:
        return _numeric_rows(reader, header[1:], stamp, source)
    except csv.Error as exc:
        raise FormatError(f"The {source} is not valid CSV: {exc}.") from None
