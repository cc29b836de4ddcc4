"""A folder for reports and Power BI: the baselines and business case as CSV, and charts as PNG."""

from __future__ import annotations

from pathlib import Path

from .analysis import BaselineRun
from .outputs import RESULT_FIELDS, SUMMARY_FIELDS, delivery_chart, event_chart, write_csv


def write_report(run: BaselineRun, folder: Path) -> list[Path]:
    """baselines.csv, business_case.csv, delivery_by_zone.png and events/<event id>.png; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [write_csv(run.rows, RESULT_FIELDS, folder / "baselines.csv"),
               write_csv(run.summary_table, SUMMARY_FIELDS, folder / "business_case.csv"),
               delivery_chart(run.summary_table, folder / "delivery_by_zone.png")]
    events = folder / "events"
    events.mkdir(exist_ok=True)
    for result in run.results:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in result.event_id)
        written.append(event_chart(result, events / f"{safe}.png"))
    return written
