"""Flexibility results as QGIS tables, CSV for reports and Power BI, and PNG charts."""

from __future__ import annotations

import csv
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
            "utilisation_gbp": paid.utilisation_gbp,
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


def event_chart(result: EventResult, path: Path) -> Path:
    """Baseline against metered consumption for one event, per period."""
    figure, axes = _figure()
    count = len(result.baseline_profile or result.metered_profile)
    labels = [at.astimezone(UK).strftime("%H:%M") for at in periods(result.start, result.end)]
    if len(labels) != count:  # not half-hourly data: number the intervals
        labels = [str(n + 1) for n in range(count)]
    if result.baseline_profile:
        axes.plot(labels, result.baseline_profile, marker="o", label=f"Baseline ({result.method})", color="#1f78b4")
    axes.plot(labels, [v if v is not None else float("nan") for v in result.metered_profile], marker="s",
              label="Metered", color="#e31a1c")
    delivered = "no baseline" if result.delivered_kwh is None else f"{result.delivered_kwh:,.1f} kWh delivered"
    axes.set_title(f"{result.event_id}: {delivered}")
    axes.set_ylabel("kWh per half-hour")
    axes.set_xlabel(f"Half-hour starting (UK time), {result.start.astimezone(UK):%d %b %Y}")
    axes.legend()
    return _save(figure, path)


def delivery_chart(summary: list[SummaryRow], path: Path) -> Path:
    """Requested against delivered MWh by zone."""
    zones: dict[str, list[float]] = {}
    for row in summary:
        totals = zones.setdefault(row.zone, [0.0, 0.0])
        totals[0] += row.requested_mwh
        totals[1] += row.delivered_mwh
    figure, axes = _figure()
    names = list(zones)
    positions = range(len(names))
    axes.bar([p - 0.2 for p in positions], [zones[n][0] for n in names], 0.4, label="Requested", color="#a6cee3")
    axes.bar([p + 0.2 for p in positions], [zones[n][1] for n in names], 0.4, label="Delivered", color="#1f78b4")
    axes.set_xticks(list(positions), names, rotation=20, ha="right")
    axes.set_ylabel("MWh")
    axes.set_title("Flexibility delivered by zone")
    axes.legend()
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
