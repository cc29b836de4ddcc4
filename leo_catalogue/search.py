"""Catalogue search (OGC API Records): full text, bbox, datetime, keywords, sorting, paging."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Float, Integer, Select, and_, func, or_, select, text
from sqlalchemy.engine import Connection

from .accounts import ANONYMOUS, Principal, Role
from .errors import bad_parameter
from .params import TimeRange
from .records import AccessLevel, DatasetRecord
from .schema import record_keywords, records
from .store import record_from_row

SORTABLE = {"id", "title", "updated", "time_start", "time_end", "publisher"}
MAX_TERMS = 16          # comma-separated terms of q
MAX_TERM_WORDS = 16     # words in one term
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
    kinds: list[str] = field(default_factory=list)


def _terms(q: str) -> list[list[str]]:
    """Comma-separated terms (any may match), each a list of words (all must match); 400 past the limits."""
    terms = []
    for term in q.split(","):
        words = [w.lower()[:64] for w in _TOKEN.findall(term)]
        if len(words) > MAX_TERM_WORDS:
            raise bad_parameter("q", f"a term of q has {len(words)} words; at most {MAX_TERM_WORDS} are accepted.")
        if words:
            terms.append(words)
    if len(terms) > MAX_TERMS:
        raise bad_parameter("q", f"q has {len(terms)} comma-separated terms; at most {MAX_TERMS} are accepted.")
    return terms


def _fts5_query(terms: list[list[str]]) -> str:
    # Each word quoted (no FTS syntax from users) and prefix-matched for search-as-you-type.
    return " OR ".join("(" + " AND ".join(f'"{w}"*' for w in words) + ")" for words in terms)


def _tsquery(terms: list[list[str]]) -> str:
    return " | ".join("(" + " & ".join(f"{w}:*" for w in words) + ")" for words in terms)


def visible(query: Select, principal: Principal = ANONYMOUS) -> Select:
    """Only the records ``principal`` may see: public ones; registered ones for any signed-in user;
    restricted ones for their own organisation; everything for admins."""
    if principal.role is Role.ADMIN:
        return query
    if not principal.signed_in:
        return query.where(records.c.access == AccessLevel.PUBLIC.value)
    return query.where(or_(
        records.c.access.in_([AccessLevel.PUBLIC.value, AccessLevel.REGISTERED.value]),
        and_(records.c.access == AccessLevel.RESTRICTED.value, records.c.organisation == principal.organisation)))


def _fts_match(terms: list[list[str]], public_only: bool = True) -> str:
    # For anonymous searches visibility is matched inside the index (access is an indexed column) so that
    # counting and ranking never touch the records table; signed-in searches filter on the records.
    words = f"({_fts5_query(terms)})"
    return f"{words} AND access:{AccessLevel.PUBLIC.value}" if public_only else words


def _sqlite_matches(match: str, limit: int | None = None, offset: int = 0, index: str = "records_fts"):
    """Row numbers (records.num) and rank of FTS5 matches, optionally one ranked page of them."""
    sql = f"SELECT rowid AS num, rank FROM {index} WHERE {index} MATCH :fts"
    params: dict = {"fts": match}
    if limit is not None:
        sql += " ORDER BY rank LIMIT :limit OFFSET :offset"
        params.update(limit=limit, offset=offset)
    return text(sql).bindparams(**params).columns(num=Integer(), rank=Float())


def _sqlite_ranked_page(conn: Connection, terms: list[list[str]], limit: int, offset: int) -> tuple[list[int], int]:
    """One page of row numbers, best first, and the number matched.

    Public records whose title matches come first, then the others, each group ranked by bm25.
    Ranking is what costs on broad words (a word in a quarter of 100,000 records takes about
    20 ms to rank), so the larger second group is ranked only when a page reaches into it.
    """
    def count(match: str, index: str = "records_fts") -> int:
        return conn.execute(select(func.count()).select_from(_sqlite_matches(match, index=index).subquery())).scalar_one()

    words = _fts5_query(terms)
    total = count(_fts_match(terms))
    title_count = count(words, "records_title_fts")
    nums = []
    if offset < title_count:
        nums += [r.num for r in conn.execute(_sqlite_matches(words, limit, offset, "records_title_fts"))]
    remaining = limit - len(nums)
    if remaining > 0 and total > title_count:
        elsewhere = f"{_fts_match(terms)} NOT title : ({words})"
        nums += [r.num for r in conn.execute(_sqlite_matches(elsewhere, remaining, max(0, offset - title_count)))]
    return nums, total


def _with_all_keywords(keywords: list[str]) -> Select:
    """Ids of the records that have every one of ``keywords``: one grouped look-up in the keyword index,
    whatever their number (a sub-query per keyword grew steeply on PostgreSQL)."""
    wanted = sorted({k.lower() for k in keywords})
    return (select(record_keywords.c.record_id).where(record_keywords.c.keyword.in_(wanted))
            .group_by(record_keywords.c.record_id)
            .having(func.count(func.distinct(record_keywords.c.keyword)) == len(wanted)))


def search_records(conn: Connection, query: RecordQuery,
                   principal: Principal = ANONYMOUS) -> tuple[list[DatasetRecord], int]:
    """The page of matching records ``principal`` may see, and how many match."""
    conditions = []
    if query.keywords:
        conditions.append(records.c.id.in_(_with_all_keywords(query.keywords)))
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
    if query.ids:
        conditions.append(records.c.id.in_(query.ids))
    if query.kinds:
        conditions.append(records.c.kind.in_(query.kinds))
    source = records
    rank = None
    if query.q is not None:
        terms = _terms(query.q)
        if not terms:
            return [], 0
        if conn.dialect.name == "sqlite":
            if not conditions and not query.sortby and not principal.signed_in:
                # Plain text search: count and rank within the index, then read one page of records.
                nums, count = _sqlite_ranked_page(conn, terms, query.limit, query.offset)
                found = {r.num: r for r in conn.execute(select(records).where(records.c.num.in_(nums)))}
                return [record_from_row(found[n]) for n in nums if n in found], count
            fts = _sqlite_matches(_fts_match(terms, public_only=not principal.signed_in)).subquery("fts")
            source = records.join(fts, fts.c.num == records.c.num)
            rank = fts.c.rank.asc()
        else:
            tsq = func.to_tsquery("english", _tsquery(terms))
            vector = func.to_tsvector("english", records.c.search_text)
            conditions.append(vector.op("@@")(tsq))
            rank = func.ts_rank(vector, tsq).desc()
    where = and_(True, *conditions)
    count = conn.execute(visible(select(func.count()).select_from(source).where(where), principal)).scalar_one()
    order = [records.c[name].desc() if desc else records.c[name].asc() for name, desc in query.sortby]
    if rank is not None:
        order.append(rank)
    order.append(records.c.id)
    page = visible(select(records).select_from(source).where(where), principal).order_by(*order)
    rows = conn.execute(page.limit(query.limit).offset(query.offset))
    return [record_from_row(r) for r in rows], count
