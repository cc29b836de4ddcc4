"""Time: catalogue layers play in QGIS's Temporal Controller; a fast playback layer shows each half-hour,
gaps as "no data", the right substations red at the right time; series by site from the catalogue."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from qgis.core import (
    NULL,
    QgsApplication,
    QgsDateTimeRange,
    QgsFeature,
    QgsField,
    QgsInterval,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsRectangle,
    QgsTemporalNavigationObject,
    QgsVectorLayer,
    QgsVectorLayerTemporalProperties,
)
from qgis.PyQt.QtCore import QSize, QVariant
from qgis.PyQt.QtGui import QColor

from leo_qgis_plugin import api
from leo_qgis_plugin.core.temporal.clock import from_qdatetime, to_qdatetime, uk_label

UTC = timezone.utc
HEADINGTON, BAMPTON = "30013", "30046"


def test_catalogue_layers_are_temporal_and_share_one_timeline(project, sqlite_server):
    catalogue = api.connect(sqlite_server.url)
    load = api.add_dataset(catalogue, "substation-load-hh", mode="live")
    properties = load.temporalProperties()
    assert properties.isActive()
    # SSEN stamps a half-hour at its end: the row stamped 16:30 plays from 16:00 to 16:30.
    assert properties.mode() == QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromExpressions
    assert properties.startExpression() == 'datetime_from_epoch(epoch("timestamp") - 1800000)'
    events = api.add_dataset(catalogue, "flex-events", mode="live")
    assert events.temporalProperties().mode() == QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromFields
    assert (events.temporalProperties().startField(), events.temporalProperties().endField()) == ("start", "end")
    meter = api.add_dataset(catalogue, "leo-mvs-leod041f06", mode="live")
    assert meter.temporalProperties().fixedDuration() == 5  # the trial meter logs every 5 seconds

    controller = api.play(load)
    assert controller.navigationMode() == QgsTemporalNavigationObject.Animated
    assert controller.frameDuration().seconds() == 1800 and controller.currentFrameNumber() == 0
    # The first row, stamped 00:30, holds 00:00-00:30: the timeline starts at midnight.
    assert from_qdatetime(controller.temporalExtents().begin()) == datetime(2025, 1, 1, 0, 0, tzinfo=UTC)
    api.play(meter)  # a second layer widens the timeline (2019) and keeps the finer step
    assert from_qdatetime(controller.temporalExtents().begin()).year == 2019
    assert from_qdatetime(controller.temporalExtents().end()) == datetime(2026, 1, 1, tzinfo=UTC)
    assert controller.frameDuration().seconds() == 5


def test_clock_change_days_have_50_and_46_half_hours():
    controller = QgsTemporalNavigationObject()
    for day, after, frames in [((2025, 10, 26), (2025, 10, 27), 50), ((2025, 3, 30), (2025, 3, 31), 46)]:
        start = datetime(*day, tzinfo=api_uk()).astimezone(UTC)
        end = datetime(*after, tzinfo=api_uk()).astimezone(UTC)
        controller.setTemporalExtents(QgsDateTimeRange(to_qdatetime(start), to_qdatetime(end)))
        controller.setFrameDuration(QgsInterval(1800))
        assert controller.totalFrameCount() == frames
    assert uk_label(datetime(2025, 10, 26, 0, 30, tzinfo=UTC)) == "Sun 26 Oct 2025 01:30 BST"
    assert uk_label(datetime(2025, 10, 26, 1, 30, tzinfo=UTC)) == "Sun 26 Oct 2025 01:30 GMT"


def api_uk():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/London")


def test_time_series_of_one_site_from_the_catalogue(sqlite_server):
    catalogue = api.connect(sqlite_server.url)
    day = api.time_series(catalogue, "substation-load-hh", HEADINGTON, datetime(2025, 10, 26, tzinfo=UTC),
                          datetime(2025, 10, 27, tzinfo=UTC))
    # 00:00 to 00:00 UTC inclusive: 49 stamps, the duplicated 01:00 row at the clock change counted once.
    assert len(day) == 49 and len({t for t, _ in day}) == 49 and day == sorted(day)
    assert all(isinstance(v, float) and v > 0 for _, v in day)
    gap = api.time_series(catalogue, "substation-load-hh", BAMPTON, datetime(2025, 3, 10, tzinfo=UTC),
                          datetime(2025, 3, 14, tzinfo=UTC))
    stamps = {t for t, _ in gap}
    assert datetime(2025, 3, 11, 12, tzinfo=UTC) not in stamps and datetime(2025, 3, 13, 15, tzinfo=UTC) in stamps
    with pytest.raises(Exception, match="no numeric field 'colour'"):
        api.time_series(catalogue, "substation-load-hh", HEADINGTON, field="colour")


@pytest.fixture(scope="module")
def load_gpkg(demo_sqlite_path, tmp_path_factory) -> Path:
    """Two weeks of three primaries' load (with Bampton's gap), copied with ogr2ogr like a download."""
    target = tmp_path_factory.mktemp("load") / "load.gpkg"
    subprocess.run(["ogr2ogr", "-f", "GPKG", "-nln", "load", str(target), str(demo_sqlite_path), "-sql",
                    "SELECT * FROM d_substation_load_hh_v1 WHERE primary_id IN ('30013', '30043', '30046') "
                    "AND timestamp >= '2025-03-05' AND timestamp < '2025-03-19'"], check=True, capture_output=True)
    return target


def headroom(capacity_mva: dict[str, float]) -> QgsVectorLayer:
    layer = QgsVectorLayer("None", "headroom", "memory")
    layer.dataProvider().addAttributes([QgsField("asset_id", QVariant.String),
                                        QgsField("max_demand_mva", QVariant.Double),
                                        QgsField("demand_headroom_mva", QVariant.Double)])
    layer.updateFields()
    features = []
    for asset, capacity in capacity_mva.items():
        feature = QgsFeature(layer.fields())
        feature.setAttributes([asset, capacity / 2, capacity / 2])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def pixel_at_site(layer: QgsVectorLayer, site: str) -> QColor:
    (feature,) = [f for f in layer.getFeatures() if f["site_id"] == site]
    point = feature.geometry().asPoint()
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setExtent(QgsRectangle(point.x() - 0.01, point.y() - 0.01, point.x() + 0.01, point.y() + 0.01))
    settings.setOutputSize(QSize(101, 101))
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    return QColor(job.renderedImage().pixel(50, 50))


def test_playback_colours_the_right_substations_at_the_right_half_hour(project, load_gpkg):
    load = QgsVectorLayer(f"{load_gpkg}|layername=load", "load", "ogr")
    peak = max(f["avg_kw"] for f in load.getFeatures() if f["primary_id"] == HEADINGTON) / 1000
    # Headington's firm capacity set just below its peak: red at the evening peak, green at night.
    view = api.playback(load, headroom=headroom({HEADINGTON: peak * 0.95, "30043": 1000.0}))
    assert view.layer.featureCount() == 3 and view.series.values.shape == (3, 14 * 48)
    at_peak = max(range(view.series.values.shape[1]), key=lambda i: view.series.values[0, i])
    end = datetime.fromtimestamp(int(view.series.instants[at_peak]), UTC)
    view.show_frame(end - timedelta(minutes=30), end)
    assert pixel_at_site(view.layer, HEADINGTON).name() == "#d7191c"  # over firm capacity
    assert pixel_at_site(view.layer, "30043").name() == "#1a9641"     # Witney: far below
    night = datetime(2025, 3, 8, 3, 0, tzinfo=UTC)
    view.show_frame(night, night + timedelta(minutes=30))
    assert pixel_at_site(view.layer, HEADINGTON).name() == "#1a9641"
    # Bampton's gap (10-13 March) is "no data": a hollow circle, never a zero.
    in_gap = datetime(2025, 3, 11, 12, 0, tzinfo=UTC)
    values = view.show_frame(in_gap, in_gap + timedelta(minutes=30))
    bampton = next(f for f in view.layer.getFeatures() if f["site_id"] == BAMPTON)
    assert bampton["value"] == NULL
    assert pixel_at_site(view.layer, BAMPTON).name() == "#ffffff"
    assert values[view.series.sites.index(BAMPTON)] != values[view.series.sites.index(BAMPTON)]  # NaN


def test_playback_follows_the_temporal_controller(project, load_gpkg):
    load = QgsVectorLayer(f"{load_gpkg}|layername=load", "load", "ogr")
    view = api.playback(load)
    controller = api.temporal_controller()
    start = datetime(2025, 3, 6, 17, 0, tzinfo=UTC)
    controller.setNavigationMode(QgsTemporalNavigationObject.Animated)
    controller.setTemporalExtents(QgsDateTimeRange(to_qdatetime(start), to_qdatetime(start + timedelta(hours=2))))
    controller.setFrameDuration(QgsInterval(1800))
    controller.setCurrentFrameNumber(1)  # 17:30-18:00: the row stamped 18:00
    (headington,) = [f for f in view.layer.getFeatures() if f["site_id"] == HEADINGTON]
    expected = next(v for t, v in view.series.series(HEADINGTON) if t == start + timedelta(hours=1))
    assert headington["value"] == pytest.approx(expected, abs=0.1)
    assert headington["frame"] == "Thu 06 Mar 2025 17:30 GMT"
    project.removeMapLayer(view.layer.id())
    controller.setCurrentFrameNumber(2)  # the playback is gone: nothing breaks


def test_the_time_dock_drives_the_controller_and_charts_the_selected_sites(project, load_gpkg):
    from types import SimpleNamespace

    from matplotlib.dates import date2num
    from qgis.PyQt.QtCore import QDateTime

    from leo_qgis_plugin.gui.time_dock import TimeDock

    from .support.qt import wait_for

    load = QgsVectorLayer(f"{load_gpkg}|layername=load", "Load", "ogr")
    project.addMapLayer(load)
    controller = QgsTemporalNavigationObject()
    dock = TimeDock(controller, lambda: load)
    start = datetime(2025, 3, 6, 0, 0, tzinfo=UTC)
    controller.setNavigationMode(QgsTemporalNavigationObject.Animated)
    controller.setFrameDuration(QgsInterval(1800))
    controller.setTemporalExtents(QgsDateTimeRange(to_qdatetime(start), to_qdatetime(start + timedelta(days=7))))
    assert dock.range_start.dateTime() == QDateTime(2025, 3, 6, 0, 0)  # UK time (GMT in March)
    dock.forward.click()
    assert controller.currentFrameNumber() == 1 and "Thu 06 Mar 2025 00:30 GMT" in dock.now.text()
    dock.jump_to(datetime(2025, 3, 7, 17, 10, tzinfo=UTC))
    assert controller.currentFrameNumber() == 48 + 34 and "(frame 83 of 336)" in dock.now.text()
    dock.play.setChecked(True)
    assert controller.animationState() == QgsTemporalNavigationObject.Forward
    dock.play.setChecked(False)
    assert controller.animationState() == QgsTemporalNavigationObject.Idle

    messages = []
    dock.message.connect(lambda text, _level: messages.append(text))
    dock.fast.click()  # the active layer (Load) read in a task, then a playback layer following the controller
    wait_for(lambda: messages)
    assert "3 sites" in messages[0]
    (playback,) = [lyr for lyr in project.mapLayers().values() if lyr.name() == "Load (playback)"]
    headington = next(f.id() for f in playback.getFeatures() if f["site_id"] == HEADINGTON)
    playback.selectByIds([headington])
    assert [line.get_label() for line in dock.chart.axes.lines if line.get_label() == HEADINGTON] == [HEADINGTON]
    controller.setCurrentFrameNumber(10)
    cursor = dock.chart.cursor.get_xdata()[0]
    assert cursor.astimezone(UTC) == start + timedelta(hours=5)
    dock.chart._click(SimpleNamespace(xdata=date2num(start + timedelta(days=2, hours=8))))
    assert controller.currentFrameNumber() == 96 + 16  # clicking the chart moves the controller
    assert next(playback.getFeatures(f"\"site_id\" = '{HEADINGTON}'"))["frame"] == "Sat 08 Mar 2025 08:00 GMT"
    dock.disconnect_controller()


def test_export_an_animation_with_the_time_on_each_frame(project, load_gpkg, tmp_path):
    import shutil

    from qgis.PyQt.QtGui import QImage

    load = QgsVectorLayer(f"{load_gpkg}|layername=load", "Load", "ogr")
    view = api.playback(load)
    start = datetime(2025, 3, 6, 5, 0, tzinfo=UTC)
    result = api.export_animation(str(tmp_path / "frames"), start, start + timedelta(hours=14), step_minutes=120,
                                  layers=[view.layer], size=(400, 300))
    assert [p.name for p in result.frames] == [f"frame{n:04d}.png" for n in range(1, 8)]
    assert result.movie == tmp_path / "frames" / "animation.gif" and result.movie.stat().st_size > 1000
    first, last = QImage(str(result.frames[0])), QImage(str(result.frames[-1]))
    assert first.size().width() == 400 and first != last  # the load changed between 05:00 and 17:00
    # The time stamp: dark text on a light box in the top left corner.
    corner = [QColor(first.pixel(x, y)).lightness() for x in range(12, 200) for y in range(12, 30)]
    assert min(corner) < 80 and max(corner) > 200
    mp4 = api.export_animation(str(tmp_path / "mp4"), start, start + timedelta(hours=2), step_minutes=60,
                               layers=[view.layer], size=(200, 150), movie="mp4")
    assert len(mp4.frames) == 2
    if shutil.which("ffmpeg") is None:
        assert mp4.movie is None and "needs ffmpeg" in mp4.note
    with pytest.raises(Exception, match="more than 5,000"):
        api.export_animation(str(tmp_path / "long"), start, start + timedelta(days=365), step_minutes=30,
                             layers=[view.layer])


def test_the_dock_exports_an_animation_in_the_background(project, load_gpkg, tmp_path):
    from qgis.PyQt.QtCore import QSize

    from leo_qgis_plugin.gui.time_dock import TimeDock

    from .support.qt import wait_for

    load = QgsVectorLayer(f"{load_gpkg}|layername=load", "Load", "ogr")
    view = api.playback(load)
    controller = QgsTemporalNavigationObject()
    start = datetime(2025, 3, 6, 16, 0, tzinfo=UTC)
    controller.setTemporalExtents(QgsDateTimeRange(to_qdatetime(start), to_qdatetime(start + timedelta(hours=2))))
    controller.setFrameDuration(QgsInterval(1800))
    dock = TimeDock(controller, lambda: None,
                    lambda: ([view.layer], view.layer.extent().buffered(0.05), view.layer.crs(), QSize(320, 200)))
    messages = []
    dock.message.connect(lambda text, _level: messages.append(text))
    dock.export_animation(str(tmp_path / "anim"))
    wait_for(lambda: messages)
    assert messages[0].startswith("Exported 4 frames and animation.gif")
    assert len(list((tmp_path / "anim").glob("frame*.png"))) == 4
    dock.disconnect_controller()


def test_animation_reopens_file_layers_in_its_task_with_their_style(project, tmp_path):
    """The map's file layers are reopened inside the export task (never on QGIS's UI thread) and drawn with
    the symbols they have on the map."""
    from qgis.core import QgsFillSymbol, QgsSingleSymbolRenderer
    from qgis.PyQt.QtGui import QImage

    from leo_qgis_plugin.core.temporal.animation import Movie
    from leo_qgis_plugin.tasks.animation import animation_task

    from .support.qt import wait_for
    from .support.upload_files import BOUNDARIES

    districts = QgsVectorLayer(f"{BOUNDARIES}|layername=lad20", "Districts", "ogr")
    districts.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({"color": "255,0,0,255",
                                                                                "outline_style": "no"})))
    start = datetime(2025, 3, 6, 16, 0, tzinfo=UTC)
    results, failures = [], []
    task = animation_task([districts], districts.extent(), districts.crs(), QSize(200, 200), start,
                          start + timedelta(hours=1), timedelta(minutes=30), tmp_path / "anim", Movie.NONE, 2,
                          results.append, failures.append)
    districts.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({"color": "0,0,255,255"})))
    QgsApplication.taskManager().addTask(task)
    wait_for(lambda: results or failures, 60)
    assert not failures, failures
    frame = QImage(str(sorted((tmp_path / "anim").glob("frame*.png"))[0]))
    assert QColor(frame.pixel(100, 100)).getRgb()[:3] == (255, 0, 0), "drawn as it was when the export began"


def test_the_leo_trial_meter_plays_at_its_site_and_events_light_up_their_zone(project, sqlite_server):
    catalogue = api.connect(sqlite_server.url)
    meter = api.add_dataset(catalogue, "leo-mvs-leod041f06", mode="live")
    view = api.playback(meter)
    assert view.series.sites == ["LEOD041F06"] and view.series.step == timedelta(seconds=5)
    assert next(view.layer.getFeatures()).hasGeometry()  # at the trial site's point
    reading = view.series.series("LEOD041F06")[100]
    assert not view.series.stamps_mark_end  # the meter stamps each reading at its start (its record says)
    view.show_frame(reading[0], reading[0] + timedelta(seconds=5))
    assert next(view.layer.getFeatures())["value"] == pytest.approx(reading[1], abs=0.1)
    events = api.add_dataset(catalogue, "flex-events", mode="live")
    assert events.renderer().symbol().color().name() == "#d7191c" and events.labelsEnabled()


def test_aggregates_of_a_playback_follow_each_frame(project, load_gpkg):
    from .test_aggregate import BOUNDARIES

    load = QgsVectorLayer(f"{load_gpkg}|layername=load", "Load", "ogr")
    view = api.playback(load)
    districts = QgsVectorLayer(f"{BOUNDARIES}|layername=lad20", "districts", "ogr")
    msoas = QgsVectorLayer(f"{BOUNDARIES}|layername=msoa11", "msoas", "ogr")
    group = api.multiscale(view.layer, ["value"], ["sum", "max"], districts=districts, msoas=msoas)
    county, by_district = group.findLayers()[0].layer(), group.findLayers()[1].layer()
    for hour in (3, 17):
        at = datetime(2025, 3, 6, hour, 0, tzinfo=UTC)
        values = dict(zip(view.series.sites, view.show_frame(at, at + timedelta(minutes=30)).tolist()))
        west = next(f for f in by_district.getFeatures() if f["lad20nm"] == "West Oxfordshire")
        assert west["value_sum"] == pytest.approx(values["30043"] + values["30046"], abs=0.01)  # Witney + Bampton
        assert west["value_max"] == pytest.approx(max(values["30043"], values["30046"]), abs=0.01)
        assert next(county.getFeatures())["value_sum"] == pytest.approx(sum(values.values()), abs=0.01)


def test_a_table_plays_at_its_sites_and_bad_times_or_extents_are_reported(project, load_gpkg):
    from qgis.core import QgsLayerMetadata

    from leo_qgis_plugin.core.exceptions import LeoError
    from leo_qgis_plugin.core.formats.fields import FieldDef, FieldType
    from leo_qgis_plugin.core.layers import point_layer, table_layer

    text, number = FieldType.STRING, FieldType.NUMBER
    fields = [FieldDef("site_id", text), FieldDef("timestamp", text), FieldDef("avg_kw", number)]
    readings = table_layer("Meter readings", fields, [
        {"site_id": "M1", "timestamp": f"2025-03-06T{h:02d}:00:00Z", "avg_kw": float(h)} for h in range(6)])
    sites = point_layer("Meter sites", [FieldDef("site_id", text)], [{"site_id": "M1", "longitude": -1.25,
                                                                   "latitude": 51.75}])
    view = api.playback(readings, sites=sites)
    assert next(view.layer.getFeatures()).hasGeometry() and view.series.values.shape == (1, 6)
    naive = table_layer("Naive", fields, [{"site_id": "M1", "timestamp": "2025-03-06 01:00", "avg_kw": 1.0}])
    with pytest.raises(LeoError, match=r"Naive, feature 1, field 'timestamp': 2025-03-06 01:00 has no time zone"):
        api.playback(naive, sites=sites)
    unparsable = table_layer("Junk", fields, [{"site_id": "M1", "timestamp": "soon", "avg_kw": 1.0}])
    with pytest.raises(LeoError, match="'soon' is not a date and time"):
        api.playback(unparsable, sites=sites)
    with pytest.raises(LeoError, match="has no field 'kw'"):
        api.playback(readings, value_field="kw", sites=sites)
    # A record claiming the wrong range: a warning, and the data's own range is what plays.
    load = QgsVectorLayer(f"{load_gpkg}|layername=load", "Load", "ogr")
    metadata = QgsLayerMetadata()
    extent = metadata.extent()
    extent.setTemporalExtents([QgsDateTimeRange(to_qdatetime(datetime(2024, 1, 1, tzinfo=UTC)),
                                                to_qdatetime(datetime(2026, 1, 1, tzinfo=UTC)))])
    metadata.setExtent(extent)
    load.setMetadata(metadata)
    view = api.playback(load)
    assert "but it runs Wed 05 Mar 2025 00:00 GMT to Tue 18 Mar 2025 23:30 GMT" in view.warnings[0]
    assert from_qdatetime(load.metadata().extent().temporalExtents()[0].begin()) == datetime(2025, 3, 5, tzinfo=UTC)


def test_fast_playback_takes_firm_capacity_from_the_substations_not_the_supply_areas(project, load_gpkg):
    """The supply areas also carry asset_id and demand_headroom_mva: layers are found by what they are."""
    from leo_qgis_plugin.core.layer_roles import mark
    from leo_qgis_plugin.core.project_layers import add_layer
    from leo_qgis_plugin.gui.time_dock import TimeDock

    from .support.qt import wait_for

    areas = QgsVectorLayer("Polygon?crs=EPSG:4326&field=asset_id:string&field=demand_headroom_mva:double",
                           "Supply areas", "memory")
    mark(areas, "ssen-primary-areas")
    add_layer(areas, project)
    load = QgsVectorLayer(f"{load_gpkg}|layername=load", "Load", "ogr")
    mark(load, "substation-load-hh")
    add_layer(load, project)
    first, second = headroom({HEADINGTON: 1.0}), headroom({HEADINGTON: 50.0})
    for layer in (first, second):
        mark(layer, "ssen-headroom")
        add_layer(layer, project)
    dock = TimeDock(QgsTemporalNavigationObject(), lambda: areas)  # the active layer is not a series
    try:
        choices = [dock.capacity.itemText(i) for i in range(dock.capacity.count())]
        assert len(choices) == 3 and choices[-1].startswith("None") and "Supply areas" not in " ".join(choices)
        assert choices[0] != choices[1]  # two layers named "headroom" told apart
        messages = []
        dock.message.connect(lambda text, level: messages.append((text, level)))
        dock.fast.click()  # the project's one load layer is played
        wait_for(lambda: messages)
        assert "3 sites" in messages[0][0] and messages[0][1] == 0
        (playback,) = [lyr for lyr in project.mapLayers().values() if lyr.name() == "Load (playback)"]
        assert "Over firm capacity (> 100 %)" in [r.label() for r in playback.renderer().rootRule().children()]
        # A layer in the substations role without SSEN's fields: the user is told what to choose instead.
        areas.setCustomProperty("leo_qgis/dataset/role", "substations")
        dock.refresh_capacity_layers()
        dock.capacity.setCurrentIndex(dock.capacity.findData(areas.id()))
        dock.fast.click()
        wait_for(lambda: len(messages) > 1)
        assert "Firm capacity from" in messages[1][0] and messages[1][1] == 2
    finally:
        dock.disconnect_controller()


def test_the_temporal_controller_alone_draws_a_winter_evening_and_a_summer_night_apart(project, load_gpkg):
    from leo_qgis_plugin.core.constraints.definitions import RagPalette
    from leo_qgis_plugin.core.default_styles import LOAD_COLOURS, style_load
    from leo_qgis_plugin.core.temporal.properties import set_time_field

    load = QgsVectorLayer(f"{load_gpkg}|layername=load", "Load", "ogr")
    set_time_field(load, "timestamp", timedelta(minutes=30), True)
    style_load(load, RagPalette.COLOURBLIND)
    assert load.renderer().type() == "graduatedSymbol"
    assert [r.symbol().color().name() for r in load.renderer().ranges()] == list(LOAD_COLOURS[RagPalette.COLOURBLIND])

    point = next(load.getFeatures(f"\"primary_id\" = '{HEADINGTON}'")).geometry().asPoint()

    def colour_at(start: datetime) -> str:
        settings = QgsMapSettings()
        settings.setLayers([load])
        settings.setDestinationCrs(load.crs())
        settings.setExtent(QgsRectangle(point.x() - 0.01, point.y() - 0.01, point.x() + 0.01, point.y() + 0.01))
        settings.setOutputSize(QSize(101, 101))
        settings.setIsTemporal(True)
        settings.setTemporalRange(QgsDateTimeRange(to_qdatetime(start), to_qdatetime(start + timedelta(minutes=30)),
                                                   True, False))
        job = QgsMapRendererParallelJob(settings)
        job.start()
        job.waitForFinished()
        return QColor(job.renderedImage().pixel(50, 50)).name()

    evening, night = colour_at(datetime(2025, 3, 6, 17, 30, tzinfo=UTC)), colour_at(datetime(2025, 3, 8, 3, 0, tzinfo=UTC))
    assert evening != night and {evening, night} <= set(LOAD_COLOURS[RagPalette.COLOURBLIND])


def test_adding_a_second_temporal_layer_widens_the_timeline_without_resetting_the_clock(project, load_gpkg):
    from leo_qgis_plugin.core.temporal.properties import set_time_field

    load = QgsVectorLayer(f"{load_gpkg}|layername=load", "Load", "ogr")
    set_time_field(load, "timestamp", timedelta(minutes=30), True)
    api.temporal_controller().setNavigationMode(QgsTemporalNavigationObject.NavigationOff)  # a fresh timeline
    controller = api.play(load)
    controller.setCurrentFrameNumber(100)
    shown = controller.dateTimeRangeForFrameNumber(100).begin()
    earlier = QgsVectorLayer("Point?crs=EPSG:4326&field=t:datetime", "Earlier", "memory")
    feature = QgsFeature(earlier.fields())
    feature["t"] = to_qdatetime(datetime(2025, 3, 1, 0, 0, tzinfo=UTC))
    earlier.dataProvider().addFeatures([feature])
    set_time_field(earlier, "t", timedelta(minutes=30), False)
    api.play(earlier)
    assert from_qdatetime(controller.temporalExtents().begin()) == datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
    assert controller.dateTimeRangeForFrameNumber(controller.currentFrameNumber()).begin() == shown


def test_a_squeezed_chart_draws_nothing_rather_than_a_traceback_or_a_warning():
    import warnings

    from leo_qgis_plugin.gui.time_dock import _Chart

    chart = _Chart()
    chart.plot([("30013", [(datetime(2025, 1, 1, h, tzinfo=UTC), float(h)) for h in range(10)])])
    canvas = chart.widget.canvas
    canvas.figure.set_size_inches(0.12, 0.01)  # squeezed flat, as a user dragging a splitter can
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        canvas.draw()
    assert [str(w.message) for w in caught] == []
