"""Default styles for catalogue datasets added to the map: the constraint layers look as they do in the
constraint overlay, boundaries are outlines labelled with their names, other layers keep QGIS's defaults."""

from __future__ import annotations

import math

from qgis.core import (
    QgsFeatureRequest,
    QgsFillSymbol,
    QgsGraduatedSymbolRenderer,
    QgsMarkerSymbol,
    QgsRendererRange,
    QgsSingleSymbolRenderer,
    QgsVectorLayer,
)

from .compat import GeometryType
from .constraints.change_style import is_change_layer, style_changes
from .constraints.definitions import AREAS_DATASET, SUBSTATIONS_DATASET, ZONES_DATASET, ConstraintKind, RagPalette
from .constraints.styling import PRIORITY, label_with, style_areas, style_substations, style_zones
from .layer_roles import EVENTS_DATASET, LOAD_DATASET

LOAD_FIELD = "avg_kw"
LOCAL_PROVIDERS = ("ogr", "memory", "spatialite", "postgres")
DEFAULT_LOAD_TOP_KW = 20_000.0
# Sequential colours, low to high load: warm for SSEN's palette, viridis (colour-blind safe) for the other.
LOAD_COLOURS = {RagPalette.SSEN: ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
                RagPalette.COLOURBLIND: ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")}

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
    elif dataset_id == LOAD_DATASET:
        style_load(layer, RagPalette.current())
    elif layer.geometryType() == GeometryType.Polygon:
        _style_boundaries(layer)


def style_load(layer: QgsVectorLayer, palette: RagPalette, field: str = LOAD_FIELD) -> None:
    """A half-hourly series drawn by its value, so that QGIS's Temporal Controller alone tells the story: each
    frame's points sized and coloured by average kW in five bands up to the series' largest value (one
    MAX query of a local file, run where the layer is built: in the task)."""
    index = layer.fields().indexOf(field)
    if index < 0:
        return
    # A live OGC API layer would have to download every feature to answer: a primary's usual range instead.
    top = layer.maximumValue(index) if layer.providerType() in LOCAL_PROVIDERS else None
    top = float(top) if isinstance(top, (int, float)) and top > 0 else DEFAULT_LOAD_TOP_KW
    step = _nice_step(top / 5)
    ranges = []
    for n, colour in enumerate(LOAD_COLOURS[palette]):
        low, high = n * step, (n + 1) * step if n < 4 else max(top, 5 * step)
        symbol = QgsMarkerSymbol.createSimple({"name": "circle", "color": colour, "outline_color": "#404040",
                                               "outline_width": "0.2", "size": f"{2 + 1.5 * n:g}"})
        ranges.append(QgsRendererRange(low, high, symbol, f"{low:,.0f} – {high:,.0f} kW"))
    renderer = QgsGraduatedSymbolRenderer(field, ranges)
    renderer.setClassAttribute(field)
    layer.setRenderer(renderer)
    # Largest on top: a peaking substation is never hidden under a quiet neighbour.
    renderer.setOrderBy(QgsFeatureRequest.OrderBy([QgsFeatureRequest.OrderByClause(field, True)]))
    renderer.setOrderByEnabled(True)


def _nice_step(raw: float) -> float:
    """A round class width (1, 1.5, 2, 2.5 … 8 times a power of ten) at least ``raw``."""
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(m * power for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * power >= raw)


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
    label_with(layer, f'"{field}"', "#37474f", PRIORITY["boundaries"])
    layer.setDisplayExpression(f'"{field}"')
