"""A layer's data-quality summary with Project LEO's labels (see ``formats.quality``): worked out from its
features, and kept with the layer (its QGIS metadata for people, a custom property for the plugin)."""

from __future__ import annotations

import json

from qgis.core import QgsFeatureRequest, QgsFeedback, QgsLayerMetadata, QgsVectorLayer

from .compat import FeatureRequestFlag
from .exceptions import LeoError
from .formats.quality import QualitySummary, sites_quality
from .layers import is_null, to_utc
from .temporal.properties import PROPERTY_TIME_FIELD
from .temporal.series import SITE_FIELDS

PROPERTY_QUALITY = "leo_qgis/quality"
HISTORY_PREFIX = "Data quality"
NOT_MEASURED = {"fid", "timestamp", "avg_kw", "total_mpan_count", "latitude", "longitude"}


def store_quality(layer: QgsVectorLayer, summary: QualitySummary, notes: list[str] = ()) -> None:
    """Keep a summary with the layer: a line per flagged column (and the notes) in its metadata's history,
    and the counts."""
    metadata = QgsLayerMetadata(layer.metadata())
    history = [line for line in metadata.history() if not line.startswith(HISTORY_PREFIX)]
    metadata.setHistory(history + [f"{HISTORY_PREFIX}: {line}" if n else line
                                   for n, line in enumerate(summary.lines() + list(notes))])
    layer.setMetadata(metadata)
    layer.setCustomProperty(PROPERTY_QUALITY, json.dumps(summary.to_json()))


def stored_quality(layer: QgsVectorLayer) -> QualitySummary | None:
    """The summary kept with a layer when it was opened, if any."""
    text = layer.customProperty(PROPERTY_QUALITY)
    return QualitySummary.from_json(json.loads(text)) if text else None


def measured_fields(layer: QgsVectorLayer, site_field: str | None, time_field: str) -> list[str]:
    """The fields a summary covers by default: the numbers measured, not ids, times or derived values."""
    return [f.name() for f in layer.fields() if f.isNumeric() and f.name() not in NOT_MEASURED
            and f.name() not in (site_field, time_field)]


def layer_quality(layer: QgsVectorLayer, fields: list[str] | None = None, site_field: str | None = None,
                  time_field: str | None = None, feedback: QgsFeedback | None = None) -> QualitySummary:
    """The labels of a layer's fields (default: what it measures), one series per site (``site_field``,
    guessed from LEO's and SSEN's names) in time order. The summary stored when the layer was opened is
    used when it covers the fields asked for."""
    stored = stored_quality(layer)
    if stored is not None and not layer.subsetString() and (fields is None or set(fields) <= set(stored.columns)):
        return stored if fields is None else QualitySummary({n: stored.columns[n] for n in fields}, stored.series,
                                                            stored.step_seconds)
    names = layer.fields().names()
    time_field = time_field or layer.customProperty(PROPERTY_TIME_FIELD) or "timestamp"
    if site_field is None:
        site_field = next((n for n in SITE_FIELDS if n in names), None)
    fields = list(fields) if fields is not None else measured_fields(layer, site_field, time_field)
    missing = [n for n in [time_field, site_field, *fields] if n and n not in names]
    if missing:
        raise LeoError(f"{layer.name()!r} has no field {', '.join(map(repr, missing))}; its fields are "
                       f"{', '.join(names)}.")
    text = frozenset(n for n in fields if not layer.fields().field(n).isNumeric())
    return sites_quality(_ordered_rows(layer, site_field, time_field, fields, feedback), fields, text)


def _ordered_rows(layer: QgsVectorLayer, site_field: str | None, time_field: str, fields: list[str],
                  feedback: QgsFeedback | None):
    """(site, UTC instant, values...) ordered by site and time, read through QGIS (the data source sorts when
    it can)."""
    request = QgsFeatureRequest().setFlags(FeatureRequestFlag.NoGeometry)
    wanted = [n for n in (site_field, time_field) if n] + fields
    request.setSubsetOfAttributes(wanted, layer.fields())
    order = [QgsFeatureRequest.OrderByClause(f'"{n}"') for n in (site_field, time_field) if n]
    request.setOrderBy(QgsFeatureRequest.OrderBy(order))
    at = [layer.fields().indexOf(n) for n in fields]
    site_at, time_at = layer.fields().indexOf(site_field) if site_field else -1, layer.fields().indexOf(time_field)
    for n, feature in enumerate(layer.getFeatures(request)):
        if feedback is not None and n % 50_000 == 0 and feedback.isCanceled():
            return
        attributes = feature.attributes()
        try:
            instant = to_utc(attributes[time_at], naive_as_utc=True)
        except ValueError:
            continue
        if instant is None:
            continue
        values = [None if is_null(attributes[i]) else attributes[i] for i in at]
        yield (str(attributes[site_at]) if site_at >= 0 else "", instant,
               *(float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in values))
