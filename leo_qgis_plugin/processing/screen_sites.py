"""``leo:screensites``: screen the user's sites against network headroom, with a scenario."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsFeatureSink,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingParameterExpression,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
)

from ..core.compat import ProcessingNumberParameterType, ProcessingSourceType, WkbType
from ..core.constraints.definitions import AREAS_DATASET, SUBSTATIONS_DATASET, RagPalette
from ..core.constraints.styling import style_screened_sites
from ..core.exceptions import LeoError
from .base import LeoAlgorithm


class ScreenedSitesStyler(QgsProcessingLayerPostProcessorInterface):
    """Colours the loaded output by scenario RAG."""

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 - QGIS API name
        if layer is not None and "scenario_demand_rag" in layer.fields().names():
            style_screened_sites(layer, RagPalette.current().value)


_STYLERS: list[ScreenedSitesStyler] = []


def _styler() -> ScreenedSitesStyler:
    # QGIS runs post-processors after the algorithm object is gone: keep one alive here.
    if not _STYLERS:
        _STYLERS.append(ScreenedSitesStyler())
    return _STYLERS[0]


class ScreenSitesAlgorithm(LeoAlgorithm):
    NAME = "screensites"
    DISPLAY_NAME = "Screen sites against network headroom"
    GROUP = "Network constraints"
    GROUP_ID = "constraints"
    HELP = (
        "Finds the primary substation that serves each site (the supply area containing it, else the nearest "
        "primary within the maximum distance), adds its demand and generation headroom and RAG, and works out "
        "the headroom left if all the screened sites connect (scenario), with a scenario RAG: Red when the "
        "sites need more than the headroom, Amber when they use more than half of it, never better than the "
        "published RAG.\n\nDemand is in kVA (kW is taken at unity power factor); generation in kW. Sites "
        "outside the network coverage are kept and flagged 'outside'. Headroom comes from the catalogue's "
        "ssen-headroom and ssen-primary-areas unless you choose layers (e.g. an opened SSEN, NGED or NPG "
        "headroom CSV). Your layer is not modified."
    )

    INPUT = "INPUT"
    DEMAND = "DEMAND_EXPRESSION"
    GENERATION = "GENERATION_EXPRESSION"
    MAX_DISTANCE = "MAX_DISTANCE"
    HEADROOM = "HEADROOM"
    AREAS = "AREAS"
    OUTPUT = "OUTPUT"
    SUMMARY = "SUMMARY"
    REPORT = "REPORT"

    def initAlgorithm(self, config=None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.INPUT, "Sites (points or polygons, any CRS)",
            [ProcessingSourceType.VectorPoint, ProcessingSourceType.VectorPolygon]))
        self.addParameter(QgsProcessingParameterExpression(
            self.DEMAND, "Added demand per site (kVA)", parentLayerParameterName=self.INPUT, optional=True))
        self.addParameter(QgsProcessingParameterExpression(
            self.GENERATION, "Added generation per site (kW)", parentLayerParameterName=self.INPUT, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.MAX_DISTANCE, "Maximum distance to the nearest primary (metres)",
            ProcessingNumberParameterType.Double, 2000.0, minValue=0.0))
        self.add_catalogue_parameter(optional=True)
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.HEADROOM, "Headroom layer (instead of the catalogue's)", [ProcessingSourceType.VectorPoint],
            optional=True))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.AREAS, "Supply areas layer (instead of the catalogue's)", [ProcessingSourceType.VectorPolygon],
            optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, "Screened sites"))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.SUMMARY, "Summary by substation", ProcessingSourceType.Vector))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.REPORT, "Report (HTML)", "HTML files (*.html)", optional=True, createByDefault=False))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        # Imported here, not at the top: screening is not needed to list the algorithm at QGIS start-up.
        from ..core.constraints.report import screening_report
        from ..core.constraints.screening import screen_sites

        sites = self.parameterAsVectorLayer(parameters, self.INPUT, context)
        headroom = self.parameterAsVectorLayer(parameters, self.HEADROOM, context)
        areas = self.parameterAsVectorLayer(parameters, self.AREAS, context)
        url = self.catalogue_url(parameters, context)
        source = "the chosen headroom layer"
        attribution = ""
        try:
            if headroom is None:
                if not url:
                    raise LeoError("Choose a catalogue URL or a headroom layer.")
                catalogue = self.catalogue(url)
                feedback.pushInfo(f"Reading headroom from {url}")
                record = catalogue.get(SUBSTATIONS_DATASET, feedback)
                headroom = catalogue.layer(SUBSTATIONS_DATASET, record=record)
                areas = areas or catalogue.layer(AREAS_DATASET)
                source, attribution = f"{record.title}, version {record.version} ({url})", record.attribution
            result = screen_sites(
                sites, headroom, areas,
                self.parameterAsExpression(parameters, self.DEMAND, context) or None,
                self.parameterAsExpression(parameters, self.GENERATION, context) or None,
                self.parameterAsDouble(parameters, self.MAX_DISTANCE, context), feedback)
        except LeoError as exc:
            raise QgsProcessingException(str(exc)) from None
        for message in result.messages:
            feedback.pushWarning(message)
        sink, sites_id = self.parameterAsSink(parameters, self.OUTPUT, context, result.sites.fields(),
                                              result.sites.wkbType(), result.sites.crs())
        sink.addFeatures(result.sites.getFeatures(), QgsFeatureSink.FastInsert)
        summary_sink, summary_id = self.parameterAsSink(parameters, self.SUMMARY, context, result.summary.fields(),
                                                        WkbType.NoGeometry, result.summary.crs())
        summary_sink.addFeatures(result.summary.getFeatures(), QgsFeatureSink.FastInsert)
        outputs = {self.OUTPUT: sites_id, self.SUMMARY: summary_id}
        if context.willLoadLayerOnCompletion(sites_id):
            context.layerToLoadOnCompletionDetails(sites_id).setPostProcessor(_styler())
        report = self.parameterAsFileOutput(parameters, self.REPORT, context)
        if report:
            html = screening_report(result, sites.name(), source, attribution,
                                    self.parameterAsDouble(parameters, self.MAX_DISTANCE, context))
            Path(report).write_text(html, encoding="utf-8")
            outputs[self.REPORT] = report
        return outputs

