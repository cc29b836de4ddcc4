"""An optional basemap under the plugin's layers: OpenStreetMap's standard XYZ tiles, with their attribution.
On a closed network the tiles simply do not load; nothing else depends on them."""

from __future__ import annotations

from qgis.core import QgsProject, QgsRasterLayer

from .compat import set_attribution
from .project_layers import add_layer

BASEMAP_PROPERTY = "leo_qgis/basemap"
NAME = "OpenStreetMap (basemap)"
URI = "type=xyz&url=https://tile.openstreetmap.org/{z}/{x}/{y}.png&zmax=19&zmin=0"
ATTRIBUTION = "© OpenStreetMap contributors (openstreetmap.org/copyright)"


def basemap(project: QgsProject | None = None) -> QgsRasterLayer | None:
    project = project or QgsProject.instance()
    return next((layer for layer in project.mapLayers().values() if layer.customProperty(BASEMAP_PROPERTY)), None)


def set_basemap(on: bool, project: QgsProject | None = None) -> QgsRasterLayer | None:
    """Show the basemap (added once, at the bottom of the draw order) or take it away; the layer when shown."""
    project = project or QgsProject.instance()
    existing = basemap(project)
    if not on:
        if existing is not None:
            project.removeMapLayer(existing.id())
        return None
    if existing is not None:
        return existing
    layer = QgsRasterLayer(URI, NAME, "wms")
    layer.setCustomProperty(BASEMAP_PROPERTY, True)
    set_attribution(layer, ATTRIBUTION)
    return add_layer(layer, project)
