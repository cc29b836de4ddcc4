"""OGC API Features: items, single features and queryables of every dataset."""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from ..accounts import Principal
from ..errors import bad_parameter, not_found
from ..features import FeatureQuery, build_select, row_to_feature, sortable_fields
from ..params import parse_bbox, parse_datetime, parse_limit, parse_offset, parse_sortby
from ..records import DatasetRecord
from ..schema import GEOMETRY_COLUMN, ID_COLUMN
from ..store import get_record, table_for
from . import html
from .auth import principal
from .negotiation import GEOJSON, dumps, link, respond, self_links, url, wants_html
from .paging import page_links
from .state import connection, known_params, readable_record

router = APIRouter()

QUERY_PARAMS = {"f", "bbox", "bbox-crs", "datetime", "filter", "filter-lang", "filter-crs", "sortby", "limit",
                "offset", "crs"}
CRS84_NAMES = {"http://www.opengis.net/def/crs/OGC/1.3/CRS84", "http://www.opengis.net/def/crs/EPSG/0/4326"}

_JSON_SCHEMA_TYPES = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
}


def feature_query(request: Request, record: DatasetRecord, with_paging: bool = True,
                  extra: frozenset[str] = frozenset()) -> FeatureQuery:
    """Parse and check a features request's query string against the dataset's fields (``extra``: other
    parameters the endpoint takes)."""
    params = request.query_params
    field_names = {f.name for f in record.fields}
    allowed = QUERY_PARAMS | field_names if with_paging else (QUERY_PARAMS - {"limit", "offset"}) | field_names
    allowed |= extra
    known_params(request, allowed)
    for crs_param in ("bbox-crs", "filter-crs", "crs"):
        if params.get(crs_param) and params[crs_param] not in CRS84_NAMES:
            raise bad_parameter(crs_param, f"only CRS84 (WGS 84 longitude/latitude) is offered, not {params[crs_param]!r}.")
    return FeatureQuery(
        bbox=parse_bbox(params.get("bbox")),
        time=parse_datetime(params.get("datetime")),
        equals={name: params[name] for name in field_names if name in params},
        cql=params.get("filter"),
        cql_lang=params.get("filter-lang"),
        sortby=parse_sortby(params.get("sortby"), sortable_fields(record)),
        limit=parse_limit(params.get("limit")) if with_paging else None,
        offset=parse_offset(params.get("offset")) if with_paging else 0,
    )


def dataset_record(conn, collection_id: str, who: Principal) -> DatasetRecord:
    """The dataset behind a collection id if ``who`` may read it, or 404."""
    return readable_record(get_record(conn, collection_id), collection_id, who, data=True)


@router.get("/collections/{collection_id}/items", summary="Features of a dataset (GeoJSON)")
def items(
    request: Request,
    collection_id: str,
    bbox: str | None = Query(None, description="minx,miny,maxx,maxy in WGS 84."),
    datetime_: str | None = Query(None, alias="datetime", description="Instant, date or interval a/b (.. open)."),
    filter_: str | None = Query(None, alias="filter", description="CQL2 text filter."),
    sortby: str | None = Query(None),
    limit: str | None = Query(None, description="1 to 10000 (default 10)."),
    offset: str | None = Query(None),
):
    who = principal(request)
    with connection(request) as conn:
        record = dataset_record(conn, collection_id, who)
        query = feature_query(request, record)
        if wants_html(request, ("json", "html", "geojson")):
            return html.items_page(request, conn, record, query)
        page, count = build_select(conn, record, query)
        no_filter = not (query.bbox or query.time or query.equals or query.cql)
        matched = record.feature_count if no_filter else conn.execute(count).scalar_one()
        features = _page(conn, record, page, request.app.state.limits.page_megabytes * 1024 * 1024)
    path = f"/collections/{collection_id}/items"
    data = {
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": len(features),
        "timeStamp": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
        "links": page_links(request, path, query.limit, query.offset, matched, len(features))
        + [link(url(request, f"/collections/{collection_id}"), "collection")],
    }
    # The features are already JSON: spliced in, never parsed and written again.
    body = dumps(data)[:-1] + b',"features":[' + b",".join(features) + b"]}"
    return Response(body, media_type=GEOJSON)


def _page(conn, record: DatasetRecord, page, budget: int) -> list[bytes]:
    """The page's features as JSON, read in batches, stopping once they reach ``budget`` bytes (the next link then
    starts after the last one sent): a page of huge polygons cannot take the server's memory."""
    features, size = [], 0
    with conn.execution_options(stream_results=True, yield_per=500).execute(page) as result:
        for row in result:
            features.append(dumps(row_to_feature(record, row)))
            size += len(features[-1])
            if size >= budget:
                break
    return features


@router.get("/collections/{collection_id}/items/{feature_id}", summary="One feature")
def item(request: Request, collection_id: str, feature_id: str):
    known_params(request, {"f"})
    who = principal(request)
    with connection(request) as conn:
        record = dataset_record(conn, collection_id, who)
        if not feature_id.isdigit():
            raise not_found(f"Feature {feature_id!r}")
        data = table_for(record)
        row = conn.execute(
            select(data.c[ID_COLUMN], func.ST_AsBinary(data.c[GEOMETRY_COLUMN]).label("wkb"),
                   *[data.c[f.name] for f in record.fields]).where(data.c[ID_COLUMN] == int(feature_id))
        ).first()
    if row is None:
        raise not_found(f"Feature {feature_id!r} of {collection_id!r}")
    feature = row_to_feature(record, row)
    path = f"/collections/{collection_id}/items/{feature_id}"
    feature["links"] = self_links(request, path, GEOJSON) + [link(url(request, f"/collections/{collection_id}"),
                                                                    "collection")]
    return respond(request, feature, f"{record.title}: {feature_id}", GEOJSON, ("json", "html", "geojson"))


@router.get("/collections/{collection_id}/queryables", summary="Properties that items can be filtered on")
def queryables(request: Request, collection_id: str):
    known_params(request, {"f"})
    who = principal(request)
    with connection(request) as conn:
        record = dataset_record(conn, collection_id, who)
    properties = {"geometry": {"format": "geometry-any", "title": "Geometry"}}
    for f in record.fields:
        properties[f.name] = {**_JSON_SCHEMA_TYPES[f.type.value], "title": f.title or f.name}
        if f.unit:
            properties[f.name]["unit"] = f.unit
    data = {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": url(request, f"/collections/{collection_id}/queryables"),
        "type": "object",
        "title": record.title,
        "properties": properties,
        "additionalProperties": False,
    }
    return respond(request, data, f"{record.title}: queryables", "application/schema+json")
