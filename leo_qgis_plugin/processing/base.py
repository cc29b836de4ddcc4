"""What every ``leo`` algorithm shares: its identity and help come from class attributes."""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeatureSink,
    QgsProcessingAlgorithm,
    QgsVectorLayer,
    QgsWkbTypes,
)


class LeoAlgorithm(QgsProcessingAlgorithm):
    NAME = ""
    DISPLAY_NAME = ""
    GROUP = ""
    GROUP_ID = ""
    HELP = ""

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:  # noqa: N802 - QGIS API name
        return self.DISPLAY_NAME

    def group(self) -> str:
        return self.GROUP

    def groupId(self) -> str:  # noqa: N802
        return self.GROUP_ID

    def shortHelpString(self) -> str:  # noqa: N802
        return self.HELP

    def createInstance(self) -> LeoAlgorithm:  # noqa: N802
        return type(self)()

    def write_table(self, parameters, name: str, context, layer: QgsVectorLayer) -> str:
        """Copy a table (no geometry) into the output sink ``name``; its id for the results."""
        sink, sink_id = self.parameterAsSink(parameters, name, context, layer.fields(), QgsWkbTypes.NoGeometry,
                                             QgsCoordinateReferenceSystem())
        sink.addFeatures(layer.getFeatures(), QgsFeatureSink.FastInsert)
        return sink_id
