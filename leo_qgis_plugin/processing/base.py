"""What every ``leo`` algorithm shares: its identity and help come from class attributes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeatureSink,
    QgsProcessingAlgorithm,
    QgsProcessingParameterString,
    QgsVectorLayer,
)

from ..core.compat import WkbType
from ..core.settings import authcfg_for, selected_connection

if TYPE_CHECKING:
    from ..core.catalogue import OgcApiCatalogue


class LeoAlgorithm(QgsProcessingAlgorithm):
    NAME = ""
    DISPLAY_NAME = ""
    GROUP = ""
    GROUP_ID = ""
    HELP = ""
    CATALOGUE = "CATALOGUE"

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

    def add_catalogue_parameter(self, optional: bool = False) -> None:
        """The catalogue's URL, the selected connection's by default."""
        connection = selected_connection()
        self.addParameter(QgsProcessingParameterString(
            self.CATALOGUE, "Catalogue URL", defaultValue=connection.url if connection else "", optional=optional))

    def catalogue_url(self, parameters, context) -> str:
        return self.parameterAsString(parameters, self.CATALOGUE, context).strip()

    @staticmethod
    def catalogue(url: str, authcfg: str = "") -> OgcApiCatalogue:
        """The catalogue at ``url`` with its stored connection's credentials, unless ``authcfg`` names others."""
        from ..core.catalogue import OgcApiCatalogue  # the client loads when an algorithm runs

        return OgcApiCatalogue(url, authcfg or authcfg_for(url))

    def write_table(self, parameters, name: str, context, layer: QgsVectorLayer) -> str:
        """Copy a table (no geometry) into the output sink ``name``; its id for the results."""
        sink, sink_id = self.parameterAsSink(parameters, name, context, layer.fields(), WkbType.NoGeometry,
                                             QgsCoordinateReferenceSystem())
        sink.addFeatures(layer.getFeatures(), QgsFeatureSink.FastInsert)
        return sink_id
