"""A planner adds the network constraints overlay, switches demand/generation, filters, and sees the right colours."""

from __future__ import annotations

import json
import urllib.request

import pytest
from qgis.core import (
    QgsApplication,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

from leo_qgis_plugin import api
from leo_qgis_plugin.core.compat import attribution
from leo_qgis_plugin.core.constraints.definitions import OVERLAY_GROUP, ConstraintKind, RagPalette
from leo_qgis_plugin.core.constraints.overlay import ConstraintOverlay
from leo_qgis_plugin.core.exceptions import LeoError

from .support.faults import FaultyServer
from .support.qt import wait_for


@pytest.fixture()
def catalogue(sqlite_server):
    return api.connect(sqlite_server.url)


def substations(server_url: str) -> list[dict]:
    with urllib.request.urlopen(f"{server_url}collections/ssen-headroom/items?limit=100") as response:
        return [f for f in json.load(response)["features"] if f["geometry"]]


def colour_at(layer, lon: float, lat: float) -> QColor:
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setExtent(QgsRectangle(lon - 0.002, lat - 0.002, lon + 0.002, lat + 0.002))
    settings.setOutputSize(QSize(101, 101))
    settings.setFlag(QgsMapSettings.DrawLabeling, False)
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    return job.renderedImage().pixelColor(50, 50)


def close(a: QColor, b: str) -> bool:
    c = QColor(b)
    return abs(a.red() - c.red()) + abs(a.green() - c.green()) + abs(a.blue() - c.blue()) < 24


def test_one_click_overlay_is_a_group_on_top_with_three_layers(project, catalogue):
    from qgis.core import QgsVectorLayer

    mine = QgsVectorLayer("Point?crs=EPSG:27700", "My sites", "memory")
    project.addMapLayer(mine)
    overlay = api.add_constraint_overlay(catalogue)
    root = project.layerTreeRoot()
    assert root.children()[0].name() == OVERLAY_GROUP
    assert [n.layer().name() for n in overlay.group.findLayers()] == [
        "Flexibility zones (CMZs)", "Substations", "Primary supply areas"]
    substations_layer = overlay.layer("substations")
    assert substations_layer.featureCount() == 68
    assert "Contains data" in attribution(substations_layer) or substations_layer.metadata().rights()
    assert substations_layer.customProperty("leo_qgis/dataset/id") == "ssen-headroom"


def test_adding_again_and_switching_restyle_the_same_layers(project, catalogue):
    overlay = api.add_constraint_overlay(catalogue, kind="demand")
    ids = sorted(project.mapLayers())
    assert overlay.layer("substations").renderer().classAttribute() == "demand_rag"
    again = api.add_constraint_overlay(catalogue, kind="generation")
    assert sorted(project.mapLayers()) == ids
    assert again.layer("substations").renderer().classAttribute() == "generation_rag"
    assert again.layer("areas").renderer().classAttribute() == "generation_rag"
    assert "MW" in again.layer("substations").labeling().settings().fieldName
    assert ConstraintOverlay.find(project).kind == ConstraintKind.GENERATION


def test_filter_by_type_and_voltage(project, catalogue):
    overlay = api.add_constraint_overlay(catalogue)
    overlay.set_filter(types=["GSP", "BSP"])
    assert overlay.layer("substations").featureCount() == 13
    overlay.set_filter(voltages_kv=[33])
    assert overlay.layer("substations").featureCount() == 55
    overlay.set_filter()
    assert overlay.layer("substations").featureCount() == 68


def test_rendered_colours_follow_rag_kind_and_palette(project, catalogue, sqlite_server):
    features = substations(sqlite_server.url)
    red = next(f for f in features if f["properties"]["demand_rag"] == "Red"
               and f["properties"]["generation_rag"] == "Green")
    lon, lat = red["geometry"]["coordinates"]
    overlay = api.add_constraint_overlay(catalogue, kind="demand")
    layer = overlay.layer("substations")
    palette = RagPalette.SSEN.value.colours
    overlay.set_kind(ConstraintKind.DEMAND, RagPalette.SSEN)
    assert close(colour_at(layer, lon, lat), palette["Red"])
    overlay.set_kind(ConstraintKind.GENERATION, RagPalette.SSEN)
    assert close(colour_at(layer, lon, lat), palette["Green"])
    overlay.set_kind(ConstraintKind.DEMAND, RagPalette.COLOURBLIND)
    assert close(colour_at(layer, lon, lat), RagPalette.COLOURBLIND.value.colours["Red"])


def test_map_tip_shows_constraint_upstream_fault_level_and_works(project, catalogue):
    tip = api.add_constraint_overlay(catalogue).layer("substations").mapTipTemplate()
    for needle in ("demand_constraint", "upstream_bsp", "upstream_gsp", "fault_level_ka", "substation_works",
                   "upstream_works_completion"):
        assert needle in tip


@pytest.mark.parametrize("path,message", [
    ("/error/", "HTTP 500"), ("/html/", "did not answer with JSON"), ("/nothing/", "HTTP 404"),
    ("/truncated/", "was cut short"),
])
def test_overlay_from_a_failing_catalogue_is_a_clear_error(project, path, message):
    with FaultyServer(b'{"id": "x"}') as broken:
        with pytest.raises(LeoError, match=message):
            api.add_constraint_overlay(api.connect(f"{broken.url}{path}"))
    assert project.layerTreeRoot().findGroup(OVERLAY_GROUP) is None


def test_overlay_from_a_stopped_server_is_a_clear_error(project):
    from .support.postgres import free_port

    with pytest.raises(LeoError, match="Could not reach"):
        api.add_constraint_overlay(api.connect(f"http://127.0.0.1:{free_port()}/"))


def test_open_a_real_format_headroom_csv_from_a_file_and_a_url(project, tmp_path):
    from leo_catalogue.demo.headroom_csv import headroom_csv
    from leo_catalogue.demo.network import build_network

    data = headroom_csv(build_network())
    path = tmp_path / "Headroom Dashboard Data - March 2026.csv"
    path.write_bytes(data)
    opened = api.open_headroom_csv(str(path))
    assert opened.layer.featureCount() == 68 and opened.publisher == "SSEN"
    assert "1 without coordinates" in opened.message() and "Culham" in opened.message()
    assert opened.layer.renderer().classAttribute() == "demand_rag"
    with FaultyServer(data) as portal:
        from_url = api.open_headroom_csv(f"{portal.url}/ok/headroom.csv", add_to_project=False)
        assert from_url.layer.featureCount() == 68
        with pytest.raises(LeoError, match="HTTP 500"):
            api.open_headroom_csv(f"{portal.url}/error")


@pytest.mark.parametrize("content,message", [
    (b"", "empty"), (b"\xff\xfe\x00a", "UTF-16"), (b"name,lat\r\nx,1\r\n", "neither SSEN"),
])
def test_bad_headroom_files_are_refused_with_a_reason(project, tmp_path, content, message):
    from leo_qgis_plugin.core.formats.errors import FormatError

    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(FormatError, match=message):
        api.open_headroom_csv(str(path))
    assert not project.mapLayers()


def test_tasks_keep_the_ui_free(project, sqlite_server, qgis_iface, tmp_path):
    """The dock opens the overlay and files in QgsTasks; the UI thread only receives finished layers."""
    from qgis.core import QgsSettings

    from leo_qgis_plugin.core.settings import ConnectionSettings, save_connection
    from leo_qgis_plugin.gui.constraints_dock import ConstraintsDock

    QgsSettings().setValue("leo_qgis/selected_connection", "Test catalogue")
    save_connection(ConnectionSettings("Test catalogue", sqlite_server.url))
    dock = ConstraintsDock()
    messages = []
    dock.message.connect(lambda text, level: messages.append(text))
    dock.add_button.click()
    wait_for(lambda: messages)
    assert messages[-1] == "Network constraints overlay added."
    overlay = ConstraintOverlay.find(project)
    assert overlay is not None and overlay.layer("substations").featureCount() == 68
    dock.kind_buttons.buttons()[1].click()  # generation
    assert overlay.layer("substations").renderer().classAttribute() == "generation_rag"
    dock.type_boxes["Primary"].setChecked(False)
    assert overlay.layer("substations").featureCount() == 13
    dock.add_button.click()
    assert "already in the project" in messages[-1] and len(project.mapLayers()) == 3
    missing = tmp_path / "missing.csv"
    dock.open_headroom(str(missing))
    wait_for(lambda: "No such file" in messages[-1])



def test_a_slow_download_can_be_cancelled(project):
    from leo_qgis_plugin.tasks.headroom_file import open_headroom_file_task

    outcome = []
    with FaultyServer(b"x", slow_seconds=20) as slow:
        task = open_headroom_file_task(f"{slow.url}/slow", "", outcome.append, outcome.append)
        QgsApplication.taskManager().addTask(task)
        wait_for(lambda: task.status() == task.Running)
        task.cancel()
        wait_for(lambda: outcome)
        assert slow.slow_answered == 0  # given up while the server was still waiting to answer
    assert "Cancel" in outcome[0]


def test_the_overlay_stays_above_new_user_layers_but_below_screening_results(project, catalogue):
    from qgis.core import QgsVectorLayer

    from leo_qgis_plugin.core.constraints.styling import style_screened_sites

    overlay = api.add_constraint_overlay(catalogue)
    mine = QgsVectorLayer("Point?crs=EPSG:27700", "My sites", "memory")
    project.addMapLayer(mine)  # QGIS puts a new layer on top
    assert project.layerTreeRoot().children()[0].name() == "My sites"
    overlay.move_to_top()
    assert project.layerTreeRoot().children()[0].name() == OVERLAY_GROUP
    screened = QgsVectorLayer("Point?crs=EPSG:27700&field=scenario_demand_rag:string", "Screened", "memory")
    style_screened_sites(screened, RagPalette.SSEN.value)
    project.addMapLayer(screened)
    ConstraintOverlay.find(project).move_to_top()
    assert [n.name() for n in project.layerTreeRoot().children()][:3] == ["Screened", OVERLAY_GROUP, "My sites"]
    assert len(ConstraintOverlay.find(project).group.findLayers()) == 3
