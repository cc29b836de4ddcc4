"""``leo:operatorheadroom``: a GB operator's newest headroom release, fetched from its own portal, as a layer on
the GB headroom schema, and what changed since an earlier release (the change layer)."""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeatureSink,
    QgsProcessingException,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)

from ..core.compat import WkbType
from ..core.exceptions import LeoError
from ..core.formats.headroom_changes import CHANGE_FIELDS, change_rows, summary
from ..core.formats.portals import portals
from ..core.gb_headroom_layer import operator_headroom
from ..core.layers import is_null, point_layer
from .base import LeoAlgorithm

OPERATORS = [p for p in portals().values() if p.headroom]


def _rows(layer) -> list[dict]:
    names = layer.fields().names()
    return [{n: (None if is_null(v) else v) for n, v in zip(names, f.attributes())} for f in layer.getFeatures()]


class OperatorHeadroomAlgorithm(LeoAlgorithm):
    NAME = "operatorheadroom"
    DISPLAY_NAME = "GB operator headroom from its portal"
    GROUP = "Network constraints"
    GROUP_ID = "constraints"
    HELP = (
        "Fetches an operator's newest substation headroom from its open-data portal (SSEN and NGED: CKAN; UK Power "
        "Networks, Northern Powergrid, Electricity North West and SP Energy Networks: Opendatasoft), within the "
        "portal's rate limits, and writes it on LEO's one Great Britain headroom schema: operator, substation, "
        "type, voltage, firm capacity, peak demand, demand headroom (MVA or MW, as published), generation "
        "headroom, RAG as published or derived (and marked derived), constraints and works, publication date.\n\n"
        "Give an earlier release (a layer this algorithm wrote before) to also get the change layer: per "
        "substation, headroom then and now and the difference, new and removed substations, RAG changes.\n\n"
        "Portal URL: leave empty for the operator's own portal. Authentication: Electricity North West's "
        "exports need an API key (an API-header configuration 'Authorization: Apikey …', or on QGIS 3.22 a "
        "Basic configuration with the key as its password)."
    )
    OPERATOR = "OPERATOR"
    PORTAL = "PORTAL_URL"
    AUTH = "AUTHCFG"
    PREVIOUS = "PREVIOUS"
    OUTPUT = "OUTPUT"
    CHANGES = "CHANGES"

    def initAlgorithm(self, config=None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterEnum(self.OPERATOR, "Operator",
                                                     [f"{p.name} ({p.operator})" for p in OPERATORS], defaultValue=0))
        self.addParameter(QgsProcessingParameterString(self.PORTAL, "Portal URL (empty: the operator's own)",
                                                       optional=True))
        self.addParameter(QgsProcessingParameterAuthConfig(self.AUTH, "Authentication (API key)", optional=True))
        self.addParameter(QgsProcessingParameterVectorLayer(self.PREVIOUS, "Earlier release, for the change layer",
                                                            optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, "Headroom"))
        self.addParameter(QgsProcessingParameterFeatureSink(self.CHANGES, "Changes since the earlier release",
                                                            optional=True, createByDefault=False))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        portal = OPERATORS[self.parameterAsEnum(parameters, self.OPERATOR, context)]
        url = self.parameterAsString(parameters, self.PORTAL, context).strip() or portal.url
        authcfg = self.parameterAsString(parameters, self.AUTH, context) or ""
        try:
            opened = operator_headroom(url, portal.kind, authcfg, feedback, portal.key)
        except LeoError as exc:
            raise QgsProcessingException(str(exc)) from None
        for item in opened:
            feedback.pushInfo(item.message())
        first = opened[0].layer
        sink, sink_id = self.parameterAsSink(parameters, self.OUTPUT, context, first.fields(), WkbType.Point,
                                             QgsCoordinateReferenceSystem("EPSG:4326"))
        now = []
        for item in opened:
            sink.addFeatures(item.layer.getFeatures(), QgsFeatureSink.FastInsert)
            now += _rows(item.layer)
        results = {self.OUTPUT: sink_id}
        previous = self.parameterAsVectorLayer(parameters, self.PREVIOUS, context)
        if previous is not None and parameters.get(self.CHANGES):
            rows = change_rows(_rows(previous), now)
            changes = point_layer("changes", CHANGE_FIELDS, rows)
            sink, changes_id = self.parameterAsSink(parameters, self.CHANGES, context, changes.fields(),
                                                    WkbType.Point, QgsCoordinateReferenceSystem("EPSG:4326"))
            sink.addFeatures(changes.getFeatures(), QgsFeatureSink.FastInsert)
            counts = summary(rows)
            feedback.pushInfo(", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items()) + ".")
            results[self.CHANGES] = changes_id
        return results
