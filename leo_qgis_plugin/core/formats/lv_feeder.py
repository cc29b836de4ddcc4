"""SSEN's half-hourly LV-feeder smart-meter data (CSV) and its postcode lookup, read to typed rows.

Ids keep their leading zeros (they are text); energy is Wh per half hour with ``avg_kw`` derived
(Wh x 2 / 1000); times are UTC; empty cells are nulls. SSEN leaves ``substation_geo_location`` empty, so a
feeder's place is its postcodes, from the lookup file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

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


REQUIRED = ("dataset_id", "lv_feeder_id", "data_collection_log_timestamp", "total_consumption_active_import",
            "last_modified_time")
MARKERS = {"lv_feeder_id", "data_collection_log_timestamp", "total_consumption_active_import"}
NUMBER_COLUMNS = [name for name, kind in COLUMNS if kind is N]
QUALITY_COLUMNS = NUMBER_COLUMNS  # what a quality summary covers: the measurements SSEN publishes
HALF_HOUR = timedelta(minutes=30)
LINE_NOTES = 1000


@dataclass
class FeederTable:
    rows: list[dict]
    warnings: list[str] = field(default_factory=list)
    duplicates: int = 0
    replaced: int = 0


def is_lv_feeder_header(columns: list[str]) -> bool:
    """True when a header is (nearly) SSEN's LV-feeder header: the reader then says what, if anything, it lacks."""
    return MARKERS <= set(columns) or len(set(columns) & {name for name, _ in COLUMNS}) >= len(COLUMNS) // 2


def check_header(header: list[str], source: str) -> None:
    """Refuse a header that lacks a column the reader needs, naming every one."""
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise FormatError(f"The {source} is not SSEN's LV-feeder format as published: it lacks the required "
                          f"column(s) {', '.join(missing)}. Nothing was read.")


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
    text = decode_text(data, source)
    reader = FeederReader(source, lookup)
    rows = [row for batch in reader.batches(lambda: io.StringIO(text, newline="")) for row in batch]
    return FeederTable(rows, reader.warnings, reader.duplicates, reader.replaced)


class FeederReader:
    """Streams an LV-feeder CSV to typed rows in batches: memory stays small whatever the file's size (one
    real day for SSEN's whole area is 806 MB). Warnings and counts are filled in as it reads.

    One row per feeder and instant, however the time is written (``…T01:30:00Z``, ``…T01:30:00.000Z`` and
    ``…T02:30:00.000+01:00`` are one instant). Of rows repeating an instant the one with the later
    ``last_modified_time`` is kept: a re-issue corrects the earlier. A first, light pass finds which
    (feeder, instant) keys repeat, with a small bit table instead of every key; the second reads and types
    the rows, holding back only those few keys' rows until the end."""

    def __init__(self, source: str = "LV-feeder file", lookup: dict[str, tuple[list[str], float | None]] | None = None,
                 progress: Callable[[float], None] | None = None, is_cancelled: Callable[[], bool] | None = None) -> None:
        self.source = source
        # Each feeder's postcodes as the text a row carries, joined once.
        self.lookup = {feeder: (", ".join(codes) or None, meters) for feeder, (codes, meters) in (lookup or {}).items()}
        self.progress = progress or (lambda _fraction: None)
        self.is_cancelled = is_cancelled or (lambda: False)
        self.warnings: list[str] = []
        self.duplicates = 0  # rows left out because another row has their feeder and instant
        self.replaced = 0    # of those, rows whose values a later re-issue corrected
        self.undecided = 0   # repeats with other values but the same last_modified_time (the first is kept)
        self.more_notes = 0  # line notes beyond the first LINE_NOTES, counted
        self.rows = 0
        self.text_cells: dict[tuple[str, datetime], list[str]] = {}  # text where a number belongs (quality)
        self._instants: dict[str, datetime | None] = {}

    def batches(self, open_text: Callable[[], Iterable[str]], size: int = 20000,
                total_chars: int | None = None) -> Iterator[list[dict]]:
        """Typed rows in batches; ``open_text`` opens the text afresh (it is read twice), ``total_chars`` (its
        length, if known) makes the progress of the first pass exact."""
        repeated, lines = self._repeated_keys(open_text, total_chars)
        if self.is_cancelled():
            return
        held: dict[tuple, list[tuple[int, dict]]] = {}
        batch: list[dict] = []
        reader = csv.reader(open_text())
        header = [h.strip() for h in next(reader, None) or []]
        positions = [(name, kind, header.index(name) if name in header else None) for name, kind in COLUMNS]
        try:
            for cells in reader:
                if reader.line_num % 50000 == 0:
                    if self.is_cancelled():
                        return
                    self.progress(0.3 + 0.7 * reader.line_num / max(lines, 1))
                typed = self._typed(cells, positions, reader.line_num)
                if typed is None:
                    continue
                key = (typed["dataset_id"], typed["timestamp"])
                if hash(key) in repeated:
                    held.setdefault(key, []).append((reader.line_num, typed))
                    continue
                batch.append(typed)
                if len(batch) >= size:
                    self.rows += len(batch)
                    yield batch
                    batch = []
        except csv.Error as exc:
            raise FormatError(f"The {self.source} is not valid CSV (line {reader.line_num}): {exc}.") from None
        for copies in held.values():
            batch.append(self._keep_one(copies))
            if len(batch) >= size:
                self.rows += len(batch)
                yield batch
                batch = []
        self.rows += len(batch)
        if batch:
            yield batch
        if not self.rows:
            raise FormatError(f"The {self.source} has no readable rows.")
        self._report()

    def _repeated_keys(self, open_text: Callable[[], Iterable[str]], total_chars: int | None) -> tuple[set[int], int]:
        """Hashes of the (feeder, instant) keys seen more than once (and a few look-alikes), and the line count."""
        lines = _counted(open_text(), total_chars, lambda f: self.progress(0.3 * f))
        reader = csv.reader(lines)
        header = [h.strip() for h in next(reader, None) or []]
        check_header(header, self.source)
        key_at, time_at = header.index("dataset_id"), header.index("data_collection_log_timestamp")
        seen = _BitSet(total_chars // 150 if total_chars else 1 << 16)
        repeated: set[int] = set()
        try:
            for cells in reader:
                if reader.line_num % 50000 == 0 and self.is_cancelled():
                    break
                if len(cells) <= max(key_at, time_at):
                    continue
                try:
                    key = hash((_text(cells[key_at]), self._instant(cells[time_at])))
                except ValueError:
                    continue  # reported when the row is read
                if seen.add(key):
                    repeated.add(key)
        except csv.Error as exc:
            raise FormatError(f"The {self.source} is not valid CSV (line {reader.line_num}): {exc}.") from None
        return repeated, reader.line_num

    def _instant(self, raw: str | None) -> datetime | None:
        """The instant a time stamp names; ValueError when it names none. Each spelling is parsed once while
        there are few (a day's file repeats 48 half-hours and one or two issue times)."""
        instant = self._instants.get(raw)
        if instant is None:
            instant = _timestamp(raw)
            if len(self._instants) < 100_000:
                self._instants[raw] = instant
        return instant

    def _keep_one(self, copies: list[tuple[int, dict]]) -> dict:
        """Of rows with one feeder and instant, the latest re-issue (the first of equals)."""
        first = copies[0][1]
        kept = max(copies, key=lambda c: (c[1]["last_modified_time"] or _NEVER, -c[0]))[1]
        self.duplicates += len(copies) - 1
        if kept is not first and _values(kept) != _values(first):
            self.replaced += 1
        elif any(_values(row) != _values(first) for _, row in copies[1:]):
            self.undecided += 1
        return kept

    def _report(self) -> None:
        """The file-wide notes, put before the line-by-line ones."""
        notes = []
        if self.duplicates:
            text = (f"{self.duplicates} repeated row(s) (same feeder and instant, however the time was written) "
                    "were read once")
            if self.replaced:
                text += (f"; {self.replaced} carried corrected values and the row with the later last_modified_time "
                         "was kept")
            notes.append(text + ".")
        if self.undecided:
            notes.append(f"{self.undecided} repeated feeder and instant(s) carry different values with the same "
                         "last_modified_time: the first row in the file was kept.")
        if self.more_notes:
            self.warnings.append(f"… and {self.more_notes:,} more line(s) with notes like these.")
        self.warnings[:0] = notes

    def _line_note(self, text: str) -> None:
        """A note on one line; past the first thousand they are only counted (a broken file has millions)."""
        if len(self.warnings) < LINE_NOTES:
            self.warnings.append(text)
        else:
            self.more_notes += 1

    def _typed(self, cells: list[str], positions, line: int) -> dict | None:
        """A row's typed values: in one go for the usual row, cell by cell (to say what is wrong) otherwise."""
        if len(cells) >= len(positions):
            try:
                typed = {name: None if at is None else (self._instant if kind is DT else _CONVERT[kind])(cells[at])
                         for name, kind, at in positions}
            except ValueError:
                typed = self._typed_one_by_one(cells, positions, line)
        else:
            typed = self._typed_one_by_one(cells, positions, line)
        if typed is None:
            return None
        if typed["data_collection_log_timestamp"] is None:
            self._line_note(f"Line {line}: no time; row skipped.")
            return None
        typed["timestamp"] = typed["data_collection_log_timestamp"]
        energy = typed["total_consumption_active_import"]
        typed["avg_kw"] = None if energy is None else energy * 2 / 1000
        typed["postcodes"], typed["total_mpan_count"] = self.lookup.get(typed["dataset_id"], (None, None))
        return typed

    def _typed_one_by_one(self, cells: list[str], positions, line: int) -> dict | None:
        typed: dict = {}
        text_in_numbers = []
        for name, kind, at in positions:
            raw = cells[at] if at is not None and at < len(cells) else None
            try:
                typed[name] = self._instant(raw) if kind is DT else _CONVERT[kind](raw)
            except ValueError:
                typed[name] = None
                if name == "data_collection_log_timestamp":
                    self._line_note(f"Line {line}: the time {raw!r} is not a date and time; row skipped.")
                    return None
                self._line_note(f"Line {line}: {name} {raw!r} is not valid; kept as empty.")
                if kind is N:
                    text_in_numbers.append(name)
        if text_in_numbers and typed["data_collection_log_timestamp"] is not None:
            self.text_cells[(typed["dataset_id"], typed["data_collection_log_timestamp"])] = text_in_numbers
        return typed


def with_text_cells(rows: Iterable[Sequence], text_cells: dict[tuple[str, datetime], list[str]],
                    instant: Callable[[object], datetime]) -> Iterable[Sequence]:
    """Stored rows (feeder, stamp, a value per quality column) with the text the reader found where a number
    belongs put back in its cell: for Project LEO's labels that is a format error, not a missing value."""
    if not text_cells:
        return rows
    return (row if (row[0], instant(row[1])) not in text_cells else
            (*row[:2], *(f"(text in {c})" if c in text_cells[(row[0], instant(row[1]))] else v
                         for c, v in zip(QUALITY_COLUMNS, row[2:])))
            for row in rows)


_NEVER = datetime.min.replace(tzinfo=timezone.utc)


def _values(row: dict) -> tuple:
    return tuple(row[name] for name in NUMBER_COLUMNS)


def _counted(lines: Iterable[str], total: int | None, report: Callable[[float], None]) -> Iterator[str]:
    """The lines, reporting the share read so far (when the total is known)."""
    done = 0
    for n, line in enumerate(lines):
        done += len(line)
        if total and n % 50000 == 0:
            report(min(done / total, 1.0))
        yield line


class _BitSet:
    """A small probabilistic set of 64-bit hashes (two bits each in a table of about 64 bits a key): says
    whether a hash was (probably) added before. Look-alikes (about 1 in 1,000) are harmless: their rows are only
    held back and then found to be alone."""

    def __init__(self, expected_keys: int) -> None:
        self.mask = (1 << max(20, (max(expected_keys, 1) * 64).bit_length())) - 1
        self.table = bytearray((self.mask + 1) // 8)

    def add(self, key: int) -> bool:
        """Add a hash; True when both its bits were set already."""
        table, one, two = self.table, key & self.mask, (key >> 32 ^ key * 0x9E3779B1) & self.mask
        first, second = table[one >> 3] & (1 << (one & 7)), table[two >> 3] & (1 << (two & 7))
        table[one >> 3] |= 1 << (one & 7)
        table[two >> 3] |= 1 << (two & 7)
        return bool(first and second)


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
