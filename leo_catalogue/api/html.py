"""The web portal's pages for the API's resources (``f=html`` or a browser): the search page, a dataset's page,
a table of its features, the list of collections, error pages, and a readable page for any other resource."""

from __future__ import annotations

from dataclasses import replace
from html import escape
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.engine import Connection
from starlette.datastructures import MultiDict, QueryParams

from leo_qgis_plugin.core.formats.fields import FieldType

from ..accounts import Principal
from ..errors import ApiError
from ..features import FeatureQuery, build_select
from ..portal import sizes
from ..portal.facets import facet_counts
from ..portal.forms import date_interval
from ..portal.styles import legend, map_style, name_field
from ..portal.templating import render
from ..records import DatasetRecord
from ..search import search_records
from ..store import list_versions, table_for
from ..types import to_json_value
from .auth import principal
from .documents import CATALOGUE_ID, DOWNLOAD_FORMATS
from .search_params import SEARCH_PARAMS, record_query
from .state import connection

SEARCH_PATH = f"/collections/{CATALOGUE_ID}/items"
# The search form's own fields: dates from and to, turned into the API's datetime interval.
FORM_PARAMS = SEARCH_PARAMS | {"from", "to"}
SORTS = [("", "Best match"), ("title", "Title A to Z"), ("-updated", "Recently updated"),
         ("publisher", "Publisher A to Z"), ("-time_end", "Latest data first")]
PAGE_SIZES = (10, 25, 50)
TABLE_PREVIEW_ROWS = 10
PREVIEW_MAX_FEATURES = 5000
SITES_SHOWN = 2000
CHART_WINDOW_SECONDS = 7 * 24 * 3600
CHART_READINGS = 1500
POWER_UNITS = {"W", "kW", "MW"}


# --- search -------------------------------------------------------------------------------------------------

def _form_params(params) -> MultiDict:
    """The search form's values as API parameters: empty fields dropped, the dates from/to as ``datetime``."""
    kept = [(k, v.strip()) for k, v in params.multi_items() if v.strip() and k not in ("from", "to", "f")]
    interval = date_interval(params)
    if interval:
        kept.append(("datetime", interval))
    return MultiDict(kept)


def page_url(path: str, params: MultiDict, **changes) -> str:
    """``path`` with the search's parameters, some changed (None removes one), as an HTML page."""
    items = [(k, v) for k, v in params.multi_items() if k not in changes and k != "f"]
    items += [(k, str(v)) for k, v in changes.items() if v is not None and v != ""]
    return f"{path}?{urlencode([*items, ('f', 'html')])}"


def search_page(request: Request, who: Principal, params=None) -> HTMLResponse:
    """The landing and search page: the form, facets, results, paging and the results' extents."""
    raw = request.query_params if params is None else QueryParams(params)
    error = None
    found, matched, facets = [], 0, {}
    api_params = MultiDict()
    try:
        unknown = [k for k in raw.keys() if k not in FORM_PARAMS]
        if unknown:
            raise ApiError(400, f"The search does not know the parameter {unknown[0]!r}.", unknown[0])
        api_params = _form_params(raw)
        query = record_query(QueryParams(api_params))
        if query.q is not None and not query.q.strip():
            query = replace(query, q=None)
        with connection(request) as conn:
            found, matched = search_records(conn, query, who)
            facets = facet_counts(conn, query, who)
    except ApiError as exc:
        error, query = exc.message, None
    limit = query.limit if query else 10
    offset = query.offset if query else 0
    extents = [{"id": r.id, "title": r.title, "bbox": list(r.bbox), "href": dataset_href(r)}
               for r in found if r.bbox]
    return render(request, "search.html", who, status=400 if error else 200, error=error, query=query,
                  form=raw, params=api_params, results=found, matched=matched, facets=facets, extents=extents,
                  limit=limit, offset=offset, sorts=SORTS, page_sizes=PAGE_SIZES, search_path=SEARCH_PATH,
                  page_url=page_url, dataset_href=dataset_href)


def dataset_href(record: DatasetRecord) -> str:
    return f"/collections/{CATALOGUE_ID}/items/{record.id}?f=html"


# --- one dataset --------------------------------------------------------------------------------------------

def _display(field_type: FieldType | None, value) -> str:
    """A value as the table shows it: times in UTC, numbers with separators, booleans as yes/no."""
    if value is None:
        return ""
    if field_type == FieldType.BOOLEAN:
        return "yes" if value else "no"
    if field_type == FieldType.DATETIME:
        return to_json_value(value).replace("T", " ").replace("Z", " UTC")
    if field_type == FieldType.NUMBER:
        return f"{value:,.6g}" if abs(value) < 1e15 else str(value)
    return str(to_json_value(value))


def _geometry_summary(wkb) -> str:
    import shapely

    if wkb is None:
        return "none"
    shape = shapely.from_wkb(bytes(wkb))
    if shape.geom_type == "Point":
        return f"Point {shape.x:.5f}, {shape.y:.5f}"
    return f"{shape.geom_type}, {shapely.get_num_coordinates(shape):,} vertices"


def _table_rows(conn: Connection, record: DatasetRecord, query: FeatureQuery) -> list[dict]:
    page, _count = build_select(conn, record, query)
    rows = []
    for row in conn.execute(page):
        m = row._mapping
        rows.append({"id": m["fid"], "geometry": _geometry_summary(m["wkb"]) if record.geometry_type else None,
                     "values": [_display(f.type, m[f.name]) for f in record.fields]})
    return rows


def _sites(conn: Connection, record: DatasetRecord) -> list[dict]:
    """The sites of a time series with their names, read at its last instant (one row each; indexed)."""
    if not record.site_field or not record.time_field or record.time_end is None:
        return []
    data = table_for(record)
    label = name_field(record)
    columns = [data.c[record.site_field]] + ([data.c[label]] if label and label != record.site_field else [])
    rows = conn.execute(select(*columns).distinct().where(data.c[record.time_field] == record.time_end)
                        .order_by(*columns[1:], columns[0]).limit(SITES_SHOWN)).all()
    return [{"id": str(r[0]), "label": f"{r[1]} ({r[0]})" if len(r) > 1 and r[1] else str(r[0])}
            for r in rows if r[0] is not None]


def _chart_config(conn: Connection, record: DatasetRecord) -> dict | None:
    """What the time-series chart needs: its items URL, fields, sites and data range; None for no chart."""
    numeric = [f for f in record.fields if f.type in (FieldType.NUMBER, FieldType.INTEGER)
               and f.name != record.site_field]
    numeric.sort(key=lambda f: f.unit not in POWER_UNITS)  # power first: the chart people expect
    if not record.time_field or not numeric or record.time_start is None or not record.table_name:
        return None
    sites = _sites(conn, record)
    if record.site_field and not sites:
        return None
    span = (record.time_end - record.time_start).total_seconds()
    spacing = span / max(1, record.feature_count / max(1, len(sites)))
    return {"items": f"/collections/{record.id}/items", "timeField": record.time_field,
            "siteField": record.site_field if sites else None, "sites": sites,
            "fields": [{"name": f.name, "title": f.title or f.name, "unit": f.unit} for f in numeric],
            "start": to_json_value(record.time_start), "end": to_json_value(record.time_end),
            # The first window: a week, or fewer readings where they come often (5-second meter data).
            "windowSeconds": max(3600, min(CHART_WINDOW_SECONDS, int(spacing * CHART_READINGS)))}


def _map_config(record: DatasetRecord) -> dict | None:
    """What the map preview needs; None for a dataset without geometry (it shows its table, no map)."""
    if not record.geometry_type or not record.bbox or not record.table_name:
        return None
    config = {"items": f"/collections/{record.id}/items", "style": map_style(record), "bbox": list(record.bbox),
              "max": PREVIEW_MAX_FEATURES, "total": record.feature_count}
    if record.time_field and record.site_field and record.time_end is not None:
        # A series of sites: its sites at the last instant, one feature each, not a page of the first rows.
        config["datetime"] = to_json_value(record.time_end)
    return config


def _downloads(request: Request, record: DatasetRecord) -> list[dict]:
    known = sizes.known_sizes(request.app, record)
    return [{"key": key, "label": label, "media": media, "size": known.get(key),
             "href": f"/collections/{record.id}/download?f={key}"}
            for key, (media, label) in DOWNLOAD_FORMATS.items()]


def dataset_page(request: Request, conn: Connection, record: DatasetRecord, who: Principal) -> HTMLResponse:
    """A dataset's page: its record in plain view, previews (map, chart, table), downloads and QGIS."""
    has_data = bool(record.table_name)
    versions = list_versions(conn, record.id) if has_data else []
    map_config = _map_config(record)
    return render(
        request, "dataset.html", who, record=record, versions=versions, has_data=has_data,
        rows=_table_rows(conn, record, FeatureQuery(limit=TABLE_PREVIEW_ROWS)) if has_data else [],
        map_config=map_config, legend=legend(map_config["style"]) if map_config else [],
        chart_config=_chart_config(conn, record) if has_data else None,
        downloads=_downloads(request, record) if has_data else [], plugin=plugin_links())


def plugin_links() -> dict:
    """Where the QGIS plugin is found (metadata.txt's homepage)."""
    from ..config import PROJECT_ROOT

    homepage = ""
    metadata = PROJECT_ROOT / "metadata.txt"
    if metadata.exists():
        for line in metadata.read_text(encoding="utf-8").splitlines():
            if line.startswith("homepage="):
                homepage = line.partition("=")[2].strip()
    return {"name": "LEO for QGIS", "homepage": homepage}


def items_page(request: Request, conn: Connection, record: DatasetRecord, query: FeatureQuery) -> HTMLResponse:
    """A dataset's features as a table, a page at a time."""
    page, count = build_select(conn, record, query)
    no_filter = not (query.bbox or query.time or query.equals or query.cql)
    matched = record.feature_count if no_filter else conn.execute(count).scalar_one()
    params = MultiDict([(k, v) for k, v in request.query_params.multi_items() if k != "f"])
    json_href = f"{request.url.path}?{urlencode([*params.multi_items(), ('f', 'json')])}"
    return render(request, "items.html", principal(request), record=record, rows=_table_rows(conn, record, query),
                  matched=matched, limit=query.limit, offset=query.offset, params=params, page_url=page_url,
                  json_href=json_href)


def collections_page(request: Request, records: list[DatasetRecord]) -> HTMLResponse:
    return render(request, "collections.html", principal(request), records=records, dataset_href=dataset_href)


# --- errors and other resources -----------------------------------------------------------------------------

def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """The page for an error. A dataset the user may not see gets the same 404 as one that does not exist."""
    return render(request, "error.html", principal_or_anonymous(request), status=status, status_code=status,
                  message=message)


def principal_or_anonymous(request: Request) -> Principal:
    """Who is asking, or anonymous when the request's own credentials are what failed."""
    from ..accounts import ANONYMOUS

    try:
        return principal(request)
    except ApiError:
        return ANONYMOUS


def _value(value, depth: int = 0) -> str:
    if isinstance(value, dict):
        if depth > 6:
            return "<code>…</code>"
        rows = "".join(f"<tr><th scope=\"row\">{escape(str(k))}</th><td>{_value(v, depth + 1)}</td></tr>"
                       for k, v in value.items())
        return f"<table class=\"nested\">{rows}</table>"
    if isinstance(value, list):
        if not value:
            return ""
        if all(not isinstance(v, (dict, list)) for v in value):
            return escape(", ".join(str(v) for v in value))
        return "<ol>" + "".join(f"<li>{_value(v, depth + 1)}</li>" for v in value[:500]) + "</ol>"
    if value is None:
        return ""
    text = escape(str(value))
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return f'<a href="{text}">{text}</a>'
    return text


def resource_page(request: Request, title: str, data: dict) -> HTMLResponse:
    """Any other resource (conformance, queryables, a feature) as a readable page: its links, then its content."""
    rest = {k: v for k, v in data.items() if k not in ("links", "description", "title")}
    return render(request, "resource.html", principal(request), title=title, description=data.get("description"),
                  links=data.get("links") or [], content=Markup(_value(rest)) if rest else None)
