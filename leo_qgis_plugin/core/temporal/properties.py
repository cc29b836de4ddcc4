"""Temporal properties for catalogue layers, so they play in QGIS's Temporal Controller."""

from __future__ import annotations

from datetime import timedelta

from qgis.core import (
    QgsFeatureRequest,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDateTime

from ..compat import FeatureRequestFlag, TemporalUnit, VectorTemporalMode
from ..models import CatalogueRecord
from .clock import from_qdatetime

PROPERTY_STEP = "leo_qgis/temporal/step_seconds"
PROPERTY_END_STAMPED = "leo_qgis/temporal/stamps_mark_end"
PROPERTY_TIME_FIELD = "leo_qgis/temporal/time_field"
SAMPLE = 2000  # rows read to find a series' natural step


def natural_step(layer: QgsVectorLayer, time_field: str) -> timedelta | None:
    """The series' usual interval (30 minutes, 5 seconds…) from the first rows, or None."""
    request = QgsFeatureRequest().setFlags(FeatureRequestFlag.NoGeometry).setLimit(SAMPLE)
    request.setSubsetOfAttributes([time_field], layer.fields())
    stamps = sorted({from_qdatetime(f[time_field]) for f in layer.getFeatures(request)
                     if isinstance(f[time_field], QDateTime) and f[time_field].isValid()})
    steps = [b - a for a, b in zip(stamps, stamps[1:])]
    if not steps:
        return None
    return max(set(steps), key=steps.count)


def stamps_mark_end(record: CatalogueRecord) -> bool:
    """SSEN's half-hourly data stamps each half-hour at its end (the field's title says so)."""
    for field in record.fields:
        if field.get("name") == record.time_field:
            return "end of" in (field.get("title") or "").lower()
    return False


def configure_temporal(layer: QgsVectorLayer, record: CatalogueRecord) -> timedelta | None:
    """Make a catalogue layer temporal from its record: an instant per row (lasting the series' step; for
    end-stamped data the step before the stamp), or a start and an end per row. Returns the step."""
    properties = layer.temporalProperties()
    if record.time_start_field and record.time_end_field:
        properties.setMode(VectorTemporalMode.FeatureDateTimeStartAndEndFromFields)
        properties.setStartField(record.time_start_field)
        properties.setEndField(record.time_end_field)
        properties.setIsActive(True)
        step = timedelta(minutes=30)
        layer.setCustomProperty(PROPERTY_STEP, step.total_seconds())
        return step
    if record.time_field:
        step = natural_step(layer, record.time_field) or timedelta(minutes=30)
        set_time_field(layer, record.time_field, step, stamps_mark_end(record))
        return step
    return None


def set_time_field(layer: QgsVectorLayer, time_field: str, step: timedelta, stamps_end: bool) -> None:
    """Make a layer temporal by one field of instants, each row lasting ``step``: the step before the stamp
    when stamps mark the end of each period (SSEN's half-hours), else the step from it."""
    properties = layer.temporalProperties()
    if stamps_end:
        # Each row covers the step *before* its stamp: 16:30 holds 16:00-16:30.
        # In milliseconds since the epoch, not "t - make_interval(...)": QGIS 3.22 hands that to a GeoPackage
        # as SQL that matches nearly every row, so every frame drew the whole year.
        milliseconds = int(step.total_seconds() * 1000)
        properties.setMode(VectorTemporalMode.FeatureDateTimeStartAndEndFromExpressions)
        properties.setStartExpression(f'datetime_from_epoch(epoch("{time_field}") - {milliseconds})')
        properties.setEndExpression(f'"{time_field}"')
        layer.setCustomProperty(PROPERTY_END_STAMPED, True)
    else:
        properties.setMode(VectorTemporalMode.FeatureDateTimeInstantFromField)
        properties.setStartField(time_field)
        properties.setFixedDuration(step.total_seconds())
        properties.setDurationUnits(TemporalUnit.Seconds)
    properties.setIsActive(True)
    layer.setCustomProperty(PROPERTY_TIME_FIELD, time_field)
    layer.setCustomProperty(PROPERTY_STEP, step.total_seconds())


def layer_stamps_mark_end(layer: QgsVectorLayer) -> bool:
    """Whether a layer's stamps mark the end of each period: as its catalogue record says, else SSEN's way."""
    if layer.customProperty(PROPERTY_STEP):
        return bool(layer.customProperty(PROPERTY_END_STAMPED, False))
    return True
