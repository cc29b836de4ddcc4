"""A multi-scale view: aggregates at county, district and MSOA level and the raw features, each shown
only in its band of map scales, so zooming in reveals the next level."""

from __future__ import annotations

from dataclasses import dataclass

from qgis.core import (
    QgsClassificationPrettyBreaks,
    QgsFeature,
    QgsFeedback,
    QgsField,
    QgsGeometry,
    QgsGraduatedSymbolRenderer,
    QgsLayerTreeGroup,
    QgsProject,
    QgsStyle,
    QgsVectorLayer,
)

from ..compat import MetaType
from ..constraints.styling import PRIORITY, label_with
from ..default_styles import name_field
from .aggregate import AggregateResult, Stat, aggregate


@dataclass(frozen=True)
class Level:
    """One level of the view: its boundaries and the band of scale denominators it shows in."""

    name: str
    boundaries: QgsVectorLayer | None  # None: the raw features
    zoomed_out_limit: float  # shown at scales up to 1:zoomed_out_limit (0: no limit)
    zoomed_in_limit: float   # ... and down to 1:zoomed_in_limit (0: no limit)


# County beyond 1:1,000,000; districts to 1:250,000; MSOAs to 1:50,000; then the features themselves.
SCALE_BANDS = ((0.0, 1_000_000.0), (1_000_000.0, 250_000.0), (250_000.0, 50_000.0), (50_000.0, 0.0))


def standard_levels(districts: QgsVectorLayer, msoas: QgsVectorLayer, county_name: str = "Oxfordshire") -> list[Level]:
    names_and_boundaries = [("County", county_from(districts, county_name)), ("Districts", districts),
                            ("MSOAs", msoas), ("Features", None)]
    return [Level(name, boundaries, *band) for (name, boundaries), band in zip(names_and_boundaries, SCALE_BANDS)]


def county_from(districts: QgsVectorLayer, name: str) -> QgsVectorLayer:
    """One polygon: the union of the districts."""
    county = QgsVectorLayer(f"MultiPolygon?crs={districts.crs().authid()}", name, "memory")
    county.dataProvider().addAttributes([QgsField("name", MetaType.String)])
    county.updateFields()
    feature = QgsFeature(county.fields())
    parts = [f.geometry().makeValid() for f in districts.getFeatures() if not f.geometry().isEmpty()]
    feature.setGeometry(QgsGeometry.unaryUnion(parts))
    feature["name"] = name
    county.dataProvider().addFeatures([feature])
    return county


def build_levels(layer: QgsVectorLayer, levels: list[Level], fields: list[str], stats: list[Stat],
                 rag_fields: list[str], feedback: QgsFeedback | None = None) -> list[tuple[Level, QgsVectorLayer,
                                                                                          AggregateResult | None]]:
    """The layers of the view, coarsest first (work that may run in a task: no project changes)."""
    built = []
    for level in levels:
        if level.boundaries is None:
            built.append((level, layer.clone(), None))
            continue
        result = aggregate(layer, level.boundaries, fields, stats, rag_fields,
                           f"{layer.name()}: {level.name.lower()}", feedback)
        style_aggregate(result.layer)
        built.append((level, result.layer, result))
    for level, view_layer, _ in built:
        view_layer.setScaleBasedVisibility(True)
        view_layer.setMinimumScale(level.zoomed_out_limit)
        view_layer.setMaximumScale(level.zoomed_in_limit)
    return built


def add_group(layer_name: str, built: list[tuple[Level, QgsVectorLayer, AggregateResult | None]],
              project: QgsProject | None = None) -> QgsLayerTreeGroup:
    """Put the view's layers in one group, with the polygons in the draw order (below the constraints overlay
    and point layers)."""
    from ..project_layers import add_group as new_group

    project = project or QgsProject.instance()
    group = new_group(f"{layer_name} across scales", project)
    for _, view_layer, _ in built:
        project.addMapLayer(view_layer, False)
        group.addLayer(view_layer)
    return group


def style_aggregate(layer: QgsVectorLayer, field: str = "count") -> None:
    """Shaded by count in blues (pretty breaks: round numbers, in order even for a handful of boundaries),
    labelled with the boundary's name and count."""
    renderer = QgsGraduatedSymbolRenderer(field)
    renderer.setClassificationMethod(QgsClassificationPrettyBreaks())
    renderer.updateClasses(layer, 5)
    renderer.updateColorRamp(QgsStyle.defaultStyle().colorRamp("Blues"))
    layer.setRenderer(renderer)
    layer.setOpacity(0.8)
    name = name_field(layer)
    label_with(layer, (f'"{name}" || \'\\n\' || ' if name else "") + f'format_number("{field}", 0)',
               priority=PRIORITY["aggregates"])
