"""Building QGIS memory layers from typed rows (the readers' FieldDef + dict rows)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from qgis.core import QgsFeature, QgsField, QgsFields, QgsGeometry, QgsPointXY, QgsVectorLayer
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime

from .compat import MetaType
from .formats.fields import FieldDef, FieldType

QVARIANT_TYPES = {
    FieldType.STRING: MetaType.String,
    FieldType.INTEGER: MetaType.LongLong,
    FieldType.NUMBER: MetaType.Double,
    FieldType.BOOLEAN: MetaType.Bool,
    FieldType.DATE: MetaType.Date,
    FieldType.DATETIME: MetaType.DateTime,
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
                         QTime(value.hour, value.minute, value.second, value.microsecond // 1000), Qt.TimeSpec.UTC)
    if isinstance(value, date):
        return QDate(value.year, value.month, value.day)
    return value


def point_layer(name: str, fields: list[FieldDef], rows: list[dict], x: str = "longitude", y: str = "latitude",
                crs: str = "EPSG:4326") -> QgsVectorLayer:
    """A memory point layer from rows; rows without coordinates are kept without geometry."""

    def point(row: dict) -> QgsGeometry | None:
        if row.get(x) is None or row.get(y) is None:
            return None
        return QgsGeometry.fromPointXY(QgsPointXY(row[x], row[y]))

    return _memory_layer(f"Point?crs={crs}", name, fields, rows, point)


def table_layer(name: str, fields: list[FieldDef], rows: list[dict]) -> QgsVectorLayer:
    """A memory table (no geometry) from rows."""
    return _memory_layer("None", name, fields, rows, lambda _row: None)


def _memory_layer(uri: str, name: str, fields: list[FieldDef], rows: list[dict], geometry) -> QgsVectorLayer:
    layer = QgsVectorLayer(uri, name, "memory")
    provider = layer.dataProvider()
    provider.addAttributes(qgs_fields(fields).toList())
    layer.updateFields()
    features = []
    for row in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes([to_qvariant(row.get(f.name)) for f in fields])
        shape = geometry(row)
        if shape is not None:
            feature.setGeometry(shape)
        features.append(feature)
    provider.addFeatures(features)
    layer.updateExtents()
    return layer


def is_null(value) -> bool:
    """An empty attribute: None, or QGIS's NULL (a null QVariant)."""
    return value is None or (hasattr(value, "isNull") and value.isNull())


def to_utc(value, naive_as_utc: bool = False) -> datetime | None:
    """A QGIS or text date-time as an aware UTC datetime; None when empty.

    QGIS 3.22 drops the zone of date-times it reads from files and OGC API services (a GeoPackage's
    ``…Z`` arrives as a local-time QDateTime with the UTC clock reading), so a QDateTime's clock is taken
    as UTC, as LEO, SSEN and the catalogue publish it. Text without a zone raises ValueError unless
    ``naive_as_utc``."""
    if is_null(value):
        return None
    if isinstance(value, QDateTime):
        if not value.isValid():
            raise ValueError("not a valid date-time")
        if value.timeSpec() != Qt.TimeSpec.UTC and value.timeSpec() != Qt.TimeSpec.OffsetFromUTC:
            value = QDateTime(value.date(), value.time(), Qt.TimeSpec.UTC)
        return datetime.fromtimestamp(value.toMSecsSinceEpoch() / 1000, timezone.utc)
    if isinstance(value, datetime):
        stamp = value
    else:
        try:
            stamp = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{value!r} is not a date and time") from None
    if stamp.tzinfo is None:
        if not naive_as_utc:
            raise ValueError(f"{value} has no time zone")
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(timezone.utc)
