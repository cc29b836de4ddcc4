"""Choosing the response format (``f=json`` by default; ``f=html``, or a browser's ``Accept: text/html``, the web
portal's page) and links."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from ..errors import bad_parameter
from ..types import json_bytes as dumps

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"


def wants_html(request: Request, allowed: tuple[str, ...] = ("json", "html")) -> bool:
    """True for ``f=html``, or without ``f`` when the Accept header prefers HTML; 400 for a format this resource
    does not offer."""
    f = request.query_params.get("f")
    if f is None:
        return prefers_html(request.headers.get("accept", ""))
    if f not in allowed:
        raise bad_parameter("f", f"format {f!r} is not offered here; use one of: {', '.join(allowed)}.")
    return f == "html"


def prefers_html(accept: str) -> bool:
    """True when an Accept header names HTML and ranks it above any JSON type (browsers do; QGIS, OWSLib and
    ``*/*`` do not)."""
    html = json_ = 0.0
    for part in accept.split(","):
        media, *options = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for option in options:
            name, _, value = option.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if media in ("text/html", "application/xhtml+xml"):
            html = max(html, quality)
        elif "json" in media:
            json_ = max(json_, quality)
    return html > 0 and html > json_


def base_url(request: Request) -> str:
    """The server's absolute root URL without a trailing slash (QGIS needs absolute links)."""
    return str(request.base_url).rstrip("/")


def url(request: Request, path: str, **params) -> str:
    """An absolute URL on this server, with query parameters (None values left out)."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{base_url(request)}{path}" + (f"?{query}" if query else "")


def link(href: str, rel: str, type_: str = JSON, title: str | None = None) -> dict:
    data = {"href": href, "rel": rel, "type": type_}
    if title:
        data["title"] = title
    return data


def self_links(request: Request, path: str, json_type: str = JSON) -> list[dict]:
    """``self`` and ``alternate`` links for a resource offered as JSON and HTML."""
    params = {k: v for k, v in request.query_params.items() if k != "f"}
    html = wants_html(request, ("json", "html", "geojson"))
    return [
        link(url(request, path, **params, f="json" if html else None), "self" if not html else "alternate", json_type),
        link(url(request, path, **params, f="html"), "alternate" if not html else "self", HTML),
    ]


class JsonAnswer(JSONResponse):
    """FastAPI's JSON answers through ``dumps``."""

    def render(self, content) -> bytes:
        return dumps(content)


def respond(request: Request, data: dict, title: str, media_type: str = JSON,
            formats: tuple[str, ...] = ("json", "html")) -> Response:
    """JSON (or GeoJSON) by default, a readable HTML page for ``f=html`` or a browser."""
    if wants_html(request, formats):
        from .html import resource_page

        return resource_page(request, title, data)
    return Response(dumps(data), media_type=media_type, headers={"Vary": "Accept"})
