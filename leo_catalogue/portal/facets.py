"""Facet counts for a catalogue search: how many of the matching records each choice of kind, provenance,
publisher, licence, access level and keyword would leave."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from ..accounts import Principal
from ..records import AccessLevel
from ..schema import record_keywords, records
from ..search import RecordQuery, record_conditions, terms_of, text_match, visibility, visible

DIMENSIONS = ("kind", "provenance", "publisher", "licence", "access")
KEYWORDS_SHOWN = 12
VALUES_SHOWN = 10


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


def facet_counts(conn: Connection, query: RecordQuery, principal: Principal) -> dict[str, list[FacetValue]]:
    """Per facet, its values with counts, most frequent first.

    Choices within one facet are alternatives, so each facet is counted with every filter but its own: one
    grouped query over the combinations of the five columns, folded here, instead of five queries.
    """
    if query.q is not None and not terms_of(query.q):
        return {}
    matches = text_match(conn, terms_of(query.q), principal, ranked=False)[0] if query.q is not None else None

    def where(facets: bool):
        return and_(True, *record_conditions(query, facets=facets), *([matches] if matches is not None else []))

    columns = [records.c[name] for name in DIMENSIONS]
    # Grouped in the covering index's order (access first), so the GROUP BY needs no sort.
    order = [records.c.access, records.c.kind, records.c.provenance, records.c.publisher, records.c.licence]
    grouped = visible(select(*columns, func.count()).where(where(False)), principal).group_by(*order)
    if matches is not None:
        # SQLite would read every matching record's row; the covering index holds all five columns (and num).
        grouped = grouped.with_hint(records, "INDEXED BY ix_records_facets", "sqlite")
    combos = conn.execute(grouped).all()
    chosen = query.facet_filters
    result = {}
    for index, name in enumerate(DIMENSIONS):
        counts: Counter = Counter()
        for combo in combos:
            if all(not chosen[other] or combo[j] in chosen[other] for j, other in enumerate(DIMENSIONS) if j != index):
                counts[combo[index]] += combo[-1]
        result[name] = _values(counts, chosen[name], VALUES_SHOWN)
    unfiltered = matches is None and not record_conditions(query)
    result["keywords"] = _keyword_counts(conn, query, principal, None if unfiltered else where(True))
    return result


def _keyword_counts(conn: Connection, query: RecordQuery, principal: Principal, where) -> list[FacetValue]:
    """The commonest keywords among the records every filter leaves (``where``; None for no filter at all).
    Keywords narrow: every chosen one must match."""
    chosen = [k.lower() for k in query.keywords]
    count = func.count().label("n")
    if where is None:
        # Nothing chosen (the landing page): every keyword's count less those of the records out of reach, which
        # are few; joining every keyword to its record to check access would take ten times as long.
        everything = Counter(dict(conn.execute(select(record_keywords.c.keyword, count)
                                               .group_by(record_keywords.c.keyword)).all()))
        condition = visibility(principal)
        if condition is not None:
            # Public records are never hidden: naming the other levels lets the access index find the rest.
            others = [level.value for level in AccessLevel if level is not AccessLevel.PUBLIC]
            hidden = select(records.c.id).where(records.c.access.in_(others), ~condition)
            everything -= Counter(dict(conn.execute(
                select(record_keywords.c.keyword, count).where(record_keywords.c.record_id.in_(hidden))
                .group_by(record_keywords.c.keyword)).all()))
        return _values(everything, chosen, KEYWORDS_SHOWN)
    joined = records.join(record_keywords, record_keywords.c.record_id == records.c.id)
    rows = conn.execute(visible(select(record_keywords.c.keyword, count).select_from(joined).where(where), principal)
                        .group_by(record_keywords.c.keyword).order_by(count.desc(), record_keywords.c.keyword)
                        .limit(KEYWORDS_SHOWN + len(chosen))).all()
    return _values(Counter(dict(rows)), chosen, KEYWORDS_SHOWN)


def _values(counts: Counter, chosen: list[str], shown: int) -> list[FacetValue]:
    """The commonest values, and every chosen one even when nothing is left of it (so it can be unticked)."""
    top = [value for value, _n in sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))[:shown]]
    top += [value for value in chosen if value not in top]
    return [FacetValue(str(value), counts.get(value, 0), value in chosen) for value in top if value is not None]
