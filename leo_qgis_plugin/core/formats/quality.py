"""Data quality with Project LEO's own labels and their meaning, as its data-cleaning tool applies them
(projectleodata/project-leo-data-tools, ``data-cleaning/scripts/dash_timeseriesClean.py``).

Per column of one time series, counted in readings whatever the resolution:

- missing readings (an empty cell, or a reading absent from the series' regular step) in a run of 1 or 2:
  ``miss_val``; of 3 to 10: ``mul_miss_val``; of more than 10: ``large_gap``;
- ``outlier``: a reading whose z-score exceeds 5 (mean and population standard deviation of the column's
  readings, missing ones left out);
- ``fmt_err``: text where a number belongs; in a text column, a value whose letter case differs from the
  column's usual case (lower, upper or mixed; a mixed-case column expects upper case, as the tool does) or
  with unnecessary spaces (leading, trailing or doubled).

Counts are kept both in readings and in runs (the tool's cleaning log counts missing values in runs).
"""

from __future__ import annotations

import itertools
import math
import operator
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum

Z_LIMIT = 5.0


class Label(str, Enum):
    MISS_VAL = "miss_val"
    MUL_MISS_VAL = "mul_miss_val"
    OUTLIER = "outlier"
    LARGE_GAP = "large_gap"
    FMT_ERR = "fmt_err"


MISSING_LABELS = (Label.MISS_VAL, Label.MUL_MISS_VAL, Label.LARGE_GAP)
LABELS = tuple(Label)  # iterating an Enum is slow; summaries are made per site, by the thousand


def run_label(length: int) -> Label:
    """The label of a run of missing readings of this length."""
    if length <= 2:
        return Label.MISS_VAL
    return Label.MUL_MISS_VAL if length <= 10 else Label.LARGE_GAP


@dataclass
class Gap:
    """A run of missing readings: where it starts (UTC) and how many readings it lacks."""

    start: datetime
    readings: int

    def to_json(self) -> dict:
        return {"start": self.start.isoformat(), "readings": self.readings}

    @classmethod
    def from_json(cls, data: dict) -> Gap:
        return cls(datetime.fromisoformat(data["start"]), int(data["readings"]))


def _zeros() -> dict[Label, int]:
    return dict.fromkeys(LABELS, 0)


@dataclass
class ColumnQuality:
    """One column's counts: readings expected, readings and runs per label, first and last gap."""

    readings: int = 0
    flagged: dict[Label, int] = field(default_factory=_zeros)
    runs: dict[Label, int] = field(default_factory=_zeros)
    first_gap: Gap | None = None
    last_gap: Gap | None = None

    def add(self, other: ColumnQuality) -> None:
        """Add another series' counts of the same column (another site)."""
        self.readings += other.readings
        for label in LABELS:
            self.flagged[label] += other.flagged[label]
            self.runs[label] += other.runs[label]
        if other.first_gap and (self.first_gap is None or other.first_gap.start < self.first_gap.start):
            self.first_gap = other.first_gap
        if other.last_gap and (self.last_gap is None or other.last_gap.start > self.last_gap.start):
            self.last_gap = other.last_gap

    def to_json(self) -> dict:
        return {"readings": self.readings,
                "flagged": {label.value: n for label, n in self.flagged.items()},
                "runs": {label.value: n for label, n in self.runs.items()},
                "first_gap": self.first_gap.to_json() if self.first_gap else None,
                "last_gap": self.last_gap.to_json() if self.last_gap else None}

    @classmethod
    def from_json(cls, data: dict) -> ColumnQuality:
        return cls(int(data["readings"]), {Label(k): int(v) for k, v in data["flagged"].items()},
                   {Label(k): int(v) for k, v in data["runs"].items()},
                   Gap.from_json(data["first_gap"]) if data.get("first_gap") else None,
                   Gap.from_json(data["last_gap"]) if data.get("last_gap") else None)


@dataclass
class QualitySummary:
    """Counts per label and column over one or more series (sites), with the first and last gap."""

    columns: dict[str, ColumnQuality] = field(default_factory=dict)
    series: int = 0
    step_seconds: float | None = None

    def add(self, other: QualitySummary) -> None:
        for name, column in other.columns.items():
            self.columns.setdefault(name, ColumnQuality()).add(column)
        self.series += other.series
        self.step_seconds = self.step_seconds or other.step_seconds

    def totals(self) -> dict[Label, int]:
        """Readings flagged per label, over every column."""
        totals = _zeros()
        for column in self.columns.values():
            for label, n in column.flagged.items():
                totals[label] += n
        return totals

    @property
    def first_gap(self) -> Gap | None:
        gaps = [c.first_gap for c in self.columns.values() if c.first_gap]
        return min(gaps, key=lambda g: g.start) if gaps else None

    @property
    def last_gap(self) -> Gap | None:
        gaps = [c.last_gap for c in self.columns.values() if c.last_gap]
        return max(gaps, key=lambda g: g.start) if gaps else None

    def empty_columns(self) -> list[str]:
        """Columns without a single value (their every reading is a missing one)."""
        return [name for name, c in self.columns.items()
                if c.readings and sum(c.flagged[label] for label in MISSING_LABELS) == c.readings]

    def headline(self) -> str:
        """One line for the message bar."""
        totals = {label: n for label, n in self.totals().items() if n}
        if not totals:
            return f"Data quality (Project LEO's labels): no flags in {len(self.columns)} column(s)."
        counts = ", ".join(f"{label.value} {n:,}" for label, n in totals.items())
        text = f"Data quality (Project LEO's labels, readings flagged): {counts}"
        if self.first_gap:
            text += f"; first gap {_when(self.first_gap)}"
            if self.last_gap and self.last_gap != self.first_gap:
                text += f", last gap {_when(self.last_gap)}"
        if self.empty_columns():
            text += f"; empty throughout: {', '.join(self.empty_columns())}"
        return text + "."

    def lines(self) -> list[str]:
        """The summary as text, a line per flagged column (for layer metadata and logs)."""
        out = [self.headline()]
        for name, column in self.columns.items():
            flagged = [f"{label.value} {column.flagged[label]:,} ({column.runs[label]:,} run(s))"
                       for label in Label if column.flagged[label]]
            if flagged:
                out.append(f"{name}: {', '.join(flagged)} of {column.readings:,} readings.")
        return out

    def to_json(self) -> dict:
        return {"series": self.series, "step_seconds": self.step_seconds,
                "columns": {name: column.to_json() for name, column in self.columns.items()}}

    @classmethod
    def from_json(cls, data: dict) -> QualitySummary:
        return cls({name: ColumnQuality.from_json(c) for name, c in data["columns"].items()}, int(data["series"]),
                   data.get("step_seconds"))


def _when(gap: Gap) -> str:
    return f"{gap.start.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC ({gap.readings:,} reading(s))"


def natural_step(stamps: Sequence[datetime]) -> timedelta | None:
    """The series' usual interval: the most common positive difference between neighbouring stamps."""
    steps = [b - a for a, b in zip(stamps, stamps[1:]) if b > a]
    return statistics.mode(steps) if steps else None


def absent_between(before: datetime, after: datetime, step: timedelta) -> int:
    """How many readings of a regular series are absent between two neighbouring stamps."""
    return max(0, round((after - before) / step) - 1)


def series_quality(stamps: Sequence[datetime], columns: Mapping[str, Sequence], text_columns: frozenset[str] =
                   frozenset(), step: timedelta | None = None) -> QualitySummary:
    """The labels of one series: ``stamps`` in time order (UTC), each column's values in the same order
    (a float, None when empty, or the text found where a number belongs; text columns hold text)."""
    step = step or natural_step(stamps)
    if not step or (stamps[-1] - stamps[0] == step * (len(stamps) - 1) and len(set(stamps)) == len(stamps)):
        # regular throughout (no repeats, so the span says so): nothing absent
        absent = [0] * len(stamps)
    else:
        absent = [0] + [absent_between(a, b, step) for a, b in zip(stamps, stamps[1:])]
    summary = QualitySummary(series=1, step_seconds=step.total_seconds() if step else None)
    for name, values in columns.items():
        summary.columns[name] = column_quality(stamps, values, absent, step, name in text_columns)
    return summary


def sites_quality(rows: Iterable[Sequence], columns: Sequence[str], text_columns: frozenset[str] = frozenset(),
                  step: timedelta | None = None, instant: Callable[[object], datetime] | None = None) -> QualitySummary:
    """The labels of many series at once: ``rows`` of (site, UTC stamp, a value per column), ordered by site
    and then time (as a database reads them back in one ordered pass); ``instant`` reads the stamps when they
    are not datetimes yet."""
    summary = QualitySummary()
    for _site, group in itertools.groupby(rows, key=operator.itemgetter(0)):
        series = list(group)
        stamps = [row[1] for row in series] if instant is None else [instant(row[1]) for row in series]
        values = list(zip(*(row[2:] for row in series)))
        summary.add(series_quality(stamps, dict(zip(columns, values)), text_columns, step))
    return summary


def column_quality(stamps: Sequence[datetime], values: Sequence, absent: Sequence[int], step: timedelta | None,
                   text: bool = False) -> ColumnQuality:
    """One column's labels; ``absent[i]``: readings absent from the series just before reading ``i``."""
    quality = ColumnQuality(readings=len(values) + sum(absent))
    kinds = set(map(type, values))
    if not text and kinds <= {float} and not any(absent):  # complete numbers: the common case
        _count_runs(quality, Label.OUTLIER, _outliers(list(enumerate(values))))
        return quality
    if kinds == {type(None)}:  # a column without a value (SSEN leaves some empty): one run, the whole series
        label = run_label(quality.readings)
        quality.flagged[label], quality.runs[label] = quality.readings, 1
        quality.first_gap = quality.last_gap = Gap(stamps[0], quality.readings)
        return quality
    labels = _labels(stamps, values, absent, step, text)
    for start, _at, length in labels.missing:
        label = run_label(length)
        quality.flagged[label] += length
        quality.runs[label] += 1
        quality.first_gap = quality.first_gap or Gap(start, length)
        quality.last_gap = Gap(start, length)
    _count_runs(quality, Label.FMT_ERR, labels.wrong)
    _count_runs(quality, Label.OUTLIER, labels.outliers)
    return quality


def reading_labels(values: Sequence, text: bool = False) -> dict[int, Label]:
    """The label of each flagged reading of a complete regular series (every reading present, perhaps empty),
    by its position."""
    labels = _labels([None] * len(values), values, [0] * len(values), None, text)
    flagged = {}
    for _start, at, length in labels.missing:
        flagged.update(dict.fromkeys(range(at, at + length), run_label(length)))
    flagged.update(dict.fromkeys(labels.wrong, Label.FMT_ERR))
    flagged.update(dict.fromkeys(labels.outliers, Label.OUTLIER))
    return flagged


@dataclass
class _Labels:
    missing: list[tuple[datetime | None, int, int]]  # runs of missing readings: (first instant, position, length)
    wrong: list[int]                     # positions of format errors
    outliers: list[int]                  # positions of outliers


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


def _labels(stamps: Sequence[datetime], values: Sequence, absent: Sequence[int], step: timedelta | None,
            text: bool) -> _Labels:
    missing: list[tuple[datetime | None, int, int]] = []
    run, run_start, run_at = 0, None, 0
    wrong = _format_errors(values) if text else [isinstance(v, str) and bool(v.strip()) for v in values]
    numbers: list[tuple[int, float]] = []
    for index, (stamp, value) in enumerate(zip(stamps, values)):
        if absent[index] and not run:
            run_start, run_at = stamps[index - 1] + step, index
        run += absent[index]
        if _is_missing(value):
            if not run:
                run_start, run_at = stamp, index
            run += 1
            continue
        if run:
            missing.append((run_start, run_at, run))
            run = 0
        if not text and not wrong[index]:
            numbers.append((index, float(value)))
    if run:
        missing.append((run_start, run_at, run))
    return _Labels(missing, [i for i, bad in enumerate(wrong) if bad], _outliers(numbers))


def _count_runs(quality: ColumnQuality, label: Label, indexes: list[int]) -> None:
    quality.flagged[label] += len(indexes)
    quality.runs[label] += sum(1 for n, i in enumerate(indexes) if n == 0 or indexes[n - 1] != i - 1)


def _outliers(numbers: list[tuple[int, float]]) -> list[int]:
    """Indexes of readings whose z-score exceeds 5."""
    if len(numbers) < 2:
        return []
    values = [v for _, v in numbers]
    mean = math.fsum(values) / len(values)
    deviations = list(map(operator.sub, values, itertools.repeat(mean)))
    spread = math.sqrt(math.fsum(map(operator.mul, deviations, deviations)) / len(values))
    if spread == 0:
        return []
    low, high = mean - Z_LIMIT * spread, mean + Z_LIMIT * spread
    if low <= min(values) and max(values) <= high:  # no reading is far out: nothing to look at one by one
        return []
    return [i for i, v in numbers if abs(v - mean) / spread > Z_LIMIT]


def _case(text: str) -> str:
    return "lower" if text.islower() else "upper" if text.isupper() else "mixed"


def _format_errors(values: Sequence) -> list[bool]:
    """Per value of a text column: in another case than the column's usual one, or badly spaced."""
    texts = [v for v in values if isinstance(v, str) and v.strip()]
    if not texts:
        return [False] * len(values)
    cases = [_case(t) for t in texts]
    usual = max(("lower", "upper", "mixed"), key=cases.count)
    expected = str.islower if usual == "lower" else str.isupper
    return [isinstance(v, str) and bool(v.strip()) and (not expected(v) or v != v.strip() or "  " in v)
            for v in values]
