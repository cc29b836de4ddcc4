"""The ``leo`` Processing provider: LEO's operations for the toolbox, models, batch runs and qgis_process."""

from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..core.resources import LEO_ICON
from .aggregate import AggregateAlgorithm
from .export_layers import ExportLayersAlgorithm
from .extract_dataset import ExtractDatasetAlgorithm
from .flex_baseline import FlexBaselineAlgorithm
from .operator_headroom import OperatorHeadroomAlgorithm
from .screen_sites import ScreenSitesAlgorithm
from .upload_layer import UploadLayerAlgorithm


class LeoProvider(QgsProcessingProvider):
    def id(self) -> str:
        return "leo"

    def name(self) -> str:
        return "LEO for QGIS"

    def icon(self) -> QIcon:
        return QIcon(LEO_ICON)

    def loadAlgorithms(self) -> None:  # noqa: N802 - QGIS API name
        self.addAlgorithm(ScreenSitesAlgorithm())
        self.addAlgorithm(ExportLayersAlgorithm())
        self.addAlgorithm(FlexBaselineAlgorithm())
        self.addAlgorithm(AggregateAlgorithm())
        self.addAlgorithm(UploadLayerAlgorithm())
        self.addAlgorithm(ExtractDatasetAlgorithm())
        self.addAlgorithm(OperatorHeadroomAlgorithm())
