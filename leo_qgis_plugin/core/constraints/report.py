"""An HTML report of a screening that a planner can attach to a document."""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from qgis.core import QgsVectorLayer

from ..layers import is_null
from .definitions import Rag, RagPalette
from .screening import ScreeningResult

_COLUMNS = [
    ("primary_name", "Primary substation"), ("sites", "Sites"), ("added_demand_mva", "Added demand (MVA)"),
    ("demand_headroom_mva", "Demand headroom (MVA)"), ("scenario_demand_headroom_mva", "Remaining (MVA)"),
    ("scenario_demand_rag", "Scenario RAG (demand)"), ("added_generation_mw", "Added generation (MW)"),
    ("gen_headroom_mw", "Generation headroom (MW)"), ("scenario_gen_headroom_mw", "Remaining (MW)"),
    ("scenario_gen_rag", "Scenario RAG (generation)"),
]


def _cell(value, palette: RagPalette) -> str:
    if is_null(value):
        return "<td>–</td>"
    if isinstance(value, float):
        return f'<td class="n">{value:,.2f}</td>'
    if value in {r.value for r in Rag}:
        colour = palette.value.colours[Rag(value)]
        return f'<td><span class="rag" style="background:{colour}"></span>{escape(value)}</td>'
    return f"<td>{escape(str(value))}</td>"


def screening_report(result: ScreeningResult, sites_name: str, source: str, attribution: str,
                     max_distance_m: float) -> str:
    """A self-contained HTML page: what was screened against what, the per-substation table, notes."""
    palette = RagPalette.current()
    summary: QgsVectorLayer = result.summary
    names = summary.fields().names()
    rows = []
    for feature in summary.getFeatures():
        values = dict(zip(names, feature.attributes()))
        rows.append("<tr>" + "".join(_cell(values.get(key), palette) for key, _ in _COLUMNS) + "</tr>")
    header = "".join(f"<th>{escape(label)}</th>" for _, label in _COLUMNS)
    counts = result.counts
    notes = "".join(f"<li>{escape(m)}</li>" for m in result.messages) or "<li>None.</li>"
    stamp = datetime.now(timezone.utc).strftime("%d %B %Y %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Site screening against network headroom</title>
<style>body{{font-family:sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse}}
td,th{{border:1px solid #bbb;padding:.25em .5em}}th{{background:#eee}}td.n{{text-align:right}}
.rag{{display:inline-block;width:.8em;height:.8em;margin-right:.4em;border:1px solid #555}}</style></head>
<body><h1>Site screening against network headroom</h1>
<p>{escape(str(sum(counts.values())))} sites from <b>{escape(sites_name)}</b> screened on {stamp}:
{counts['contained']} inside a primary's supply area, {counts['nearest']} matched to the nearest primary within
{max_distance_m:g} m, {counts['outside']} outside the network coverage.</p>
<p>The scenario assumes every screened site connects: the added demand (kVA, kW at unity power factor) and
generation (kW) of the sites served by each primary are taken from its published headroom. Scenario RAG is
Red when the sites need more than the headroom, Amber when they use more than half of it, and never better
than the RAG the network operator published.</p>
<h2>By primary substation</h2>
<table><tr>{header}</tr>{''.join(rows)}</table>
<h2>Notes</h2><ul>{notes}</ul>
<h2>Source</h2><p>Headroom: {escape(source)}. {escape(attribution)}</p>
<p><small>Headroom figures are the network operator's estimates at the time of publication; a connection
offer needs an application to the network operator.</small></p>
</body></html>"""
