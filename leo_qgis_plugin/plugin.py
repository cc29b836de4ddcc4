"""Wiring only: what the plugin registers with QGIS on load, and removes on unload."""

from __future__ import annotations

from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QMenu

from .core.resources import LEO_ICON as ICON
from .core.settings import ensure_default_connection

MENU = "&LEO"


class LeoPlugin:
    """The QGIS plugin object returned by ``classFactory``."""

    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.browser_provider = None
        self.updates = None
        self.toolbar = None
        self.menu = None
        self.panels: dict = {}  # name -> LazyDock: each panel is made when first opened
        self.drop_handler = None
        self.actions: list[QAction] = []
        self._multiscale_task = None  # running tasks, kept referenced until they end
        self._open_task = None

    def initProcessing(self) -> None:  # noqa: N802 - QGIS API name
        from .processing.provider import LeoProvider

        self.provider = LeoProvider()
        if not QgsApplication.processingRegistry().addProvider(self.provider):
            # Another provider with the id "leo" is registered; QGIS has deleted ours.
            self.provider = None

    def initGui(self) -> None:  # noqa: N802 - QGIS API name
        from .gui.browser import LeoDataItemProvider
        from .gui.file_drop import LeoFileDropHandler
        from .gui.lazy_dock import LazyDock
        from .gui.updates import UpdateChecker

        ensure_default_connection()
        self.initProcessing()
        self.browser_provider = LeoDataItemProvider()
        QgsApplication.dataItemProviderRegistry().addProvider(self.browser_provider)
        window = self.iface.mainWindow()
        self.toolbar = self.iface.addToolBar("LEO for QGIS")
        self.toolbar.setObjectName("LeoToolbar")
        self.updates = UpdateChecker(self.iface.layerTreeView(), window)
        self.updates.message.connect(self._show_message)
        for name, text, make in (("catalogue", "LEO catalogue", self._make_catalogue_dock),
                                 ("constraints", "Network constraints", self._make_constraints_dock),
                                 ("time", "Time playback", self._make_time_dock),
                                 ("flex", "Flexibility baselining and business case", self._make_flex_dock)):
            self.panels[name] = LazyDock(name, text, QIcon(ICON), make, self.iface)
        browse, toggle, clock, baseline = (self.panels[n].action for n in ("catalogue", "constraints", "time", "flex"))
        screen = self._action("Screen my sites against headroom…", self.open_screening)
        export = self._action("Export layers (Shapefile, GeoPackage, GeoJSON, CSV)…", self.open_export)
        share = self._action("Share a layer to the LEO catalogue…", self.share_layer)
        aggregate = self._action("Aggregate into boundaries…", lambda: self._open_algorithm("leo:aggregate", "INPUT"))
        multiscale = self._action("Multi-scale view of the active layer…", self.open_multiscale)
        open_file = self._action("Open SSEN or LEO file…", self.choose_file)
        basemap = self._action("OpenStreetMap basemap on/off", self.toggle_basemap)
        basemap.setToolTip("OpenStreetMap's tiles under your layers (needs the internet; © OpenStreetMap contributors)")
        # A menu of our own in the menu bar: QGIS's Plugins submenus leave objects behind on unload.
        self.menu = QMenu(MENU, window)
        self.menu.setObjectName("LeoMenu")
        help_menu = self.iface.helpMenu()
        if isinstance(help_menu, QMenu):
            window.menuBar().insertMenu(help_menu.menuAction(), self.menu)  # before Help, as QGIS's own menus
        else:
            window.menuBar().addMenu(self.menu)
        for action in (browse, toggle, clock, open_file, screen, export, share, None, aggregate, multiscale, baseline,
                       None, basemap):
            if action is None:
                self.menu.addSeparator()
                continue
            self.menu.addAction(action)
            self.actions.append(action)
        self.toolbar.addAction(browse)
        self.toolbar.addAction(toggle)
        self.toolbar.addAction(clock)
        QgsProject.instance().legendLayersAdded.connect(self._keep_overlay_on_top)
        QgsProject.instance().layersAdded.connect(self._ready_to_play)
        if hasattr(self.iface, "registerCustomDropHandler"):  # QGIS desktop (not every test double has it)
            self.drop_handler = LeoFileDropHandler(self.open_path)
            self.iface.registerCustomDropHandler(self.drop_handler)
        QgsProject.instance().readProject.connect(self._project_opened)
        for panel in self.panels.values():
            panel.restore()

    def open_panel(self, name: str):
        """Open one of the LEO panels (catalogue, constraints, time, flex), making it if needed; the panel."""
        self.panels[name].action.setChecked(True)
        return self.panels[name].get()

    def _make_catalogue_dock(self):
        from .gui.catalogue_dock import CatalogueDock

        dock = CatalogueDock(self._canvas_extent_wgs84, self._zoom_to_wgs84, self.iface.mainWindow())
        dock.message.connect(self._show_message)
        dock.check_updates.clicked.connect(self.updates.check)
        return dock

    def _make_constraints_dock(self):
        from .gui.constraints_dock import ConstraintsDock

        dock = ConstraintsDock(self.iface.mainWindow())
        dock.message.connect(self._show_message)
        dock.screen_requested.connect(self.open_screening)
        return dock

    def _make_time_dock(self):
        from .core.temporal.controller import canvas_controller
        from .gui.time_dock import TimeDock

        dock = TimeDock(canvas_controller(self.iface.mapCanvas()), self.iface.activeLayer, self._map_view,
                        self.iface.mainWindow())
        dock.message.connect(self._show_message)
        return dock

    def _make_flex_dock(self):
        from .gui.flex_dock import FlexDock

        return FlexDock(lambda: self._open_algorithm("leo:flexbaseline", "LOAD"), self.iface.mainWindow())

    def _action(self, text: str, slot) -> QAction:
        action = QAction(QIcon(ICON), text, self.iface.mainWindow())
        action.triggered.connect(slot)
        return action

    def unload(self) -> None:
        QgsProject.instance().legendLayersAdded.disconnect(self._keep_overlay_on_top)
        QgsProject.instance().layersAdded.disconnect(self._ready_to_play)
        if self.drop_handler is not None:
            self.iface.unregisterCustomDropHandler(self.drop_handler)
            self.drop_handler = None
        QgsProject.instance().readProject.disconnect(self._project_opened)
        if self.updates is not None:
            self.updates.clear()
            self.updates.deleteLater()
            self.updates = None
        panel_actions = [panel.action for panel in self.panels.values()]
        for action in self.actions:
            if action not in panel_actions:  # those go with their panels
                action.deleteLater()
        self.actions = []
        if self.menu is not None:
            self.iface.mainWindow().menuBar().removeAction(self.menu.menuAction())
            self.menu.deleteLater()
            self.menu = None
        made = {name: panel.dock for name, panel in self.panels.items() if panel.dock is not None}
        if "catalogue" in made:
            made["catalogue"].cancel_tasks()
        if "time" in made:
            made["time"].disconnect_controller()
        if "flex" in made:
            made["flex"].disconnect_project()
        for panel in self.panels.values():
            panel.remove()
        self.panels = {}
        if self.toolbar is not None:
            self.toolbar.deleteLater()
            self.toolbar = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.browser_provider is not None:
            QgsApplication.dataItemProviderRegistry().removeProvider(self.browser_provider)
            self.browser_provider = None

    def open_screening(self) -> None:
        import processing

        processing.execAlgorithmDialog("leo:screensites", {})

    def toggle_basemap(self) -> None:
        from .core.basemap import basemap, set_basemap

        set_basemap(basemap() is None)

    def open_export(self) -> None:
        import processing

        layers = [layer.id() for layer in self.iface.layerTreeView().selectedLayers()]
        processing.execAlgorithmDialog("leo:exportlayers", {"LAYERS": layers} if layers else {})

    def choose_file(self) -> None:
        from qgis.PyQt.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self.iface.mainWindow(), "Open an SSEN or Project LEO file", "",
                                              "SSEN and LEO files (*.csv *.txt);;All files (*)")
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> None:
        """Open an SSEN or LEO file in a task; the layer is added with a note of what was read."""
        from .core.project_layers import add_layer
        from .tasks.open_file import open_file_task

        def opened(result) -> None:
            add_layer(result.layer)
            flagged = result.quality is not None and any(result.quality.totals().values())
            self._show_message(result.message(), 1 if result.warnings or flagged else 0)

        self._open_task = open_file_task(path, opened, lambda message: self._show_message(message, 2))
        QgsApplication.taskManager().addTask(self._open_task)

    def _open_algorithm(self, algorithm: str, layer_parameter: str) -> dict:
        """A LEO algorithm's dialog, its input set to the active layer; its results once closed."""
        import processing

        layer = self.iface.activeLayer()
        return processing.execAlgorithmDialog(algorithm, {layer_parameter: layer.id()} if layer is not None else {})

    def share_layer(self) -> None:
        """The Share a layer form; once shared, say so and refresh the catalogue panel's results."""
        results = self._open_algorithm("leo:uploadlayer", "INPUT") or {}
        if not results.get("DATASET_ID"):
            return
        self._show_message(f"Shared as {results['DATASET_ID']!r}, version {results['VERSION']}: it is in the "
                           "catalogue now.", 3)
        panel = self.panels.get("catalogue")
        if panel is not None and panel.dock is not None:
            panel.dock.run_search()

    def open_multiscale(self) -> None:
        from qgis.core import QgsVectorLayer

        from .core.catalogue import OgcApiCatalogue
        from .core.settings import authcfg_for, selected_connection
        from .gui.multiscale_dialog import MultiscaleDialog
        from .tasks.multiscale import multiscale_task

        layer = self.iface.activeLayer()
        connection = selected_connection()
        if not isinstance(layer, QgsVectorLayer) or not layer.isSpatial():
            self._show_message("Select a layer with features (points, lines or polygons) first.", 1)
            return
        if connection is None:
            self._show_message("Add a LEO catalogue connection first: its boundaries make the levels.", 1)
            return
        dialog = MultiscaleDialog(layer, self.iface.mainWindow())
        if not dialog.exec():
            return
        catalogue = OgcApiCatalogue(connection.url, authcfg_for(connection.url))
        self._multiscale_task = multiscale_task(catalogue, layer, dialog.chosen_fields(), dialog.chosen_stats(),
                                     dialog.chosen_rag_fields(), lambda built: self._add_multiscale(layer, built),
                                     lambda message: self._show_message(message, 2))
        QgsApplication.taskManager().addTask(self._multiscale_task)

    def _add_multiscale(self, layer, built) -> None:
        from . import api
        from .core.aggregate.multiscale import add_group

        add_group(layer.name(), built)
        api.follow_frames(layer, [view for _, view, result in built if result is not None])

    def _canvas_extent_wgs84(self):
        canvas = self.iface.mapCanvas()
        transform = QgsCoordinateTransform(canvas.mapSettings().destinationCrs(),
                                           QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
        return transform.transformBoundingBox(canvas.extent())

    def _zoom_to_wgs84(self, extent) -> None:
        canvas = self.iface.mapCanvas()
        transform = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"),
                                           canvas.mapSettings().destinationCrs(), QgsProject.instance())
        canvas.setExtent(transform.transformBoundingBox(extent))
        canvas.refresh()

    def _show_message(self, text: str, level: int) -> None:
        self.iface.messageBar().pushMessage("LEO", text, level, 8)

    def _map_view(self):
        """(layers, extent, CRS, size) of the map as shown, for exporting an animation."""
        canvas = self.iface.mapCanvas()
        return canvas.layers(), canvas.extent(), canvas.mapSettings().destinationCrs(), canvas.size()

    def _ready_to_play(self, layers) -> None:
        """A catalogue time series or event layer added: the Temporal Controller takes its range and step."""
        from .core.temporal.properties import PROPERTY_STEP

        for layer in layers:
            # Only with the record's range: working it out from the data would read it on the UI thread.
            if layer.customProperty(PROPERTY_STEP) and layer.metadata().extent().temporalExtents():
                from . import api

                api.play(layer)

    def _project_opened(self, _document) -> None:
        self.updates.check()

    def _keep_overlay_on_top(self, _layers) -> None:
        from .core.constraints.overlay import ConstraintOverlay

        # After QGIS has placed the new layers; moving inside the signal would fight the insertion.
        QTimer.singleShot(0, lambda: (overlay := ConstraintOverlay.find()) and overlay.move_to_top())
