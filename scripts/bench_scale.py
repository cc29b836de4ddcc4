"""National scale on PostgreSQL/PostGIS (`make bench-scale`; not part of `make bench` or CI). Prints figures
and references measured in the same run; asserts nothing.

A month of SSEN-shaped LV-feeder rows (every feeder, every half-hour of January 2024) goes into a throwaway
PostgreSQL cluster through the catalogue's own import path (monthly partitions, COPY), then the real server
answers over HTTP, first with one worker and one client, then with several uvicorn workers under 32
concurrent clients (a second process on 127.0.0.1). SSEN's whole licence area is about 90,000 feeders
(130 million rows a month); the default here is scaled down to what a shared 2-core machine runs in a few
minutes: LEO_SCALE_FEEDERS sets the number of feeders (the row count printed is feeders x 1,488), and the run
refuses a size that would take more than a tenth of the free disk.

Figures: ingest rate (reference: the same rows COPYed into a plain table without partitions or indexes);
/items?datetime=<one half-hour> p95 (every feeder at that instant, in pages of 1,000; reference: the same
first page by SQL in the database); one feeder's month p95 (reference: the same by SQL); database size per
million rows.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from bench import percentile  # noqa: E402
from sqlalchemy import text  # noqa: E402

from leo_catalogue.db import make_engine  # noqa: E402
from leo_catalogue.pg_copy import copy_rows  # noqa: E402
from leo_catalogue.records import DatasetKind, DatasetRecord, Provenance  # noqa: E402
from leo_catalogue.store import init_catalogue, put_dataset  # noqa: E402
from leo_qgis_plugin.core.formats.fields import FieldDef, FieldType  # noqa: E402
from tests.support.postgres import PostgresCluster, free_port  # noqa: E402

UTC = timezone.utc
MONTH = datetime(2024, 1, 1, 0, 30, tzinfo=UTC)
HALF_HOURS = 31 * 48
BYTES_PER_ROW = 260  # table, partitions and indexes: about 210 measured here (each run prints its own)
FIELDS = [FieldDef("dataset_id", FieldType.STRING), FieldDef("secondary_substation_id", FieldType.STRING),
          FieldDef("lv_feeder_id", FieldType.STRING), FieldDef("aggregated_device_count_active", FieldType.INTEGER),
          FieldDef("total_consumption_active_import", FieldType.NUMBER),
          FieldDef("total_consumption_reactive_import", FieldType.NUMBER), FieldDef("timestamp", FieldType.DATETIME),
          FieldDef("avg_kw", FieldType.NUMBER)]
RUNS = 100
WORKERS = 4
CLIENTS = 32


def feeder_id(n: int) -> str:
    return f"{n // 8:09d}{n % 8 + 1:03d}"


def month_batches(feeders: int):
    """Half-hour by half-hour, every feeder: as SSEN publishes them (a day's file holds every feeder)."""
    rng = random.Random(5)
    for step in range(HALF_HOURS):
        at = MONTH + timedelta(minutes=30 * step)
        batch = []
        for n in range(feeders):
            wh = round(rng.uniform(200, 4000), 1)
            batch.append({"dataset_id": feeder_id(n), "secondary_substation_id": f"{n // 8:06d}",
                          "lv_feeder_id": f"{n % 8 + 1:02d}", "aggregated_device_count_active": 20 + n % 60,
                          "total_consumption_active_import": wh, "total_consumption_reactive_import": wh / 10,
                          "timestamp": at, "avg_kw": wh * 2 / 1000, "geometry": None})
        yield batch


def record() -> DatasetRecord:
    return DatasetRecord(id="lv-feeder-month", title="LV feeders, a month (bench)", description="", keywords=[],
                         licence="SSEN Open Data", attribution="bench", provenance=Provenance.SYNTHETIC,
                         publisher="bench", kind=DatasetKind.TIMESERIES, time_field="timestamp",
                         site_field="dataset_id", fields=FIELDS)


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def serve(url: str, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "leo_catalogue", "serve", "--db", url, "--port", str(port),
                                "--workers", str(workers), "--log-level", "warning"], cwd=ROOT)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(base, timeout=2)
            return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the catalogue server did not start")


def requests_to_time(feeders: int) -> list[tuple[str, dict]]:
    rng = random.Random(9)
    instants = [(MONTH + timedelta(minutes=30 * rng.randrange(HALF_HOURS))).strftime("%Y-%m-%dT%H:%M:%SZ")
                for _ in range(RUNS)]
    ones = [feeder_id(rng.randrange(feeders)) for _ in range(RUNS)]
    items = "/collections/lv-feeder-month/items"
    return ([(items, {"datetime": t, "limit": 1000}) for t in instants]
            + [(items, {"dataset_id": f, "limit": 2000}) for f in ones])


def p95_line(name: str, samples: list[float], reference: list[float] | None = None, goal: float = 50) -> str:
    line = f"{name}: p95 {percentile(samples, 95):.1f} ms (goal < {goal:g} ms: " \
           f"{'met' if percentile(samples, 95) < goal else 'NOT met'})"
    return line + (f"; reference by SQL in the database p95 {percentile(reference, 95):.1f} ms" if reference else "")


def main() -> None:
    feeders = int(os.environ.get("LEO_SCALE_FEEDERS", "1000"))
    rows = feeders * HALF_HOURS
    free = shutil.disk_usage(os.environ.get("TMPDIR", "/tmp")).free
    if rows * BYTES_PER_ROW * 2 > free / 10:  # the reference table too
        print(f"{rows:,} rows would need about {rows * BYTES_PER_ROW * 2 / 1e9:.1f} GB, more than a tenth of the free "
              f"disk ({free / 1e9:.0f} GB): set LEO_SCALE_FEEDERS lower.")
        return
    print(f"bench-scale: {feeders:,} feeders x {HALF_HOURS:,} half-hours (January 2024) = {rows:,} rows "
          f"(SSEN's licence area: ~130 million a month; scaled by LEO_SCALE_FEEDERS)")
    cluster = PostgresCluster()
    try:
        url = cluster.start()
        engine = make_engine(url)
        init_catalogue(engine)
        start = time.perf_counter()
        put_dataset(engine, record(), month_batches(feeders))
        ingest = time.perf_counter() - start
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE plain_copy (geom geometry, dataset_id text, secondary_substation_id text, "
                              "lv_feeder_id text, aggregated_device_count_active bigint, "
                              "total_consumption_active_import float8, total_consumption_reactive_import float8, "
                              "timestamp timestamptz, avg_kw float8)"))
        start = time.perf_counter()
        with engine.begin() as conn:
            for batch in month_batches(feeders):
                copy_rows(conn, "plain_copy", [f.name for f in FIELDS], batch, np.array([None] * len(batch)))
        plain = time.perf_counter() - start
        print(f"ingest through the catalogue (monthly partitions, COPY, indexes built after): {ingest:.1f} s, "
              f"{rows / ingest:,.0f} rows/s; reference, the same rows COPYed into a plain table (no partitions, "
              f"no indexes): {plain:.1f} s, {rows / plain:,.0f} rows/s (ours / reference = {ingest / plain:.2f}x)")
        with engine.connect() as conn:
            table = conn.execute(text("SELECT table_name FROM records WHERE id = 'lv-feeder-month'")).scalar_one()
            size = conn.execute(text(
                "SELECT sum(pg_total_relation_size(i.inhrelid)) FROM pg_inherits i "
                "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = CAST(:t AS regclass) AND c.relkind = 'r'"),
                {"t": table}).scalar_one()
            parts = conn.execute(text("SELECT count(*) FROM pg_inherits WHERE inhparent = CAST(:t AS regclass)"),
                                 {"t": table}).scalar_one()
            sql_instant = text(f'SELECT * FROM "{table}" WHERE timestamp = :t ORDER BY fid LIMIT 1000')
            sql_feeder = text(f'SELECT * FROM "{table}" WHERE dataset_id = :f ORDER BY fid LIMIT 2000')
            calls = requests_to_time(feeders)
            reference_instant = [timed(lambda p=p: conn.execute(sql_instant, {"t": p["datetime"]}).fetchall())
                                 for _, p in calls[:RUNS]]
            reference_feeder = [timed(lambda p=p: conn.execute(sql_feeder, {"f": p["dataset_id"]}).fetchall())
                                for _, p in calls[RUNS:]]
        engine.dispose()
        size = float(size)
        print(f"database size: {size / 1e6:,.0f} MB in {parts} partitions, {size / rows:,.0f} MB per "
              "million rows (table and indexes)")
        for workers, clients in ((1, 1), (WORKERS, CLIENTS)):
            process, base = serve(url, workers)
            try:
                if clients == 1:
                    with httpx.Client(base_url=base, timeout=60) as client:
                        samples = [timed(lambda c=c: client.get(c[0], params=c[1]).raise_for_status()) for c in calls]
                    wall = None
                else:
                    samples, wall = load(base, calls, clients)
            finally:
                process.terminate()
                process.wait(30)
            what = f"{workers} worker(s), {clients} client(s)"
            print(p95_line(f"  {what}: /items?datetime=<one half-hour> (every feeder, pages of 1,000)",
                           samples[:len(samples) // 2], reference_instant))
            print(p95_line(f"  {what}: one feeder's month (/items?dataset_id=...)", samples[len(samples) // 2:],
                           reference_feeder))
            if wall:
                print(f"  {what}: {len(samples) / wall:.0f} requests/s over {len(samples)} requests")
    finally:
        cluster.stop()


def load(base: str, calls: list[tuple[str, dict]], clients: int) -> tuple[list[float], float]:
    """The calls from ``clients`` threads of a second process (bounded: each client makes every call once)."""
    script = (
        "import json, sys, time, threading, httpx\n"
        "base, calls, clients = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])\n"
        "out = [[] for _ in range(clients)]\n"
        "def run(n):\n"
        "    with httpx.Client(base_url=base, timeout=120) as c:\n"
        "        for path, params in calls:\n"
        "            s = time.perf_counter(); c.get(path, params=params).raise_for_status()\n"
        "            out[n].append((time.perf_counter() - s) * 1000)\n"
        "start = time.perf_counter()\n"
        "threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "print(json.dumps({'wall': time.perf_counter() - start, 'samples': out}))\n"
    )
    calls = calls[::5]  # a fifth of the calls per client: 32 clients then make 1,280 requests
    done = subprocess.run([sys.executable, "-c", script, base, json.dumps(calls), str(clients)], capture_output=True,
                          text=True, check=True)
    answer = json.loads(done.stdout)
    half = len(calls) // 2
    instant = [s for client in answer["samples"] for s in client[:half]]
    feeder = [s for client in answer["samples"] for s in client[half:]]
    return instant + feeder, answer["wall"]


if __name__ == "__main__":
    main()
