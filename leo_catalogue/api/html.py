"""A plain, readable HTML rendering of any JSON resource (for ``f=html``)."""

from __future__ import annotations

from html import escape

_STYLE = (
    "body{font-family:sans-serif;max-width:70em;margin:1em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;"
    "vertical-align:top;text-align:left}th{background:#f3f3f3}code{font-size:90%}"
)


def _value(value, depth: int = 0) -> str:
    if isinstance(value, dict):
        if depth > 3:
            return "<code>…</code>"
        rows = "".join(f"<tr><th>{escape(str(k))}</th><td>{_value(v, depth + 1)}</td></tr>" for k, v in value.items())
        return f"<table>{rows}</table>"
    if isinstance(value, list):
        if not value:
            return ""
        if depth > 3:
            return f"<code>[{len(value)} items]</code>"
        if all(not isinstance(v, (dict, list)) for v in value):
            return escape(", ".join(str(v) for v in value))
        return "<ol>" + "".join(f"<li>{_value(v, depth + 1)}</li>" for v in value[:500]) + "</ol>"
    if value is None:
        return ""
    text = escape(str(value))
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return f'<a href="{text}">{text}</a>'
    return text


def _links(links: list[dict]) -> str:
    items = []
    for item in links:
        href = escape(item.get("href", ""))
        label = escape(item.get("title") or item.get("rel", ""))
        kind = escape(item.get("type", ""))
        items.append(f'<li><a href="{href}">{label}</a> <small>{escape(item.get("rel", ""))} · {kind}</small></li>')
    return "<ul>" + "".join(items) + "</ul>"


def render_page(title: str, data: dict) -> str:
    """An HTML page: title, description, links, then everything else as nested tables."""
    body = [f"<h1>{escape(title)}</h1>"]
    if isinstance(data.get("description"), str):
        body.append(f"<p>{escape(data['description'])}</p>")
    if isinstance(data.get("links"), list):
        body.append("<h2>Links</h2>" + _links(data["links"]))
    rest = {k: v for k, v in data.items() if k not in ("links", "description", "title")}
    if rest:
        body.append("<h2>Content</h2>" + _value(rest))
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        + "".join(body) + "</body></html>"
    )
