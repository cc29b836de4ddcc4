"""Default styles for catalogue datasets added to the map: the constraint layers look as they do in the
constraint overlay, boundaries are outlines labelled with their names, other layers keep QGIS's defaults."""

from __future__ import annotations

from qgis.core import (
    QgsFillSymbol,
    QgsSingleSymbolRenderer,
    QgsVectorLayer,
)

from .compat import GeometryType
from .constraints.change_style import is_change_layer, style_changes
from .constraints.definitions import AREAS_DATASET, SUBSTATIONS_DATASET, ZONES_DATASET, ConstraintKind, RagPalette
from .constraints.styling import label_with, style_areas, style_substations, style_zones

EVENTS_DATASET = "flex-events"

# ONS boundary names end in "nm" (lad20nm, msoa11nm); other boundary files use "name".
_NAME_SUFFIXES = ("nm", "name")


def apply_default_style(layer: QgsVectorLayer, dataset_id: str) -> None:
    """Style a freshly opened dataset layer; a layer the user styled later keeps the user's style."""
    palette = RagPalette.current().value
    if is_change_layer(dataset_id):
        style_changes(layer)
    elif dataset_id == SUBSTATIONS_DATASET or dataset_id.startswith("gb-headroom-"):  # any GB operator's
        style_substations(layer, ConstraintKind.DEMAND, palette)
    elif dataset_id == AREAS_DATASET:
        style_areas(layer, ConstraintKind.DEMAND, palette)
    elif dataset_id == ZONES_DATASET:
        style_zones(layer)
    elif dataset_id == EVENTS_DATASET:
        _style_events(layer)
    elif layer.geometryType() == GeometryType.Polygon:
        _style_boundaries(layer)


def _style_events(layer: QgsVectorLayer) -> None:
    """Flexibility events drawn over their zone: with the Temporal Controller a zone lights up while one of
    its events is active."""
    active = QgsFillSymbol.createSimple({"color": "215,25,28,90", "outline_color": "#d7191c", "outline_width": "0.9"})
    layer.setRenderer(QgsSingleSymbolRenderer(active))
    label_with(layer, "\"zone_name\" || '\\n' || format_number(\"requested_mw\", 1) || ' MW called'", "#8b0000")


def name_field(layer: QgsVectorLayer) -> str | None:
    """The field that names each feature (``lad20nm``, ``name``), if there is one."""
    for field in layer.fields():
        if field.name().lower().endswith(_NAME_SUFFIXES):
            return field.name()
    return None


def _style_boundaries(layer: QgsVectorLayer) -> None:
    """Outlines without fill, so boundaries never hide the data beneath them; labelled by name."""
    outline = QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": "#37474f", "outline_width": "0.4"})
    layer.setRenderer(QgsSingleSymbolRenderer(outline))
    field = name_field(layer)
    if field is None:
        return
    label_with(layer, f'"{field}"', "#37474f")
    layer.setDisplayExpression(f'"{field}"')
