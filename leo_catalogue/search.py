"""Catalogue search (OGC API Records): full text, bbox, datetime, keywords, sorting, paging."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Float, Select, and_, exists, func, or_, select, text
from sqlalchemy.engine import Connection

from .params import TimeRange
from .records import AccessLevel, DatasetRecord
from .schema import record_keywords, records
from .store import record_from_row

SORTABLE = {"id", "title", "updated", "time_start", "time_end", "publisher"}
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass
class RecordQuery:
    """A parsed catalogue search."""

    q: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    time: TimeRange | None = None
    keywords: list[str] = field(default_factory=list)
    sortby: list[tuple[str, bool]] = field(default_factory=list)
    limit: int = 10
    offset: int = 0
    ids: list[str] = field(default_factory=list)


def _terms(q: str) -> list[list[str]]:
    """Comma-separated terms (any may match), each a list of words (all must match)."""
    terms = []
    for term in q.split(","):
        words = [w.lower() for w in _TOKEN.findall(term)]
        if words:
            terms.append(words[:16])
    return terms[:16]


def _fts5_query(terms: list[list[str]]) -> str:
    # Each word quoted (no FTS syntax from users) and prefix-matched for search-as-you-type.
    return " OR ".join("(" + " AND ".join(f'"{w}"*' for w in words) + ")" for words in terms)


def _tsquery(terms: list[list[str]]) -> str:
    return " | ".join("(" + " & ".join(f"{w}:*" for w in words) + ")" for words in terms)


def visible(query: Select) -> Select:
    """Only records anyone may see (access levels for signed-in users come with accounts)."""
    return query.where(records.c.access == AccessLevel.PUBLIC.value)


def search_records(conn: Connection, query: RecordQuery) -> tuple[list[DatasetRecord], int]:
    """The page of matching records and the number matched."""
    conditions = []
    source = records
    rank = None
    if query.q is not None:
        terms = _terms(query.q)
        if not terms:
            return [], 0
        if conn.dialect.name == "sqlite":
            fts = (
                text("SELECT record_id, rank FROM records_fts WHERE records_fts MATCH :fts")
                .bindparams(fts=_fts5_query(terms))
                .columns(record_id=records.c.id.type, rank=Float())
                .subquery("fts")
            )
            source = records.join(fts, fts.c.record_id == records.c.id)
            rank = fts.c.rank.asc()
        else:
            tsq = func.to_tsquery("english", _tsquery(terms))
            vector = func.to_tsvector("english", records.c.search_text)
            conditions.append(vector.op("@@")(tsq))
            rank = func.ts_rank(vector, tsq).desc()
    if query.bbox:
        minx, miny, maxx, maxy = query.bbox
        conditions.append(and_(records.c.minx <= maxx, records.c.maxx >= minx,
                               records.c.miny <= maxy, records.c.maxy >= miny))
    if query.time:
        if query.time.end is not None:
            conditions.append(records.c.time_start <= query.time.end)
        if query.time.start is not None:
            conditions.append(or_(records.c.time_end >= query.time.start, records.c.time_end.is_(None)))
        conditions.append(records.c.time_start.is_not(None))
    for keyword in query.keywords:
        conditions.append(exists().where(and_(
            record_keywords.c.record_id == records.c.id, record_keywords.c.keyword == keyword.lower())))
    if query.ids:
        conditions.append(records.c.id.in_(query.ids))
    where = and_(True, *conditions)
    count = conn.execute(visible(select(func.count()).select_from(source).where(where))).scalar_one()
    order = [records.c[name].desc() if desc else records.c[name].asc() for name, desc in query.sortby]
    if not order and rank is not None:
        order.append(rank)
    order.append(records.c.id)
    page = visible(select(records).select_from(source).where(where)).order_by(*order)
    rows = conn.execute(page.limit(query.limit).offset(query.offset))
    return [record_from_row(r) for r in rows], count
