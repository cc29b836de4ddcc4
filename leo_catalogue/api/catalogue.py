"""OGC API Records: searching the catalogue collection and reading single records."""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Query, Request

from ..search import SORTABLE, search_records
from ..store import get_record
from . import html
from .auth import principal
from .documents import CATALOGUE_ID, record_json
from .negotiation import GEOJSON, respond, wants_html
from .paging import page_links
from .search_params import record_query
from .state import connection, known_params, readable_record

router = APIRouter()


@router.get(f"/collections/{CATALOGUE_ID}/items", summary="Search the catalogue (OGC API Records)")
def search(
    request: Request,
    q: str | None = Query(None, description="Search terms, comma-separated (any term may match)."),
    bbox: str | None = Query(None, description="minx,miny,maxx,maxy in WGS 84."),
    datetime_: str | None = Query(None, alias="datetime", description="Instant or interval a/b."),
    keywords: str | None = Query(None, description="Comma-separated keywords; all must match."),
    sortby: str | None = Query(None, description="e.g. -updated,title"),
    limit: str | None = Query(None, description="1 to 10000 (default 10)."),
    offset: str | None = Query(None),
):
    who = principal(request)
    if wants_html(request):
        return html.search_page(request, who)
    query = record_query(request.query_params)
    with connection(request) as conn:
        found, matched = search_records(conn, query, who)
    path = f"/collections/{CATALOGUE_ID}/items"
    data = {
        "type": "FeatureCollection",
        "features": [record_json(request, r) for r in found],
        "numberMatched": matched,
        "numberReturned": len(found),
        "timeStamp": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
        "links": page_links(request, path, query.limit, query.offset, matched, len(found)),
    }
    return respond(request, data, "Catalogue search", GEOJSON)


@router.get(f"/collections/{CATALOGUE_ID}/items/{{record_id}}", summary="One catalogue record")
def record(request: Request, record_id: str):
    known_params(request, {"f"})
    who = principal(request)
    with connection(request) as conn:
        found = readable_record(get_record(conn, record_id), record_id, who)
        if wants_html(request):
            return html.dataset_page(request, conn, found, who)
    return respond(request, record_json(request, found), found.title, GEOJSON)


@router.get(f"/collections/{CATALOGUE_ID}/queryables", summary="What catalogue searches can filter on")
def record_queryables(request: Request):
    known_params(request, {"f"})
    data = {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": str(request.url).split("?")[0],
        "type": "object",
        "title": "LEO catalogue",
        "properties": {
            "q": {"type": "string", "description": "Full text over title, description and keywords"},
            "keywords": {"type": "array", "items": {"type": "string"}},
            "datetime": {"type": "string", "format": "date-time"},
            "geometry": {"format": "geometry-any"},
            **{name: {"type": "string"} for name in sorted(SORTABLE)},
        },
    }
    return respond(request, data, "Catalogue queryables", "application/schema+json")
