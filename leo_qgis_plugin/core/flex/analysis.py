"""One baselining run from QGIS layers: read, baseline every event, price it, summarise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from qgis.core import QgsFeedback, QgsVectorLayer

from .baseline import BaselineOptions, Event, EventResult, compute_baselines, series_lookup
from .business_case import Prices, SummaryRow, summarise
from .inputs import EventFields, LoadFields, read_events, read_load
from .outputs import result_rows, summary_rows
from .quality import Flag


@dataclass
class BaselineRun:
    events: list[Event]
    results: list[EventResult]
    summary: list[SummaryRow]
    rows: list[dict]
    summary_table: list[dict]
    flag_counts: dict[str, dict[Flag, int]] = field(default_factory=dict)


def run_baselines(load: QgsVectorLayer, events: QgsVectorLayer, options: BaselineOptions = BaselineOptions(),
                  load_fields: LoadFields = LoadFields(), event_fields: EventFields = EventFields(),
                  groups: dict[str, list[str]] | None = None, prices: Prices = Prices(),
                  interval: timedelta | None = None, feedback: QgsFeedback | None = None) -> BaselineRun:
    """Baselines, delivery and payments for every event; ``groups`` map a zone id to its sites (read_groups).
    Only the load of sites with events is read (flag counts cover those sites)."""
    feedback = feedback or QgsFeedback()
    event_list = read_events(events, event_fields, load_fields.naive_as_utc)
    groups = groups or {}
    sites = {member for e in event_list for member in groups.get(e.site_id, [e.site_id])}
    series = read_load(load, load_fields, interval, feedback=feedback, sites=sites)
    step = next(iter(series.values())).interval if series else timedelta(minutes=30)
    results = compute_baselines(event_list, series_lookup(series, groups), options, step, feedback.isCanceled,
                                lambda p: feedback.setProgress(50 + p / 2))
    summary = summarise(event_list, results, prices)
    return BaselineRun(event_list, results, summary, result_rows(event_list, results, prices), summary_rows(summary),
                       {site: s.counts() for site, s in series.items()})
