"""Flexibility results as QGIS tables, CSV for reports and Power BI, and PNG charts."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from qgis.core import QgsVectorLayer

from ..exceptions import LeoError
from ..formats.fields import FieldDef, FieldType
from ..layers import table_layer
from .baseline import UK, Event, EventResult, periods
from .business_case import Prices, SummaryRow, payment

S, N, D = FieldType.STRING, FieldType.NUMBER, FieldType.DATETIME
RESULT_FIELDS = [
    FieldDef("event_id", S), FieldDef("site_id", S, "Site or zone"), FieldDef("provider", S),
    FieldDef("method", S), FieldDef("start", D, "Start (UTC)"), FieldDef("end", D, "End (UTC)"),
    FieldDef("baseline_kwh", N, unit="kWh"), FieldDef("metered_kwh", N, unit="kWh"),
    FieldDef("delivered_kwh", N, "Delivered flexibility", unit="kWh"), FieldDef("requested_kwh", N, unit="kWh"),
    FieldDef("delivery_ratio", N, "Delivered / requested"), FieldDef("adjustment_kwh", N, "In-day adjustment per period"),
    FieldDef("like_days", S, "Like-days used (UK dates)"), FieldDef("flags", S),
    FieldDef("availability_gbp", N, unit="£"), FieldDef("utilisation_gbp", N, unit="£"),
    FieldDef("baseline_profile", S, "Baseline, kWh per half-hour"),
    FieldDef("metered_profile", S, "Metered, kWh per half-hour"),
    FieldDef("load_quality", S, "Load periods flagged (Project LEO's labels)"),
]
SUMMARY_FIELDS = [
    FieldDef("provider", S), FieldDef("zone", S), FieldDef("month", S, "Month (UK)"), FieldDef("events", N),
    FieldDef("events_with_baseline", N), FieldDef("requested_mwh", N, unit="MWh"),
    FieldDef("delivered_mwh", N, unit="MWh"), FieldDef("availability_gbp", N, unit="£"),
    FieldDef("utilisation_gbp", N, unit="£"), FieldDef("total_gbp", N, unit="£"),
]


def result_rows(events: list[Event], results: list[EventResult], prices: Prices = Prices()) -> list[dict]:
    by_id = {e.event_id: e for e in events}
    rows = []
    for r in results:
        paid = payment(by_id[r.event_id], r, prices)
        rows.append({
            "event_id": r.event_id, "site_id": r.site_id, "provider": r.provider, "method": r.method,
            "start": r.start, "end": r.end, "baseline_kwh": r.baseline_kwh, "metered_kwh": r.metered_kwh,
            "delivered_kwh": r.delivered_kwh, "requested_kwh": r.requested_kwh, "delivery_ratio": r.delivery_ratio,
            "adjustment_kwh": r.adjustment_kwh, "like_days": ",".join(d.isoformat() for d in r.like_days),
            "flags": ";".join(r.flags), "availability_gbp": paid.availability_gbp,
            "utilisation_gbp": paid.utilisation_gbp, "baseline_profile": profile_text(r.baseline_profile),
            "metered_profile": profile_text(r.metered_profile),
        })
    return rows


def summary_rows(summary: list[SummaryRow]) -> list[dict]:
    return [{f.name: round(getattr(row, f.name), 3) if f.type is N else getattr(row, f.name) for f in SUMMARY_FIELDS}
            for row in summary]


def results_layer(rows: list[dict], name: str = "Flexibility baselines") -> QgsVectorLayer:
    return table_layer(name, RESULT_FIELDS, rows)


def summary_layer(rows: list[dict], name: str = "Flexibility business case") -> QgsVectorLayer:
    return table_layer(name, SUMMARY_FIELDS, rows)


def write_csv(rows: list[dict], fields: list[FieldDef], path: Path) -> Path:
    """CSV with a header row, UTF-8 with BOM so Excel and Power BI read £ correctly; times in ISO 8601 UTC."""
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.DictWriter(out, [f.name for f in fields])
        writer.writeheader()
        for row in rows:
            writer.writerow({k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()})
    return path


@dataclass
class EventProfile:
    """What the event chart shows, from an EventResult or a row of the baselines table."""

    event_id: str
    start: datetime
    end: datetime
    method: str
    delivered_kwh: float | None
    baseline: list[float]
    metered: list[float | None]

    @classmethod
    def of(cls, result: EventResult) -> EventProfile:
        return cls(result.event_id, result.start, result.end, result.method, result.delivered_kwh,
                   result.baseline_profile, result.metered_profile)


def profile_text(values: list[float | None]) -> str:
    """kWh per half-hour as ``1.5;2;;3`` (empty: no reading), to keep a profile in a table cell."""
    return ";".join("" if v is None else f"{v:g}" for v in values)


def profile_values(text: str | None) -> list[float | None]:
    return [float(v) if v else None for v in (text or "").split(";")] if text else []


def draw_event(axes, event: EventProfile) -> None:
    """Baseline against metered consumption for one event, per half-hour (UK time)."""
    axes.clear()
    count = len(event.baseline or event.metered)
    labels = [at.astimezone(UK).strftime("%H:%M") for at in periods(event.start, event.end)]
    if len(labels) != count:  # not half-hourly data: number the intervals
        labels = [str(n + 1) for n in range(count)]
    if event.baseline:
        axes.plot(labels, event.baseline, marker="o", label=f"Baseline ({event.method})", color="#1f78b4")
    axes.plot(labels, [v if v is not None else float("nan") for v in event.metered], marker="s",
              label="Metered", color="#e31a1c")
    delivered = "no baseline" if event.delivered_kwh is None else f"{event.delivered_kwh:,.1f} kWh delivered"
    axes.set_title(f"{event.event_id}: {delivered}")
    axes.set_ylabel("kWh per half-hour")
    axes.set_xlabel(f"Half-hour starting (UK time), {event.start.astimezone(UK):%d %b %Y}")
    axes.legend()


def draw_delivery(axes, by_zone: dict[str, tuple[float, float]]) -> None:
    """Requested against delivered MWh by zone."""
    axes.clear()
    names = list(by_zone)
    positions = range(len(names))
    axes.bar([p - 0.2 for p in positions], [by_zone[n][0] for n in names], 0.4, label="Requested", color="#a6cee3")
    axes.bar([p + 0.2 for p in positions], [by_zone[n][1] for n in names], 0.4, label="Delivered", color="#1f78b4")
    axes.set_xticks(list(positions), names, rotation=20, ha="right")
    axes.set_ylabel("MWh")
    axes.set_title("Flexibility delivered by zone")
    axes.legend()


def zone_totals(summary: list[dict]) -> dict[str, tuple[float, float]]:
    """(requested, delivered) MWh per zone from business-case rows."""
    totals: dict[str, list[float]] = {}
    for row in summary:
        pair = totals.setdefault(row["zone"], [0.0, 0.0])
        pair[0] += row["requested_mwh"] or 0.0
        pair[1] += row["delivered_mwh"] or 0.0
    return {zone: (pair[0], pair[1]) for zone, pair in totals.items()}


def event_chart(result: EventResult, path: Path) -> Path:
    figure, axes = _figure()
    draw_event(axes, EventProfile.of(result))
    return _save(figure, path)


def delivery_chart(summary: list[dict], path: Path) -> Path:
    figure, axes = _figure()
    draw_delivery(axes, zone_totals(summary))
    return _save(figure, path)


def _figure():
    # The Agg canvas draws without a display and without touching QGIS's own Qt widgets.
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise LeoError("Charts need matplotlib, which this QGIS lacks (on Debian and Ubuntu: "
                       "apt install python3-matplotlib); the tables and CSV files do not.") from None

    figure = Figure(figsize=(8, 4.5), dpi=100, layout="tight")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _save(figure, path: Path) -> Path:
    figure.savefig(path, format="png")
    return path
