"""``leo:exportlayers``: layers to zipped or folder Shapefile, GeoPackage, GeoJSON or CSV, licence kept."""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingOutputFile,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)

from ..core.compat import ProcessingSourceType
from ..core.exceptions import LeoError
from ..core.export.formats import ExportFormat
from .base import LeoAlgorithm

FORMATS = list(ExportFormat)


class ExportLayersAlgorithm(LeoAlgorithm):
    NAME = "exportlayers"
    DISPLAY_NAME = "Export layers (Shapefile, GeoPackage, GeoJSON, CSV)"
    GROUP = "Export"
    GROUP_ID = "export"
    HELP = (
        "Exports one or many layers for colleagues and contractors, with a metadata note (title, source, licence, "
        "attribution, export time, CRS) beside each. Shapefiles are done properly: field names shortened to 10 "
        "characters with the mapping written beside the data, .cpg (UTF-8) and .prj always written, date-times as "
        "ISO text, text over 254 bytes reported, one file per geometry type for mixed layers, and files over 2 GB "
        "refused before writing.\n\nOutput: a .zip file (zipped Shapefile), a .gpkg file (GeoPackage, one layer "
        "per input), or a folder (other formats). Nothing is overwritten unless you tick Overwrite; a failed "
        "export leaves no partial files."
    )

    LAYERS = "LAYERS"
    FORMAT = "FORMAT"
    CRS = "CRS"
    EXTENT = "EXTENT"
    CLIP = "CLIP_LAYER"
    SELECTED = "SELECTED_ONLY"
    FIELDS = "FIELDS"
    OVERWRITE = "OVERWRITE"
    OUTPUT = "OUTPUT"
    REPORT = "REPORT"

    def initAlgorithm(self, config=None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterMultipleLayers(self.LAYERS, "Layers",
                                                               ProcessingSourceType.VectorAnyGeometry))
        self.addParameter(QgsProcessingParameterEnum(self.FORMAT, "Format", [f.value.label for f in FORMATS],
                                                     defaultValue=0))
        self.addParameter(QgsProcessingParameterCrs(self.CRS, "Reproject to", "EPSG:27700", optional=True))
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, "Clip to extent", optional=True))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.CLIP, "Clip to polygons (e.g. a district from oxon-districts)", [ProcessingSourceType.VectorPolygon],
            optional=True))
        self.addParameter(QgsProcessingParameterBoolean(self.SELECTED, "Selected features only", False))
        self.addParameter(QgsProcessingParameterString(
            self.FIELDS, "Fields to keep (comma-separated; empty: all)", optional=True))
        self.addParameter(QgsProcessingParameterBoolean(self.OVERWRITE, "Overwrite existing output", False))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, "Output (.zip, .gpkg, or a folder for other formats)",
            "Zipped Shapefile (*.zip);;GeoPackage (*.gpkg);;Folder (*)"))
        self.addOutput(QgsProcessingOutputString(self.REPORT, "What was exported, and notes"))
        self.addOutput(QgsProcessingOutputFile("FILES", "Files"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        # Imported here, not at the top: the exporter is not needed to list the algorithm at QGIS start-up.
        from ..core.export.exporter import ExportOptions, export_layers

        layers = self.parameterAsLayerList(parameters, self.LAYERS, context)
        fmt = FORMATS[self.parameterAsEnum(parameters, self.FORMAT, context)]
        crs = self.parameterAsCrs(parameters, self.CRS, context)
        extent_crs = self.parameterAsExtentCrs(parameters, self.EXTENT, context)
        extent = None
        if parameters.get(self.EXTENT):
            extent = self.parameterAsExtent(parameters, self.EXTENT, context, extent_crs)
        clip_layer = self.parameterAsVectorLayer(parameters, self.CLIP, context)
        clip = None
        if clip_layer is not None:
            features = list(clip_layer.getSelectedFeatures()) or list(clip_layer.getFeatures())
            clip = QgsGeometry.unaryUnion([f.geometry() for f in features if f.hasGeometry()])
        if extent is not None and clip is not None and clip_layer.crs() != extent_crs:
            raise QgsProcessingException("Give the extent in the clip layer's CRS, or use one of the two.")
        fields = [f.strip() for f in (self.parameterAsString(parameters, self.FIELDS, context) or "").split(",")
                  if f.strip()]
        options = ExportOptions(
            fmt=fmt, crs=crs if crs.isValid() else None, extent=extent, clip=clip,
            area_crs=clip_layer.crs() if clip_layer is not None else (extent_crs or QgsCoordinateReferenceSystem()),
            selected_only=self.parameterAsBoolean(parameters, self.SELECTED, context), fields=fields or None,
            overwrite=self.parameterAsBoolean(parameters, self.OVERWRITE, context))
        destination = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        try:
            report = export_layers(layers, destination, options, feedback)
        except LeoError as exc:
            raise QgsProcessingException(str(exc)) from None
        feedback.pushInfo(report.message())
        return {self.OUTPUT: str(report.destination), self.REPORT: report.message(),
                "FILES": ";".join(str(f) for f in report.files)}
