"""Putting the plugin's layers in a project, the same way whichever tool made them: British National Grid
for a new project, a draw order that keeps points over lines over polygons (and tables, which are not drawn,
on top of the list), and the project's time range set from the catalogue record, so that QGIS never scans
a million rows on its UI thread to find it."""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsDateTimeRange,
    QgsDatumTransform,
    QgsLayerTree,
    QgsLayerTreeGroup,
    QgsLayerTreeNode,
    QgsMapLayer,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QTimer

from .compat import GeometryType

BRITISH_NATIONAL_GRID = "EPSG:27700"
OVERLAY_GROUP = "SSEN network constraints"  # the constraints overlay (constraints.definitions)
ABOVE_OVERLAY_ROLES = ("screened-sites", "playback")  # read against the overlay: drawn over it

# Draw order, top first: tables, the layers read against the overlay, the overlay, points, lines, polygons,
# other groups (e.g. a multi-scale view, polygons), rasters (basemaps) at the bottom.
_RANKS = {"table": 0, "above-overlay": 1, "overlay": 2, "point": 3, "line": 4, "polygon": 5, "group": 5,
          "raster": 7, "basemap": 8}

ABOVE_OVERLAY_RANK = _RANKS["above-overlay"]


def node_rank(node: QgsLayerTreeNode) -> int:
    """Where a Layers panel entry belongs in the draw order (smaller: drawn above)."""
    if QgsLayerTree.isGroup(node):
        return _RANKS["overlay" if node.name() == OVERLAY_GROUP else "group"]
    return layer_rank(node.layer()) if QgsLayerTree.isLayer(node) and node.layer() is not None else _RANKS["group"]


def layer_rank(layer: QgsMapLayer) -> int:
    if not isinstance(layer, QgsVectorLayer):
        return _RANKS["basemap" if layer.customProperty("leo_qgis/basemap") else "raster"]
    if layer.customProperty("leo_qgis/constraints/role") in ABOVE_OVERLAY_ROLES \
            or layer.customProperty("leo_qgis/dataset/role") in ABOVE_OVERLAY_ROLES:
        return _RANKS["above-overlay"]
    return _RANKS.get({GeometryType.Point: "point", GeometryType.Line: "line",
                       GeometryType.Polygon: "polygon"}.get(layer.geometryType(), "table"), _RANKS["table"])


def insert_position(parent: QgsLayerTreeGroup, rank: int) -> int:
    """The index in ``parent`` for a new entry of ``rank``: above the first entry drawn below it (a new layer
    goes on top of those like it)."""
    for index, child in enumerate(parent.children()):
        if node_rank(child) >= rank:
            return index
    return len(parent.children())


class PreparedProject:
    """Around adding layers: before, a project time range that covers the temporal ones (from their metadata:
    no data is read); after, British National Grid if the project was empty (QGIS itself would take the
    first layer's CRS, WGS 84 for catalogue layers: a stretched map of Oxfordshire)."""

    def __init__(self, project: QgsProject, layers: list[QgsMapLayer]) -> None:
        self.project = project
        self.was_empty = not project.mapLayers()
        for layer in layers:
            extend_time_range(project, layer)

    def __enter__(self) -> PreparedProject:
        return self

    def __exit__(self, *_exc) -> None:
        target = QgsCoordinateReferenceSystem(BRITISH_NATIONAL_GRID) if self.was_empty else self.project.crs()
        for layer in self.project.mapLayers().values():  # first: the map is never drawn with a missing grid
            prefer_available_transform(self.project, layer.crs(), target)
        if self.was_empty and self.project.mapLayers():
            self.project.setCrs(target)
            # QGIS desktop's canvas bridge gives a new project its first layer's CRS once the event loop
            # runs again (a zero timer started as the layer went in): said again after it.
            QTimer.singleShot(0, lambda: self.project.setCrs(target))


def prefer_available_transform(project: QgsProject, source: QgsCoordinateReferenceSystem,
                               target: QgsCoordinateReferenceSystem) -> None:
    """Reproject ``source`` to the project's CRS by the most accurate operation this machine can do. Without
    OSTN15's grid (not shipped by every PROJ install) QGIS would pick the grid, fall back and log an error
    about it; the best Helmert fit is within 2 m, plenty for a planning map."""
    context = project.transformContext()
    if not source.isValid() or not target.isValid() or source == target \
            or context.hasTransform(source, target):
        return
    best = best_operation(source, target)
    if best:
        context.addCoordinateOperation(source, target, best)
        project.setTransformContext(context)


_BEST: dict[tuple[str, str], str] = {}  # (source, target) -> proj string, '' when QGIS's own choice is fine


def best_operation(source: QgsCoordinateReferenceSystem, target: QgsCoordinateReferenceSystem | None = None) -> str:
    """The most accurate operation this machine can do from ``source`` to ``target`` (British National Grid by
    default) when QGIS's preferred one needs a missing grid, else ''. Asking PROJ takes ~0.1 s: tasks call this
    first (core.datasets.finish_layer), so the UI thread finds it known."""
    target = target or QgsCoordinateReferenceSystem(BRITISH_NATIONAL_GRID)
    key = (source.authid() or source.toWkt(), target.authid() or target.toWkt())
    if key not in _BEST:
        operations = QgsDatumTransform.operations(source, target)
        available = [op for op in operations if op.isAvailable and op.accuracy > 0]
        _BEST[key] = min(available, key=lambda op: op.accuracy).proj \
            if operations and not operations[0].isAvailable and available else ""
    return _BEST[key]


def extend_time_range(project: QgsProject, layer: QgsMapLayer) -> None:
    """Widen the project's time range (Project Properties → Temporal) to a temporal layer's own range. QGIS's
    Temporal Controller takes the project's range when one is set; without one it works the range out by
    reading every feature of the new layer, on the UI thread (seconds for a year of half-hours)."""
    properties = layer.temporalProperties()
    if properties is None or not properties.isActive():
        return
    from .temporal.controller import layer_range  # the record's range, or one quick min/max query

    extent = layer_range(layer) if isinstance(layer, QgsVectorLayer) else None
    if extent is None or not extent.begin().isValid() or not extent.end().isValid():
        return
    current = project.timeSettings().temporalRange()
    if current.begin().isValid() and current.end().isValid():
        extent = QgsDateTimeRange(min(current.begin(), extent.begin()), max(current.end(), extent.end()))
    project.timeSettings().setTemporalRange(extent)


def add_layer(layer: QgsMapLayer, project: QgsProject | None = None,
              group: QgsLayerTreeGroup | None = None) -> QgsMapLayer:
    """Add one of the plugin's layers to the project (or into ``group``) at its place in the draw order."""
    project = project or QgsProject.instance()
    with PreparedProject(project, [layer]):
        project.addMapLayer(layer, False)
        parent = group or project.layerTreeRoot()
        parent.insertLayer(insert_position(parent, layer_rank(layer)), layer)
    return layer


def add_group(name: str, project: QgsProject | None = None, rank: int = _RANKS["group"]) -> QgsLayerTreeGroup:
    """A new top-level group at its place in the draw order (by default with the polygons)."""
    root = (project or QgsProject.instance()).layerTreeRoot()
    return root.insertGroup(insert_position(root, rank), name)
