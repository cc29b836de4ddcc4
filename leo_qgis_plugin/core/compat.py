"""What differs between the supported QGIS versions (3.22 to 3.44, and QGIS 4), in one place.

Everything else in the plugin calls these names and never tests the QGIS version itself. Where a newer QGIS
has a scoped enum or a new API, that form is used; 3.22's older form is the fallback.
"""

from __future__ import annotations

from qgis.core import (
    Qgis,
    QgsDataProvider,
    QgsFeatureRequest,
    QgsFields,
    QgsGeometry,
    QgsLayerItem,
    QgsMapLayer,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsSettings,
    QgsSymbolLayer,
    QgsTemporalNavigationObject,
    QgsUnitTypes,
    QgsVectorLayerTemporalProperties,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QMetaType, QVariant

QGIS_VERSION = Qgis.QGIS_VERSION_INT  # e.g. 32215 for 3.22.15, 34415 for 3.44.15

# --- QGIS's own OGC API - Features connections (Browser panel, Data Source Manager) --------------------------
# QGIS 3.30 moved connections into its settings tree (connections/ows/items/wfs/connections/items/NAME/...);
# 3.22 keeps them under qgis/connections-wfs/NAME and the credentials under qgis/WFS/NAME.
_OLD_CONNECTIONS = "qgis/connections-wfs"
_OLD_AUTH = "qgis/WFS"


def _connection_tree():
    """QGIS's settings-tree node for OWS connections, or None before 3.30."""
    try:
        from qgis.core import QgsSettingsTree
    except ImportError:
        return None
    connections = QgsSettingsTree.node("connections")
    ows = connections.childNode("ows") if connections else None
    return ows.childNode("connections") if ows else None


def save_oapif_connection(name: str, url: str, authcfg: str = "") -> None:
    """Store an OGC API - Features connection where this QGIS's Browser and Data Source Manager read it."""
    tree = _connection_tree()
    if tree is None:
        settings = QgsSettings()
        key = f"{_OLD_CONNECTIONS}/{name}"
        settings.setValue(f"{key}/url", url)
        settings.setValue(f"{key}/version", "OGC_API_FEATURES")
        settings.setValue(f"{key}/pagingenabled", True)
        settings.setValue(f"{_OLD_AUTH}/{name}/authcfg", authcfg)
        return
    for setting, value in (("url", url), ("version", "OGC_API_FEATURES"), ("paging-enabled", "enabled"),
                           ("authcfg", authcfg)):
        tree.childSetting(setting).setVariantValue(value, ["wfs", name])


# --- Scoped enums -------------------------------------------------------------------------------------------
# Newer QGIS moved its enums into ``Qgis`` (3.30-3.36); QGIS 4 drops the old spellings. The plugin spells every
# enum the new way through these names; on an older QGIS each is a small class of the same member names over
# that version's values.

def _scoped(new: object | None, old: object, members: dict[str, str]) -> object:
    """``new`` where this QGIS has it with every member, else a class whose attributes are ``old``'s values under
    the new names (3.22's ``QgsSymbolLayer.Property`` exists, but its members are ``PropertySize``...)."""
    if new is not None and all(hasattr(new, name) for name in members):
        return new
    return type("Scoped", (), {name: getattr(old, old_name) for name, old_name in members.items()})


def _same(*names: str) -> dict[str, str]:
    return {name: name for name in names}


WkbType = _scoped(getattr(Qgis, "WkbType", None), QgsWkbTypes, _same(
    "Unknown", "NoGeometry", "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
    "GeometryCollection"))
GeometryType = _scoped(getattr(Qgis, "GeometryType", None), QgsWkbTypes, {
    "Point": "PointGeometry", "Line": "LineGeometry", "Polygon": "PolygonGeometry", "Unknown": "UnknownGeometry",
    "Null": "NullGeometry"})
LayerType = _scoped(getattr(Qgis, "LayerType", None), QgsMapLayer, {"Vector": "VectorLayer", "Raster": "RasterLayer"})
FeatureRequestFlag = _scoped(getattr(Qgis, "FeatureRequestFlag", None), QgsFeatureRequest, _same(
    "NoFlags", "NoGeometry", "SubsetOfAttributes"))
FieldOrigin = _scoped(getattr(Qgis, "FieldOrigin", None), QgsFields, {"Provider": "OriginProvider"})
GeometryValidationEngine = _scoped(getattr(Qgis, "GeometryValidationEngine", None), QgsGeometry, {
    "Geos": "ValidatorGeos", "QgisInternal": "ValidatorQgisInternal"})
BrowserLayerType = _scoped(getattr(Qgis, "BrowserLayerType", None), QgsLayerItem, _same("Vector", "TableLayer"))
DataItemProviderCapability = _scoped(getattr(Qgis, "DataItemProviderCapability", None), QgsDataProvider, {
    "NetworkSources": "Net"})
ProcessingSourceType = _scoped(getattr(Qgis, "ProcessingSourceType", None), QgsProcessing, {
    "Vector": "TypeVector", "VectorAnyGeometry": "TypeVectorAnyGeometry", "VectorPoint": "TypeVectorPoint",
    "VectorLine": "TypeVectorLine", "VectorPolygon": "TypeVectorPolygon"})
ProcessingFieldParameterDataType = _scoped(getattr(Qgis, "ProcessingFieldParameterDataType", None),
                                           QgsProcessingParameterField, _same("Any", "Numeric", "String", "DateTime"))
ProcessingNumberParameterType = _scoped(getattr(Qgis, "ProcessingNumberParameterType", None),
                                        QgsProcessingParameterNumber, _same("Integer", "Double"))
TemporalNavigationMode = _scoped(getattr(Qgis, "TemporalNavigationMode", None), QgsTemporalNavigationObject, _same(
    "NavigationOff", "Animated", "FixedRange"))
AnimationState = _scoped(getattr(Qgis, "AnimationState", None), QgsTemporalNavigationObject, _same(
    "Forward", "Reverse", "Idle"))
TemporalUnit = _scoped(getattr(Qgis, "TemporalUnit", None), QgsUnitTypes, {
    "Seconds": "TemporalSeconds", "Minutes": "TemporalMinutes", "Hours": "TemporalHours", "Days": "TemporalDays"})
VectorTemporalMode = _scoped(getattr(Qgis, "VectorTemporalMode", None), QgsVectorLayerTemporalProperties, {
    "FeatureDateTimeInstantFromField": "ModeFeatureDateTimeInstantFromField",
    "FeatureDateTimeStartAndEndFromFields": "ModeFeatureDateTimeStartAndEndFromFields",
    "FeatureDateTimeStartAndEndFromExpressions": "ModeFeatureDateTimeStartAndEndFromExpressions"})
SymbolLayerProperty = _scoped(getattr(QgsSymbolLayer, "Property", None), QgsSymbolLayer, {"Size": "PropertySize"})

# Field types: QMetaType from QGIS 3.38 (the only form in Qt 6), QVariant's before.
if QGIS_VERSION >= 33800:
    _meta = QMetaType.Type
    MetaType = _scoped(None, _meta, {"String": "QString", "Int": "Int", "LongLong": "LongLong", "Double": "Double",
                                      "Bool": "Bool", "Date": "QDate", "Time": "QTime", "DateTime": "QDateTime"})
else:
    MetaType = _scoped(None, QVariant, _same("String", "Int", "LongLong", "Double", "Bool", "Date", "Time",
                                              "DateTime"))


# --- Renamed methods ----------------------------------------------------------------------------------------

def set_attribution(layer: QgsMapLayer, text: str) -> None:
    """A layer's attribution (QGIS 3.38 moved it into the layer's server properties)."""
    server = layer.serverProperties() if hasattr(layer, "serverProperties") else None
    if server is not None and hasattr(server, "setAttribution"):
        server.setAttribution(text)
    else:
        layer.setAttribution(text)


def attribution(layer: QgsMapLayer) -> str:
    """A layer's attribution, wherever this QGIS keeps it."""
    server = layer.serverProperties() if hasattr(layer, "serverProperties") else None
    if server is not None and hasattr(server, "attribution"):
        return server.attribution()
    return layer.attribution()


def parameter_as_strings(algorithm: QgsProcessingAlgorithm, parameters: dict, name: str, context) -> list[str]:
    """A field (or several) parameter's value as names (``parameterAsFields`` before QGIS 3.32)."""
    if hasattr(algorithm, "parameterAsStrings"):
        return algorithm.parameterAsStrings(parameters, name, context)
    return algorithm.parameterAsFields(parameters, name, context)


def calculated_temporal_extent(layer: QgsMapLayer):
    """The time range QGIS works out for a temporal layer (its expressions evaluated), where this QGIS lets
    Python ask (not 3.22); None otherwise, or when the range is not valid."""
    calculate = getattr(layer.temporalProperties(), "calculateTemporalExtent", None)
    if calculate is None:
        return None
    extent = calculate(layer)
    return extent if extent.begin().isValid() else None


def token_auth_method() -> str:
    """How an API token is kept in QGIS's authentication database: as an ``Authorization: Bearer`` header
    (the APIHeader method, in newer QGIS), else as the password of Basic (3.22, which the server also takes)."""
    from qgis.core import QgsApplication

    return "APIHeader" if "APIHeader" in QgsApplication.authManager().authMethodsKeys() else "Basic"
