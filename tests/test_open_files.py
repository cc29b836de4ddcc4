"""SSEN's and Project LEO's published files open as typed layers (menu, drag and drop, scripting); bad
files get a clear message and add nothing."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest
from qgis.core import NULL, Qgis, QgsApplication
from qgis.PyQt.QtCore import QDateTime, QVariant

from leo_catalogue.demo.headroom_csv import headroom_csv
from leo_catalogue.demo.network import build_network
from leo_qgis_plugin import api
from leo_qgis_plugin.core.formats.errors import FormatError
from leo_qgis_plugin.core.formats.quality import MISSING_LABELS, Label
from leo_qgis_plugin.core.open_files import FileKind, open_file

from .support.qt import wait_for
from .support.servers import ROOT
from .support.timeline import own_timeline  # noqa: F401 (a fixture)

REAL = ROOT / "leo_catalogue/data/real"
FEEDERS = REAL / "ssen/lv_feeder_usage_2024-02-12_head.csv"


def test_the_lv_feeder_file_opens_typed_with_its_postcodes(project):
    layer = api.open_file(str(FEEDERS))
    assert layer.featureCount() == 10 and project.mapLayer(layer.id()) is layer
    assert layer.providerType() == "ogr" and ".gpkg|layername=lv_feeder" in layer.source()  # streamed to disk
    fields = layer.fields()
    assert fields.field("dataset_id").type() == QVariant.String  # ids keep their leading zeros
    assert fields.field("total_consumption_active_import").type() == QVariant.Double
    assert fields.field("timestamp").type() == QVariant.DateTime
    first = next(layer.getFeatures())
    assert first["dataset_id"] == "000200200402" and first["avg_kw"] == pytest.approx(4.662)
    assert first["secondary_consumption_active_import"] == NULL  # an empty cell is a null, not zero
    assert isinstance(first["timestamp"], QDateTime) and first["timestamp"].toString("yyyy-MM-ddTHH:mm") == \
        "2024-02-12T00:30"
    assert first["postcodes"] == "DD2 4RU, DD2 4RW" and first["total_mpan_count"] == 40


def test_the_leo_trial_files_and_a_lone_feeder_file(tmp_path):
    meter = open_file(next((REAL / "leo").glob("*LEOD041F06*")))
    assert meter.kind is FileKind.LEO_METER and meter.rows == 2295
    assert meter.layer.fields().field("active_power_total_avg").type() == QVariant.Double
    price = open_file(REAL / "leo/Price_session2.csv")
    assert price.kind is FileKind.LEO_PRICE and price.rows == 48
    alone = tmp_path / "feeders.csv"
    shutil.copy(FEEDERS, alone)
    opened = open_file(alone)
    assert "No postcode lookup beside the file" in opened.warnings[0]
    assert next(opened.layer.getFeatures())["postcodes"] == NULL


@pytest.mark.parametrize("content,message", [
    (b"", "is not a file LEO for QGIS reads"),
    (b"\x00\x01\x02binary\xff" * 100, "is not a file LEO for QGIS reads"),
    (b"name,value\nx,1\n", "is not a file LEO for QGIS reads"),
    (FEEDERS.read_bytes().splitlines()[0] + b"\n", "has no readable rows"),
    (FEEDERS.read_bytes().replace(b"2024-02-12T00:30:00.000Z", b"yesterday", 1), None),
    (b'dataset_id,lv_feeder_id,data_collection_log_timestamp,total_consumption_active_import,last_modified_time\n'
     b'"unclosed,1,2', "no readable rows|not valid CSV"),
    (b"dataset_id,lv_feeder_id,data_collection_log_timestamp,total_consumption_active_import\n1,2,3,4\n",
     r"lacks the required column\(s\) last_modified_time. Nothing was read"),
])
def test_bad_files_are_refused_with_a_reason(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    if message is None:  # one bad time: that row is skipped and reported, the rest open
        opened = open_file(path)
        assert opened.rows == 9 and "Line 2: the time 'yesterday' is not a date and time" in opened.warnings[0]
        return
    with pytest.raises(FormatError, match=message):
        open_file(path)
    with pytest.raises(FormatError, match="No such file"):
        open_file(tmp_path / "missing.csv")


def test_dropping_a_file_opens_it_with_leos_readers_and_leaves_others_to_qgis(project, tmp_path):
    from leo_qgis_plugin.gui.file_drop import LeoFileDropHandler
    from leo_qgis_plugin.tasks.open_file import open_file_task

    opened, tasks = [], []

    def open_path(path: str) -> None:
        tasks.append(open_file_task(path, opened.append, opened.append))
        QgsApplication.taskManager().addTask(tasks[-1])

    handler = LeoFileDropHandler(open_path)
    assert handler.handleFileDrop(str(FEEDERS)) is True
    wait_for(lambda: opened)
    assert opened[0].kind is FileKind.LV_FEEDER and opened[0].layer.featureCount() == 10
    other = tmp_path / "photo.csv"
    other.write_text("a,b\n1,2\n")
    assert handler.handleFileDrop(str(other)) is False and len(tasks) == 1  # QGIS opens it as usual


FEEDER_TEXT = FEEDERS.read_bytes()
METER_HEAD = b"".join((ROOT / "leo_catalogue/data/real/leo/MVSA1_2_1_P11_LCH_01092020_LEOD041F06.txt").read_bytes()
                      .splitlines(keepends=True)[:50])


@pytest.mark.parametrize("content,reason", [
    (FEEDER_TEXT.decode().encode("utf-16"), "looks like SSEN's LV-feeder half-hourly data but it is saved as UTF-16"),
    (FEEDER_TEXT.replace(b",", b";"), "its columns are separated by semicolons, not commas"),
    (FEEDER_TEXT.splitlines()[0].upper() + b"\n" + b"\n".join(FEEDER_TEXT.splitlines()[1:]),
     "its column names are in upper case (DATASET_ID, DNO_NAME, DNO_ALIAS, …) where the format writes dataset_id"),
    (METER_HEAD.replace(b"\t", b";"), "looks like a Project LEO meter file but its columns are separated by "
                                      "semicolons, not tabs or commas"),
    (METER_HEAD.replace(b"Date\tTime", b"DATE\tTIME"), "meter file but its column names are in upper case"),
    (headroom_csv(build_network()).replace(b",", b";"), "looks like SSEN's headroom file but its columns are "
                                                        "separated by semicolons"),
])
def test_nearly_right_files_get_the_specific_reason(tmp_path, content, reason):
    path = tmp_path / "resaved.csv"
    path.write_bytes(content)
    with pytest.raises(FormatError) as refused:
        open_file(path)
    assert reason in str(refused.value) and "Save it as published" in str(refused.value)


def test_leo_meter_files_open_tab_or_comma_separated(tmp_path):
    comma = tmp_path / "meter.csv"
    comma.write_bytes(METER_HEAD.replace(b"\t", b","))
    opened = open_file(comma)
    assert opened.kind is FileKind.LEO_METER and opened.rows == 49
    assert opened.layer.fields().field("active_power_total_avg").type() == QVariant.Double


def test_a_big_feeder_file_streams_into_a_geopackage_reused_while_unchanged(tmp_path):
    from leo_qgis_plugin.core.feeder_file import open_feeder_file

    from .support.published_files import feeder_file, uk_day_half_hours

    path = tmp_path / "lv_feeder_usage_2019-10-27.csv"
    feeders = tuple(f"0002002{n:05d}" for n in range(300))
    path.write_text(feeder_file(uk_day_half_hours(datetime(2019, 10, 27)), feeders))
    shares = []
    first = open_feeder_file(path, None, tmp_path / "cache", shares.append)
    assert first.rows == 300 * 50 and not first.reused and first.path.parent == tmp_path / "cache/opened-files"
    assert shares == sorted(shares) and shares[-1] == 1.0 and len(shares) > 3  # progress, in order
    again = open_feeder_file(path, None, tmp_path / "cache")
    assert again.reused and again.path == first.path and again.rows == first.rows
    path.write_text(path.read_text() + feeder_file(uk_day_half_hours(datetime(2019, 10, 28))).split("\n", 1)[1])
    changed = open_feeder_file(path, None, tmp_path / "cache")
    assert not changed.reused and changed.rows == 300 * 50 + 48
    calls = []
    cancelled = open_feeder_file(tmp_path / "lv_feeder_usage_2019-10-27.csv", None, tmp_path / "other",
                                 is_cancelled=lambda: calls.append(1) or len(calls) > 1)
    assert cancelled is None and not list((tmp_path / "other").rglob("*.gpkg*")), "nothing left behind"


def test_repeats_in_an_opened_feeder_file_are_read_once(tmp_path):
    from .test_import_lv_feeder import repeated_file

    content, total = repeated_file()
    path = tmp_path / "lv_feeder_usage_2024-02-12.csv"
    path.write_text(content)
    opened = open_file(path)
    assert opened.rows == opened.layer.featureCount() == 144
    assert sum(f["total_consumption_active_import"] for f in opened.layer.getFeatures()) == pytest.approx(total)
    assert "3 carried corrected values" in opened.warnings[0] and "3 carried corrected values" in opened.message()


@pytest.mark.usefixtures("own_timeline")
def test_every_layer_open_file_returns_plays(project, tmp_path):
    from leo_qgis_plugin.core.temporal.clock import from_qdatetime

    from .support.timeline import timeline_off

    alone = tmp_path / "feeders.csv"
    shutil.copy(FEEDERS, alone)
    for path, first, frames in [(REAL / "leo/Price_session2.csv", datetime(2019, 1, 23, 0, 0), 48),
                                (next((REAL / "leo").glob("*LEOD041F06*")), datetime(2019, 11, 18, 11, 45, 43), 2295),
                                (alone, datetime(2024, 2, 12, 0, 0), 10)]:
        layer = api.open_file(str(path))
        timeline_off()
        controller = api.play(layer)
        assert from_qdatetime(controller.temporalExtents().begin()) == first.replace(tzinfo=timezone.utc)
        assert controller.totalFrameCount() == frames, path.name
        given = api.play(layer, datetime(2020, 1, 1, tzinfo=timezone.utc), datetime(2020, 1, 2, tzinfo=timezone.utc))
        assert from_qdatetime(given.temporalExtents().begin()).year == 2020


def test_text_where_a_number_belongs_is_a_format_error_not_a_gap(tmp_path):
    from .support.published_files import feeder_file, uk_day_half_hours

    content = feeder_file(uk_day_half_hours(datetime(2024, 2, 12)), energy=lambda n: 1000.0 + n)
    content = content.replace(",1005.0,", ",#VALUE!,", 1)  # the 6th half-hour's primary consumption
    path = tmp_path / "lv_feeder_usage.csv"
    path.write_text(content)
    opened = open_file(path)
    primary = opened.quality.columns["primary_consumption_active_import"]
    assert primary.flagged[Label.FMT_ERR] == 1 and not any(primary.flagged[label] for label in MISSING_LABELS)
    assert any("primary_consumption_active_import '#VALUE!' is not valid; kept as empty" in w for w in opened.warnings)
    assert next(opened.layer.getFeatures("fid = 6"))["primary_consumption_active_import"] == NULL


@pytest.mark.usefixtures("own_timeline")  # the plugin readies the timeline for a temporal layer added
def test_the_plugin_shows_what_was_opened_and_its_quality_in_the_message_bar(qgis_iface, project):
    import leo_qgis_plugin

    plugin = leo_qgis_plugin.classFactory(qgis_iface)
    plugin.initGui()
    try:
        qgis_iface.messageBar().clear_messages()
        plugin.open_path(str(REAL / "leo/error_testing_smallest.csv"))
        warnings = qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Warning)
        wait_for(lambda: qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Warning), 60)
        (shown,) = warnings
        assert "Opened error_testing_smallest (Project LEO trial meter data, 21,309 rows)" in shown
        assert "miss_val 13, mul_miss_val 21, outlier 18, large_gap 28" in shown
    finally:
        plugin.unload()


def test_opening_in_a_task_reports_progress_and_can_be_cancelled(project, tmp_path):
    from qgis.PyQt.QtCore import Qt

    from leo_qgis_plugin.core.datasets import cache_folder
    from leo_qgis_plugin.core.feeder_file import geopackage_for
    from leo_qgis_plugin.tasks.open_file import open_file_task

    from .support.published_files import feeder_file, uk_day_half_hours

    path = tmp_path / "lv_feeder_usage_2024-02-12.csv"
    path.write_text(feeder_file(uk_day_half_hours(datetime(2024, 2, 12)), tuple(f"{n:012d}" for n in range(1200))))
    done, failed, progress = [], [], []
    task = open_file_task(str(path), done.append, failed.append)
    task.progressChanged.connect(progress.append)
    QgsApplication.taskManager().addTask(task)
    wait_for(lambda: done or failed, 120)
    assert done and done[0].rows == 1200 * 48 and progress == sorted(progress) and progress[-1] >= 99
    geopackage_for(path, cache_folder()).unlink()
    cancelled = open_file_task(str(path), done.append, failed.append)
    # Cancelled as soon as it reports progress (Cancel in the task manager): it stops, leaving no GeoPackage.
    cancelled.feedback.progressChanged.connect(lambda _share: cancelled.cancel(), Qt.ConnectionType.DirectConnection)
    QgsApplication.taskManager().addTask(cancelled)
    wait_for(lambda: failed, 60)
    assert failed == ["Cancelled."] and len(done) == 1 and not geopackage_for(path, cache_folder()).exists()
    assert not list(geopackage_for(path, cache_folder()).parent.glob("*.partial"))
