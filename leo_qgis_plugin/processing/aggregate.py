"""``leo:aggregate``: a layer's features aggregated into boundaries (districts, MSOAs, any polygons)."""

from __future__ import annotations

from qgis.core import (
    QgsFeatureSink,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterVectorLayer,
)

from ..core.aggregate.stats import Stat
from ..core.compat import ProcessingFieldParameterDataType, ProcessingSourceType, WkbType, parameter_as_strings
from ..core.exceptions import LeoError
from .base import LeoAlgorithm

STATS = list(Stat)


class AggregateAlgorithm(LeoAlgorithm):
    NAME = "aggregate"
    DISPLAY_NAME = "Aggregate into boundaries"
    GROUP = "Analysis"
    GROUP_ID = "analysis"
    HELP = (
        "Aggregates the features of a layer (e.g. substations, LV feeders, your EV chargers) into boundaries "
        "(e.g. oxon-districts or oxon-msoa from the LEO catalogue, or any polygon layer): one polygon per "
        "boundary with count, the chosen statistics of the chosen fields (<field>_<stat>) and, for RAG fields, "
        "the share of Red, Amber and Green (<field>_red_share, ...).\n\nPoints count in the boundary containing "
        "them (exactly, also on edges). Polygons are apportioned by area and lines by length: a feature half in "
        "one boundary adds 0.5 to its count and half its value to its sums. Features outside every boundary "
        "are counted separately (the OUTSIDE output). Invalid boundary geometries are repaired and reported."
    )

    INPUT = "INPUT"
    BOUNDARIES = "BOUNDARIES"
    FIELDS = "FIELDS"
    STATS = "STATS"
    RAG_FIELDS = "RAG_FIELDS"
    OUTPUT = "OUTPUT"
    OUTSIDE = "OUTSIDE"

    def initAlgorithm(self, config=None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.INPUT, "Features to aggregate", [ProcessingSourceType.VectorAnyGeometry]))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.BOUNDARIES, "Boundaries", [ProcessingSourceType.VectorPolygon]))
        self.addParameter(QgsProcessingParameterField(
            self.FIELDS, "Numeric fields", parentLayerParameterName=self.INPUT,
            type=ProcessingFieldParameterDataType.Numeric, allowMultiple=True, optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.STATS, "Statistics", [s.value for s in STATS], allowMultiple=True,
            defaultValue=[STATS.index(Stat.SUM), STATS.index(Stat.MEAN)]))
        self.addParameter(QgsProcessingParameterField(
            self.RAG_FIELDS, "RAG fields (Red, Amber, Green)", parentLayerParameterName=self.INPUT,
            type=ProcessingFieldParameterDataType.String, allowMultiple=True, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, "Aggregates", ProcessingSourceType.VectorPolygon))
        self.addOutput(QgsProcessingOutputNumber(self.OUTSIDE, "Features outside every boundary"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        # Imported when run, not at QGIS start-up.
        from ..core.aggregate.aggregate import aggregate

        layer = self.parameterAsVectorLayer(parameters, self.INPUT, context)
        boundaries = self.parameterAsVectorLayer(parameters, self.BOUNDARIES, context)
        try:
            result = aggregate(layer, boundaries, parameter_as_strings(self, parameters, self.FIELDS, context),
                               [STATS[i] for i in self.parameterAsEnums(parameters, self.STATS, context)],
                               parameter_as_strings(self, parameters, self.RAG_FIELDS, context), feedback=feedback)
        except LeoError as exc:
            raise QgsProcessingException(str(exc)) from None
        for message in result.messages:
            feedback.pushWarning(message)
        feedback.pushInfo(f"{result.features:,} features; {result.outside:,.1f} outside every boundary.")
        sink, sink_id = self.parameterAsSink(parameters, self.OUTPUT, context, result.layer.fields(),
                                             WkbType.MultiPolygon, result.layer.crs())
        sink.addFeatures(result.layer.getFeatures(), QgsFeatureSink.FastInsert)
        return {self.OUTPUT: sink_id, self.OUTSIDE: result.outside}
