"""UTC instants shown as UK clock times, and QGIS date-time conversions."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime

UK = ZoneInfo("Europe/London")


def uk_label(instant: datetime) -> str:
    """``Tue 04 Nov 2025 16:30 GMT``: the UK clock time with GMT or BST, as planners read it."""
    local = instant.astimezone(UK)
    return f"{local:%a %d %b %Y %H:%M} {local.tzname()}"


def to_qdatetime(instant: datetime) -> QDateTime:
    utc = instant.astimezone(timezone.utc)
    return QDateTime(QDate(utc.year, utc.month, utc.day), QTime(utc.hour, utc.minute, utc.second), Qt.TimeSpec.UTC)


def from_qdatetime(value: QDateTime) -> datetime:
    """A QGIS date-time as UTC (its clock reading is UTC: see core.layers.to_utc)."""
    utc = QDateTime(value.date(), value.time(), Qt.TimeSpec.UTC) if value.timeSpec() == Qt.TimeSpec.LocalTime else value
    return datetime.fromtimestamp(utc.toMSecsSinceEpoch() / 1000, timezone.utc)
