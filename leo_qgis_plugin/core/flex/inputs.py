"""Reading flexibility inputs from QGIS layers: a load series (site, time, value) and events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from qgis.core import QgsFeatureRequest, QgsFeedback, QgsVectorLayer

from ..compat import FeatureRequestFlag
from .baseline import BaselineError, Direction, Event
from .definitions import LoadUnit
from .load_columns import read_load_columns, utc_stamp
from .quality import CleanSeries, Combine, clean_arrays


@dataclass(frozen=True)
class LoadFields:
    site: str = "primary_id"
    time: str = "timestamp"
    value: str = "total_consumption_active_import"
    unit: LoadUnit = LoadUnit.WH
    stamps_mark_end: bool = True  # SSEN's half-hourly data stamps each interval at its end (00:30 is the first)
    naive_as_utc: bool = False  # text times without a zone: UTC (True) or refused (False)


@dataclass(frozen=True)
class EventFields:
    event_id: str = "event_id"
    site: str = "zone_id"
    start: str = "start"
    end: str = "end"
    requested_mw: str = "requested_mw"
    direction: str = "direction"
    provider: str = "provider"
    availability_price: str = "availability_price_gbp_per_mw_h"  # optional, £/MW/h
    utilisation_price: str = "utilisation_price_gbp_per_mwh"     # optional, £/MWh


def _require(layer: QgsVectorLayer, names: list[str], what: str) -> None:
    missing = [n for n in names if n and layer.fields().indexOf(n) < 0]
    if missing:
        raise BaselineError(f"The {what} layer {layer.name()!r} has no field {', '.join(map(repr, missing))}; "
                            f"its fields are {', '.join(layer.fields().names())}.")


def read_load(layer: QgsVectorLayer, fields: LoadFields = LoadFields(), interval: timedelta | None = None,
              feedback: QgsFeedback | None = None, sites: set[str] | None = None) -> dict[str, CleanSeries]:
    """Each site's series in kWh per settlement period (``interval``; default half-hours), keyed by period
    start, with Project LEO's quality labels; readings are binned into the period they fall in (energy summed,
    power averaged). Only ``sites`` when given (the filter goes to the data source, so other sites' rows are
    never read)."""
    _require(layer, [fields.site, fields.time, fields.value], "load")
    if sites is not None and not sites:
        return {}
    columns = read_load_columns(layer, fields.site, fields.time, fields.value, sites, fields.naive_as_utc, feedback)
    if columns is None:
        return {}  # cancelled
    combine = Combine.MEAN if fields.unit is LoadUnit.AVG_KW else Combine.SUM
    instants: dict = {}  # every site repeats the same stamps: one datetime each
    return {site: clean_arrays(columns.stamps[rows], columns.values[rows], columns.text[rows], interval, combine,
                               fields.stamps_mark_end, instants, fields.unit.to_kwh)
            for site, rows in columns.by_site()}


def read_events(layer: QgsVectorLayer, fields: EventFields = EventFields(), naive_as_utc: bool = False) -> list[Event]:
    _require(layer, [fields.event_id, fields.site, fields.start, fields.end, fields.requested_mw], "events")
    events = []
    for feature in layer.getFeatures(QgsFeatureRequest().setFlags(FeatureRequestFlag.NoGeometry)):
        requested = feature[fields.requested_mw]
        try:
            requested = float(requested)
        except (TypeError, ValueError):
            raise BaselineError(f"The events, feature {feature.id()}: {fields.requested_mw} {requested!r} is not a "
                                "number of MW.") from None
        names = layer.fields().names()
        direction = feature[fields.direction] if fields.direction in names else "turn_down"
        events.append(Event(
            str(feature[fields.event_id]), str(feature[fields.site]),
            utc_stamp(feature[fields.start], fields.start, feature.id(), "events", naive_as_utc),
            utc_stamp(feature[fields.end], fields.end, feature.id(), "events", naive_as_utc),
            requested, Direction.parse(direction or "turn_down"),
            str(feature[fields.provider] or "") if fields.provider in names else "",
            str(feature[fields.site]),
            _per_thousand(feature, fields.availability_price, names),
            _per_thousand(feature, fields.utilisation_price, names),
        ))
    return events


def _per_thousand(feature, field: str, names: list[str]) -> float | None:
    """A price per MW (h) field as per kW (h); None when the field is absent or empty."""
    value = feature[field] if field in names else None
    return None if value is None or value == "" else float(value) / 1000


def read_groups(layer: QgsVectorLayer, id_field: str = "zone_id", members_field: str = "primary_ids") -> \
        dict[str, list[str]]:
    """Zones made of sites (a CMZ of primaries): members listed comma-separated."""
    _require(layer, [id_field, members_field], "zones")
    return {str(f[id_field]): [m.strip() for m in str(f[members_field] or "").split(",") if m.strip()]
            for f in layer.getFeatures(QgsFeatureRequest().setFlags(FeatureRequestFlag.NoGeometry))}
