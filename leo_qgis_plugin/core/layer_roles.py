"""Finding a project's LEO layers by what they are, never by their field names: the catalogue dataset a
layer was made from (``leo_qgis/dataset/id``) and its role in the plugin's tools (``leo_qgis/dataset/role``),
both kept as layer properties (so they survive saving and reopening the project)."""

from __future__ import annotations

from qgis.core import QgsProject, QgsVectorLayer

from .constraints.definitions import AREAS_DATASET, SUBSTATIONS_DATASET, ZONES_DATASET
from .models import PROPERTY_PREFIX

DATASET_PROPERTY = f"{PROPERTY_PREFIX}/id"
ROLE_PROPERTY = f"{PROPERTY_PREFIX}/role"
OVERLAY_ROLE_PROPERTY = "leo_qgis/constraints/role"  # set by the constraints overlay (substations, areas, zones)

LOAD_DATASET = "substation-load-hh"
EVENTS_DATASET = "flex-events"

# What each LEO dataset is to the plugin's tools.
ROLES = {
    SUBSTATIONS_DATASET: "substations",  # headroom and firm capacity per substation
    AREAS_DATASET: "areas",
    ZONES_DATASET: "zones",
    LOAD_DATASET: "load",  # half-hourly load per primary
    EVENTS_DATASET: "events",
    "oxon-districts": "boundaries",
    "oxon-msoa": "boundaries",
    "oxon-county": "boundaries",
}


def dataset_of(layer) -> str:
    return str(layer.customProperty(DATASET_PROPERTY, "") or "")


def role_of(layer) -> str:
    """The layer's role: kept on the layer, else the one its dataset has, else ''."""
    for key in (ROLE_PROPERTY, OVERLAY_ROLE_PROPERTY):
        role = layer.customProperty(key, "")
        if role:
            return str(role)
    return ROLES.get(dataset_of(layer), "")


def mark(layer, dataset_id: str, role: str | None = None) -> None:
    """Record what a layer is: its dataset and role (the dataset's usual one when not given)."""
    layer.setCustomProperty(DATASET_PROPERTY, dataset_id)
    role = role if role is not None else ROLES.get(dataset_id, "")
    if role:
        layer.setCustomProperty(ROLE_PROPERTY, role)


def find_layers(role: str, project: QgsProject | None = None) -> list[QgsVectorLayer]:
    """The project's vector layers in a role, top of the Layers panel first."""
    project = project or QgsProject.instance()
    ordered = [node.layer() for node in project.layerTreeRoot().findLayers() if node.layer() is not None]
    rest = [layer for layer in project.mapLayers().values() if layer not in ordered]
    return [layer for layer in ordered + rest if isinstance(layer, QgsVectorLayer) and role_of(layer) == role]


def describe_choice(layer: QgsVectorLayer, layers: list[QgsVectorLayer]) -> str:
    """A layer's name for a list of choices, with where it comes from when another layer has the same name."""
    name = layer.name()
    if sum(1 for other in layers if other.name() == name) < 2:
        return name
    source = layer.customProperty(f"{PROPERTY_PREFIX}/catalogue", "") or layer.source()
    return f"{name} ({layer.providerType()}: {str(source)[-60:]})"
