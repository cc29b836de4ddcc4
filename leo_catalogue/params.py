"""Parsing and checking query parameters shared by the Records and Features endpoints."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from .errors import bad_parameter

DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000

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
    """``offset``: a whole number, zero or more."""
    if raw is None:
        return 0
    try:
        value = int(raw)
    except ValueError:
        raise bad_parameter("offset", f"offset must be a whole number, not {raw!r}.") from None
    if value < 0:
        raise bad_parameter("offset", "offset must not be negative.")
    return value


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
        raise bad_parameter(parameter, f"{text!r} is not an RFC 3339 date-time such as 2025-01-31T12:00:00Z.") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _parse_end(text: str, is_start: bool) -> datetime | None:
    text = text.strip()
    if text in ("", ".."):
        return None
    if text.startswith(_OPEN_END_PREFIXES):
        return None
    if len(text) == 10:
        day = _parse_date(text)
        start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        return start if is_start else start + timedelta(days=1) - timedelta(microseconds=1)
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
    keys = []
    for part in raw.split(","):
        part = part.strip()
        descending = part.startswith("-")
        name = part.lstrip("+-").strip()
        if " " in name:  # "+" arrives as a space when a client forgets to encode it
            name = name.strip()
        if name not in allowed:
            raise bad_parameter("sortby", f"cannot sort by {name!r}; sortable: {', '.join(sorted(allowed))}.")
        keys.append((name, descending))
    return keys
