"""Facet counts for a catalogue search: how many of the matching records each choice of kind, provenance,
publisher, licence, access level and keyword would leave."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from ..accounts import Principal
from ..schema import record_keywords, records
from ..search import RecordQuery, record_conditions, terms_of, text_source, visible

DIMENSIONS = ("kind", "provenance", "publisher", "licence", "access")
KEYWORDS_SHOWN = 12
VALUES_SHOWN = 10


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


def _source(conn: Connection, query: RecordQuery, principal: Principal, facets: bool):
    """(the FROM, the WHERE) of the records a query matches."""
    conditions = record_conditions(query, facets=facets)
    source = records
    if query.q is not None:
        source, matches, _rank = text_source(conn, terms_of(query.q), principal)
        conditions.append(matches)
    return source, and_(True, *conditions)


def facet_counts(conn: Connection, query: RecordQuery, principal: Principal) -> dict[str, list[FacetValue]]:
    """Per facet, its values with counts, most frequent first.

    Choices within one facet are alternatives, so each facet is counted with every filter but its own: one
    grouped query over the combinations of the five columns, folded here, instead of five queries.
    """
    if query.q is not None and not terms_of(query.q):
        return {}
    source, where = _source(conn, query, principal, facets=False)
    columns = [records.c[name] for name in DIMENSIONS]
    combos = conn.execute(visible(select(*columns, func.count()).select_from(source).where(where), principal)
                          .group_by(*columns)).all()
    chosen = query.facet_filters
    result = {}
    for index, name in enumerate(DIMENSIONS):
        counts: Counter = Counter()
        for combo in combos:
            if all(not chosen[other] or combo[j] in chosen[other] for j, other in enumerate(DIMENSIONS) if j != index):
                counts[combo[index]] += combo[-1]
        result[name] = _values(counts, chosen[name], VALUES_SHOWN)
    result["keywords"] = _keyword_counts(conn, query, principal)
    return result


def _keyword_counts(conn: Connection, query: RecordQuery, principal: Principal) -> list[FacetValue]:
    """The commonest keywords among the records every filter leaves (keywords narrow: all chosen must match)."""
    source, where = _source(conn, query, principal, facets=True)
    matching = visible(select(records.c.id).select_from(source).where(where), principal).subquery()
    count = func.count().label("n")
    rows = conn.execute(select(record_keywords.c.keyword, count)
                        .where(record_keywords.c.record_id.in_(select(matching.c.id)))
                        .group_by(record_keywords.c.keyword).order_by(count.desc(), record_keywords.c.keyword)
                        .limit(KEYWORDS_SHOWN + len(query.keywords))).all()
    return _values(Counter(dict(rows)), [k.lower() for k in query.keywords], KEYWORDS_SHOWN)


def _values(counts: Counter, chosen: list[str], shown: int) -> list[FacetValue]:
    """The commonest values, and every chosen one even when nothing is left of it (so it can be unticked)."""
    top = [value for value, _n in sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))[:shown]]
    top += [value for value in chosen if value not in top]
    return [FacetValue(str(value), counts.get(value, 0), value in chosen) for value in top if value is not None]


def without_facets(query: RecordQuery) -> RecordQuery:
    """The same search with no facet chosen."""
    return replace(query, kinds=[], publishers=[], licences=[], provenances=[], access=[])
