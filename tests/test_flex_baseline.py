"""Baselines for flexibility events, checked against values worked out by hand on small series."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from leo_qgis_plugin.core.flex.baseline import (
    BaselineError,
    BaselineOptions,
    Direction,
    Event,
    Method,
    compute_baselines,
    series_lookup,
)
from leo_qgis_plugin.core.flex.holidays import bank_holidays, is_working_day
from leo_qgis_plugin.core.flex.quality import Combine, Flag, clean_series

UTC = timezone.utc
HALF_HOUR = timedelta(minutes=30)
JAN_1 = datetime(2025, 1, 1, tzinfo=UTC)


def day_index_series(until: datetime = datetime(2025, 4, 30, tzinfo=UTC), value=None, edit=None):
    """Site S: every half-hour of a day reads the day's number since 1 January (0, 1, 2, ...)."""
    readings, at = [], JAN_1
    while at < until:
        readings.append((at, float((at - JAN_1).days) if value is None else value(at)))
        at += HALF_HOUR
    if edit:
        readings = edit(readings)
    return {"S": clean_series(readings, HALF_HOUR)}


def event(day: date, start_h: int = 17, end_h: int = 18, event_id: str = "E1", mw: float = 0.1) -> Event:
    start = datetime(day.year, day.month, day.day, start_h, tzinfo=UTC)
    return Event(event_id, "S", start, start.replace(hour=end_h), mw, Direction.TURN_DOWN)


def metered_at(day: date, kwh: float):
    """Metered readings of day set to kwh from 17:00 to 18:00 UTC (the site delivered)."""
    def edit(readings):
        return [(at, kwh if at.date() == day and 17 <= at.hour < 18 else v) for at, v in readings]
    return edit


def run(events, series, **options):
    return compute_baselines(events, series_lookup(series), BaselineOptions(**options))


WED = date(2025, 3, 12)
# The 10 working days before Wed 12 March: 11, 10, 7, 6, 5, 4, 3 March, 28, 27, 26 February.
TEN_DAYS = [69, 68, 65, 64, 63, 62, 61, 58, 57, 56]


def test_bl01_is_the_mean_of_the_ten_most_recent_working_days():
    (result,) = run([event(WED)], day_index_series(edit=metered_at(WED, 50.0)))
    assert result.baseline_kwh == pytest.approx(2 * sum(TEN_DAYS) / 10)  # 124.6
    assert result.metered_kwh == 100.0 and result.delivered_kwh == pytest.approx(24.6)
    assert result.requested_kwh == 100.0 and result.delivery_ratio == pytest.approx(0.246)
    assert result.like_days[0] == date(2025, 2, 26) and result.like_days[-1] == date(2025, 3, 11)
    assert result.method == "BL01" and result.flags == []


def test_an_event_ending_inside_a_half_hour_counts_its_share():
    start = datetime(2025, 3, 12, 17, tzinfo=UTC)
    partial = Event("P", "S", start, start + timedelta(minutes=45), 0.1)
    (result,) = run([partial], day_index_series(edit=metered_at(WED, 50.0)))
    assert result.baseline_kwh == pytest.approx(1.5 * 62.3) and result.metered_kwh == pytest.approx(75.0)
    assert result.requested_kwh == 75.0 and len(result.baseline_profile) == 2


def test_earlier_event_days_and_days_with_missing_data_are_not_like_days():
    series = day_index_series()
    (_, result) = run([event(date(2025, 3, 10), event_id="E0"), event(WED)], series)
    assert result.baseline_kwh == pytest.approx(2 * (sum(TEN_DAYS) - 68 + 55) / 10)  # 10 March out, 25 Feb in
    missing = day_index_series(edit=lambda rs: [r for r in rs if r[0] != datetime(2025, 3, 11, 17, 30, tzinfo=UTC)])
    (result,) = run([event(WED)], missing)
    assert result.baseline_kwh == pytest.approx(2 * (sum(TEN_DAYS) - 69 + 55) / 10)
    assert date(2025, 3, 11) not in result.like_days


def test_bank_holiday_events_use_the_four_most_recent_non_working_days():
    (result,) = run([event(date(2025, 4, 21))], day_index_series())  # Easter Monday
    assert result.like_days == [date(2025, 4, 13), date(2025, 4, 18), date(2025, 4, 19), date(2025, 4, 20)]
    assert result.baseline_kwh == pytest.approx(2 * (102 + 107 + 108 + 109) / 4)


def test_mid_8_of_10_and_high_5_of_10():
    series = day_index_series()
    (mid,) = run([event(WED)], series, method=Method.MID_8_OF_10)
    assert mid.baseline_kwh == pytest.approx(2 * (sum(TEN_DAYS) - 69 - 56) / 8)
    (high,) = run([event(WED)], series, method=Method.HIGH_X_OF_Y, high_x=5, high_y=10)
    assert high.baseline_kwh == pytest.approx(2 * (69 + 68 + 65 + 64 + 63) / 5) and high.method == "high 5 of 10"


def test_in_day_adjustment_with_and_without_a_cap():
    series = day_index_series(edit=metered_at(WED, 50.0))
    (adjusted,) = run([event(WED)], series, in_day_adjustment=True)
    # 13:00-16:00 on the day read 70 against a baseline of 62.3: +7.7 kWh on each event period.
    assert adjusted.adjustment_kwh == pytest.approx(7.7) and adjusted.baseline_kwh == pytest.approx(140.0)
    (capped,) = run([event(WED)], series, in_day_adjustment=True, adjustment_cap_kwh=5.0)
    assert capped.adjustment_kwh == 5.0 and capped.baseline_kwh == pytest.approx(2 * 62.3 + 10)
    assert "cap 5 kWh" in capped.method


def test_nominated_and_fixed_reference_profiles():
    series = day_index_series(edit=metered_at(WED, 50.0))
    (nominated,) = run([event(WED)], series, method=Method.NOMINATED, nominated={"E1": [60.0, 70.0]})
    assert nominated.baseline_kwh == 130.0 and nominated.delivered_kwh == 30.0
    (missing,) = run([event(WED)], series, method=Method.NOMINATED)
    assert missing.baseline_kwh is None and missing.flags == ["no_nominated_profile"]
    (fixed,) = run([event(WED)], series, method=Method.FIXED_REFERENCE, reference={"S": {"17:00": 55, "17:30": 65}})
    assert fixed.baseline_kwh == 120.0 and fixed.delivered_kwh == 20.0


def test_turn_up_events_count_the_increase():
    series = day_index_series(edit=metered_at(WED, 80.0))
    up = Event("U1", "S", datetime(2025, 3, 12, 17, tzinfo=UTC), datetime(2025, 3, 12, 18, tzinfo=UTC), 0.1,
               Direction.parse("excess"))
    (result,) = run([up], series)
    assert result.delivered_kwh == pytest.approx(160.0 - 124.6)


def test_like_days_match_local_clock_time_across_the_clock_change():
    # Reading = the UTC hour. 17:00 UK time is 16:00 UTC after 30 March 2025, 17:00 UTC before.
    series = day_index_series(value=lambda at: float(at.hour))
    start = datetime(2025, 4, 2, 16, tzinfo=UTC)  # Wednesday 17:00 BST
    (result,) = run([Event("E", "S", start, start + HALF_HOUR, 0.1)], series)
    assert result.baseline_kwh == pytest.approx((2 * 16 + 8 * 17) / 10)


def test_too_few_like_days_is_flagged_never_computed():
    (result,) = run([event(date(2025, 1, 10))], day_index_series())
    assert result.baseline_kwh is None and result.delivered_kwh is None
    assert result.flags == ["insufficient_like_days (6 of 10)"]


def test_bad_events_are_flagged_or_refused_with_a_clear_message():
    series = day_index_series()
    zero = Event("Z", "S", datetime(2025, 3, 12, 17, tzinfo=UTC), datetime(2025, 3, 12, 17, tzinfo=UTC), 1.0)
    overlap = event(WED, 17, 19, "E2")
    results = run([zero, event(WED), overlap], series)
    assert results[0].flags == ["zero_length"]
    assert results[1].flags == ["overlaps E2"] and results[2].flags == ["overlaps E1"]
    naive = Event("N", "S", datetime(2025, 3, 12, 17), datetime(2025, 3, 12, 18), 1.0)
    with pytest.raises(BaselineError, match="Event 'N': start .* has no time zone"):
        run([naive], series)
    with pytest.raises(BaselineError, match="Direction 'sideways' is not known"):
        Direction.parse("sideways")
    (outside,) = run([event(date(2026, 6, 3))], series)  # after the data ends
    assert outside.baseline_kwh is None and "miss_val" in outside.flags


def test_quality_flags_use_project_leos_labels():
    at = [JAN_1 + HALF_HOUR * i for i in range(80)]
    readings = {i: (t, 10.0 + (i % 3)) for i, t in enumerate(at)}
    readings[5] = (at[5], None)                    # an empty value: a run of 1 (miss_val)
    readings[8] = (at[8], "n/a")                   # not a number (fmt_err)
    readings[20] = (at[20], 500.0)                 # z-score above 5 (outlier)
    for i in [*range(30, 35), *range(40, 43), *range(50, 61)]:
        del readings[i]                            # runs of 5 and 3 periods absent (mul_miss_val), 11 (large_gap)
    rows = list(readings.values()) + [readings[10]]  # a repeated stamp: the first copy is used, and noted
    series = clean_series(list(reversed(rows)), HALF_HOUR)
    assert series.flags[at[5]] == {Flag.MISS_VAL} and series.flags[at[8]] == {Flag.FMT_ERR}
    assert series.flags[at[20]] == {Flag.OUTLIER} and at[10] not in series.flags and series.repeats == 1
    assert all(series.flags[at[i]] == {Flag.MUL_MISS_VAL} for i in [*range(30, 35), *range(40, 43)])
    assert all(series.flags[at[i]] == {Flag.LARGE_GAP} for i in range(50, 61))
    assert series.usable(at[10]) == 11.0 and series.usable(at[20]) is None
    assert series.counts() == {Flag.MISS_VAL: 1, Flag.MUL_MISS_VAL: 8, Flag.OUTLIER: 1, Flag.LARGE_GAP: 11,
                               Flag.FMT_ERR: 1}
    assert "1 reading(s) repeated a time stamp" in series.notes[0]


def test_readings_off_the_grid_are_binned_into_settlement_periods():
    # Stamps a second early (00:29:59 for the period ending 00:30): each in the period it falls in, none missing.
    early = [(JAN_1 + HALF_HOUR * (i + 1) - timedelta(seconds=1), 2.0) for i in range(96)]
    series = clean_series(early, stamps_mark_end=True)
    assert series.interval == HALF_HOUR and len(series.values) == 96 and not series.flags
    assert min(series.values) == JAN_1 and "96 reading(s) stamped off the 30 minutes grid" in series.notes[0]
    # Power every 5 seconds, at :43 and :48 past the minute: averaged into half-hours; energy summed.
    fine = [(JAN_1 + timedelta(seconds=43 + 5 * n), 4.0 + (n % 2)) for n in range(360 * 4)]
    power = clean_series(fine, combine=Combine.MEAN)
    assert len(power.values) == 5 and power.values[JAN_1 + HALF_HOUR] == pytest.approx(4.5) and not power.flags
    assert "Readings every 5 seconds were put into 30 minutes periods (power averaged)" in power.notes[0]
    energy = clean_series(fine, combine=Combine.SUM)
    assert energy.values[JAN_1 + HALF_HOUR] == pytest.approx(4.5 * 360)
    # A period is missing only when it has no reading at all.
    holed = [r for r in fine if not JAN_1 + HALF_HOUR <= r[0] < JAN_1 + 2 * HALF_HOUR]
    assert clean_series(holed, combine=Combine.MEAN).flags == {JAN_1 + HALF_HOUR: {Flag.MISS_VAL}}


def test_bank_holidays_in_england_and_wales():
    assert date(2025, 4, 18) in bank_holidays(2025) and date(2025, 8, 25) in bank_holidays(2025)
    assert {date(2022, 12, 26), date(2022, 12, 27), date(2022, 6, 2), date(2022, 6, 3)} <= bank_holidays(2022)
    assert date(2020, 5, 8) in bank_holidays(2020) and date(2020, 5, 4) not in bank_holidays(2020)
    assert not is_working_day(date(2023, 5, 8)) and is_working_day(date(2025, 3, 12))
