"""``next``/``prev`` links and counts for paged item lists."""

from __future__ import annotations

from fastapi import Request

from ..params import MAX_LIMIT
from .negotiation import GEOJSON, link, self_links, url

GROWTH = 10  # a full page's next link asks for this many times as many items, up to MAX_LIMIT


def page_links(request: Request, path: str, limit: int, offset: int, matched: int, returned: int,
               grow: bool = False) -> list[dict]:
    """self/alternate, plus next (when more remain: after the last item sent, which may be fewer than ``limit``)
    and prev (when not on the first page).

    ``grow``: after a full page the next link asks for GROWTH times as many items (up to MAX_LIMIT). A client that
    follows next links to read a whole layer (QGIS, GDAL, which start at 1,000 or 10 items) then needs a few large
    requests instead of a thousand small ones; a client that pages itself sets limit and offset as it likes."""
    params = {k: v for k, v in request.query_params.items() if k not in ("offset", "limit", "f")}
    links = self_links(request, path, GEOJSON)
    if offset + returned < matched and returned > 0:
        following = min(MAX_LIMIT, max(limit, limit * GROWTH)) if grow and returned == limit else limit
        links.append(link(url(request, path, **params, limit=following, offset=offset + returned), "next", GEOJSON,
                          "Next page"))
    if offset > 0:
        links.append(link(url(request, path, **params, limit=limit, offset=max(0, offset - limit)), "prev",
                          GEOJSON, "Previous page"))
    return links
