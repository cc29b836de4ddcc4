"""The README walk-through end to end through the plugin's own widgets (Browser items, the catalogue, constraints
and time panels), failing on any error in QGIS's message log or message bar; the map it makes is in British
National Grid, substations drawn over the supply areas, the playback over the overlay."""

from __future__ import annotations

import subprocess

import pytest
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateTransform,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
    QgsSettings,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

from leo_qgis_plugin.core import settings as leo_settings
from leo_qgis_plugin.core.constraints.definitions import RagPalette
from leo_qgis_plugin.core.layer_roles import mark
from leo_qgis_plugin.core.project_layers import add_layer
from leo_qgis_plugin.core.settings import ConnectionSettings, save_connection
from leo_qgis_plugin.gui.browser import LeoDataItemProvider

from .support.qt import wait_for


@pytest.fixture()
def small_load(demo_sqlite_path, tmp_path):
    """A week of the half-hourly load (every primary), as a downloaded GeoPackage would hold it."""
    target = tmp_path / "load.gpkg"
    subprocess.run(["ogr2ogr", "-f", "GPKG", "-nln", "load", str(target), str(demo_sqlite_path), "-sql",
                    "SELECT * FROM d_substation_load_hh_v1 WHERE timestamp >= '2025-01-06' AND timestamp < '2025-01-13'"],
                   check=True, capture_output=True)
    return target


@pytest.fixture()
def plugin(qgis_iface, sqlite_server, project):
    import leo_qgis_plugin

    settings = QgsSettings()
    settings.remove(leo_settings.SETTINGS_PREFIX)
    save_connection(ConnectionSettings("Demo", sqlite_server.url))
    settings.setValue(leo_settings.SELECTED_KEY, "Demo")
    plugin = leo_qgis_plugin.classFactory(qgis_iface)
    plugin.initGui()
    yield plugin
    wait_for(lambda: QgsApplication.taskManager().countActiveTasks() == 0)
    plugin.unload()
    project.clear()
    settings.remove(leo_settings.SETTINGS_PREFIX)


def by_dataset(project: QgsProject, dataset_id: str) -> list[QgsVectorLayer]:
    return [lyr for lyr in project.mapLayers().values() if lyr.customProperty("leo_qgis/dataset/id") == dataset_id]


def pixel_at(project: QgsProject, layer: QgsVectorLayer, feature_filter: str) -> str:
    """The colour the whole map (every visible layer, in the Layers panel's order) has at a feature."""
    point = next(layer.getFeatures(feature_filter)).geometry().centroid().asPoint()
    settings = QgsMapSettings()
    settings.setLayers(project.layerTreeRoot().layerOrder())
    settings.setDestinationCrs(project.crs())
    settings.setTransformContext(project.transformContext())
    centre = QgsCoordinateTransform(layer.crs(), project.crs(), project).transform(point)
    settings.setExtent(QgsRectangle(centre.x() - 400, centre.y() - 400, centre.x() + 400, centre.y() + 400))
    settings.setOutputSize(QSize(101, 101))
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    return QColor(job.renderedImage().pixel(50, 50)).name()


def test_the_readme_walk_through_without_an_error(plugin, qgis_iface, project, small_load):
    errors = []
    QgsApplication.messageLog().messageReceived.connect(
        lambda text, tag, level: (level >= Qgis.Critical or "Traceback" in text) and errors.append(f"[{tag}] {text}"))
    qgis_iface.messageBar().widgetAdded.connect(
        lambda item: item.level() >= Qgis.Critical and errors.append(f"bar: {item.text()}"))

    # 2. The Browser's LEO entry: the substations and their supply areas.
    (connection,) = LeoDataItemProvider().createDataItem("", None).createChildren()
    items = {item.dataset_id: item for item in connection.createChildren()}
    for dataset_id in ("ssen-headroom", "ssen-primary-areas", "flex-events"):
        items[dataset_id].handleDoubleClick()
    wait_for(lambda: all(by_dataset(project, d) for d in ("ssen-headroom", "ssen-primary-areas", "flex-events")))
    assert project.crs().authid() == "EPSG:27700"
    (headroom,) = by_dataset(project, "ssen-headroom")
    assert pixel_at(project, headroom, "\"substation_type\" = 'Primary'") in {
        c for c in RagPalette.SSEN.value.colours.values()} | {RagPalette.SSEN.value.unknown}  # not under the areas
    # 4. The half-hourly load (a week of it here, as its download holds it).
    load = QgsVectorLayer(f"{small_load}|layername=load", "Primary substation half-hourly load", "ogr")
    mark(load, "substation-load-hh")
    add_layer(load, project)
    # 6. The catalogue panel: the districts.
    catalogue = plugin.open_panel("catalogue")
    catalogue.search.setText("districts")
    wait_for(lambda: any(r.id == "oxon-districts" for r in catalogue.records))
    catalogue.list.setCurrentRow(next(i for i, r in enumerate(catalogue.records) if r.id == "oxon-districts"))
    catalogue.add.click()
    wait_for(lambda: by_dataset(project, "oxon-districts"))
    # 7. The network constraints overlay takes in the substations and areas already on the map.
    constraints = plugin.open_panel("constraints")
    constraints.add_button.click()
    wait_for(lambda: project.layerTreeRoot().findGroup("SSEN network constraints") is not None)
    group = project.layerTreeRoot().findGroup("SSEN network constraints")
    assert len(group.findLayers()) == 3 and by_dataset(project, "ssen-headroom") == [headroom]
    # 12. Fast playback of the load after the overlay (the supply areas also carry asset_id and headroom).
    time_dock = plugin.open_panel("time")
    qgis_iface.setActiveLayer(load)
    messages = []
    time_dock.message.connect(lambda text, level: messages.append((text, level)))
    time_dock.fast.click()
    wait_for(lambda: messages, 60)
    assert messages[0][1] < Qgis.Critical and "55 sites" in messages[0][0], messages  # a note of sites unplaced
    names = [node.name() for node in project.layerTreeRoot().children()]
    assert names.index("Primary substation half-hourly load (playback)") < names.index(group.name())
    assert names.index(group.name()) < names.index("Districts (December 2020), Oxfordshire") \
        if "Districts (December 2020), Oxfordshire" in names else True
    wait_for(lambda: QgsApplication.taskManager().countActiveTasks() == 0)
    QgsApplication.processEvents()
    assert errors == []
