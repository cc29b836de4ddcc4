"""Bank holidays in England and Wales, which baselines treat as non-working days.

Computed from the rules of the Banking and Financial Dealings Act 1971 and royal proclamations
(substitute days when a holiday falls at a weekend), plus the one-off changes since 2010.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

# One-off holidays, and regular ones moved by proclamation (moved: the regular day is then not a holiday).
EXTRA = {date(2011, 4, 29), date(2012, 6, 5), date(2022, 6, 3), date(2022, 9, 19), date(2023, 5, 8)}
MOVED = {date(2012, 5, 28): date(2012, 6, 4), date(2020, 5, 4): date(2020, 5, 8), date(2022, 5, 30): date(2022, 6, 2)}


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous algorithm, as in Meeus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    lz = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * lz) // 451
    month = (h + lz - 7 * m + 114) // 31
    day = (h + lz - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _first_monday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=day.weekday())


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays of a year."""
    easter = easter_sunday(year)
    days = {easter - timedelta(days=2), easter + timedelta(days=1), _first_monday(year, 5),
            _last_monday(year, 5), _last_monday(year, 8)}
    new_year = date(year, 1, 1)
    days.add(new_year if new_year.weekday() < 5 else new_year + timedelta(days=7 - new_year.weekday()))
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    # Christmas on Saturday -> Monday 27 (Boxing Day Tuesday 28); on Sunday -> Tuesday 27 (Boxing Day Monday 26).
    if christmas.weekday() == 5:
        days |= {date(year, 12, 27), date(year, 12, 28)}
    elif christmas.weekday() == 6:
        days |= {date(year, 12, 26), date(year, 12, 27)}
    else:
        days.add(christmas)
        days.add(boxing if boxing.weekday() < 5 else date(year, 12, 28))
    days = {MOVED.get(d, d) for d in days}
    return frozenset(days | {d for d in EXTRA if d.year == year})


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in bank_holidays(day.year)
