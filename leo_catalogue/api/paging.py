"""``next``/``prev`` links and counts for paged item lists."""

from __future__ import annotations

from fastapi import Request

from .negotiation import GEOJSON, link, self_links, url


def page_links(request: Request, path: str, limit: int, offset: int, matched: int, returned: int) -> list[dict]:
    """self/alternate, plus next (when more remain: after the last item sent, which may be fewer than ``limit``)
    and prev (when not on the first page)."""
    params = {k: v for k, v in request.query_params.items() if k not in ("offset", "limit", "f")}
    links = self_links(request, path, GEOJSON)
    if offset + returned < matched and returned > 0:
        links.append(link(url(request, path, **params, limit=limit, offset=offset + returned), "next", GEOJSON,
                          "Next page"))
    if offset > 0:
        links.append(link(url(request, path, **params, limit=limit, offset=max(0, offset - limit)), "prev",
                          GEOJSON, "Previous page"))
    return links
