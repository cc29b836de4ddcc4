"""Screening the user's own sites against network headroom, with a connect-them-all scenario.

Each site is matched to the primary substation that serves it: the supply area that contains it
(``contained``), else the nearest primary within a maximum distance (``nearest``), else none
(``outside``, kept and flagged). Distances are measured in British National Grid (EPSG:27700)
whatever the inputs' CRS. The scenario adds up every matched site's demand (kVA; kW taken at
unity power factor) and generation (kW) per primary and subtracts it from the published headroom.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeedback,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsMemoryProviderUtils,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsSpatialIndex,
    QgsVectorLayer,
)

from ..compat import GeometryType, MetaType, WkbType
from ..exceptions import LeoError
from ..layers import is_null
from .definitions import Rag

BNG = QgsCoordinateReferenceSystem("EPSG:27700")

# (name, type) of the fields screening adds to each site, in order.
SITE_FIELDS = [
    ("primary_id", MetaType.String), ("primary_name", MetaType.String), ("match_rule", MetaType.String),
    ("distance_m", MetaType.Double), ("substation_type", MetaType.String),
    ("demand_headroom_mva", MetaType.Double), ("demand_rag", MetaType.String),
    ("gen_headroom_mw", MetaType.Double), ("gen_rag", MetaType.String),
    ("demand_constraint", MetaType.String), ("generation_constraint", MetaType.String),
    ("reinforcement_date", MetaType.Date), ("added_demand_kva", MetaType.Double),
    ("added_generation_kw", MetaType.Double),
    ("scenario_demand_headroom_mva", MetaType.Double), ("scenario_demand_rag", MetaType.String),
    ("scenario_gen_headroom_mw", MetaType.Double), ("scenario_gen_rag", MetaType.String),
    ("screening_note", MetaType.String),
]
SUMMARY_FIELDS = [
    ("primary_id", MetaType.String), ("primary_name", MetaType.String), ("sites", MetaType.Int),
    ("added_demand_mva", MetaType.Double), ("added_generation_mw", MetaType.Double),
    ("demand_headroom_mva", MetaType.Double), ("demand_rag", MetaType.String),
    ("scenario_demand_headroom_mva", MetaType.Double), ("scenario_demand_rag", MetaType.String),
    ("gen_headroom_mw", MetaType.Double), ("gen_rag", MetaType.String),
    ("scenario_gen_headroom_mw", MetaType.Double), ("scenario_gen_rag", MetaType.String),
]
_RAG_ORDER = {None: -1, Rag.GREEN.value: 0, Rag.AMBER.value: 1, Rag.RED.value: 2}


def scenario_rag(headroom: float | None, remaining: float | None, published_rag: str | None) -> str | None:
    """Red when the sites would use more than the headroom; Amber when more than half of it;
    never better than the RAG the DNO published."""
    if remaining is None:
        return None
    if remaining < 0:
        computed = Rag.RED.value
    elif headroom is not None and headroom > 0 and remaining < 0.5 * headroom:
        computed = Rag.AMBER.value
    else:
        computed = Rag.GREEN.value
    return max(computed, published_rag if published_rag in _RAG_ORDER else None, key=lambda r: _RAG_ORDER[r])


@dataclass
class Primary:
    asset_id: str
    attributes: dict
    point: QgsPointXY | None


@dataclass
class ScreeningResult:
    sites: QgsVectorLayer
    summary: QgsVectorLayer
    counts: dict[str, int]
    messages: list[str] = field(default_factory=list)
    added_field_names: dict[str, str] = field(default_factory=dict)


def _value(attributes: dict, name: str):
    value = attributes.get(name)
    return None if is_null(value) else value


def _number(value) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


class _Network:
    """Primaries and their supply areas in British National Grid, indexed for lookups."""

    def __init__(self, headroom: QgsVectorLayer, areas: QgsVectorLayer | None, context) -> None:
        self.primaries: dict[str, Primary] = {}
        self.by_index: dict[int, Primary] = {}
        self.point_index = QgsSpatialIndex()
        transform = QgsCoordinateTransform(headroom.crs(), BNG, context)
        names = headroom.fields().names()
        for feature in headroom.getFeatures():
            attributes = dict(zip(names, feature.attributes()))
            if "substation_type" in attributes and _value(attributes, "substation_type") not in (None, "Primary"):
                continue
            asset_id = str(_value(attributes, "asset_id") or feature.id())
            point = None
            if feature.hasGeometry():
                geometry = QgsGeometry(feature.geometry())
                geometry.transform(transform)
                point = geometry.asPoint()
                node = QgsFeature(len(self.by_index))
                node.setGeometry(QgsGeometry.fromPointXY(point))
                self.point_index.addFeature(node)
            primary = Primary(asset_id, attributes, point)
            self.primaries[asset_id] = primary
            self.by_index[len(self.by_index)] = primary
        if not self.primaries:
            raise LeoError("The headroom layer has no primary substations to screen against.")
        self.areas: list[tuple[Primary, QgsGeometry, object]] = []
        self.area_index = QgsSpatialIndex()
        self.skipped_areas = 0
        if areas is not None:
            area_transform = QgsCoordinateTransform(areas.crs(), BNG, context)
            for feature in areas.getFeatures():
                asset_id = str(feature["asset_id"]) if "asset_id" in areas.fields().names() else None
                primary = self.primaries.get(asset_id)
                if primary is None or not feature.hasGeometry():
                    self.skipped_areas += 1
                    continue
                geometry = QgsGeometry(feature.geometry())
                geometry.transform(area_transform)
                if not geometry.isGeosValid():
                    geometry = geometry.makeValid()
                engine = QgsGeometry.createGeometryEngine(geometry.constGet())
                engine.prepareGeometry()
                node = QgsFeature(len(self.areas))
                node.setGeometry(geometry)
                self.area_index.addFeature(node)
                self.areas.append((primary, geometry, engine))

    def match(self, point: QgsPointXY, max_distance: float) -> tuple[Primary | None, str, float | None]:
        probe = QgsGeometry.fromPointXY(point)
        for index in self.area_index.intersects(QgsRectangle(point, point)):
            primary, _, engine = self.areas[index]
            if engine.intersects(probe.constGet()):
                distance = point.distance(primary.point) if primary.point else None
                return primary, "contained", distance
        nearest = self.point_index.nearestNeighbor(point, 1, max_distance)
        if nearest:
            primary = self.by_index[nearest[0]]
            distance = point.distance(primary.point)
            if distance <= max_distance:
                return primary, "nearest", distance
        return None, "outside", None


def _site_point(feature: QgsFeature, transform: QgsCoordinateTransform) -> tuple[QgsPointXY | None, str]:
    if not feature.hasGeometry() or feature.geometry().isEmpty():
        return None, "no geometry"
    geometry = QgsGeometry(feature.geometry())
    note = ""
    if geometry.type() == GeometryType.Polygon:
        if not geometry.isGeosValid():
            geometry = geometry.makeValid()
            note = "invalid geometry repaired"
        geometry = geometry.pointOnSurface()
    elif geometry.type() != GeometryType.Point or geometry.isMultipart():
        geometry = geometry.centroid()
    if geometry.isNull() or geometry.isEmpty():
        return None, "unusable geometry"
    try:
        geometry.transform(transform)
    except Exception:  # noqa: BLE001 - QgsCsException: coordinates outside the CRS's area
        return None, "coordinates cannot be placed in British National Grid"
    return geometry.asPoint(), note


class _Values:
    """Evaluates an optional per-site expression (kVA or kW), counting failures."""

    def __init__(self, expression: str | None, layer: QgsVectorLayer, label: str) -> None:
        self.label = label
        self.expression = QgsExpression(expression) if expression else None
        self.failures = 0
        self.first_error = ""
        self.context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
        if self.expression is not None:
            if self.expression.hasParserError():
                raise LeoError(f"The {label} expression is not valid: {self.expression.parserErrorString()}")
            self.expression.prepare(self.context)

    def value(self, feature: QgsFeature) -> float | None:
        if self.expression is None:
            return None
        self.context.setFeature(feature)
        result = self.expression.evaluate(self.context)
        number = None if self.expression.hasEvalError() else _number(result)
        if number is None and (self.expression.hasEvalError() or result is not None):
            self.failures += 1
            if not self.first_error:
                self.first_error = self.expression.evalErrorString() or f"{result!r} is not a number"
        return number

    def message(self) -> str | None:
        if not self.failures:
            return None
        return (f"The {self.label} expression failed on {self.failures} site(s) (e.g. {self.first_error}); "
                f"those sites count as adding nothing.")


def _field_names(input_fields: QgsFields) -> dict[str, str]:
    """Output names of the added fields; a name the input already uses gets a ``leo_`` prefix."""
    taken = {name.lower() for name in input_fields.names()}
    return {name: (f"leo_{name}" if name.lower() in taken else name) for name, _ in SITE_FIELDS}


def screen_sites(sites: QgsVectorLayer, headroom: QgsVectorLayer, areas: QgsVectorLayer | None = None,
                 demand_expression: str | None = None, generation_expression: str | None = None,
                 max_distance_m: float = 2000.0, feedback: QgsFeedback | None = None) -> ScreeningResult:
    """Screen every site; the inputs are read, never modified."""
    if sites.featureCount() == 0:
        raise LeoError(f"The layer {sites.name()!r} has no sites to screen.")
    if max_distance_m < 0:
        raise LeoError("The maximum distance must not be negative.")
    context = QgsProject.instance().transformContext()
    network = _Network(headroom, areas, context)
    demand = _Values(demand_expression, sites, "demand")
    generation = _Values(generation_expression, sites, "generation")
    names = _field_names(sites.fields())
    out_fields = QgsFields(sites.fields())
    for name, kind in SITE_FIELDS:
        out_fields.append(QgsField(names[name], kind))
    transform = QgsCoordinateTransform(sites.crs(), BNG, context)
    total = sites.featureCount()
    rows: list[tuple[QgsFeature, Primary | None, dict]] = []
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    counts = {"contained": 0, "nearest": 0, "outside": 0}
    for n, feature in enumerate(sites.getFeatures(QgsFeatureRequest())):
        if feedback is not None:
            if feedback.isCanceled():
                raise LeoError("Screening was cancelled.")
            if n % 1000 == 0:
                feedback.setProgress(80.0 * n / total)
        point, note = _site_point(feature, transform)
        primary, rule, distance = network.match(point, max_distance_m) if point else (None, "outside", None)
        counts[rule] += 1
        added_demand, added_generation = demand.value(feature), generation.value(feature)
        if primary is not None:
            entry = totals[primary.asset_id]
            entry[0] += 1
            entry[1] += added_demand or 0.0
            entry[2] += added_generation or 0.0
        rows.append((feature, primary, {"match_rule": rule, "distance_m": distance, "added_demand_kva": added_demand,
                                        "added_generation_kw": added_generation, "screening_note": note or None}))
    scenario = {asset_id: _scenario(network.primaries[asset_id], t) for asset_id, t in totals.items()}
    sites_out = QgsMemoryProviderUtils.createMemoryLayer(f"{sites.name()} screened", out_fields, sites.wkbType(),
                                                         sites.crs())
    features = []
    for feature, primary, extra in rows:
        values = {**_primary_values(primary), **extra, **(scenario.get(primary.asset_id, {}) if primary else {})}
        out = QgsFeature(out_fields)
        out.setGeometry(feature.geometry())
        out.setAttributes(list(feature.attributes()) + [values.get(name) for name, _ in SITE_FIELDS])
        features.append(out)
    sites_out.dataProvider().addFeatures(features)
    summary = _summary_layer(network, totals, scenario)
    messages = [m for m in (demand.message(), generation.message()) if m]
    notes = defaultdict(int)
    for _, _, extra in rows:
        if extra["screening_note"]:
            notes[extra["screening_note"]] += 1
    messages += [f"{count} site(s): {note}." for note, count in sorted(notes.items())]
    if counts["outside"]:
        messages.append(f"{counts['outside']} site(s) are outside the network coverage (no supply area and no primary "
                        f"within {max_distance_m:g} m); they are kept, flagged 'outside'.")
    if feedback is not None:
        feedback.setProgress(100)
    return ScreeningResult(sites_out, summary, counts, messages, names)


def _primary_values(primary: Primary | None) -> dict:
    if primary is None:
        return {}
    a = primary.attributes
    reinforcement = _value(a, "substation_works_completion") or _value(a, "upstream_works_completion")
    return {
        "primary_id": primary.asset_id, "primary_name": _value(a, "name"),
        "substation_type": _value(a, "substation_type"),
        "demand_headroom_mva": _number(_value(a, "demand_headroom_mva")), "demand_rag": _value(a, "demand_rag"),
        "gen_headroom_mw": _number(_value(a, "generation_headroom_mw")), "gen_rag": _value(a, "generation_rag"),
        "demand_constraint": _value(a, "demand_constraint"),
        "generation_constraint": _value(a, "generation_constraint"), "reinforcement_date": reinforcement,
    }


def _scenario(primary: Primary, total: list[float]) -> dict:
    values = _primary_values(primary)
    demand_headroom, gen_headroom = values["demand_headroom_mva"], values["gen_headroom_mw"]
    remaining_demand = None if demand_headroom is None else demand_headroom - total[1] / 1000.0
    remaining_gen = None if gen_headroom is None else gen_headroom - total[2] / 1000.0
    return {
        "scenario_demand_headroom_mva": remaining_demand,
        "scenario_demand_rag": scenario_rag(demand_headroom, remaining_demand, values["demand_rag"]),
        "scenario_gen_headroom_mw": remaining_gen,
        "scenario_gen_rag": scenario_rag(gen_headroom, remaining_gen, values["gen_rag"]),
    }


def _summary_layer(network: _Network, totals: dict, scenario: dict) -> QgsVectorLayer:
    fields = QgsFields()
    for name, kind in SUMMARY_FIELDS:
        fields.append(QgsField(name, kind))
    layer = QgsMemoryProviderUtils.createMemoryLayer("Screening summary by substation", fields, WkbType.NoGeometry,
                                                     QgsCoordinateReferenceSystem())
    features = []
    for asset_id in sorted(totals, key=lambda a: str(_value(network.primaries[a].attributes, "name"))):
        sites, demand_kva, generation_kw = totals[asset_id]
        values = {**_primary_values(network.primaries[asset_id]), **scenario[asset_id], "sites": sites,
                  "added_demand_mva": demand_kva / 1000.0, "added_generation_mw": generation_kw / 1000.0}
        feature = QgsFeature(fields)
        feature.setAttributes([values.get(name) for name, _ in SUMMARY_FIELDS])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer
