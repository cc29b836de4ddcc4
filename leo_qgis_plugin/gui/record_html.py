"""A catalogue record as the HTML shown in the catalogue dock's details pane."""

from __future__ import annotations

from html import escape

from ..core.models import CatalogueRecord


def _when(value) -> str:
    return value.strftime("%d %b %Y %H:%M UTC") if value else "open"


def record_html(record: CatalogueRecord) -> str:
    rows = [
        ("Licence", record.licence), ("Attribution", record.attribution),
        ("Data", "synthetic (generated)" if record.provenance == "synthetic" else record.provenance),
        ("Publisher", record.publisher), ("Updated", _when(record.updated) if record.updated else ""),
        ("Update frequency", record.update_frequency.replace("_", " ")), ("Version", record.version),
        ("Features", f"{record.feature_count:,}"),
    ]
    if record.spatial_extent:
        rows.append(("Extent (WGS 84)", ", ".join(f"{v:.3f}" for v in record.spatial_extent)))
    if record.temporal_extent:
        rows.append(("Time", f"{_when(record.temporal_extent[0])} to {_when(record.temporal_extent[1])}"))
    table = "".join(f"<tr><th align='left'>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows if v)
    fields = ", ".join(escape(f.get("name", "")) + (f" ({escape(f['unit'])})" if f.get("unit") else "")
                       for f in record.fields)
    links = "".join(f"<li><a href='{escape(link['href'])}'>{escape(link.get('title') or link.get('rel', ''))}</a></li>"
                    for link in record.links if link.get("rel") in ("enclosure", "license", "collection"))
    return (f"<h3>{escape(record.title)}</h3><p>{escape(record.description)}</p><table>{table}</table>"
            f"<p><b>Fields:</b> {fields or '–'}</p><ul>{links}</ul>")
