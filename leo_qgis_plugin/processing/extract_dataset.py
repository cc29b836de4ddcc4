"""``leo:extractdataset``: a catalogue dataset, whole or filtered, to a file by the server (streamed to
disk, never loaded into QGIS): for datasets too large to bring into a project first."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from ..core.exceptions import LeoError
from ..core.extract import ExtractFormat, extract_dataset
from ..core.temporal.clock import from_qdatetime
from .base import LeoAlgorithm

FORMATS = list(ExtractFormat)


class ExtractDatasetAlgorithm(LeoAlgorithm):
    NAME = "extractdataset"
    DISPLAY_NAME = "Extract a catalogue dataset to a file (server-side)"
    GROUP = "Export"
    GROUP_ID = "export"
    HELP = (
        "Writes a catalogue dataset, whole or filtered, straight to a file: the catalogue server makes the "
        "GeoPackage, zipped Shapefile (with .prj, .cpg and a licence note), GeoJSON or CSV and it is streamed to "
        "disk, so even the largest datasets (a year of half-hourly load) never have to be loaded into QGIS.\n\n"
        "Filters: an extent (any CRS; sent as WGS 84), a time range (UTC) and a CQL2 text filter, e.g. "
        "demand_rag = 'Red' or avg_kw > 500. Nothing is overwritten unless you tick Overwrite; a failed or "
        "cancelled download leaves no partial file."
    )

    DATASET = "DATASET_ID"
    FORMAT = "FORMAT"
    EXTENT = "EXTENT"
    START = "START"
    END = "END"
    FILTER = "FILTER"
    OVERWRITE = "OVERWRITE"
    OUTPUT = "OUTPUT"

    def initAlgorithm(self, config=None) -> None:  # noqa: N802
        self.add_catalogue_parameter()
        self.addParameter(QgsProcessingParameterString(self.DATASET, "Dataset id (e.g. substation-load-hh)"))
        self.addParameter(QgsProcessingParameterEnum(self.FORMAT, "Format", [f.label for f in FORMATS],
                                                     defaultValue=0))
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, "Only features in this extent", optional=True))
        self.addParameter(QgsProcessingParameterDateTime(self.START, "From (UTC)", optional=True))
        self.addParameter(QgsProcessingParameterDateTime(self.END, "To (UTC)", optional=True))
        self.addParameter(QgsProcessingParameterString(self.FILTER, "CQL2 filter", optional=True))
        self.addParameter(QgsProcessingParameterBoolean(self.OVERWRITE, "Overwrite", defaultValue=False))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, "Output file", "GeoPackage (*.gpkg);;Zipped Shapefile (*.zip);;GeoJSON (*.geojson);;"
            "CSV (*.csv)"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        url = self.catalogue_url(parameters, context)
        dataset_id = self.parameterAsString(parameters, self.DATASET, context).strip()
        if not url or not dataset_id:
            raise QgsProcessingException("Choose a catalogue URL and a dataset id.")
        bbox = None
        if parameters.get(self.EXTENT):
            wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
            extent = self.parameterAsExtent(parameters, self.EXTENT, context, wgs84)
            if not extent.isEmpty():
                bbox = (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
        try:
            path = extract_dataset(
                self.catalogue(url), dataset_id,
                Path(self.parameterAsFileOutput(parameters, self.OUTPUT, context)),
                FORMATS[self.parameterAsEnum(parameters, self.FORMAT, context)], bbox,
                self._utc(parameters, self.START, context), self._utc(parameters, self.END, context),
                self.parameterAsString(parameters, self.FILTER, context),
                self.parameterAsBoolean(parameters, self.OVERWRITE, context), feedback)
        except LeoError as exc:
            raise QgsProcessingException(str(exc)) from None
        feedback.pushInfo(f"Wrote {path} ({path.stat().st_size / 2**20:.1f} MB).")
        return {self.OUTPUT: str(path)}

    def _utc(self, parameters, name: str, context) -> datetime | None:
        """A date-time parameter as a UTC datetime (QGIS date-times are read as UTC clock times)."""
        if parameters.get(name) in (None, ""):
            return None
        value = self.parameterAsDateTime(parameters, name, context)
        return from_qdatetime(value) if value.isValid() else None
