"""``leo:uploadlayer``: share a layer through the LEO catalogue, as a new dataset or a new version."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterField,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)

from ..core.compat import ProcessingFieldParameterDataType, parameter_as_strings
from ..core.exceptions import LeoError
from ..core.licences import LICENCES
from ..core.models import AccessLevel
from .base import LeoAlgorithm

ACCESS_LEVELS = list(AccessLevel)
ACCESS_LABELS = {AccessLevel.PUBLIC: "Public (anyone)", AccessLevel.REGISTERED: "Registered (anyone signed in)",
                 AccessLevel.RESTRICTED: "Restricted (my organisation only)"}


class UploadLayerAlgorithm(LeoAlgorithm):
    NAME = "uploadlayer"
    DISPLAY_NAME = "Share a layer to the LEO catalogue"
    GROUP = "Catalogue"
    GROUP_ID = "catalogue"
    HELP = (
        "Uploads a layer to a LEO catalogue so colleagues and partners can find it, add it to their maps and "
        "download it. The layer is checked here first (features, coordinate reference system, geometry validity), "
        "then sent as a GeoPackage with the connection's credentials: an editor's API token kept in QGIS's "
        "authentication database (a Basic configuration with the token as its password).\n\n"
        "Leave 'New version of dataset' empty to create a dataset (found in catalogue search at once); name one "
        "of your organisation's datasets to upload a new version of it: earlier versions are kept and can still "
        "be downloaded. Access: public, registered (anyone signed in) or restricted (your organisation only). "
        "The catalogue stores the data in WGS 84 and records the CRS it came in."
    )

    INPUT = "INPUT"
    AUTHCFG = "AUTHCFG"
    DATASET = "DATASET_ID"
    TITLE = "TITLE"
    DESCRIPTION = "DESCRIPTION"
    KEYWORDS = "KEYWORDS"
    LICENCE = "LICENCE"
    OTHER_LICENCE = "OTHER_LICENCE"
    ACCESS = "ACCESS"
    ORGANISATION = "ORGANISATION"
    TIME_FIELD = "TIME_FIELD"
    TIME_END_FIELD = "TIME_END_FIELD"
    REPAIR = "REPAIR"

    def initAlgorithm(self, config=None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterVectorLayer(self.INPUT, "Layer to share"))
        self.add_catalogue_parameter()
        self.addParameter(QgsProcessingParameterAuthConfig(
            self.AUTHCFG, "Credentials (the connection's if empty)", optional=True))
        self.addParameter(QgsProcessingParameterString(self.TITLE, "Title (needed for a new dataset)", optional=True))
        self.addParameter(QgsProcessingParameterString(self.DESCRIPTION, "Description", multiLine=True,
                                                       optional=True))
        self.addParameter(QgsProcessingParameterString(self.KEYWORDS, "Keywords (comma-separated)", optional=True))
        self.addParameter(QgsProcessingParameterEnum(self.LICENCE, "Licence", list(LICENCES), defaultValue=0))
        self.addParameter(QgsProcessingParameterString(self.OTHER_LICENCE, "Other licence (instead of the list)",
                                                       optional=True))
        self.addParameter(QgsProcessingParameterEnum(self.ACCESS, "Who may see it",
                                                     [ACCESS_LABELS[a] for a in ACCESS_LEVELS], defaultValue=0))
        self.addParameter(QgsProcessingParameterString(
            self.ORGANISATION, "Organisation (admins only; yours if empty)", optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.TIME_FIELD, "Time field (instants, or start of periods)", parentLayerParameterName=self.INPUT,
            type=ProcessingFieldParameterDataType.DateTime, optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.TIME_END_FIELD, "End-of-period field", parentLayerParameterName=self.INPUT,
            type=ProcessingFieldParameterDataType.DateTime, optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.DATASET, "New version of dataset (id; empty for a new dataset)", optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.REPAIR, "Repair invalid geometries (instead of refusing them)", defaultValue=False))
        self.addOutput(QgsProcessingOutputString("DATASET_ID", "Dataset id"))
        self.addOutput(QgsProcessingOutputString("VERSION", "Version"))
        self.addOutput(QgsProcessingOutputString("URL", "Dataset URL"))
        self.addOutput(QgsProcessingOutputNumber("FEATURE_COUNT", "Features stored"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        layer = self.parameterAsVectorLayer(parameters, self.INPUT, context)
        url = self.catalogue_url(parameters, context)
        if layer is None or not url:
            raise QgsProcessingException("Choose a layer and a catalogue URL.")
        catalogue = self.catalogue(url, self.parameterAsString(parameters, self.AUTHCFG, context))
        licence = (self.parameterAsString(parameters, self.OTHER_LICENCE, context).strip()
                   or LICENCES[self.parameterAsEnum(parameters, self.LICENCE, context)])
        keywords = self.parameterAsString(parameters, self.KEYWORDS, context).split(",")
        from ..core.upload import UploadDetails, upload_layer  # the upload code loads when it runs

        details = UploadDetails(
            title=self.parameterAsString(parameters, self.TITLE, context),
            description=self.parameterAsString(parameters, self.DESCRIPTION, context),
            keywords=keywords, licence=licence,
            access=ACCESS_LEVELS[self.parameterAsEnum(parameters, self.ACCESS, context)],
            organisation=self.parameterAsString(parameters, self.ORGANISATION, context),
            time_field=(parameter_as_strings(self, parameters, self.TIME_FIELD, context) or [""])[0],
            time_end_field=(parameter_as_strings(self, parameters, self.TIME_END_FIELD, context) or [""])[0],
            repair=self.parameterAsBoolean(parameters, self.REPAIR, context))
        dataset_id = self.parameterAsString(parameters, self.DATASET, context).strip() or None
        try:
            result = upload_layer(catalogue, layer, details, dataset_id, feedback,
                                  feedback.pushInfo)
        except LeoError as exc:
            raise QgsProcessingException(str(exc)) from None
        feedback.pushInfo(f"Shared as {result.dataset_id!r}, version {result.version} "
                          f"({result.feature_count} features): {result.url}")
        for note in result.notes:
            feedback.pushInfo(note)
        return {"DATASET_ID": result.dataset_id, "VERSION": result.version, "URL": result.url,
                "FEATURE_COUNT": result.feature_count}
