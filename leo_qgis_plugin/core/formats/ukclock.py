"""UK clock readings (GMT in winter, BST in summer) turned into UTC instants, clock changes included.

On the last Sunday of October the hour from 01:00 to 01:59 happens twice (BST, then GMT): a reading such as
01:30 names two instants an hour apart. In a file whose rows are in time order the second pass through the
hour is told apart by the clock going back, so each row keeps its own instant (Python's ``fold``). A file
that is not in time order cannot be told apart: its rows in that hour are refused, with a message naming it.
On the last Sunday of March the hour from 01:00 to 01:59 does not happen at all: such a reading is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


@dataclass
class ClockReadings:
    """UTC instants of a file's UK clock readings, in file order (None where one cannot be placed), and why."""

    instants: list[datetime | None]
    warnings: list[str] = field(default_factory=list)


def _utc(local: datetime, fold: int) -> datetime:
    return local.replace(tzinfo=UK, fold=fold).astimezone(timezone.utc)


def is_ambiguous(local: datetime) -> bool:
    """True for a reading in the autumn hour that happens twice."""
    return _utc(local, 0) != _utc(local, 1)


def does_not_exist(local: datetime) -> bool:
    """True for a reading in the spring hour the clocks skip."""
    return _utc(local, 0).astimezone(UK).replace(tzinfo=None) != local


def _hour_name(local: datetime) -> str:
    return f"{local:%Y-%m-%d} {local:%H}:00–{local:%H}:59"


def _place_in_order(local: Sequence[datetime | None]) -> tuple[list[datetime | None], int | None]:
    """Instants when the rows are read as being in time order: a reading of the repeated hour is the first
    pass (BST) while time still moves forward, the second (GMT) once the clock has gone back. Returns the
    instants and the index of the first row that goes back in time (None when the rows are in order)."""
    instants: list[datetime | None] = []
    last: datetime | None = None
    for index, reading in enumerate(local):
        if reading is None or does_not_exist(reading):
            instants.append(None)
            continue
        first, second = _utc(reading, 0), _utc(reading, 1)
        if last is None or first > last or (first == last and first == second):
            instant = first
        elif second >= last:
            instant = second
        else:
            return instants, index
        instants.append(instant)
        last = instant
    return instants, None


def uk_clock_to_utc(local: Sequence[datetime | None], lines: Sequence[int], source: str) -> ClockReadings:
    """UTC instants of naive UK clock readings given in file order (``lines``: their line numbers, for the
    messages). A None reading stays None."""
    placed, disorder = _place_in_order(local)
    result = ClockReadings(placed)
    if disorder is not None:
        back_from = next(t for t in reversed(local[:disorder]) if t is not None)
        refused: dict[str, int] = {}
        result.instants = []
        for reading in local:
            if reading is None or does_not_exist(reading):
                result.instants.append(None)
            elif is_ambiguous(reading):
                result.instants.append(None)
                refused[_hour_name(reading)] = refused.get(_hour_name(reading), 0) + 1
            else:
                result.instants.append(_utc(reading, 0))
        for hour, count in refused.items():
            result.warnings.append(
                f"The {source} is not in time order (line {lines[disorder]} goes back from {back_from:%Y-%m-%d %H:%M:%S} "
                f"to {local[disorder]:%Y-%m-%d %H:%M:%S}), so its readings at {hour} UK time cannot be told apart: "
                f"that hour happens twice when the clocks go back (BST, then GMT). {count} row(s) in that hour "
                "were left out; sort the file by time to read them.")
    for reading, line in zip(local, lines):
        if reading is not None and does_not_exist(reading):
            result.warnings.append(f"Line {line}: {reading:%Y-%m-%d %H:%M:%S} does not exist on the UK clock (the "
                                   "clocks go forward from 01:00 to 02:00 that day); row skipped.")
    return result
