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

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum

from ..formats.quality import ColumnQuality, Label, column_quality, natural_step, reading_labels

Flag = Label  # the flags are Project LEO's labels
SETTLEMENT_PERIOD = timedelta(minutes=30)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_JUST_BEFORE = timedelta(microseconds=1)


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


def period_of(stamp: datetime, period: timedelta, stamps_mark_end: bool) -> datetime:
    """The UTC start of the period a reading falls in (periods aligned on whole multiples of ``period``)."""
    at = stamp - _JUST_BEFORE if stamps_mark_end else stamp
    return at - (at - _EPOCH) % period


def clean_series(readings: Iterable[tuple[datetime, float | None | str]], interval: timedelta | None = None,
                 combine: Combine = Combine.SUM, stamps_mark_end: bool = False) -> CleanSeries:
    """Bin one site's readings (UTC stamps, any order) into periods of ``interval`` (default: half-hours, or
    the readings' own step when longer) and label them; ``None`` is a missing value, text that is not a
    number a format error."""
    rows = sorted(readings, key=lambda r: r[0])
    unique = [row for n, row in enumerate(rows) if n == 0 or row[0] != rows[n - 1][0]]
    step = natural_step([at for at, _ in unique])
    period = interval or max(step or SETTLEMENT_PERIOD, SETTLEMENT_PERIOD)
    series = CleanSeries(period, repeats=len(rows) - len(unique))
    if not unique:
        return series
    numbers: dict[datetime, list[float]] = {}
    text: set[datetime] = set()
    off_grid = 0
    for at, raw in unique:
        start = period_of(at, period, stamps_mark_end)
        off_grid += at != (start + period if stamps_mark_end else start)
        value = _number(raw)
        if value is not None:
            numbers.setdefault(start, []).append(value)
        elif isinstance(raw, str) and raw.strip():
            text.add(start)
    starts = _periods(min(numbers.keys() | text), max(numbers.keys() | text), period)
    for start, readings_in in numbers.items():
        series.values[start] = sum(readings_in) if combine is Combine.SUM else sum(readings_in) / len(readings_in)
    cells = [series.values.get(s, "text" if s in text else None) for s in starts]
    series.quality = column_quality(starts, cells, [0] * len(starts), period)
    for position, label in reading_labels(cells).items():
        series.flag(starts[position], label)
    if step is not None and step < period:
        series.notes.append(f"Readings every {_duration(step)} were put into {_duration(period)} periods "
                            f"({'energy summed' if combine is Combine.SUM else 'power averaged'}).")
    elif off_grid:
        series.notes.append(f"{off_grid} reading(s) stamped off the {_duration(period)} grid (e.g. "
                            f"{next(at for at, _ in unique if at != period_of(at, period, False)):%H:%M:%S}) were put "
                            "into the period they fall in.")
    if series.repeats:
        series.notes.append(f"{series.repeats} reading(s) repeated a time stamp: the first of each was used.")
    return series


def _periods(first: datetime, last: datetime, period: timedelta) -> list[datetime]:
    out, at = [], first
    while at <= last:
        out.append(at)
        at += period
    return out


def _duration(span: timedelta) -> str:
    seconds = span.total_seconds()
    if seconds < 60:
        return f"{seconds:g} seconds"
    return f"{seconds / 60:g} minutes" if seconds < 3600 else f"{seconds / 3600:g} hours"


def _number(raw: float | None | str) -> float | None:
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return None if raw != raw else float(raw)  # NaN is missing
    try:
        return float(str(raw).strip())
    except ValueError:
        return None
