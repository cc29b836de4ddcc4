"""Parsing single cell values as they appear in published files."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

# Markers SSEN and others publish instead of a value, even in numeric columns.
NULL_MARKERS = frozenset(
    {"", "DATA NOT AVAILABLE", "DATA NOT APPLICABLE", "N/A", "NA", "#N/A", "NULL", "-", "TBC"}
)

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3})[A-Za-z]*[-\s/]+(\d{2}|\d{4})$")


def is_null(raw: str | None) -> bool:
    """True when the cell holds no value (empty or a published null marker)."""
    return raw is None or raw.strip().upper() in NULL_MARKERS


def parse_number(raw: str | None) -> float | None:
    """A float from text such as ``1,234.5`` or ``12.3 MVA``; None for null markers.

    Raises ValueError for text that is neither a number nor a null marker.
    """
    if is_null(raw):
        return None
    text = raw.strip().replace(",", "")
    match = re.match(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text)
    if not match or text[match.end():].strip() and not text[match.end():].strip().isalpha():
        raise ValueError(f"not a number: {raw!r}")
    return float(match.group(0))


def parse_month_year(raw: str | None) -> date | None:
    """The first day of the month for ``Sep-26``, ``Sep 2026`` or an ISO date; None for nulls.

    Raises ValueError for anything else.
    """
    if is_null(raw):
        return None
    text = raw.strip()
    match = _MONTH_YEAR.match(text)
    if match and match.group(1).lower() in _MONTHS:
        year = int(match.group(2))
        if year < 100:
            year += 2000
        return date(year, _MONTHS[match.group(1).lower()], 1)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"not a month and year: {raw!r}")


def parse_yes_no(raw: str | None) -> bool | None:
    """True/False from Yes/No/Y/N/True/False; None for nulls; ValueError otherwise."""
    if is_null(raw):
        return None
    text = raw.strip().lower()
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    raise ValueError(f"not yes or no: {raw!r}")


def parse_utc_timestamp(raw: str | None) -> datetime | None:
    """An aware UTC datetime from ISO text (``2024-02-12T00:30:00.000Z``); None for nulls."""
    if is_null(raw):
        return None
    text = raw.strip().replace("Z", "+00:00")
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def portal_time(value: object) -> datetime | None:
    """A portal's metadata time stamp (CKAN's ``metadata_modified``, Opendatasoft's ``modified``) as aware UTC, naive
    stamps taken as UTC as CKAN writes them; None when it is missing, not text or not ISO 8601 (a record's date is
    not worth refusing the record for)."""
    if not isinstance(value, str):
        return None
    try:
        return parse_utc_timestamp(value)
    except ValueError:
        return None
