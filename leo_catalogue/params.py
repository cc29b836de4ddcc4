"""Parsing and checking query parameters shared by the Records and Features endpoints."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timezone

from .errors import bad_parameter

DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
# Bounds on what one request may ask, so that no request costs more than a bounded, linear amount of work.
MAX_OFFSET = 1_000_000_000
MAX_LIST_ITEMS = 100        # keywords, ids, kinds: items in one list-valued parameter
MAX_ITEM_LENGTH = 200       # characters in one keyword, id or search term
MAX_SORT_KEYS = 8
MAX_VALUE_LENGTH = 2_000    # characters in any other parameter (filter: see cql.MAX_FILTER_LENGTH)
MAX_PARAMETERS = 64         # query parameters in one request

# QGIS's OAPIF provider sends open interval ends as these years; Python cannot parse year 0.
_OPEN_END_PREFIXES = ("0000-", "9999-")


@dataclass(frozen=True)
class TimeRange:
    """A closed time range; None at either end means open."""

    start: datetime | None
    end: datetime | None


def parse_limit(raw: str | None) -> int:
    """``limit``: a positive whole number; larger than the maximum is clamped (OGC API Features)."""
    if raw is None:
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise bad_parameter("limit", f"limit must be a whole number from 1 to {MAX_LIMIT}, not {raw!r}.") from None
    if value < 1:
        raise bad_parameter("limit", f"limit must be a whole number from 1 to {MAX_LIMIT}, not {value}.")
    return min(value, MAX_LIMIT)


def parse_offset(raw: str | None) -> int:
    """``offset``: a whole number from 0 to MAX_OFFSET."""
    if raw is None:
        return 0
    try:
        value = int(raw)
    except ValueError:
        raise bad_parameter("offset", f"offset must be a whole number, not {raw[:40]!r}.") from None
    if not 0 <= value <= MAX_OFFSET:
        raise bad_parameter("offset", f"offset must be a whole number from 0 to {MAX_OFFSET:,}.")
    return value


def parse_list(raw: str | None, parameter: str) -> list[str]:
    """A comma-separated list parameter: at most MAX_LIST_ITEMS items of at most MAX_ITEM_LENGTH characters."""
    return bounded_list([item.strip() for item in (raw or "").split(",") if item.strip()], parameter)


def bounded_list(items: list[str], parameter: str) -> list[str]:
    """``items`` of a list parameter; 400 past MAX_LIST_ITEMS items or MAX_ITEM_LENGTH characters in one."""
    if len(items) > MAX_LIST_ITEMS:
        raise bad_parameter(parameter, f"{parameter} lists {len(items)} items; at most {MAX_LIST_ITEMS} are accepted.")
    too_long = next((item for item in items if len(item) > MAX_ITEM_LENGTH), None)
    if too_long is not None:
        raise bad_parameter(parameter, f"an item of {parameter} is {len(too_long)} characters long; at most "
                                       f"{MAX_ITEM_LENGTH} are accepted.")
    return items


def parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    """``bbox``: minx,miny,maxx,maxy in WGS 84 longitude/latitude (6 numbers: heights ignored)."""
    if raw is None:
        return None
    parts = raw.split(",")
    if len(parts) not in (4, 6):
        raise bad_parameter("bbox", "bbox must be 4 numbers: min longitude, min latitude, max longitude, max latitude.")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise bad_parameter("bbox", f"bbox must contain numbers only, not {raw!r}.") from None
    if not all(math.isfinite(n) for n in numbers):
        raise bad_parameter("bbox", "bbox numbers must be finite.")
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    minx, miny, maxx, maxy = numbers
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90):
        raise bad_parameter("bbox", "bbox is outside longitude -180..180 / latitude -90..90.")
    if minx > maxx or miny > maxy:
        raise bad_parameter("bbox", "bbox minimum is greater than its maximum.")
    return minx, miny, maxx, maxy


def parse_timestamp(text: str, parameter: str = "datetime") -> datetime:
    """An RFC 3339 date-time as aware UTC; naive values are taken as UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise bad_parameter(parameter, f"{text[:60]!r} is not an RFC 3339 date-time such as 2025-01-31T12:00:00Z.") \
            from None
    return as_utc(value, parameter)


def as_utc(value: datetime, parameter: str) -> datetime:
    """An aware UTC datetime (naive ones are taken as UTC); 400 naming ``parameter`` when UTC would leave the years
    1 to 9999 (0001-01-01T00:00:00+01:00 is in year 0 in UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise bad_parameter(parameter, f"{value.isoformat()} is outside the years 1 to 9999 once in UTC.") from None


def _parse_end(text: str, is_start: bool) -> datetime | None:
    text = text.strip()
    if text in ("", ".."):
        return None
    if text.startswith(_OPEN_END_PREFIXES):
        return None
    if len(text) == 10:
        day = _parse_date(text)
        start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        return start if is_start else start.replace(hour=23, minute=59, second=59, microsecond=999999)
    return parse_timestamp(text)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise bad_parameter("datetime", f"{text!r} is not a date such as 2025-01-31.") from None


def parse_datetime(raw: str | None) -> TimeRange | None:
    """``datetime``: an instant, a date, or an interval ``a/b`` with ``..`` or empty for open ends."""
    if raw is None:
        return None
    if raw.count("/") > 1:
        raise bad_parameter("datetime", "datetime is an instant or one interval start/end.")
    if "/" in raw:
        start_text, end_text = raw.split("/")
        if start_text.strip() in ("", "..") and end_text.strip() in ("", ".."):
            raise bad_parameter("datetime", "datetime interval must have at least one closed end.")
        start, end = _parse_end(start_text, True), _parse_end(end_text, False)
        if start and end and start > end:
            raise bad_parameter("datetime", "datetime interval starts after it ends.")
        return TimeRange(start, end)
    if not raw.strip():
        raise bad_parameter("datetime", "datetime is empty.")
    if len(raw.strip()) == 10:
        return TimeRange(_parse_end(raw, True), _parse_end(raw, False))
    instant = parse_timestamp(raw)
    return TimeRange(instant, instant)


def parse_sortby(raw: str | None, allowed: set[str]) -> list[tuple[str, bool]]:
    """``sortby``: comma-separated names, each optionally prefixed + (ascending) or - (descending)."""
    if not raw:
        return []
    parts = raw.split(",")
    if len(parts) > MAX_SORT_KEYS:
        raise bad_parameter("sortby", f"sortby names {len(parts)} keys; at most {MAX_SORT_KEYS} are accepted.")
    keys: list[tuple[str, bool]] = []
    for part in parts:
        part = part.strip()
        descending = part.startswith("-")
        name = part.lstrip("+-").strip()
        if " " in name:  # "+" arrives as a space when a client forgets to encode it
            name = name.strip()
        if name not in allowed:
            raise bad_parameter("sortby", f"cannot sort by {name[:60]!r}; sortable: {', '.join(sorted(allowed))}.")
        if name not in (key for key, _ in keys):  # a second key on the same name changes nothing
            keys.append((name, descending))
    return keys
