"""OGC API Common: landing page, conformance, API definition, collections."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from ..accounts import Principal
from ..records import DatasetRecord
from ..schema import records
from ..search import RecordQuery, search_records, visible
from ..store import get_record
from . import html
from .auth import principal
from .documents import CATALOGUE_ID, catalogue_collection_json, collection_json
from .negotiation import HTML, JSON, OPENAPI, dumps, link, respond, self_links, url, wants_html
from .state import connection, known_params, readable_record

router = APIRouter()

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/landing-page",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-core",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-collection",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/searchable-catalog",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/html",
]


@router.get("/", summary="Landing page")
def landing(request: Request):
    if wants_html(request):
        return html.search_page(request, principal(request))  # the portal's home: the search page
    known_params(request, {"f"})
    data = {
        "title": "LEO catalogue",
        "description": "Open data of Project LEO (Local Energy Oxfordshire) and Oxfordshire's electricity "
                       "network, served with OGC API Records and OGC API Features.",
        "links": [
            *self_links(request, "/"),
            link(url(request, "/api"), "service-desc", OPENAPI, "API definition (OpenAPI 3.0)"),
            link(url(request, "/api", f="html"), "service-doc", HTML, "API documentation"),
            link(url(request, "/conformance"), "conformance", JSON, "Conformance classes"),
            link(url(request, "/collections"), "data", JSON, "Collections"),
            link(url(request, f"/collections/{CATALOGUE_ID}"), "http://www.opengis.net/def/rel/ogc/1.0/catalog",
                 JSON, "The dataset catalogue"),
        ],
    }
    return respond(request, data, "LEO catalogue")


@router.get("/conformance", summary="Conformance classes")
def conformance(request: Request):
    known_params(request, {"f"})
    return respond(request, {"links": self_links(request, "/conformance"), "conformsTo": CONFORMANCE},
                   "Conformance")


@router.get("/api", summary="API definition (OpenAPI 3.0)")
@router.get("/openapi", summary="API definition (OpenAPI 3.0)", include_in_schema=False)
def api_definition(request: Request):
    known_params(request, {"f"})
    if wants_html(request):
        return RedirectResponse(url(request, "/docs"))
    return Response(dumps(request.app.openapi()), media_type=OPENAPI)


def _catalogue_extent(conn, who: Principal) -> tuple | None:
    """The extent of the records ``who`` sees. Only extents that are real longitudes and latitudes count, so no
    one record (say one stored before uploads were checked) can change what the catalogue answers."""
    lon = [c.between(-180, 180) for c in (records.c.minx, records.c.maxx)]
    lat = [c.between(-90, 90) for c in (records.c.miny, records.c.maxy)]
    row = conn.execute(visible(select(func.min(records.c.minx), func.min(records.c.miny),
                                      func.max(records.c.maxx), func.max(records.c.maxy)), who)
                       .where(*lon, *lat)).first()
    return tuple(row) if row and row[0] is not None else None


@router.get("/collections", summary="Collections: the catalogue and one per dataset")
def collections(request: Request):
    known_params(request, {"f"})
    who = principal(request)
    with connection(request) as conn:
        found, _ = search_records(conn, RecordQuery(limit=100_000, sortby=[("id", False)]), who)
        found = [r for r in found if r.table_name]
        if wants_html(request):
            return html.collections_page(request, found)
        catalogue = catalogue_collection_json(request, _catalogue_extent(conn, who))
    data = {
        "links": self_links(request, "/collections"),
        "collections": [catalogue, *[collection_json(request, r) for r in found]],
    }
    return respond(request, data, "Collections")


@router.get("/collections/{collection_id}", summary="One collection")
def collection(request: Request, collection_id: str):
    known_params(request, {"f"})
    who = principal(request)
    with connection(request) as conn:
        if collection_id == CATALOGUE_ID:
            if wants_html(request):
                return html.search_page(request, who, params={})
            return respond(request, catalogue_collection_json(request, _catalogue_extent(conn, who)), "LEO catalogue")
        record: DatasetRecord = readable_record(get_record(conn, collection_id), collection_id, who, data=True)
        if wants_html(request):
            return html.dataset_page(request, conn, record, who)
    return respond(request, collection_json(request, record), record.title)

