"""Benchmarks for the catalogue server (`make bench`). Prints figures and ratios; asserts nothing.

1. load-demo: time to build the whole demo catalogue in a new SpatiaLite file.
2. /collections/substation-load-hh/items?datetime=<one half hour>: p50/p95 over HTTP against the
   real server; reference: the same rows selected with the time index disabled (NOT INDEXED).
3. q= catalogue search over 100,000 generated records, on SQLite and on PostgreSQL: p50/p95 over HTTP;
   reference: the plain full-text query of the same words in the database (FTS5 / tsvector: a page by the
   engine's own rank, and the count).
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from leo_catalogue.db import make_engine  # noqa: E402
from leo_catalogue.demo.build import load_demo  # noqa: E402
from leo_catalogue.records import DatasetKind, DatasetRecord, Provenance  # noqa: E402
from leo_catalogue.store import get_record, init_catalogue, put_records  # noqa: E402
from tests.support.postgres import PostgresCluster  # noqa: E402
from tests.support.servers import CatalogueServer  # noqa: E402

RUNS = 300
WORDS = ("headroom load demand generation flexibility substation feeder battery solar heat pump charging "
         "oxford didcot witney banbury bicester abingdon wantage thame henley kidlington carterton "
         "tariff price meter trial baseline constraint capacity reinforcement transformer cable network "
         "district msoa boundary council planning housing transport emissions weather temperature").split()


PLACES = [f"place{n:03d}" for n in range(300)]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def report(name: str, samples: list[float], reference: list[float] | None = None, budget: float | None = None):
    p50, p95 = statistics.median(samples), percentile(samples, 95)
    line = f"{name}: p50 {p50:.2f} ms, p95 {p95:.2f} ms over {len(samples)} requests"
    if budget:
        line += f" (goal p95 < {budget:g} ms: {'met' if p95 < budget else 'NOT met'})"
    print(line)
    if reference:
        r95 = percentile(reference, 95)
        print(f"    reference p95 {r95:.2f} ms; reference / ours = {r95 / p95:.1f}x")


def bench_load_demo(folder: Path) -> Path:
    path = folder / "demo.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    start = time.perf_counter()
    load_demo(engine)
    seconds = time.perf_counter() - start
    engine.dispose()
    print(f"load-demo: {seconds:.1f} s (goal < 60 s: {'met' if seconds < 60 else 'NOT met'}; "
          f"{seconds / 60:.2f} of the budget)")
    return path


def bench_half_hour(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        table = get_record(conn, "substation-load-hh").table_name
    rng = random.Random(1)
    start = datetime(2025, 1, 1, 0, 30, tzinfo=timezone.utc)
    stamps = [start + timedelta(minutes=30 * rng.randrange(17520)) for _ in range(RUNS)]
    server = CatalogueServer(f"sqlite:///{path}").start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            client.get("/collections/substation-load-hh/items?limit=1")
            ours = [timed(lambda s=s: client.get("/collections/substation-load-hh/items",
                                                 params={"datetime": s.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                                         "limit": 100}).raise_for_status()) for s in stamps]
    finally:
        server.stop()
    with engine.connect() as conn:
        sql = text(f'SELECT * FROM "{table}" NOT INDEXED WHERE timestamp = :t')
        reference = [timed(lambda s=s: conn.execute(sql, {"t": s.strftime("%Y-%m-%d %H:%M:%S.000000")}).fetchall())
                     for s in stamps[:20]]
    engine.dispose()
    report("items at one half hour (55 primaries, ~1M rows)", ours, reference, budget=30)


def search_records_set() -> list[DatasetRecord]:
    rng = random.Random(2)
    records = []
    for i in range(100_000):
        words = rng.sample(WORDS, 12)
        place = rng.choice(PLACES)
        records.append(DatasetRecord(
            id=f"rec-{i:06d}", title=" ".join(words[:4]).capitalize() + f" {place}", description=" ".join(words[4:]),
            keywords=words[8:11], licence="CC-BY-4.0", attribution="bench", provenance=Provenance.SYNTHETIC,
            publisher="bench", kind=DatasetKind.VECTOR, bbox=(-1.5, 51.5, -1.0, 52.0),
        ))
    return records


# The plain full-text query of each backend: one page ranked by the engine's own relevance, and the count.
PLAIN_FTS = {
    "sqlite": ("SELECT rowid FROM records_fts WHERE records_fts MATCH :q ORDER BY rank LIMIT 10",
               "SELECT count(*) FROM records_fts WHERE records_fts MATCH :q"),
    "postgresql": ("SELECT id FROM records WHERE search_vector @@ to_tsquery('english', :q) "
                   "ORDER BY ts_rank(search_vector, to_tsquery('english', :q)) DESC LIMIT 10",
                   "SELECT count(*) FROM records WHERE search_vector @@ to_tsquery('english', :q)"),
}


def _plain_query(backend: str, q: str) -> str:
    words = q.split()
    if backend == "sqlite":
        return " AND ".join(f'"{w}"*' for w in words)
    return " & ".join(f"{w}:*" for w in words)


def bench_search(url: str, backend: str) -> None:
    engine = make_engine(url)
    init_catalogue(engine)
    start = time.perf_counter()
    put_records(engine, search_records_set())
    if backend == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    print(f"search set-up ({backend}): 100,000 records stored in {time.perf_counter() - start:.1f} s")
    rng = random.Random(2)
    # Broad: each word is in about 27 % of records (the worst case for ranking); specific: about 0.3 %.
    queries = [rng.choice(WORDS) if rng.random() < 0.7 else " ".join(rng.sample(WORDS, 2)) for _ in range(RUNS)]
    specific = [rng.choice(PLACES) if rng.random() < 0.7 else f"{rng.choice(PLACES)} {rng.choice(WORDS)}"
                for _ in range(RUNS)]
    server = CatalogueServer(url).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            client.get("/collections/catalogue/items", params={"q": "load"})

            def run(words: list[str]) -> list[float]:
                return [timed(lambda q=q: client.get("/collections/catalogue/items",
                                                     params={"q": q}).raise_for_status()) for q in words]

            ours, ours_specific = run(queries), run(specific)
    finally:
        server.stop()
    page, count = (text(sql) for sql in PLAIN_FTS[backend])
    with engine.connect() as conn:
        def plain(words: list[str]) -> list[float]:
            return [timed(lambda q=q: (conn.execute(page, {"q": _plain_query(backend, q)}).fetchall(),
                                       conn.execute(count, {"q": _plain_query(backend, q)}).scalar()))
                    for q in words[:100]]

        reference, reference_specific = plain(queries), plain(specific)
    engine.dispose()
    report(f"q= search over 100,000 records on {backend}, broad words (27 % of records match), over HTTP", ours,
           reference, budget=10)
    report(f"q= search over 100,000 records on {backend}, specific words (0.3 % match), over HTTP", ours_specific,
           reference_specific, budget=10)
    print("    (reference: the plain full-text query in the database, no HTTP: one page by the engine's rank "
          "and the count)")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="leo-bench-") as folder:
        demo = bench_load_demo(Path(folder))
        bench_half_hour(demo)
        bench_search(f"sqlite:///{Path(folder) / 'records.sqlite'}", "sqlite")
    cluster = PostgresCluster()
    try:
        bench_search(cluster.start(), "postgresql")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
