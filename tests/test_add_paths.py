"""One way to make a dataset's layer, whichever way it is added (LEO catalogue panel, Browser double-click or
drag, the scripting API); the heavy work off QGIS's UI thread; a map in a sensible draw order, in British
National Grid, with the time range set so that QGIS never scans the data for it."""

from __future__ import annotations

import pytest
from qgis.core import (
    QgsApplication,
    QgsLayerTree,
    QgsMimeDataUtils,
    QgsNetworkAccessManager,
    QgsNetworkRequestParameters,
    QgsProject,
    QgsRenderContext,
    QgsSettings,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtNetwork import QNetworkRequest

from leo_qgis_plugin import api
from leo_qgis_plugin.core import settings as leo_settings
from leo_qgis_plugin.core.constraints.overlay import ConstraintOverlay
from leo_qgis_plugin.core.layer_roles import find_layers, mark, role_of
from leo_qgis_plugin.core.project_layers import add_group, add_layer
from leo_qgis_plugin.core.settings import ConnectionSettings, save_connection
from leo_qgis_plugin.gui import browser
from leo_qgis_plugin.gui.catalogue_dock import CatalogueDock

from .support.qt import wait_for


@pytest.fixture()
def demo(sqlite_server, project):
    settings = QgsSettings()
    settings.remove(leo_settings.SETTINGS_PREFIX)
    save_connection(ConnectionSettings("Demo", sqlite_server.url))
    settings.setValue(leo_settings.SELECTED_KEY, "Demo")
    yield sqlite_server
    wait_for(lambda: QgsApplication.taskManager().countActiveTasks() == 0)
    settings.remove(leo_settings.SETTINGS_PREFIX)


def browser_items() -> dict:
    root = browser.LeoDataItemProvider().createDataItem("", None)
    (connection,) = root.createChildren()
    return {item.dataset_id: item for item in connection.createChildren()}


def added(project: QgsProject, dataset_id: str, count: int = 1) -> list[QgsVectorLayer]:
    wait_for(lambda: len([lyr for lyr in project.mapLayers().values()
                          if lyr.customProperty("leo_qgis/dataset/id") == dataset_id]) >= count, 60)
    return [lyr for lyr in project.mapLayers().values() if lyr.customProperty("leo_qgis/dataset/id") == dataset_id]


def panel_add(dock: CatalogueDock, dataset_id: str) -> None:
    dock.search.setText("")
    dock.run_search()
    wait_for(lambda: any(r.id == dataset_id for r in dock.records))
    dock.list.setCurrentRow(next(i for i, r in enumerate(dock.records) if r.id == dataset_id))
    dock.add.click()


def look(layer: QgsVectorLayer) -> tuple:
    """What a user sees of a layer: its renderer and symbol colours, labels, time settings and role."""
    renderer = layer.renderer()
    colours = sorted(s.color().name() for s in renderer.symbols(QgsRenderContext()))
    properties = layer.temporalProperties()
    return (renderer.type(), colours, layer.labelsEnabled(), properties.isActive(), int(properties.mode()),
            properties.startField(), properties.endField(), role_of(layer))


def test_the_browser_drag_and_the_panel_make_the_same_layer(demo, project):
    dock = CatalogueDock()
    items = browser_items()
    for dataset_id in ("flex-events", "oxon-districts"):
        panel_add(dock, dataset_id)
        (from_panel,) = added(project, dataset_id)
        assert items[dataset_id].handleDoubleClick() is True  # the Browser opens it in the same task
        from_browser = next(lyr for lyr in added(project, dataset_id, 2) if lyr is not from_panel)
        assert look(from_browser) == look(from_panel)
        (uri,) = items[dataset_id].mimeUris()  # dragged onto the map: the same again
        assert uri.layerType == "custom" and uri.providerKey == browser.DROP_KEY
        assert browser.handle_drop(QgsMimeDataUtils.Uri(uri.data())) is True
        dropped = [lyr for lyr in added(project, dataset_id, 3) if lyr not in (from_panel, from_browser)]
        assert look(dropped[0]) == look(from_panel)
    events, districts = added(project, "flex-events", 3)[0], added(project, "oxon-districts", 3)[0]
    assert events.temporalProperties().isActive() and role_of(events) == "events"
    assert districts.renderer().symbol().color().alpha() == 0  # outlines, never a random solid fill
    assert browser.handle_drop(QgsMimeDataUtils.Uri()) is False  # not one of ours: left to QGIS


def test_adding_reads_nothing_on_the_ui_thread_and_sets_the_time_range(demo, project):
    """Every request of the OGC API provider and of the download (opening, features, the GeoPackage) is made
    by the task's thread, none by QGIS's UI thread; the project's time range comes from the record."""
    items = browser_items()  # the Browser lists datasets in its own thread: done before recording
    threads = []
    signal = QgsNetworkAccessManager.instance().requestAboutToBeCreated[QgsNetworkRequestParameters]

    def record(parameters: QgsNetworkRequestParameters) -> None:
        threads.append((parameters.originatingThreadId(), parameters.request().url().path()))

    signal.connect(record)
    try:
        reply = QgsNetworkAccessManager.instance().get(QNetworkRequest(QUrl(demo.url)))  # from the UI thread
        wait_for(reply.isFinished)
        ui_thread = threads.pop()[0]
        dock = CatalogueDock()
        dock.mode.setCurrentIndex(dock.mode.findData("download"))
        panel_add(dock, "ssen-headroom")
        added(project, "ssen-headroom")
        dock.mode.setCurrentIndex(dock.mode.findData("live"))
        panel_add(dock, "flex-events")
        (events,) = added(project, "flex-events")
        items["ssen-primary-areas"].handleDoubleClick()
        added(project, "ssen-primary-areas")
    finally:
        signal.disconnect(record)
    opened = [path for thread, path in threads if "/collections/" in path]
    assert any(p.endswith("/download") for p in opened) and any(p.endswith("/items") for p in opened)
    on_ui = [path for thread, path in threads if thread == ui_thread]
    assert on_ui == []
    time_range = project.timeSettings().temporalRange()
    assert time_range.begin().isValid() and time_range == events.metadata().extent().temporalExtents()[0]
    assert project.crs().authid() == "EPSG:27700"  # a new project in British National Grid


def memory(name: str, geometry: str, dataset_id: str = "") -> QgsVectorLayer:
    layer = QgsVectorLayer(f"{geometry}?crs=EPSG:4326&field=asset_id:string", name, "memory")
    if dataset_id:
        mark(layer, dataset_id)
    return layer


def tree_names(project: QgsProject) -> list[str]:
    return [node.name() for node in project.layerTreeRoot().children()]


def test_draw_order_points_over_lines_over_polygons_and_the_overlay_on_top(project):
    add_layer(memory("Districts", "Polygon", "oxon-districts"), project)
    assert project.crs().authid() == "EPSG:27700"
    add_layer(memory("Sites", "Point"), project)
    add_layer(memory("Cables", "LineString"), project)
    add_layer(memory("A table", "None"), project)
    assert tree_names(project) == ["A table", "Sites", "Cables", "Districts"]
    overlay = ConstraintOverlay.from_layers({"substations": memory("Substations", "Point", "ssen-headroom"),
                                             "areas": memory("Supply areas", "Polygon", "ssen-primary-areas")},
                                            project)
    assert tree_names(project) == ["A table", overlay.group.name(), "Sites", "Cables", "Districts"]
    add_group("Sites across scales", project)  # a multi-scale view: with the polygons, below the overlay
    assert tree_names(project).index("Sites across scales") > tree_names(project).index(overlay.group.name())
    playback = memory("Load (playback)", "Point")
    playback.setCustomProperty("leo_qgis/dataset/role", "playback")
    add_layer(playback, project)  # read against the overlay: drawn above it
    assert tree_names(project)[:3] == ["A table", "Load (playback)", overlay.group.name()]
    assert [lyr.name() for lyr in find_layers("substations", project)] == ["Substations"]
    assert all(QgsLayerTree.isLayer(n) or QgsLayerTree.isGroup(n) for n in project.layerTreeRoot().children())


def test_the_scripting_api_adds_through_the_same_path(demo, project):
    catalogue = api.connect(demo.url)
    events = api.add_dataset(catalogue, "flex-events", mode="live")
    assert role_of(events) == "events" and events.temporalProperties().isActive()
    assert project.timeSettings().temporalRange().begin().isValid() and project.crs().authid() == "EPSG:27700"


def test_the_overlay_takes_in_the_layers_already_on_the_map_instead_of_drawing_them_twice(project):
    substations = add_layer(memory("SSEN network headroom", "Point", "ssen-headroom"), project)
    add_layer(memory("Primary substation supply areas", "Polygon", "ssen-primary-areas"), project)
    overlay = ConstraintOverlay.from_layers({"substations": memory("Substations", "Point", "ssen-headroom"),
                                             "areas": memory("Supply areas", "Polygon", "ssen-primary-areas"),
                                             "zones": memory("Zones", "Polygon", "flex-zones")}, project)
    assert len(project.mapLayers()) == 3 and overlay.layer("substations") is substations
    assert tree_names(project) == [overlay.group.name()]
    assert [n.name() for n in overlay.group.children()] == ["Zones", "SSEN network headroom",
                                                             "Primary substation supply areas"]


def test_an_optional_basemap_at_the_bottom_with_its_attribution(project):
    from leo_qgis_plugin.core.basemap import ATTRIBUTION, basemap, set_basemap
    from leo_qgis_plugin.core.compat import attribution

    add_layer(memory("Districts", "Polygon", "oxon-districts"), project)
    layer = set_basemap(True, project)
    assert layer.isValid() and attribution(layer) == ATTRIBUTION and "tile.openstreetmap.org" in layer.source()
    assert tree_names(project)[-1] == layer.name() and set_basemap(True, project) is layer  # once
    add_layer(memory("Sites", "Point"), project)
    assert tree_names(project) == ["Sites", "Districts", layer.name()]
    set_basemap(False, project)
    assert basemap(project) is None and tree_names(project) == ["Sites", "Districts"]


def test_screened_sites_have_their_own_symbol_and_labels_above_the_boundaries(project):
    from leo_qgis_plugin.core.constraints.definitions import RagPalette
    from leo_qgis_plugin.core.constraints.styling import PRIORITY, style_screened_sites
    from leo_qgis_plugin.core.default_styles import apply_default_style

    sites = QgsVectorLayer("Point?crs=EPSG:4326&field=name:string&field=scenario_demand_rag:string"
                           "&field=scenario_demand_headroom_mva:double", "Sites (screened)", "memory")
    style_screened_sites(sites, RagPalette.SSEN.value)
    categories = sites.renderer().categories()  # kept: each symbol belongs to its category
    symbol = categories[0].symbol()
    assert symbol.symbolLayer(0).strokeColor().name() == "#ffffff"  # a white-edged diamond: never a substation's circle
    assert sites.labelsEnabled() and '"name"' in sites.labeling().settings().fieldName
    districts = QgsVectorLayer("Polygon?crs=EPSG:4326&field=lad20nm:string", "Districts", "memory")
    apply_default_style(districts, "oxon-districts")
    assert sites.labeling().settings().priority == PRIORITY["sites"] > districts.labeling().settings().priority
    assert districts.labeling().settings().fitInPolygonOnly


def test_progress_of_a_part_and_its_steps_in_words():
    from leo_qgis_plugin.core.progress import PartFeedback, StepFeedback, report_bytes

    parent = StepFeedback()
    steps = []
    parent.stepChanged.connect(steps.append)
    part = PartFeedback(parent, 0, 85)
    part.setProgress(50)
    report_bytes(part, 12_000_000, 138_200_000)
    report_bytes(part, 5_000_000, -1)  # no Content-Length: the megabytes so far
    assert parent.progress() == pytest.approx(42.5)
    assert steps == ["downloading 12.0 of 138.2 MB", "downloading: 5.0 MB so far"]
    parent.cancel()
    assert part.isCanceled()  # cancelling the task cancels its download
