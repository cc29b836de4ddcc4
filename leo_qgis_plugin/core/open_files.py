"""Opening SSEN's and Project LEO's published files as typed layers: headroom CSVs (SSEN, NGED, NPG),
SSEN's half-hourly LV-feeder CSV (with its postcode lookup when it lies beside it), and the LEO trial
meter and price files. The same readers feed the catalogue server's importers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from qgis.core import QgsVectorLayer

from .compat import set_attribution
from .constraints.headroom_file import headroom_layer
from .formats.dno_headroom import detect_publisher
from .formats.errors import FormatError
from .formats.leo_trial import read_meter_file, read_price_file
from .formats.lv_feeder import FIELDS as FEEDER_FIELDS
from .formats.lv_feeder import LOOKUP_COLUMNS, is_lv_feeder_header, read_lv_feeder_csv, read_postcode_lookup
from .layers import table_layer

SNIFF_BYTES = 65536


class FileKind(str, Enum):
    HEADROOM = "network headroom"
    LV_FEEDER = "SSEN LV-feeder half-hourly data"
    LEO_METER = "Project LEO trial meter data"
    LEO_PRICE = "Project LEO prices"


@dataclass
class OpenedFile:
    layer: QgsVectorLayer
    kind: FileKind
    rows: int
    warnings: list[str] = field(default_factory=list)


def file_kind(path: Path) -> FileKind | None:
    """What a file is, from its first line, or None when it is none of the formats read here."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES).decode("utf-8-sig", "replace")
    except OSError:
        return None
    first = head.splitlines()[0] if head else ""
    if first.startswith("Date\tTime\t"):
        return FileKind.LEO_METER
    columns = [c.strip().strip('"') for c in next(csv.reader(io.StringIO(first)), [])]
    if is_lv_feeder_header(columns):
        return FileKind.LV_FEEDER
    if detect_publisher(columns):
        return FileKind.HEADROOM
    lines = head.splitlines()
    if len(columns) >= 2 and len(lines) > 1 and _looks_like_time(lines[1].split(",")[0]):
        return FileKind.LEO_PRICE
    return None


def _looks_like_time(text: str) -> bool:
    text = text.strip()
    return len(text) == 19 and text[4] == "-" and text[10] == " " and text[13] == ":"


def open_file(path: str | Path) -> OpenedFile:
    """The file as a layer, its fields typed (numbers as numbers, times as UTC date-times, nulls as nulls);
    FormatError saying why when it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise FormatError(f"No such file: {path}")
    kind = file_kind(path)
    if kind is None:
        raise FormatError(f"{path.name} is not a file LEO for QGIS reads: SSEN, NGED or Northern Powergrid headroom "
                          "CSV, SSEN LV-feeder half-hourly CSV, or a Project LEO meter or price file.")
    data = path.read_bytes()
    if kind is FileKind.HEADROOM:
        opened = headroom_layer(data, path.name)
        return OpenedFile(opened.layer, kind, opened.rows, opened.warnings)
    if kind is FileKind.LV_FEEDER:
        lookup_path = _postcode_lookup_beside(path)
        lookup = read_postcode_lookup(lookup_path.read_bytes(), lookup_path.name) if lookup_path else None
        table = read_lv_feeder_csv(data, path.name, lookup)
        warnings = table.warnings + ([] if lookup_path else [
            "No postcode lookup beside the file: feeders are listed without their postcodes."])
        layer = table_layer(path.stem, FEEDER_FIELDS, table.rows)
        set_attribution(layer, "Contains data published by Scottish and Southern Electricity Networks")
        return OpenedFile(layer, kind, len(table.rows), warnings)
    reader = read_meter_file if kind is FileKind.LEO_METER else read_price_file
    table = reader(data, path.name)
    layer = table_layer(path.stem, table.fields, table.rows)
    set_attribution(layer, "Project LEO, © 2021 University of Oxford (MIT)")
    return OpenedFile(layer, kind, len(table.rows), table.warnings)


def _postcode_lookup_beside(path: Path) -> Path | None:
    for candidate in sorted(path.parent.glob("*.csv")):
        if candidate == path:
            continue
        with candidate.open("rb") as handle:
            first = handle.readline().decode("utf-8-sig", "replace")
        if set(LOOKUP_COLUMNS) <= {c.strip() for c in first.split(",")} and "postcode" in first:
            return candidate
    return None
