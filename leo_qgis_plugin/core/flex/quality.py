"""Data-quality flags on a metered series, with Project LEO's own cleaning labels.

Rules (thresholds are parameters of ``QualityRules``):
- ``fmt_err``: a value that is not a number, or a repeated timestamp (the second copy at a clock change
  is dropped, never counted twice);
- ``miss_val``: one missing value (empty, or one interval absent from the series);
- ``mul_miss_val``: a run of missing intervals shorter than a large gap;
- ``large_gap``: a run of missing intervals of ``large_gap`` or longer;
- ``outlier``: further than ``outlier_mads`` scaled median absolute deviations from the site's median
  (and, if ``negative_is_outlier``, any negative reading of a consumption-only meter).
Outliers are kept in the series (so they can be reported) but never used; of a repeated timestamp the
first reading is used.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum


class Flag(str, Enum):
    MISS_VAL = "miss_val"
    MUL_MISS_VAL = "mul_miss_val"
    OUTLIER = "outlier"
    LARGE_GAP = "large_gap"
    FMT_ERR = "fmt_err"


@dataclass(frozen=True)
class QualityRules:
    large_gap: timedelta = timedelta(hours=2)
    outlier_mads: float = 6.0
    negative_is_outlier: bool = False  # True for consumption-only meters; sites that export read negative


@dataclass
class CleanSeries:
    """One site's values by the UTC start of each interval, with the flags raised on the way in."""

    interval: timedelta
    values: dict[datetime, float] = field(default_factory=dict)
    flags: dict[datetime, set[Flag]] = field(default_factory=dict)

    def flag(self, at: datetime, flag: Flag) -> None:
        self.flags.setdefault(at, set()).add(flag)

    def usable(self, at: datetime) -> float | None:
        """The value at an interval start if it can be used (present and not an outlier), else None."""
        if Flag.OUTLIER in self.flags.get(at, ()):
            return None
        return self.values.get(at)

    def counts(self) -> dict[Flag, int]:
        totals = {f: 0 for f in Flag}
        for flags in self.flags.values():
            for f in flags:
                totals[f] += 1
        return totals


def detect_interval(stamps: list[datetime]) -> timedelta:
    """The series' usual step: the most common positive difference between neighbouring stamps."""
    steps = [b - a for a, b in zip(stamps, stamps[1:]) if b > a]
    if not steps:
        return timedelta(minutes=30)
    return statistics.mode(steps)


def clean_series(readings: Iterable[tuple[datetime, float | None | str]], interval: timedelta | None = None,
                 rules: QualityRules = QualityRules()) -> CleanSeries:
    """Flag one site's readings (UTC interval starts, any order); ``None`` is a missing value, text that
    is not a number a format error."""
    rows = sorted(readings, key=lambda r: r[0])
    series = CleanSeries(interval or detect_interval([r[0] for r in rows]))
    previous: datetime | None = None
    for at, raw in rows:
        if at == previous:
            series.flag(at, Flag.FMT_ERR)  # a repeated stamp: the first copy is kept
            continue
        if previous is not None:
            _flag_gap(series, previous, at, rules)
        previous = at
        value = _number(raw)
        if value is None:
            series.flag(at, Flag.MISS_VAL if raw is None or raw == "" else Flag.FMT_ERR)
        else:
            series.values[at] = value
    _flag_outliers(series, rules)
    _flag_missing_runs(series, rules)
    return series


def _number(raw: float | None | str) -> float | None:
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return None if raw != raw else float(raw)  # NaN is missing
    try:
        return float(str(raw).strip())
    except ValueError:
        return None


def _flag_gap(series: CleanSeries, before: datetime, after: datetime, rules: QualityRules) -> None:
    """Intervals absent between two readings are missing values."""
    at = before + series.interval
    while at < after:
        series.flag(at, Flag.MISS_VAL)
        at += series.interval


def _flag_missing_runs(series: CleanSeries, rules: QualityRules) -> None:
    """Turn runs of single missing values into mul_miss_val or large_gap by their length."""
    missing = sorted(at for at, flags in series.flags.items() if Flag.MISS_VAL in flags)
    run: list[datetime] = []
    for at in missing + [None]:
        if run and (at is None or at - run[-1] != series.interval):
            if len(run) > 1:
                label = Flag.LARGE_GAP if len(run) * series.interval >= rules.large_gap else Flag.MUL_MISS_VAL
                for each in run:
                    series.flags[each].discard(Flag.MISS_VAL)
                    series.flags[each].add(label)
            run = []
        if at is not None:
            run.append(at)


def _flag_outliers(series: CleanSeries, rules: QualityRules) -> None:
    values = list(series.values.values())
    if len(values) < 10:
        return
    median = statistics.median(values)
    spread = 1.4826 * statistics.median(abs(v - median) for v in values) or 1e-9
    for at, value in series.values.items():
        if abs(value - median) > rules.outlier_mads * spread or (value < 0 and rules.negative_is_outlier):
            series.flag(at, Flag.OUTLIER)
