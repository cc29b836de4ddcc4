"""A site's metered series put into settlement periods, with Project LEO's data-quality labels.

Readings are binned into the period they fall in (a stamp that marks the end of an interval, as SSEN's do,
into the period ending then): energy is summed and power averaged, as the unit says, so stamps off the
half-hour grid (``00:29:59``) or readings every 5 seconds make complete periods; a note says so. A period is
missing only when it has no reading. The periods are then labelled with Project LEO's meaning (see
``formats.quality``): runs of 1–2 missing periods ``miss_val``, 3–10 ``mul_miss_val``, more than 10
``large_gap``; ``outlier`` for a z-score above 5; ``fmt_err`` for text where a number belongs. Outliers are kept
(so they can be reported) but never used. Of readings repeating a stamp the first is used (and counted).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum

import numpy as np

from ..formats.quality import Z_LIMIT, ColumnQuality, Gap, Label, run_label

Flag = Label  # the flags are Project LEO's labels
SETTLEMENT_PERIOD = timedelta(minutes=30)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


class Combine(str, Enum):
    """How readings within one period make its value."""

    SUM = "sum"    # energy per interval (Wh, kWh)
    MEAN = "mean"  # power (kW)


@dataclass
class CleanSeries:
    """One site's values by the UTC start of each period, with the labels raised on the way in."""

    interval: timedelta
    values: dict[datetime, float] = field(default_factory=dict)
    flags: dict[datetime, set[Flag]] = field(default_factory=dict)
    quality: ColumnQuality = field(default_factory=ColumnQuality)
    notes: list[str] = field(default_factory=list)
    repeats: int = 0  # readings that repeated a stamp (the first was used)

    def flag(self, at: datetime, flag: Flag) -> None:
        self.flags.setdefault(at, set()).add(flag)

    def usable(self, at: datetime) -> float | None:
        """The value of the period starting ``at`` if it can be used (present and not an outlier), else None."""
        if Flag.OUTLIER in self.flags.get(at, ()):
            return None
        return self.values.get(at)

    def counts(self) -> dict[Flag, int]:
        """Periods flagged, per label."""
        return dict(self.quality.flagged)


def clean_series(readings: Iterable[tuple[datetime, float | None | str]], interval: timedelta | None = None,
                 combine: Combine = Combine.SUM, stamps_mark_end: bool = False) -> CleanSeries:
    """Bin one site's readings (UTC stamps, any order) into periods of ``interval`` (default: half-hours, or
    the readings' own step when longer) and label them; ``None`` is a missing value, text that is not a
    number a format error."""
    rows = list(readings)
    stamps = np.round(np.fromiter((at.timestamp() for at, _ in rows), float, len(rows)) * 1e6).astype(np.int64)
    raws = [raw for _, raw in rows]
    if set(map(type, raws)) <= {float, int, type(None)}:  # numbers and gaps: the common case, converted at once
        values, text = np.array(raws, dtype=np.float64), None
    else:
        numbers = [number_of(raw) for raw in raws]
        values = np.array([np.nan if v is None else v for v in numbers], dtype=np.float64)
        text = np.array([v is None and isinstance(raw, str) and bool(raw.strip()) for v, raw in zip(numbers, raws)],
                        dtype=bool)
    known = dict(zip(stamps.tolist(), (at for at, _ in rows)))  # the periods' starts are mostly these stamps
    return clean_arrays(stamps, values, text, interval, combine, stamps_mark_end, known)


def clean_arrays(stamps: np.ndarray, values: np.ndarray, text: np.ndarray | None = None,
                 interval: timedelta | None = None, combine: Combine = Combine.SUM, stamps_mark_end: bool = False,
                 instants: dict | None = None,
                 convert: Callable[[np.ndarray, timedelta], np.ndarray] | None = None) -> CleanSeries:
    """``clean_series`` on columns: ``stamps`` in microseconds since 1970 (UTC, any order), ``values`` as floats
    (NaN: missing), ``text``: where a value was text rather than a number. ``instants``: datetimes already made
    (by microsecond, and whole grids), shared between the sites of one read (every site repeats the same
    stamps). ``convert``: of the periods' values into the unit kept (e.g. kWh), given the period; labels are
    raised on the values read."""
    instants = {} if instants is None else instants
    text = np.zeros(len(stamps), dtype=bool) if text is None else text
    order = np.argsort(stamps, kind="stable")  # stable: of readings repeating a stamp the first stays first
    stamps, values, text = stamps[order], values[order], text[order]
    first = np.ones(len(stamps), dtype=bool)
    first[1:] = stamps[1:] != stamps[:-1]
    stamps, values, text = stamps[first], values[first], text[first]
    step_us = _natural_step(stamps)
    default_us = SETTLEMENT_PERIOD // _MICROSECOND
    period_us = interval // _MICROSECOND if interval else max(step_us or default_us, default_us)
    series = CleanSeries(timedelta(microseconds=period_us), repeats=len(first) - int(first.sum()))
    if not len(stamps):
        return series
    starts = (stamps - 1 if stamps_mark_end else stamps) // period_us * period_us
    off_grid = int(np.count_nonzero(stamps != (starts + period_us if stamps_mark_end else starts)))
    present = ~np.isnan(values)
    used = present | text
    first_us, last_us = (starts[used].min(), starts[used].max()) if used.any() else (starts[0], starts[-1])
    slots = (starts - first_us) // period_us
    size = int((last_us - first_us) // period_us) + 1
    counts = np.bincount(slots[present], minlength=size)
    sums = np.bincount(slots[present], weights=values[present], minlength=size)
    cells = sums if combine is Combine.SUM else np.divide(sums, counts, out=np.zeros(size), where=counts > 0)
    has_number = counts > 0
    has_text = np.zeros(size, dtype=bool)
    has_text[slots[text]] = True
    has_text &= ~has_number  # a period with a number is not an error
    grid = _grid(int(first_us), period_us, size, instants)
    series.quality, flagged = _column_labels(grid, cells, has_number, has_text)
    kept = cells[has_number] if convert is None else convert(cells[has_number], series.interval)
    series.values = dict(zip(itertools.compress(grid, has_number), kept.tolist()))
    for position, label in flagged:
        series.flag(grid[position], label)
    step = None if step_us is None else timedelta(microseconds=int(step_us))
    if step is not None and step < series.interval:
        series.notes.append(f"Readings every {_duration(step)} were put into {_duration(series.interval)} periods "
                            f"({'energy summed' if combine is Combine.SUM else 'power averaged'}).")
    elif off_grid:
        example = _instants(stamps[stamps % period_us != 0][:1], instants)[0]
        series.notes.append(f"{off_grid} reading(s) stamped off the {_duration(series.interval)} grid (e.g. "
                            f"{example:%H:%M:%S}) were put into the period they fall in.")
    if series.repeats:
        series.notes.append(f"{series.repeats} reading(s) repeated a time stamp: the first of each was used.")
    return series


def _natural_step(stamps: np.ndarray) -> int | None:
    """The most common positive difference between neighbouring (sorted) stamps, the first seen on a tie
    (as ``formats.quality.natural_step``)."""
    steps = np.diff(stamps)
    steps = steps[steps > 0]
    if not len(steps):
        return None
    distinct, first_seen, counts = np.unique(steps, return_index=True, return_counts=True)
    best = np.flatnonzero(counts == counts.max())
    return int(distinct[best[np.argmin(first_seen[best])]])


def _grid(first_us: int, period_us: int, size: int, known: dict) -> list[datetime]:
    """The starts of ``size`` periods from ``first_us``; sites read together mostly share one grid, made once."""
    key = (first_us, period_us, size)
    if key not in known:
        known[key] = _instants(first_us + period_us * np.arange(size, dtype=np.int64), known)
    return known[key]


def _instants(micros: np.ndarray, known: dict) -> list[datetime]:
    out = []
    for us in micros.tolist():
        at = known.get(us)
        if at is None:
            at = known[us] = _EPOCH + timedelta(microseconds=us)
        out.append(at)
    return out


def _column_labels(grid: list[datetime], cells: np.ndarray, has_number: np.ndarray, has_text: np.ndarray) -> \
        tuple[ColumnQuality, list[tuple[int, Flag]]]:
    """Project LEO's labels of a complete regular series of periods, in bulk (the same rules as
    ``formats.quality.column_quality`` and ``reading_labels``, which go reading by reading): runs of missing
    periods by length, text as a format error, outliers by z-score among the numbers."""
    quality = ColumnQuality(readings=len(grid))
    flagged: list[tuple[int, Flag]] = []
    missing = ~(has_number | has_text)
    edges = np.diff(np.concatenate(([0], missing.view(np.int8), [0])))
    for start, stop in zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()):
        label = run_label(stop - start)
        quality.flagged[label] += stop - start
        quality.runs[label] += 1
        quality.first_gap = quality.first_gap or Gap(grid[start], stop - start)
        quality.last_gap = Gap(grid[start], stop - start)
        flagged.extend((i, label) for i in range(start, stop))
    for label, positions in ((Flag.FMT_ERR, np.flatnonzero(has_text)),
                             (Flag.OUTLIER, _outliers(cells, has_number))):
        quality.flagged[label] += len(positions)
        quality.runs[label] += int(np.count_nonzero(np.diff(positions) != 1)) + 1 if len(positions) else 0
        flagged.extend((i, label) for i in positions.tolist())
    return quality, flagged


def _outliers(cells: np.ndarray, has_number: np.ndarray) -> np.ndarray:
    """Positions of numbers whose z-score exceeds 5 (mean and spread summed exactly, as ``formats.quality``)."""
    positions = np.flatnonzero(has_number)
    if len(positions) < 2:
        return positions[:0]
    numbers = cells[positions]
    mean = math.fsum(numbers.tolist()) / len(numbers)
    deviations = numbers - mean
    spread = math.sqrt(math.fsum((deviations * deviations).tolist()) / len(numbers))
    if spread == 0:
        return positions[:0]
    return positions[np.abs(deviations) / spread > Z_LIMIT]


def _duration(span: timedelta) -> str:
    seconds = span.total_seconds()
    if seconds < 60:
        return f"{seconds:g} seconds"
    return f"{seconds / 60:g} minutes" if seconds < 3600 else f"{seconds / 3600:g} hours"


def number_of(raw: float | None | str) -> float | None:
    """A reading as a float; None when empty, NaN or text that is not a number."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return None if raw != raw else float(raw)  # NaN is missing
    try:
        return float(str(raw).strip())
    except ValueError:
        return None
