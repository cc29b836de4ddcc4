"""Styles of the constraint overlay: colour by RAG, size by type, labels and map tips.

Written in code rather than QML because the same layers are restyled when the user switches
between demand and generation headroom or changes the palette.
"""

from __future__ import annotations

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsLinePatternFillSymbolLayer,
    QgsLineSymbol,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsProperty,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor

from ..compat import GeometryType, SymbolLayerProperty
from .definitions import TYPE_SIZES, ConstraintKind, Palette, Rag

AREA_OPACITY = 0.45
# Labels only when zoomed in closer than 1:150,000 (a district or closer).
LABEL_MIN_SCALE = 150_000


def _categories(palette: Palette, make_symbol) -> list[QgsRendererCategory]:
    categories = [QgsRendererCategory(rag.value, make_symbol(palette.colours[rag]), rag.value) for rag in Rag]
    categories.append(QgsRendererCategory(None, make_symbol(palette.unknown), "No data"))
    return categories


def _size_by_type() -> QgsProperty:
    cases = " ".join(f"WHEN '{kind}' THEN {size}" for kind, size in TYPE_SIZES.items())
    return QgsProperty.fromExpression(f'CASE "substation_type" {cases} ELSE 2.6 END')


def style_substations(layer: QgsVectorLayer, kind: ConstraintKind, palette: Palette) -> None:
    """Points coloured by the kind's RAG, sized by type, labelled with name and headroom."""

    def symbol(colour: str) -> QgsMarkerSymbol:
        marker = QgsMarkerSymbol.createSimple({"name": "circle", "color": colour, "outline_color": "#202020",
                                               "outline_width": "0.3"})
        marker.symbolLayer(0).setDataDefinedProperty(SymbolLayerProperty.Size, _size_by_type())
        return marker

    layer.setRenderer(QgsCategorizedSymbolRenderer(kind.rag_field, _categories(palette, symbol)))
    settings = QgsPalLayerSettings()
    settings.isExpression = True
    settings.fieldName = (f"\"name\" || '\\n' || coalesce(format_number(\"{kind.headroom_field}\", 1) "
                          f"|| ' {kind.unit}', 'no data')")
    settings.scaleVisibility = True
    settings.maximumScale = 0
    settings.minimumScale = LABEL_MIN_SCALE
    settings.priority = PRIORITY["substations"]
    settings.setFormat(text_format())
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)
    layer.setMapTipTemplate(map_tip(kind))
    layer.setDisplayExpression('"name"')


def style_areas(layer: QgsVectorLayer, kind: ConstraintKind, palette: Palette) -> None:
    """Supply areas filled by the kind's RAG, see-through so the user's layers stay readable."""

    def symbol(colour: str) -> QgsFillSymbol:
        fill = QgsFillSymbol.createSimple({"color": colour, "outline_color": "#5a5a5a", "outline_width": "0.2"})
        fill.setOpacity(AREA_OPACITY)
        return fill

    layer.setRenderer(QgsCategorizedSymbolRenderer(kind.rag_field, _categories(palette, symbol)))
    layer.setMapTipTemplate(
        "<b>[% \"name\" %]</b> supply area<br>"
        f"{kind.value.capitalize()} headroom: [% coalesce(format_number(\"{kind.headroom_field}\", 1), 'no data') %] "
        f"{kind.unit} ([% coalesce(\"{kind.rag_field}\", 'no RAG') %])<br>"
        "Upstream: [% \"upstream_bsp\" %], [% \"upstream_gsp\" %]")
    layer.setDisplayExpression('"name"')


def style_zones(layer: QgsVectorLayer) -> None:
    """CMZs hatched and outlined, labelled with product and MW needed."""
    zone = QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": "#6a3d9a", "outline_width": "0.8",
                                       "outline_style": "dash"})
    hatch = QgsLinePatternFillSymbolLayer()
    hatch.setLineAngle(45)
    hatch.setDistance(2.5)
    hatch.setSubSymbol(QgsLineSymbol.createSimple({"color": "#6a3d9a", "width": "0.25"}))
    zone.appendSymbolLayer(hatch)
    layer.setRenderer(QgsSingleSymbolRenderer(zone))
    label_with(layer, "\"name\" || '\\n' || \"product\" || ', ' || format_number(\"mw_required\", 1) || ' MW'",
               "#4a2370", PRIORITY["zones"])
    layer.setMapTipTemplate(
        "<b>[% \"name\" %]</b> (CMZ [% \"zone_id\" %])<br>[% \"product\" %], [% \"direction\" %]: "
        "[% format_number(\"mw_required\", 1) %] MW<br>[% \"window_start\" %]–[% \"window_end\" %] UK time, "
        "[% \"service_days\" %]")
    layer.setDisplayExpression('"name"')


# Label priorities (0-10): where labels would collide, QGIS keeps the higher one. What a planner reads the
# map for (sites, substations) wins over zones and events, which win over boundary names and counts.
PRIORITY = {"sites": 10, "substations": 9, "events": 7, "zones": 6, "boundaries": 3, "aggregates": 2}


def label_with(layer: QgsVectorLayer, expression: str, colour: str = "#202020", priority: int = 5,
               min_scale: float = 0) -> QgsPalLayerSettings:
    """Label a layer with an expression in the plugin's text style (buffered, 8 pt), never over another label
    (``priority`` decides which stays), polygons' labels inside their polygon; shown only when zoomed in
    closer than 1:``min_scale`` if given. The settings, as set."""
    settings = QgsPalLayerSettings()
    settings.isExpression = True
    settings.fieldName = expression
    settings.setFormat(text_format(colour))
    settings.priority = priority
    settings.displayAll = False
    if layer.geometryType() == GeometryType.Polygon:
        settings.fitInPolygonOnly = True
    if min_scale:
        settings.scaleVisibility = True
        settings.maximumScale = 0
        settings.minimumScale = min_scale
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)
    return settings


def text_format(colour: str = "#202020") -> QgsTextFormat:
    text = QgsTextFormat()
    text.setSize(8)
    text.setColor(QColor(colour))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    text.setBuffer(buffer)
    return text


SITE_NAME_FIELDS = ("name", "site_name", "site", "site_id", "id", "fid")


def style_screened_sites(layer: QgsVectorLayer, palette: Palette, rag_field: str = "scenario_demand_rag") -> None:
    """Screened sites coloured by their scenario RAG (points as circles, polygons filled)."""

    def symbol(colour: str):
        if layer.geometryType() == GeometryType.Polygon:
            return QgsFillSymbol.createSimple({"color": colour, "outline_color": "#202020", "outline_width": "0.3"})
        # A diamond with a white edge: never mistaken for a substation (RAG circles), whatever its colour.
        return QgsMarkerSymbol.createSimple({"name": "diamond", "color": colour, "outline_color": "#ffffff",
                                             "outline_width": "0.6", "size": "4.2"})

    layer.setRenderer(QgsCategorizedSymbolRenderer(rag_field, _categories(palette, symbol)))
    names = [f for f in SITE_NAME_FIELDS if f in layer.fields().names()]
    label_with(layer, (f'"{names[0]}" || \'\\n\' || ' if names else "")
               + "coalesce(format_number(\"scenario_demand_headroom_mva\", 2) || ' MVA left', 'no primary')",
               "#202020", PRIORITY["sites"])
    layer.setCustomProperty("leo_qgis/constraints/role", "screened-sites")  # read by ConstraintOverlay.move_to_top
    layer.setMapTipTemplate(
        "<b>Site</b> served by [% coalesce(\"primary_name\", 'no primary') %] ([% \"match_rule\" %])<br>"
        "Demand headroom if all sites connect: [% coalesce(format_number(\"scenario_demand_headroom_mva\", 2) "
        "|| ' MVA', 'no data') %] ([% coalesce(\"scenario_demand_rag\", '–') %])")


def map_tip(kind: ConstraintKind) -> str:
    """The substation map tip: constraint, upstream GSP/BSP, fault level and reinforcement works."""
    return (
        "<b>[% \"name\" %]</b> ([% \"substation_type\" %], [% \"voltage_kv\" %] kV)<br>"
        f"{kind.value.capitalize()} headroom: "
        f"[% coalesce(format_number(\"{kind.headroom_field}\", 1) || ' {kind.unit}', 'no data') %] "
        f"([% coalesce(\"{kind.rag_field}\", 'no RAG') %])<br>"
        f"Constraint: [% coalesce(\"{kind.constraint_field}\", 'none published') %]<br>"
        "Upstream: [% coalesce(\"upstream_bsp\", '–') %], [% coalesce(\"upstream_gsp\", '–') %]<br>"
        "Fault level: [% coalesce(format_number(\"fault_level_ka\", 1) || ' kA', 'no data') %] of "
        "[% coalesce(format_number(\"fault_rating_ka\", 1) || ' kA', 'no data') %]<br>"
        "Substation works: [% coalesce(\"substation_works\", 'none') %] "
        "[% coalesce('(' || format_date(\"substation_works_completion\", 'MMM yyyy') || ')', '') %]<br>"
        "Upstream works: [% coalesce(\"upstream_works\", 'none') %] "
        "[% coalesce('(' || format_date(\"upstream_works_completion\", 'MMM yyyy') || ')', '') %]"
    )
