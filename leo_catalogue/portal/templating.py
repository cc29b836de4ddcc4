"""Rendering the portal's Jinja2 templates into responses with the headers every page carries."""

from __future__ import annotations

import hashlib
import logging
import os
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import __version__
from ..accounts import Principal

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
DIST = STATIC / "dist"
STATIC_PATH = "/portal/static"
log = logging.getLogger("leo_catalogue.portal")

FREQUENCIES = {"as_needed": "As needed", "not_planned": "Not planned", "annually": "Every year",
               "biannually": "Twice a year", "quarterly": "Every quarter", "monthly": "Every month",
               "weekly": "Every week", "daily": "Every day", "hourly": "Every hour", "continual": "Continually"}
KINDS = {"vector": "Map data", "table": "Table", "timeseries": "Time series"}
ACCESS = {"public": "Public", "registered": "Signed-in users", "restricted": "Restricted to its organisation"}
PROVENANCE = {"real": "Real data", "synthetic": "Synthetic data"}


def _utc(value: datetime | None, with_time: bool = True) -> str:
    if value is None:
        return ""
    value = value.astimezone(timezone.utc)
    return f"{value:%-d %b %Y, %H:%M} UTC" if with_time else f"{value:%-d %B %Y}"


def _number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    return f"{value:,}" if isinstance(value, int) else str(value)


def _size(count: int | None) -> str:
    if count is None:
        return ""
    size = float(count)
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return ""


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(utc=_utc, day=lambda v: _utc(v, with_time=False), number=_number, size=_size,
                       frequency=lambda v: FREQUENCIES.get(v, v.replace("_", " ").capitalize()),
                       kind=lambda v: KINDS.get(v, v), access=lambda v: ACCESS.get(v, v),
                       provenance=lambda v: PROVENANCE.get(v, v))
    env.globals.update(KINDS=KINDS, ACCESS=ACCESS, PROVENANCE=PROVENANCE)
    return env


ENV = _environment()


@lru_cache(maxsize=1)
def assets_version() -> str | None:
    """A fingerprint of the built scripts (for cache-busting URLs), or None when they were not built."""
    entries = [DIST / "search.js", DIST / "dataset.js"]
    if not all(p.exists() for p in entries):
        log.warning("The portal's scripts are not built (run `make setup`): pages work, without maps or charts.")
        return None
    digest = hashlib.sha256()
    for path in sorted(DIST.glob("*")):
        digest.update(f"{path.name}:{path.stat().st_size}:{path.stat().st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


def basemap() -> dict | None:
    """``LEO_BASEMAP_URL`` (an XYZ tile template with {z}/{x}/{y}) and its attribution, or None.

    A value that is not an http(s) template is ignored with a warning: the map then has no basemap.
    """
    template = os.environ.get("LEO_BASEMAP_URL", "").strip()
    if not template:
        return None
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.netloc or "{z}" not in template:
        log.warning("LEO_BASEMAP_URL %r is not an http(s) tile template with {z}/{x}/{y}: no basemap.", template)
        return None
    return {"url": template, "origin": f"{parts.scheme}://{parts.netloc}",
            "attribution": os.environ.get("LEO_BASEMAP_ATTRIBUTION", "")}


def _security_headers(tiles: dict | None) -> dict[str, str]:
    images = "'self' data: blob:" + (f" {tiles['origin']}" if tiles else "")
    policy = (f"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src {images}; "
              "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
    return {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin", "Vary": "Accept, Cookie", "Cache-Control": "private, no-cache"}


def render(request: Request, template: str, who: Principal, status: int = 200, **context) -> HTMLResponse:
    """A page of the portal for ``who``."""
    tiles = basemap()
    version = assets_version()
    page = ENV.get_template(template).render(
        request=request, who=who, base=str(request.base_url).rstrip("/"), static=STATIC_PATH,
        assets=version, basemap=tiles, app_version=__version__, path=request.url.path, **context)
    return HTMLResponse(page, status_code=status, headers=_security_headers(tiles))
