"""SSEN's and Project LEO's published files open as typed layers (menu, drag and drop, scripting); bad
files get a clear message and add nothing."""

from __future__ import annotations

import shutil

import pytest
from qgis.core import NULL, QgsApplication
from qgis.PyQt.QtCore import QDateTime, QVariant

from leo_qgis_plugin import api
from leo_qgis_plugin.core.formats.errors import FormatError
from leo_qgis_plugin.core.open_files import FileKind, open_file

from .support.qt import wait_for
from .support.servers import ROOT

REAL = ROOT / "leo_catalogue/data/real"
FEEDERS = REAL / "ssen/lv_feeder_usage_2024-02-12_head.csv"


def test_the_lv_feeder_file_opens_typed_with_its_postcodes(project):
    layer = api.open_file(str(FEEDERS))
    assert layer.featureCount() == 10 and project.mapLayer(layer.id()) is layer
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
    (b'dataset_id,lv_feeder_id,data_collection_log_timestamp,total_consumption_active_import\n"unclosed,1,2',
     "no readable rows|not valid CSV"),
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
