"""The UK clock change: in October 01:00-01:59 happens twice, in March not at all. Every reader, baselining and
playback keep each reading's own instant: an autumn day has 50 half-hours and a spring day 46."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from qgis.core import QgsFeatureRequest, QgsVectorLayerTemporalContext

from leo_qgis_plugin import api
from leo_qgis_plugin.core.flex.baseline import BaselineOptions, Direction, Event, compute_baselines, periods, series_lookup
from leo_qgis_plugin.core.flex.quality import clean_series
from leo_qgis_plugin.core.formats.leo_trial import read_meter_file, read_price_file
from leo_qgis_plugin.core.open_files import open_file
from leo_qgis_plugin.core.temporal.clock import from_qdatetime, uk_label

from .support.published_files import UK, UTC, feeder_file, meter_from, price_day, uk_day_half_hours
from .support.timeline import own_timeline  # noqa: F401 (a fixture)

AUTUMN, SPRING = datetime(2019, 10, 27), datetime(2019, 3, 31)
HALF_HOUR = timedelta(minutes=30)


def test_a_meter_file_in_time_order_keeps_every_reading_through_the_repeated_hour():
    # The real meter file re-stamped to run across the autumn change: 00:55 BST ... 01:59:55 BST, 01:00:00 GMT ...
    table = read_meter_file(meter_from(datetime(2019, 10, 26, 23, 55, tzinfo=UTC)), "autumn.txt")
    stamps = [row["timestamp"] for row in table.rows]
    assert len(stamps) == len(set(stamps)) == 2295 and not table.warnings
    assert all(b - a == timedelta(seconds=5) for a, b in zip(stamps, stamps[1:]))  # no hour twice, no hole
    assert stamps[-1] == datetime(2019, 10, 27, 3, 6, 10, tzinfo=UTC)
    assert not any(table.quality.totals()[label] for label in table.quality.totals() if label.value != "outlier")


def test_an_unordered_file_is_refused_for_the_repeated_hour_naming_it():
    lines = meter_from(datetime(2019, 10, 26, 23, 55, tzinfo=UTC)).decode().splitlines()
    body = lines[1:]
    random.Random(4).shuffle(body)
    table = read_meter_file("\r\n".join([lines[0], *body]).encode(), "shuffled.txt")
    (message,) = table.warnings
    assert "not in time order" in message and "2019-10-27 01:00–01:59 UK time cannot be told apart" in message
    assert "1440 row(s) in that hour were left out" in message
    assert len(table.rows) == 2295 - 1440 and [r["timestamp"] for r in table.rows] == sorted(
        r["timestamp"] for r in table.rows)


@pytest.mark.parametrize("day,periods_in_day", [(AUTUMN, 50), (SPRING, 46), (datetime(2019, 1, 23), 48)])
def test_a_price_day_has_its_settlement_periods(day, periods_in_day):
    table = read_price_file(price_day(day), "prices.csv")
    stamps = [row["timestamp"] for row in table.rows]
    assert len(stamps) == len(set(stamps)) == periods_in_day and not table.warnings
    assert stamps == uk_day_half_hours(day)


def test_a_time_the_spring_change_skips_is_refused():
    data = b",Price (GBP/MWh)\n2019-03-31 00:30:00,50\n2019-03-31 01:30:00,51\n2019-03-31 02:30:00,52\n"
    table = read_price_file(data, "prices.csv")
    assert len(table.rows) == 2 and "Line 3: 2019-03-31 01:30:00 does not exist on the UK clock" in table.warnings[0]


@pytest.mark.parametrize("day,periods_in_day", [(AUTUMN, 50), (SPRING, 46)])
def test_lv_feeder_days_have_their_half_hours(tmp_path, day, periods_in_day):
    path = tmp_path / "lv_feeder_usage.csv"
    path.write_text(feeder_file(uk_day_half_hours(day)))
    opened = open_file(path)
    stamps = {from_qdatetime(f["timestamp"]) for f in opened.layer.getFeatures()}
    assert opened.rows == len(stamps) == periods_in_day


def frames_of(layer, controller):
    """(UK label, rows shown) for each frame of the controller, as QGIS's temporal filter selects them."""
    context = QgsVectorLayerTemporalContext()
    context.setLayer(layer)
    shown = []
    for frame in range(controller.totalFrameCount()):
        span = controller.dateTimeRangeForFrameNumber(frame)
        expression = layer.temporalProperties().createFilterString(context, span)
        rows = [f["price_gbp_per_mwh"] for f in layer.getFeatures(QgsFeatureRequest().setFilterExpression(expression))]
        shown.append((uk_label(from_qdatetime(span.begin())), rows))
    return shown


@pytest.mark.usefixtures("own_timeline")
def test_an_autumn_price_day_plays_in_50_frames_each_half_hour_once(project, tmp_path):
    path = tmp_path / "Price_autumn.csv"
    path.write_bytes(price_day(AUTUMN))
    layer = api.open_file(str(path))
    controller = api.play(layer)
    assert controller.totalFrameCount() == 50 and controller.frameDuration().seconds() == 1800
    shown = frames_of(layer, controller)
    assert all(len(rows) == 1 for _, rows in shown)  # every period once: no doubled hour, no hole
    labels = [label for label, _ in shown]
    assert labels[2:6] == ["Sun 27 Oct 2019 01:00 BST", "Sun 27 Oct 2019 01:30 BST", "Sun 27 Oct 2019 01:00 GMT",
                           "Sun 27 Oct 2019 01:30 GMT"]


@pytest.mark.usefixtures("own_timeline")
def test_a_spring_price_day_plays_in_46_frames(project, tmp_path):
    path = tmp_path / "Price_spring.csv"
    path.write_bytes(price_day(SPRING))
    layer = api.open_file(str(path))
    controller = api.play(layer)
    assert controller.totalFrameCount() == 46
    assert all(len(rows) == 1 for _, rows in frames_of(layer, controller))


def day_index_series():
    """A site whose every half-hour reads its UK day's number, through 2025's clock changes."""
    readings, at = [], datetime(2025, 1, 1, tzinfo=UTC)
    while at < datetime(2025, 12, 1, tzinfo=UTC):
        readings.append((at, float(at.astimezone(UK).timetuple().tm_yday)))
        at += HALF_HOUR
    return {"S": clean_series(readings, HALF_HOUR)}


def test_baselining_knows_the_46_and_50_period_days():
    assert len(periods(datetime(2025, 10, 26, tzinfo=UK), datetime(2025, 10, 27, tzinfo=UK))) == 50
    assert len(periods(datetime(2025, 3, 30, tzinfo=UK), datetime(2025, 3, 31, tzinfo=UK))) == 46
    series = series_lookup(day_index_series())
    # An event through the repeated hour, 01:00 BST to 02:00 GMT: four half-hours, each with a baseline.
    repeated = Event("E1", "S", datetime(2025, 10, 26, 0, 0, tzinfo=UTC), datetime(2025, 10, 26, 2, 0, tzinfo=UTC),
                     0.1, Direction.TURN_DOWN)
    # A Sunday event at 01:00-02:00 BST whose like-days would include the spring change's Sunday, which has
    # no 01:00-01:59: that day cannot be a like-day.
    after_spring = Event("E2", "S", datetime(2025, 4, 6, 0, 0, tzinfo=UTC), datetime(2025, 4, 6, 1, 0, tzinfo=UTC),
                         0.1, Direction.TURN_DOWN)
    first, second = compute_baselines([repeated, after_spring], series, BaselineOptions())
    assert len(first.baseline_profile) == len(first.metered_profile) == 4 and not first.flags
    assert first.like_days == [date(2025, 10, 12), date(2025, 10, 18), date(2025, 10, 19), date(2025, 10, 25)]
    assert date(2025, 3, 30) not in second.like_days and len(second.like_days) == 4


@pytest.mark.usefixtures("own_timeline")
def test_fast_playback_of_an_autumn_feeder_day_shows_each_of_its_50_half_hours(project, tmp_path):
    from leo_qgis_plugin.core.formats.fields import FieldDef, FieldType
    from leo_qgis_plugin.core.layers import point_layer

    path = tmp_path / "lv_feeder_usage_2019-10-27.csv"
    path.write_text(feeder_file(uk_day_half_hours(AUTUMN), ("000200200402", "000200200404"),
                                energy=lambda n: 100.0 * (n + 1)))
    layer = api.open_file(str(path))
    sites = point_layer("Feeders", [FieldDef("site_id", FieldType.STRING)], [
        {"site_id": "000200200402", "longitude": -2.97, "latitude": 56.47},
        {"site_id": "000200200404", "longitude": -2.96, "latitude": 56.48}])
    view = api.playback(layer, value_field="total_consumption_active_import", sites=sites)
    controller = api.play(layer)
    assert controller.totalFrameCount() == 50
    shown = []
    for frame in range(50):
        span = controller.dateTimeRangeForFrameNumber(frame)
        shown.append(view.show_frame(from_qdatetime(span.begin()), from_qdatetime(span.end())).tolist())
    assert shown == [[100.0 * (n + 1)] * 2 for n in range(50)]  # each half-hour its own reading, none twice
