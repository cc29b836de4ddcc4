"""Baselines for flexibility events: what a site would have used had it not been asked to flex.

Methods (see docs/flex-baselining.md for sources and worked examples):
- ``BL01``: Elexon's BSC Baselining Methodology (used by the Demand Flexibility Service): per half-hour,
  the mean of the 10 most recent eligible working days (4 most recent non-working days for weekend and
  bank-holiday events) in the previous 60 days; eligible means not an event day of the site and with a
  clean reading in every period used. Optional in-day adjustment: the mean of metered minus baseline over
  the 6 periods ending one hour before the event, added to every event period, within an optional cap.
- ``MID_8_OF_10``: the same like-days; the highest and the lowest by energy in the event window are
  dropped and the rest averaged.
- ``HIGH_X_OF_Y``: the X days with the most energy in the event window among the Y most recent like-days.
- ``NOMINATED``: the profile the provider submitted for the event.
- ``FIXED_REFERENCE``: a per-site profile by local time of day.
Events without enough clean like-days are flagged and left without a baseline, never computed from less.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum
from zoneinfo import ZoneInfo

from ..formats.ukclock import does_not_exist
from .definitions import BaselineError, Method
from .holidays import is_working_day
from .quality import CleanSeries, Flag

UK = ZoneInfo("Europe/London")


class Direction(str, Enum):
    TURN_DOWN = "turn_down"  # Piclo "deficit": less demand (or more generation)
    TURN_UP = "turn_up"      # Piclo "excess"

    @classmethod
    def parse(cls, text: str) -> Direction:
        words = {"deficit": cls.TURN_DOWN, "turn_down": cls.TURN_DOWN, "down": cls.TURN_DOWN,
                 "excess": cls.TURN_UP, "turn_up": cls.TURN_UP, "up": cls.TURN_UP}
        try:
            return words[str(text).strip().lower().replace(" ", "_").replace("-", "_")]
        except KeyError:
            raise BaselineError(f"Direction {text!r} is not known; use turn_down (deficit) or turn_up (excess).") \
                from None


@dataclass(frozen=True)
class Event:
    event_id: str
    site_id: str
    start: datetime  # UTC, aware
    end: datetime
    requested_mw: float
    direction: Direction = Direction.TURN_DOWN
    provider: str = ""
    zone: str = ""
    # Agreed prices, when the event carries them (else the business case uses its defaults).
    availability_gbp_per_kw_h: float | None = None
    utilisation_gbp_per_kwh: float | None = None


@dataclass(frozen=True)
class BaselineOptions:
    method: Method = Method.BL01
    working_days: int = 10          # like-days for working-day events (BL01, mid 8 of 10)
    non_working_days: int = 4       # like-days for weekend and bank-holiday events
    lookback_days: int = 60
    in_day_adjustment: bool = False
    adjustment_cap_kwh: float | None = None  # per period, either way; None: no cap
    high_x: int = 5
    high_y: int = 10
    # NOMINATED: event id -> kWh per event period; FIXED_REFERENCE: site id -> {local "HH:MM": kWh}
    nominated: dict[str, list[float]] = field(default_factory=dict)
    reference: dict[str, dict[str, float]] = field(default_factory=dict)

    def describe(self) -> str:
        if self.method is Method.HIGH_X_OF_Y:
            return f"high {self.high_x} of {self.high_y}"
        if self.method in (Method.BL01, Method.MID_8_OF_10) and self.in_day_adjustment:
            cap = "no cap" if self.adjustment_cap_kwh is None else f"cap {self.adjustment_cap_kwh:g} kWh"
            return f"{self.method.value} with in-day adjustment ({cap})"
        return self.method.value


@dataclass
class EventResult:
    event_id: str
    site_id: str
    method: str
    baseline_kwh: float | None
    metered_kwh: float | None
    delivered_kwh: float | None
    requested_kwh: float
    delivery_ratio: float | None
    adjustment_kwh: float | None
    like_days: list[date]
    flags: list[str]
    start: datetime
    end: datetime
    provider: str = ""
    zone: str = ""
    baseline_profile: list[float] = field(default_factory=list)
    metered_profile: list[float | None] = field(default_factory=list)


# A site's value at an interval start: None when missing or flagged (not usable).
Lookup = Callable[[str, datetime], float | None]


def series_lookup(series: dict[str, CleanSeries], groups: dict[str, list[str]] | None = None) -> Lookup:
    """Values by site; a group (e.g. a CMZ made of primaries) is the sum of its members, missing if any is."""
    groups = groups or {}

    def clean_value(site: str, at: datetime) -> float | None:
        one = series.get(site)
        return None if one is None else one.usable(at)

    def value(site: str, at: datetime) -> float | None:
        if site in series or site not in groups:
            return clean_value(site, at)
        total = 0.0
        for member in groups[site]:
            part = clean_value(member, at)
            if part is None:
                return None
            total += part
        return total

    return value


def periods(start: datetime, end: datetime, interval: timedelta = timedelta(minutes=30)) -> list[datetime]:
    """UTC starts of the intervals that overlap start..end (intervals aligned to whole multiples of the step):
    a UK day has 46, 48 or 50 half-hours. Counted in UTC (adding to a UK-zoned time would step its clock)."""
    start, end = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    out, at = [], start - timedelta(seconds=start.timestamp() % interval.total_seconds())
    while at < end:
        out.append(at)
        at += interval
    return out


def _local_slots(stamps: list[datetime]) -> list[time]:
    return [s.astimezone(UK).time() for s in stamps]


def _on_day(day: date, slots: list[time]) -> list[datetime | None]:
    """The UTC starts of the same UK clock times on another day: None for a time that day skips (the spring
    clock change: a 46-period day); in the autumn hour that happens twice, the pass the slot was in."""
    local = [datetime.combine(day, slot) for slot in slots]
    return [None if does_not_exist(at) else at.replace(tzinfo=UK).astimezone(timezone.utc) for at in local]


def compute_baselines(events: list[Event], lookup: Lookup, options: BaselineOptions = BaselineOptions(),
                      interval: timedelta = timedelta(minutes=30), is_cancelled: Callable[[], bool] = lambda: False,
                      progress: Callable[[float], None] = lambda _p: None) -> list[EventResult]:
    """One result per event, in the order given."""
    event_days: dict[str, set[date]] = {}
    for event in events:
        _check_event(event)
        event_days.setdefault(event.site_id, set()).add(event.start.astimezone(UK).date())
    results = []
    for n, event in enumerate(events):
        if is_cancelled():
            break
        results.append(_baseline_event(event, lookup, options, interval, event_days.get(event.site_id, set()),
                                       _overlaps(event, events)))
        progress(100.0 * (n + 1) / len(events))
    return results


def _check_event(event: Event) -> None:
    for name in ("start", "end"):
        stamp = getattr(event, name)
        if not isinstance(stamp, datetime) or stamp.tzinfo is None:
            raise BaselineError(f"Event {event.event_id!r}: {name} {stamp!r} has no time zone; give UTC times.")


def _overlaps(event: Event, events: list[Event]) -> list[str]:
    return [other.event_id for other in events if other is not event and other.site_id == event.site_id
            and other.start < event.end and event.start < other.end]


def _baseline_event(event: Event, lookup: Lookup, options: BaselineOptions, interval: timedelta,
                    site_event_days: set[date], overlapping: list[str]) -> EventResult:
    window = periods(event.start, event.end, interval)
    # An event that starts or ends inside an interval counts that interval's share (the reading is spread evenly).
    weights = [(min(at + interval, event.end) - max(at, event.start)) / interval for at in window]
    hours = (event.end - event.start).total_seconds() / 3600
    result = EventResult(event.event_id, event.site_id, options.describe(), None, None, None,
                         round(event.requested_mw * 1000 * hours, 3), None, None, [], [], event.start, event.end,
                         event.provider, event.zone)
    result.flags.extend(f"overlaps {other}" for other in overlapping)
    if not window:
        result.flags.append("zero_length")
        return result
    metered = [lookup(event.site_id, at) for at in window]
    result.metered_profile = metered
    if any(v is None for v in metered):
        result.flags.append(Flag.MISS_VAL.value)
    else:
        result.metered_kwh = round(sum(w * v for w, v in zip(weights, metered)), 3)
    profile = _profile(event, window, lookup, options, interval, site_event_days, result)
    if profile is None:
        return result
    result.baseline_profile = [round(v, 3) for v in profile]
    result.baseline_kwh = round(sum(w * v for w, v in zip(weights, profile)), 3)
    if result.metered_kwh is not None:
        saved = result.baseline_kwh - result.metered_kwh
        result.delivered_kwh = round(saved if event.direction is Direction.TURN_DOWN else -saved, 3)
        if result.requested_kwh > 0:
            result.delivery_ratio = round(result.delivered_kwh / result.requested_kwh, 4)
    return result


def _profile(event: Event, window: list[datetime], lookup: Lookup, options: BaselineOptions, interval: timedelta,
             site_event_days: set[date], result: EventResult) -> list[float] | None:
    """The baseline per event period, or None with a flag saying why there is none."""
    if options.method is Method.NOMINATED:
        nominated = options.nominated.get(event.event_id)
        if nominated is None or len(nominated) != len(window):
            result.flags.append("no_nominated_profile" if nominated is None else "nominated_profile_length")
            return None
        return list(nominated)
    slots = _local_slots(window)
    if options.method is Method.FIXED_REFERENCE:
        reference = options.reference.get(event.site_id, {})
        values = [reference.get(slot.strftime("%H:%M")) for slot in slots]
        if any(v is None for v in values):
            result.flags.append("no_reference_profile")
            return None
        return values
    adjust_window = periods(event.start - timedelta(hours=4), event.start - timedelta(hours=1), interval) \
        if options.in_day_adjustment else []
    adjust_slots = _local_slots(adjust_window)
    day = event.start.astimezone(UK).date()
    wanted = _like_day_count(day, options)
    days = _like_days(event.site_id, day, slots + adjust_slots, lookup, options, site_event_days, wanted)
    if len(days) < wanted:
        result.flags.append(f"insufficient_like_days ({len(days)} of {wanted})")
        return None
    chosen = _choose(days, options)
    result.like_days = sorted(d for d, _ in chosen)
    profile = [sum(vals[i] for _, vals in chosen) / len(chosen) for i in range(len(window))]
    if options.in_day_adjustment:
        adjustment = _adjustment(event.site_id, adjust_window, chosen, len(window), lookup, options)
        if adjustment is None:
            result.flags.append("adjustment_skipped_missing_data")
        else:
            result.adjustment_kwh = round(adjustment, 3)
            profile = [v + adjustment for v in profile]
    return profile


def _like_day_count(day: date, options: BaselineOptions) -> int:
    if options.method is Method.HIGH_X_OF_Y:
        return options.high_y
    return options.working_days if is_working_day(day) else options.non_working_days


def _like_days(site: str, day: date, slots: list[time], lookup: Lookup, options: BaselineOptions,
               site_event_days: set[date], wanted: int) -> list[tuple[date, list[float]]]:
    """The most recent eligible days of the same kind (working or not), newest first, with their values at
    the given local clock times."""
    working = is_working_day(day)
    found = []
    for back in range(1, options.lookback_days + 1):
        candidate = day - timedelta(days=back)
        if is_working_day(candidate) != working or candidate in site_event_days:
            continue
        values = [None if at is None else lookup(site, at) for at in _on_day(candidate, slots)]
        if any(v is None for v in values):
            continue
        found.append((candidate, values))
        if len(found) == wanted:
            break
    return found


def _choose(days: list[tuple[date, list[float]]], options: BaselineOptions) -> list[tuple[date, list[float]]]:
    """Which like-days the method averages (their values cover the event window first)."""
    if options.method is Method.MID_8_OF_10 and len(days) > 2:
        ranked = sorted(days, key=lambda d: sum(d[1]))
        return ranked[1:-1]
    if options.method is Method.HIGH_X_OF_Y:
        return sorted(days, key=lambda d: sum(d[1]), reverse=True)[: options.high_x]
    return days


def _adjustment(site: str, adjust_window: list[datetime], chosen: list[tuple[date, list[float]]], offset: int,
                lookup: Lookup, options: BaselineOptions) -> float | None:
    """Mean of metered minus baseline over the adjustment periods, within the cap."""
    metered = [lookup(site, at) for at in adjust_window]
    if any(v is None for v in metered):
        return None
    baseline = [sum(vals[offset + i] for _, vals in chosen) / len(chosen) for i in range(len(adjust_window))]
    value = sum(m - b for m, b in zip(metered, baseline)) / len(adjust_window)
    cap = options.adjustment_cap_kwh
    return value if cap is None else max(-cap, min(cap, value))
