"""The query parameters of a catalogue search (OGC API Records plus the web portal's facets), parsed."""

from __future__ import annotations

from starlette.datastructures import QueryParams

from ..errors import bad_parameter
from ..params import bounded_list, parse_bbox, parse_datetime, parse_limit, parse_offset, parse_sortby
from ..records import AccessLevel, DatasetKind, Provenance
from ..search import SORTABLE, RecordQuery
from .state import check_params

# publisher, licence, provenance and access are the web portal's facets: exact values, repeated for any of several.
FACET_PARAMS = {"publisher", "licence", "provenance", "access"}
SEARCH_PARAMS = {"f", "q", "bbox", "datetime", "keywords", "themes", "sortby", "limit", "offset", "ids", "type",
                 "kind"} | FACET_PARAMS
CHOICES = {"kind": {k.value for k in DatasetKind}, "provenance": {p.value for p in Provenance},
           "access": {a.value for a in AccessLevel}}


def _listed(params: QueryParams, name: str, commas: bool = True) -> list[str]:
    """Every value of a repeatable parameter (``commas``: each may also be a comma-separated list); 400 for a
    value outside the parameter's choices or past the list limits."""
    values = [v.strip() for raw in params.getlist(name) for v in (raw.split(",") if commas else [raw])]
    values = bounded_list([v for v in values if v], name)
    allowed = CHOICES.get(name)
    unknown = [v for v in values if allowed is not None and v not in allowed]
    if unknown:
        raise bad_parameter(name, f"unknown {name} {unknown[0]!r}; use {', '.join(sorted(allowed))}.")
    return values


def record_query(params: QueryParams) -> RecordQuery:
    """The catalogue search that query parameters ask for, parsed and checked."""
    check_params(params, SEARCH_PARAMS)
    return RecordQuery(
        q=params.get("q"),
        bbox=parse_bbox(params.get("bbox")),
        time=parse_datetime(params.get("datetime")),
        keywords=_listed(params, "keywords") + _listed(params, "themes"),
        sortby=parse_sortby(params.get("sortby"), SORTABLE),
        limit=parse_limit(params.get("limit")),
        offset=parse_offset(params.get("offset")),
        ids=_listed(params, "ids"),
        kinds=_listed(params, "kind"),
        publishers=_listed(params, "publisher", commas=False),
        licences=_listed(params, "licence", commas=False),
        provenances=_listed(params, "provenance"),
        access=_listed(params, "access"),
    )
