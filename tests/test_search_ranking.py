"""Catalogue search ranking on SQLite: title matches first, every match on exactly one page."""

from __future__ import annotations

from leo_catalogue.db import make_engine
from leo_catalogue.records import AccessLevel, DatasetKind, DatasetRecord, Provenance
from leo_catalogue.search import RecordQuery, search_records
from leo_catalogue.store import init_catalogue, put_records


def record(n: int, title: str, description: str, access: AccessLevel = AccessLevel.PUBLIC) -> DatasetRecord:
    return DatasetRecord(id=f"r{n:03d}", title=title, description=description, keywords=[], licence="x",
                         attribution="x", provenance=Provenance.SYNTHETIC, publisher="x", kind=DatasetKind.TABLE,
                         access=access)


def test_title_matches_rank_first_and_pages_cover_every_match_once(scratch_sqlite_url):
    engine = make_engine(scratch_sqlite_url)
    init_catalogue(engine)
    items = [record(i, f"Heat pump survey {i}", "Homes") for i in range(7)]
    items += [record(100 + i, f"Survey {i}", "Heat pump uptake by district") for i in range(6)]
    items += [record(200, "Heat pump secrets", "Members only", AccessLevel.RESTRICTED),
              record(201, "Unrelated", "Solar")]
    put_records(engine, items)
    with engine.connect() as conn:
        pages, matched = [], None
        for offset in range(0, 20, 4):
            found, matched = search_records(conn, RecordQuery(q="heat pump", limit=4, offset=offset))
            pages += [r.id for r in found]
    assert matched == 13
    assert len(pages) == len(set(pages)) == 13
    assert all(p.startswith("r0") for p in pages[:7]) and all(p.startswith("r1") for p in pages[7:])
    assert "r200" not in pages


def test_replacing_a_record_replaces_its_index_entries(scratch_sqlite_url):
    engine = make_engine(scratch_sqlite_url)
    init_catalogue(engine)
    put_records(engine, [record(1, "Battery storage", "x")])
    put_records(engine, [record(1, "Solar farms", "x")])
    with engine.connect() as conn:
        assert search_records(conn, RecordQuery(q="battery"))[1] == 0
        assert [r.id for r in search_records(conn, RecordQuery(q="solar"))[0]] == ["r001"]
