"""Building QGIS memory layers from typed rows (the readers' FieldDef + dict rows)."""

from __future__ import annotations

from datetime import date, datetime

from qgis.core import QgsFeature, QgsField, QgsFields, QgsGeometry, QgsPointXY, QgsVectorLayer
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime, QVariant

from .formats.fields import FieldDef, FieldType

QVARIANT_TYPES = {
    FieldType.STRING: QVariant.String,
    FieldType.INTEGER: QVariant.LongLong,
    FieldType.NUMBER: QVariant.Double,
    FieldType.BOOLEAN: QVariant.Bool,
    FieldType.DATE: QVariant.Date,
    FieldType.DATETIME: QVariant.DateTime,
}


def qgs_fields(fields: list[FieldDef]) -> QgsFields:
    result = QgsFields()
    for f in fields:
        field = QgsField(f.name, QVARIANT_TYPES[f.type])
        if f.title:
            field.setAlias(f.title)
        result.append(field)
    return result


def to_qvariant(value):
    """A Python value as QGIS stores it (UTC date-times, dates)."""
    if isinstance(value, datetime):
        return QDateTime(QDate(value.year, value.month, value.day),
                         QTime(value.hour, value.minute, value.second, value.microsecond // 1000), Qt.UTC)
    if isinstance(value, date):
        return QDate(value.year, value.month, value.day)
    return value


def point_layer(name: str, fields: list[FieldDef], rows: list[dict], x: str = "longitude", y: str = "latitude",
                crs: str = "EPSG:4326") -> QgsVectorLayer:
    """A memory point layer from rows; rows without coordinates are kept without geometry."""
    layer = QgsVectorLayer(f"Point?crs={crs}", name, "memory")
    provider = layer.dataProvider()
    provider.addAttributes(qgs_fields(fields).toList())
    layer.updateFields()
    features = []
    for row in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes([to_qvariant(row.get(f.name)) for f in fields])
        if row.get(x) is not None and row.get(y) is not None:
            feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(row[x], row[y])))
        features.append(feature)
    provider.addFeatures(features)
    layer.updateExtents()
    return layer
