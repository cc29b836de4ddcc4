"""A planner types in the LEO catalogue dock, reads a record and adds the dataset, QGIS staying responsive."""

from __future__ import annotations

import pytest
from qgis.core import QgsApplication, QgsProject, QgsRectangle, QgsSettings
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtTest import QTest

from leo_qgis_plugin.core import settings as leo_settings
from leo_qgis_plugin.core.settings import ConnectionSettings, save_connection
from leo_qgis_plugin.gui.catalogue_dock import CatalogueDock

from .support.qt import wait_for


@pytest.fixture()
def dock(sqlite_server):
    settings = QgsSettings()
    settings.remove(leo_settings.SETTINGS_PREFIX)
    save_connection(ConnectionSettings("Demo", sqlite_server.url))
    save_connection(ConnectionSettings("Broken", "http://127.0.0.1:9/"))  # the discard port: nothing answers
    settings.setValue(leo_settings.SELECTED_KEY, "Demo")
    QgsProject.instance().clear()
    zooms = []
    widget = CatalogueDock(lambda: QgsRectangle(-1.30, 51.70, -1.15, 51.80), zooms.append)
    widget.zooms = zooms
    yield widget
    # Searches started at the end of a test must not be left waiting when QGIS shuts down.
    wait_for(lambda: QgsApplication.taskManager().countActiveTasks() == 0)
    QgsProject.instance().clear()
    settings.remove(leo_settings.SETTINGS_PREFIX)


def test_typing_searches_after_a_pause_and_lists_results_with_badges(dock):
    QTest.keyClicks(dock.search, "load")
    wait_for(lambda: dock.list.count() > 0)
    texts = [dock.list.item(i).text() for i in range(dock.list.count())]
    assert any("Primary substation half-hourly load" in t and "\nTime series · " in t for t in texts)
    assert dock.count.text().endswith("dataset(s)")
    QTest.keyClicks(dock.search, "zzzz")
    wait_for(lambda: dock.count.text() == "No datasets match.")


def test_selecting_shows_the_record_and_adds_it_to_the_map(dock):
    QTest.keyClicks(dock.search, "districts")
    wait_for(lambda: dock.records and dock.records[0].id == "oxon-districts")
    dock.list.setCurrentRow(0)
    html = dock.details.toHtml()
    assert "Open Government Licence" in html and "Office for National Statistics" in html
    QTest.mouseClick(dock.zoom, Qt.LeftButton)
    assert dock.zooms and dock.zooms[0].xMinimum() < -1.6
    QTest.mouseClick(dock.add, Qt.LeftButton)
    wait_for(lambda: QgsProject.instance().mapLayers())
    (layer,) = QgsProject.instance().mapLayers().values()
    assert layer.featureCount() == 5 and layer.metadata().licenses() == ["Open Government Licence v3.0"]
    assert dock.count.text().startswith("Added")


def test_only_in_the_map_extent_and_paging(dock):
    dock.in_extent.setChecked(True)
    wait_for(lambda: dock.list.count() > 0)
    ids = {r.id for r in dock.records}
    assert "ssen-headroom" in ids and "leo-price-2019-01-23" not in ids
    dock.in_extent.setChecked(False)
    wait_for(lambda: dock.list.count() == 9)
    assert not dock.more.isVisible()


def test_an_unreachable_catalogue_says_so(dock):
    messages = []
    dock.message.connect(lambda text, _level: messages.append(text))
    dock.connection.setCurrentIndex(dock.connection.findText("Broken"))
    wait_for(lambda: messages)
    assert dock.count.text().startswith("Offline or unreachable") and "Could not reach" in messages[0]
    assert dock.list.count() == 0 and dock.records == []  # the other catalogue's results are gone


def test_filters_by_keywords_kind_time_and_sorting(dock):
    dock.kind.setCurrentIndex(dock.kind.findData("timeseries"))
    wait_for(lambda: {r.id for r in dock.records} == {"substation-load-hh", "flex-events", "leo-mvs-leod041f06"})
    dock.kind.setCurrentIndex(0)
    dock.keywords.setText("flexibility")
    wait_for(lambda: {r.id for r in dock.records} == {"flex-zones", "flex-events"})
    dock.keywords.setText("")
    dock.start.setDate(dock.start.date().fromString("2019-01-01", "yyyy-MM-dd"))
    dock.end.setDate(dock.end.date().fromString("2019-12-31", "yyyy-MM-dd"))
    dock.use_time.setChecked(True)
    wait_for(lambda: {r.id for r in dock.records} == {"leo-mvs-leod041f06", "leo-price-2019-01-23"})
    dock.use_time.setChecked(False)
    dock.sort.setCurrentIndex(dock.sort.findData("title"))
    wait_for(lambda: len(dock.records) == 9 and [r.title for r in dock.records] == sorted(r.title for r in dock.records))


def test_cache_size_is_shown_and_can_be_cleared(dock):
    from leo_qgis_plugin.core.datasets import cache_size

    dock.mode.setCurrentIndex(dock.mode.findData("download"))
    QTest.keyClicks(dock.search, "prices")
    wait_for(lambda: "leo-price-2019-01-23" in [r.id for r in dock.records])
    dock.list.setCurrentRow([r.id for r in dock.records].index("leo-price-2019-01-23"))
    dock.add.click()
    wait_for(lambda: QgsProject.instance().mapLayers())
    assert cache_size() > 0 and "MB" in dock.cache_size.text() and dock.clear_cache.isEnabled()
    QgsProject.instance().clear()
    dock.clear_cache.click()
    assert cache_size() == 0 and not dock.clear_cache.isEnabled()


def fill_dialog_then(steps):
    """Run ``steps(dialog)`` once the modal connection dialog is open."""
    from qgis.PyQt.QtCore import QTimer
    from qgis.PyQt.QtWidgets import QApplication

    QTimer.singleShot(50, lambda: steps(QApplication.activeModalWidget()))


def test_connections_are_added_edited_and_removed(dock, sqlite_server):
    def new_connection(dialog):
        dialog.name.setText("Partner catalogue")
        dialog.url.setText("ftp://nowhere")
        dialog.accept()
        assert dialog.problem.text() == "The URL must start with http:// or https://."
        dialog.url.setText(sqlite_server.url)
        dialog.accept()

    fill_dialog_then(new_connection)
    dock.new_connection.click()
    assert dock.connection.currentText() == "Partner catalogue"
    assert dock.connection.currentData().authcfg == ""
    wait_for(lambda: dock.list.count() == 9)

    def refuse_then_fix(dialog):
        dialog.name.setText("Demo")  # taken
        dialog.accept()
        assert dialog.problem.text() == "Another connection has this name."
        dialog.name.setText("Partner (renamed)")
        dialog.accept()

    fill_dialog_then(refuse_then_fix)
    dock.edit_connection.click()
    names = [dock.connection.itemText(i) for i in range(dock.connection.count())]
    assert "Partner (renamed)" in names and "Partner catalogue" not in names
    dock.remove_connection.click()
    assert "Partner (renamed)" not in [dock.connection.itemText(i) for i in range(dock.connection.count())]
