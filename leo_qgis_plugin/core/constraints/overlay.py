"""The "SSEN network constraints" layer group: substations, supply areas and CMZs, kept on top.

One group per project: adding the overlay again, switching demand/generation, changing the
palette or filtering by type and voltage restyles the same layers instead of adding copies.
"""

from __future__ import annotations

from qgis.core import QgsLayerTree, QgsLayerTreeGroup, QgsProject, QgsVectorLayer

from ..catalogue import OgcApiCatalogue
from .definitions import (
    AREAS_DATASET,
    OVERLAY_GROUP,
    SUBSTATIONS_DATASET,
    ZONES_DATASET,
    ConstraintKind,
    RagPalette,
)
from .styling import style_areas, style_substations, style_zones

ROLE_PROPERTY = "leo_qgis/constraints/role"
SCREENED_ROLE = "screened-sites"
KIND_PROPERTY = "leo_qgis/constraints/kind"


def _same_dataset_outside(project: QgsProject, group: QgsLayerTreeGroup, layer: QgsVectorLayer):
    """A layer of the same catalogue dataset already in the project, outside the overlay group, or None."""
    from ..layer_roles import dataset_of

    dataset = dataset_of(layer)
    if not dataset:
        return None
    inside = {node.layer() for node in group.findLayers()}
    return next((node.layer() for node in project.layerTreeRoot().findLayers()
                 if node.layer() is not None and node.layer() is not layer and node.layer() not in inside
                 and dataset_of(node.layer()) == dataset), None)


class ConstraintOverlay:
    """The overlay group of a project, found or created."""

    def __init__(self, group: QgsLayerTreeGroup, project: QgsProject) -> None:
        self.group = group
        self.project = project

    # --- finding and building -----------------------------------------------------------

    @classmethod
    def find(cls, project: QgsProject | None = None) -> ConstraintOverlay | None:
        project = project or QgsProject.instance()
        group = project.layerTreeRoot().findGroup(OVERLAY_GROUP)
        return cls(group, project) if group is not None else None

    @classmethod
    def add(cls, catalogue: OgcApiCatalogue, kind: ConstraintKind = ConstraintKind.DEMAND,
            project: QgsProject | None = None) -> ConstraintOverlay:
        """Add (or restyle, if present) the overlay from a catalogue's datasets, on top of the layer tree."""
        project = project or QgsProject.instance()
        overlay = cls.find(project)
        if overlay is None:
            layers = {
                "zones": catalogue.layer(ZONES_DATASET, "Flexibility zones (CMZs)", catalogue.get(ZONES_DATASET)),
                "substations": catalogue.layer(SUBSTATIONS_DATASET, "Substations",
                                               catalogue.get(SUBSTATIONS_DATASET)),
                "areas": catalogue.layer(AREAS_DATASET, "Primary supply areas", catalogue.get(AREAS_DATASET)),
            }
            overlay = cls.from_layers(layers, project)
        overlay.set_kind(kind)
        return overlay

    @classmethod
    def from_layers(cls, layers: dict[str, QgsVectorLayer], project: QgsProject | None = None) -> ConstraintOverlay:
        """Build the group from ready layers: ``substations`` (required), ``areas`` and ``zones``."""
        from ..project_layers import PreparedProject

        project = project or QgsProject.instance()
        root = project.layerTreeRoot()
        group = root.findGroup(OVERLAY_GROUP) or root.insertGroup(0, OVERLAY_GROUP)
        with PreparedProject(project, list(layers.values())):
            for role in ("zones", "substations", "areas"):  # top to bottom
                layer = layers.get(role)
                if layer is None:
                    continue
                same = _same_dataset_outside(project, group, layer)
                if same is not None:  # already on the map (e.g. from the Browser): moved in, not drawn twice
                    layer = same
                else:
                    project.addMapLayer(layer, False)
                layer.setCustomProperty(ROLE_PROPERTY, role)
                group.addLayer(layer)
                for node in root.findLayers():
                    if node.layer() is layer and node.parent() is not group:
                        node.parent().removeChildNode(node)
        overlay = cls(group, project)
        overlay.move_to_top()
        return overlay

    # --- the layers ---------------------------------------------------------------------

    def layer(self, role: str) -> QgsVectorLayer | None:
        return next(iter(self.layers(role)), None)

    def layers(self, role: str) -> list[QgsVectorLayer]:
        """Every layer of the group in a role (a project may hold several headroom files)."""
        return [node.layer() for node in self.group.findLayers()
                if node.layer() is not None and node.layer().customProperty(ROLE_PROPERTY) == role]

    @property
    def kind(self) -> ConstraintKind:
        return ConstraintKind(self.group.customProperty(KIND_PROPERTY, ConstraintKind.DEMAND.value))

    # --- restyling ----------------------------------------------------------------------

    def set_kind(self, kind: ConstraintKind, palette: RagPalette | None = None) -> None:
        """Colour by demand or generation headroom (and the chosen palette)."""
        palette = palette or RagPalette.current()
        self.group.setCustomProperty(KIND_PROPERTY, kind.value)
        for substations in self.layers("substations"):
            style_substations(substations, kind, palette.value)
            substations.triggerRepaint()
        for areas in self.layers("areas"):
            style_areas(areas, kind, palette.value)
            areas.triggerRepaint()
        for zones in self.layers("zones"):
            style_zones(zones)
            zones.triggerRepaint()

    def set_filter(self, types: list[str] | None = None, voltages_kv: list[float] | None = None) -> None:
        """Show only substations of these types and highest voltages (None: all)."""
        parts = []
        if types:
            parts.append('"substation_type" IN (' + ", ".join(f"'{t}'" for t in types) + ")")
        if voltages_kv:
            parts.append('"voltage_high_kv" IN (' + ", ".join(f"{v:g}" for v in voltages_kv) + ")")
        for substations in self.layers("substations"):
            substations.setSubsetString(" AND ".join(parts))

    def move_to_top(self) -> None:
        """Keep the overlay above the user's layers (but below screening results and playback layers, which are
        read against it, and tables, which are not drawn)."""
        from ..project_layers import ABOVE_OVERLAY_RANK, layer_rank

        root = self.project.layerTreeRoot()
        others = [node for node in root.children() if node is not self.group]
        target = 0  # its index among the other entries
        for node in others:
            layer = node.layer() if QgsLayerTree.isLayer(node) else None
            if layer is None or (layer.isSpatial() and layer_rank(layer) > ABOVE_OVERLAY_RANK):
                break
            target += 1
        current = next(i for i, node in enumerate(root.children()) if node is self.group)
        if current == target:
            return
        # Moved as a clone: removing a group's node first would take its layers out of the project.
        clone = self.group.clone()
        root.insertChildNode(target + 1 if current < target else target, clone)
        root.removeChildNode(self.group)
        self.group = clone
