"""Opening SSEN's and Project LEO's published files as typed layers: headroom CSVs (SSEN, NGED, NPG),
SSEN's half-hourly LV-feeder CSV (with its postcode lookup when it lies beside it; streamed into a
GeoPackage, whatever its size), and the LEO trial meter and price files. The same readers feed the catalogue
server's importers. Time-stamped layers play in the Temporal Controller and carry a data-quality summary
with Project LEO's labels in their metadata."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path

from qgis.core import QgsDateTimeRange, QgsFeedback, QgsLayerMetadata, QgsVectorLayer

from .compat import set_attribution
from .constraints.headroom_file import headroom_layer
from .datasets import cache_folder
from .feeder_file import open_feeder_file
from .formats.dno_headroom import detect_publisher
from .formats.errors import FormatError
from .formats.leo_trial import meter_separator, read_meter_file, read_price_file
from .formats.lv_feeder import LOOKUP_COLUMNS, is_lv_feeder_header
from .formats.near_miss import explain
from .formats.quality import QualitySummary
from .layer_quality import store_quality
from .layers import table_layer
from .temporal.clock import to_qdatetime
from .temporal.properties import set_time_field

SNIFF_BYTES = 65536
HALF_HOUR = timedelta(minutes=30)


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
    quality: QualitySummary | None = None

    def message(self) -> str:
        """What the message bar says: what was opened, its data quality, the first note."""
        text = f"Opened {self.layer.name()} ({self.kind.value}, {self.rows:,} rows)."
        if self.quality is not None:
            text += f" {self.quality.headline()}"
        if self.warnings:
            text += f" {len(self.warnings)} note(s): {self.warnings[0]}"
        return text


def file_kind(path: Path) -> FileKind | None:
    """What a file is, from its first line, or None when it is none of the formats read here."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES).decode("utf-8-sig", "replace")
    except OSError:
        return None
    first = head.splitlines()[0] if head else ""
    if meter_separator(first):
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


def open_file(path: str | Path, feedback: QgsFeedback | None = None) -> OpenedFile | None:
    """The file as a layer, its fields typed (numbers as numbers, times as UTC date-times, nulls as nulls);
    FormatError saying why when it cannot be read; None when cancelled through ``feedback``."""
    path = Path(path)
    if not path.is_file():
        raise FormatError(f"No such file: {path}")
    kind = file_kind(path)
    if kind is None:
        with path.open("rb") as handle:
            reason = explain(handle.read(SNIFF_BYTES), path.name)
        raise FormatError(reason or f"{path.name} is not a file LEO for QGIS reads: SSEN, NGED or Northern Powergrid "
                                    "headroom CSV, SSEN LV-feeder half-hourly CSV, or a Project LEO meter or price file.")
    if kind is FileKind.LV_FEEDER:
        return _open_lv_feeder(path, feedback or QgsFeedback())
    data = path.read_bytes()
    if kind is FileKind.HEADROOM:
        opened = headroom_layer(data, path.name)
        return OpenedFile(opened.layer, kind, opened.rows, opened.warnings)
    reader = read_meter_file if kind is FileKind.LEO_METER else read_price_file
    table = reader(data, path.name)
    layer = table_layer(path.stem, table.fields, table.rows)
    set_attribution(layer, "Project LEO, © 2021 University of Oxford (MIT)")
    # Meter readings are stamped at their start; prices, like settlement periods, at the end of the half-hour.
    step = timedelta(seconds=table.quality.step_seconds or HALF_HOUR.total_seconds())
    stamps = [row["timestamp"] for row in table.rows]
    _make_temporal(layer, f"{kind.value} read from {path.name}", stamps[0], stamps[-1], step,
                   kind is FileKind.LEO_PRICE)
    store_quality(layer, table.quality)
    return OpenedFile(layer, kind, len(table.rows), table.warnings, table.quality)


def _open_lv_feeder(path: Path, feedback: QgsFeedback) -> OpenedFile | None:
    lookup = _postcode_lookup_beside(path)
    made = open_feeder_file(path, lookup, cache_folder(), lambda share: feedback.setProgress(100 * share),
                            feedback.isCanceled)
    if made is None:
        return None
    layer = QgsVectorLayer(made.uri, path.stem, "ogr")
    if not layer.isValid():
        raise FormatError(f"{path.name} was read into {made.path}, but QGIS cannot open that GeoPackage.")
    set_attribution(layer, "Contains data published by Scottish and Southern Electricity Networks")
    _make_temporal(layer, f"SSEN LV-feeder half-hourly data read from {path.name} (in {made.path.name})",
                   made.first, made.last, HALF_HOUR, True)
    store_quality(layer, made.quality)
    warnings = made.warnings + ([] if lookup else [
        "No postcode lookup beside the file: feeders are listed without their postcodes."])
    return OpenedFile(layer, FileKind.LV_FEEDER, made.rows, warnings, made.quality)


def _make_temporal(layer: QgsVectorLayer, abstract: str, first: datetime | None, last: datetime | None,
                   step: timedelta, stamps_end: bool) -> None:
    """Play by ``timestamp``; the time range goes in the layer's metadata (so playing needs no scan)."""
    set_time_field(layer, "timestamp", step, stamps_end)
    metadata = QgsLayerMetadata(layer.metadata())
    metadata.setTitle(layer.name())
    metadata.setAbstract(abstract)
    if first is not None and last is not None:
        extent = metadata.extent()
        extent.setTemporalExtents([QgsDateTimeRange(to_qdatetime(first), to_qdatetime(last + (
            timedelta(0) if stamps_end else step)))])
        metadata.setExtent(extent)
    layer.setMetadata(metadata)


def _postcode_lookup_beside(path: Path) -> Path | None:
    for candidate in sorted(path.parent.glob("*.csv")):
        if candidate == path:
            continue
        with candidate.open("rb") as handle:
            first = handle.readline().decode("utf-8-sig", "replace")
        if set(LOOKUP_COLUMNS) <= {c.strip() for c in first.split(",")} and "postcode" in first:
            return candidate
    return None
