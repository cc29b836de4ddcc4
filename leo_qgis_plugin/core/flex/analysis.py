"""One baselining run from QGIS layers: read, baseline every event, price it, summarise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from qgis.core import QgsFeedback, QgsVectorLayer

from ..formats.quality import QualitySummary
from .baseline import BaselineOptions, Event, EventResult, compute_baselines, series_lookup
from .business_case import Prices, SummaryRow, summarise
from .inputs import EventFields, LoadFields, read_events, read_load
from .outputs import result_rows, summary_rows
from .quality import CleanSeries, Flag


@dataclass
class BaselineRun:
    events: list[Event]
    results: list[EventResult]
    summary: list[SummaryRow]
    rows: list[dict]
    summary_table: list[dict]
    flag_counts: dict[str, dict[Flag, int]] = field(default_factory=dict)  # settlement periods per site and label
    quality: QualitySummary = field(default_factory=QualitySummary)       # the load field, over every site read
    notes: list[str] = field(default_factory=list)                         # how readings were put into periods


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
    counts = {site: s.counts() for site, s in series.items()}
    rows = result_rows(event_list, results, prices)
    for row in rows:  # each event carries the labels of the load it was baselined on (a zone's: its sites')
        members = groups.get(row["site_id"], [row["site_id"]])
        row["load_quality"] = _counts_text(counts, members)
    return BaselineRun(event_list, results, summary, rows, summary_rows(summary), counts,
                       _summary(series, load_fields.value), _notes(series))


def _counts_text(counts: dict[str, dict[Flag, int]], sites: list[str]) -> str:
    totals = {flag: sum(counts.get(site, {}).get(flag, 0) for site in sites) for flag in Flag}
    return ";".join(f"{flag.value} {n}" for flag, n in totals.items() if n)


def _summary(series: dict[str, CleanSeries], value_field: str) -> QualitySummary:
    summary = QualitySummary(step_seconds=next(iter(series.values())).interval.total_seconds() if series else None)
    for one in series.values():
        summary.add(QualitySummary({value_field: one.quality}, 1))
    return summary


def _notes(series: dict[str, CleanSeries]) -> list[str]:
    """Each distinct note once, with the sites it applies to."""
    by_note: dict[str, list[str]] = {}
    for site, one in series.items():
        for note in one.notes:
            by_note.setdefault(note, []).append(site)
    return [f"{note} ({', '.join(sites[:5])}{' …' if len(sites) > 5 else ''})" for note, sites in by_note.items()]
