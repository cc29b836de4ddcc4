"""Catalogue search (OGC API Records): full text, bbox, datetime, keywords, sorting, paging."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import (
    Column,
    ColumnElement,
    Float,
    Integer,
    MetaData,
    Select,
    Table,
    and_,
    func,
    literal_column,
    or_,
    select,
    text,
)
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
    # Facets of the web portal (any listed value may match): exact publisher, licence, provenance, access.
    publishers: list[str] = field(default_factory=list)
    licences: list[str] = field(default_factory=list)
    provenances: list[str] = field(default_factory=list)
    access: list[str] = field(default_factory=list)

    @property
    def facet_filters(self) -> dict[str, list[str]]:
        """The values chosen per facet column of the records table."""
        return {"kind": self.kinds, "publisher": self.publishers, "licence": self.licences,
                "provenance": self.provenances, "access": self.access}


def terms_of(q: str) -> list[list[str]]:
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
    condition = visibility(principal)
    return query if condition is None else query.where(condition)


def visibility(principal: Principal = ANONYMOUS) -> ColumnElement | None:
    """The condition on records that ``visible`` adds; None for admins, who see everything."""
    if principal.role is Role.ADMIN:
        return None
    if not principal.signed_in:
        return records.c.access == AccessLevel.PUBLIC.value
    return or_(
        records.c.access.in_([AccessLevel.PUBLIC.value, AccessLevel.REGISTERED.value]),
        and_(records.c.access == AccessLevel.RESTRICTED.value, records.c.organisation == principal.organisation))


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
    whatever their number (a sub-query per keyword grew steeply on PostgreSQL). The index under its own name:
    the keyword facet joins record_keywords itself."""
    wanted = sorted({k.lower() for k in keywords})
    chosen = record_keywords.alias("chosen")
    return (select(chosen.c.record_id).where(chosen.c.keyword.in_(wanted))
            .group_by(chosen.c.record_id)
            .having(func.count(func.distinct(chosen.c.keyword)) == len(wanted)))


def record_conditions(query: RecordQuery, facets: bool = True) -> list:
    """The WHERE conditions of a search but its text (``facets``: with the facet filters too)."""
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
    if facets:
        for column, values in query.facet_filters.items():
            if values:
                conditions.append(records.c[column].in_(values))
    return conditions


# PostgreSQL: the stored words of each record's search text (schema.create_catalogue_schema).
SEARCH_VECTOR = literal_column("records.search_vector")

# The numbers (and ranks) of the records a full-text query matches, per connection: see text_source.
_MATCHES = Table("leo_matches", MetaData(), Column("num", Integer, primary_key=True), Column("rank", Float),
                 prefixes=["TEMPORARY"])


def _sqlite_matches_table(conn: Connection, terms: list[list[str]], principal: Principal, ranked: bool) -> Table:
    """The matches of ``terms`` in a temporary table of this connection. Joined from the records side, SQLite runs
    the full-text query again for each record it looks at (2 s for a word in a quarter of 100,000 records); read
    once into a table and used as ``num IN (...)``, SQLite looks up only the matching records (a join with the table
    builds a Bloom filter over every record first)."""
    conn.execute(text("CREATE TEMP TABLE IF NOT EXISTS leo_matches (num INTEGER PRIMARY KEY, rank REAL)"))
    conn.execute(text("DELETE FROM leo_matches"))
    conn.execute(text(f"INSERT INTO leo_matches SELECT rowid, {'rank' if ranked else 'NULL'} FROM records_fts "
                      "WHERE records_fts MATCH :fts"), {"fts": _fts_match(terms, public_only=not principal.signed_in)})
    return _MATCHES


def text_match(conn: Connection, terms: list[list[str]], principal: Principal,
               ranked: bool = True) -> tuple[ColumnElement, ColumnElement]:
    """(the condition on records, the order by rank) for the full-text terms of ``q``."""
    if conn.dialect.name == "sqlite":
        matches = _sqlite_matches_table(conn, terms, principal, ranked)
        rank = select(matches.c.rank).where(matches.c.num == records.c.num).scalar_subquery()
        return records.c.num.in_(select(matches.c.num)), rank.asc()
    tsq = func.to_tsquery("english", _tsquery(terms))
    vector = SEARCH_VECTOR
    return vector.op("@@")(tsq), func.ts_rank(vector, tsq).desc()


def search_records(conn: Connection, query: RecordQuery,
                   principal: Principal = ANONYMOUS) -> tuple[list[DatasetRecord], int]:
    """The page of matching records ``principal`` may see, and how many match."""
    conditions = record_conditions(query)
    rank = None
    if query.q is not None:
        terms = terms_of(query.q)
        if not terms:
            return [], 0
        if conn.dialect.name == "sqlite" and not conditions and not query.sortby and not principal.signed_in:
            # Plain text search: count and rank within the index, then read one page of records.
            nums, count = _sqlite_ranked_page(conn, terms, query.limit, query.offset)
            found = {r.num: r for r in conn.execute(select(records).where(records.c.num.in_(nums)))}
            return [record_from_row(found[n]) for n in nums if n in found], count
        matches, rank = text_match(conn, terms, principal)
        conditions.append(matches)
    where = and_(True, *conditions)
    count = conn.execute(visible(select(func.count()).select_from(records).where(where), principal)).scalar_one()
    order = [records.c[name].desc() if desc else records.c[name].asc() for name, desc in query.sortby]
    if rank is not None:
        order.append(rank)
    order.append(records.c.id)
    page = visible(select(records).where(where), principal).order_by(*order)
    rows = conn.execute(page.limit(query.limit).offset(query.offset))
    return [record_from_row(r) for r in rows], count
