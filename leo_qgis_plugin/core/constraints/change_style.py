"""How a harvest's change layer (``gb-headroom-<operator>-changes``) looks: new, removed and changed
substations apart at a glance, a changed RAG ringed, labelled with the headroom's difference."""

from __future__ import annotations

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsRendererCategory,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)

from .styling import LABEL_MIN_SCALE, text_format

# change -> (label, fill, outline): removed ones hollow, since they are no longer there.
CHANGES = {
    "new": ("New substation", "#1a9641", "#202020"),
    "removed": ("Removed", "#ffffff00", "#7a0177"),
    "changed": ("Headroom or RAG changed", "#f5a300", "#202020"),
    "unchanged": ("Unchanged", "#bdbdbd", "#7f7f7f"),
}


def is_change_layer(dataset_id: str) -> bool:
    return dataset_id.startswith("gb-headroom-") and dataset_id.endswith("-changes")


def style_changes(layer: QgsVectorLayer) -> None:
    """Points by ``change``; a changed RAG ringed in red; labels with the demand headroom's difference."""
    categories = []
    for value, (label, fill, outline) in CHANGES.items():
        symbol = QgsMarkerSymbol.createSimple({"name": "circle", "color": fill, "outline_color": outline,
                                               "outline_width": "0.6", "size": "3.2"})
        categories.append(QgsRendererCategory(value, symbol, label))
    layer.setRenderer(QgsCategorizedSymbolRenderer("change", categories))
    settings = QgsPalLayerSettings()
    settings.isExpression = True
    settings.fieldName = ("\"name\" || coalesce('\\n' || if(\"demand_difference\" > 0, '+', '') || "
                          "format_number(\"demand_difference\", 1) || ' ' || \"demand_unit\", '') || "
                          "if(\"rag_changed\", '\\nRAG: ' || coalesce(\"demand_rag_then\", '?') || ' → ' || "
                          "coalesce(\"demand_rag_now\", '?'), '')")
    settings.scaleVisibility = True
    settings.maximumScale = 0
    settings.minimumScale = LABEL_MIN_SCALE
    settings.setFormat(text_format())
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)
    layer.setDisplayExpression('"name" || \' (\' || "change" || \')\'')
