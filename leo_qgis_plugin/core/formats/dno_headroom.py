"""Headroom files of SSEN, National Grid (NGED) and Northern Powergrid (NPG) read onto SSEN's canonical fields,
so one overlay fits all.

Each DNO's published column names are data, one table per DNO in ``headroom_columns/<dno>.csv`` (rows of
canonical ``field``, published ``column``, and ``identifies`` for the columns that tell the DNO's file apart),
documented in docs/ssen-headroom-csv.md. Names match whatever their letter case; where a field has several
names, the first in the table that the file has is read. SSEN's table holds its file's titles and the names
its data portal turns them into (``Voltage (kV)`` becomes ``voltage__kv_``). Headroom published in MW is
taken as MVA at unity power factor (noted in the warnings).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from .errors import FormatError
from .gb_schema import GB_EXTRA
from .ssen_headroom import COLUMNS, HEADER, HeadroomTable, read_csv_rows, read_mapped_rows

TABLES = Path(__file__).with_name("headroom_columns")
PUBLISHERS = {"SSEN": "SSEN's", "NGED": "National Grid's", "NPG": "Northern Powergrid's"}
REQUIRED = ("name", "latitude", "longitude")
CANONICAL = [name for _, name, _, _ in COLUMNS]


@cache
def column_table(publisher: str) -> tuple[dict[str, list[str]], frozenset[str]]:
    """A DNO's mapping table: canonical field -> its published names (in order of preference), and the
    (lower-case) names that identify its files."""
    names: dict[str, list[str]] = {}
    identifying = set()
    with (TABLES / f"{publisher.lower()}.csv").open(encoding="utf-8", newline="") as table:
        for row in csv.DictReader(table):
            names.setdefault(row["field"], []).append(row["column"])
            if row["identifies"] == "yes":
                identifying.add(row["column"].lower())
    return names, frozenset(identifying)


def detect_publisher(header: list[str]) -> str | None:
    """``SSEN``, ``NGED``, ``NPG`` or None from a file's header."""
    lowered = {h.strip().lower() for h in header}
    return next((dno for dno in PUBLISHERS if column_table(dno)[1] & lowered), None)


def map_columns(header: list[str], publisher: str) -> tuple[dict[str, int], list[str]]:
    """Canonical field -> position of the file's column for it, and notes on repeated columns."""
    positions: dict[str, list[int]] = {}
    for at, title in enumerate(header):
        positions.setdefault(title.strip().lower(), []).append(at)
    notes = [f"The column {header[at[0]]!r} appears {len(at)} times (columns {_listed([a + 1 for a in at])}): "
             "the first is read, the others are ignored." for at in positions.values() if len(at) > 1]
    found: dict[str, int] = {}
    for field, names in column_table(publisher)[0].items():
        present = next((name for name in names if name.lower() in positions), None)
        if present:
            found[field] = positions[present.lower()][0]
    return found, notes


def _listed(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


def read_dno_headroom(data: bytes, source: str = "headroom file") -> tuple[str, HeadroomTable]:
    """(publisher, canonical rows) of an SSEN, NGED or NPG headroom CSV; FormatError naming the problem."""
    header, reader = read_csv_rows(data, source)
    publisher = detect_publisher(header)
    if publisher is None:
        missing = [column for column in HEADER if column not in header]
        raise FormatError(
            f"The {source} is not a headroom file this plugin knows: it is neither SSEN's (lacking "
            f"{', '.join(repr(m) for m in missing[:4])}{' …' if len(missing) > 4 else ''}) nor National Grid's "
            "(no demandConnectedHeadroomMW column) nor Northern Powergrid's (no demhr column).")
    positions, notes = map_columns(header, publisher)
    lacking = [field for field in REQUIRED if field not in positions]
    if lacking:
        raise FormatError(f"The {source} looks like a {publisher} headroom file but has no column for "
                          f"{', '.join(lacking)}.")
    extra = [f for f in GB_EXTRA if f.name in positions]  # GB-schema fields a file publishes (NGED's firm capacity)
    table = read_mapped_rows(header, reader, {field: header[at] for field, at in positions.items()}, source, extra)
    absent = [field for field in CANONICAL if field not in positions]
    if publisher == "SSEN" and absent:
        notes.append(f"Not in this file (left empty): {', '.join(absent)}.")
    if publisher != "SSEN":
        notes.insert(0, f"Read as a {publisher} headroom file; headroom in MW taken as MVA at unity power factor.")
    table.warnings[:0] = notes
    return publisher, table
