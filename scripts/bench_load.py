"""Bounded load on the catalogue server, on SpatiaLite and on PostgreSQL: 64 clients for 30 s from a second process
on 127.0.0.1, a mix of what QGIS, the plugin and web maps ask (landing page, collections, searches, pages of
features by time and place, queryables, small downloads). Prints requests per second, p50/p95 latency, the
errors and invalid JSON seen, and the server's peak memory; the reference, measured in the same run, is one
client alone (p95 under load / p95 alone).

    .venv/bin/python scripts/bench_load.py [--clients 64] [--seconds 30] [--only sqlite|postgis]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MIX = [
    "/", "/collections", "/collections/catalogue/items?q=headroom", "/collections/catalogue/items?q=load,flex",
    "/collections/catalogue/items?bbox=-1.4,51.6,-1.1,51.8&limit=50", "/collections/ssen-headroom/items?limit=100",
    "/collections/ssen-headroom/items?demand_rag=Red", "/collections/ssen-headroom/queryables",
    "/collections/substation-load-hh/items?datetime=2025-06-01T12:00:00Z&limit=100",
    "/collections/substation-load-hh/items?bbox=-1.3,51.7,-1.2,51.8&limit=200",
    "/collections/flex-events/items?datetime=2025-01-01/2025-03-31&limit=100",
    "/collections/flex-zones/download?f=geojson", "/collections/catalogue/items/ssen-headroom",
]


def _strict(body: bytes) -> None:
    def refuse(constant):
        raise ValueError(constant)
    json.loads(body, parse_constant=refuse)


async def _client(base: str, deadline: float, index: int, results: list) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        n = index
        while time.monotonic() < deadline:
            path = MIX[n % len(MIX)]
            n += 1
            started = time.perf_counter()
            try:
                answer = await http.get(path)
                elapsed = time.perf_counter() - started
                invalid = 0
                if "json" in answer.headers.get("content-type", ""):
                    try:
                        _strict(answer.content)
                    except ValueError:
                        invalid = 1
                results.append((elapsed, answer.status_code, invalid))
            except httpx.HTTPError:
                results.append((time.perf_counter() - started, 0, 0))


async def _load(base: str, clients: int, seconds: float) -> list:
    results: list = []
    deadline = time.monotonic() + seconds
    await asyncio.gather(*[_client(base, deadline, i, results) for i in range(clients)])
    return results


def client_main(base: str, clients: int, seconds: float) -> None:
    """The load generator (run in its own process): prints its results as JSON."""
    results = asyncio.run(_load(base, clients, seconds))
    print(json.dumps({"results": results, "seconds": seconds}))


def _summary(results: list, seconds: float) -> dict:
    times = sorted(r[0] for r in results)
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000 if times else float("nan")  # noqa: E731
    return {"requests": len(results), "rps": len(results) / seconds, "p50": pick(0.5), "p95": pick(0.95),
            "server_errors": sum(1 for r in results if r[1] >= 500 or r[1] == 0),
            "other": sorted({r[1] for r in results if r[1] not in (200,)}),
            "invalid_json": sum(r[2] for r in results)}


def _memory(pid: int) -> tuple[float, float]:
    """(resident MB, anonymous MB) of a process now."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    to_mb = lambda key: int(fields.get(key, "0 kB").split()[0]) / 1024  # noqa: E731
    return to_mb("VmRSS"), to_mb("RssAnon")


def _run(base: str, pid: int, clients: int, seconds: float) -> tuple[dict, float, float]:
    peak = [0.0, 0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            try:
                rss, anon = _memory(pid)
            except OSError:
                return
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], anon)
            time.sleep(0.2)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    out = subprocess.run([sys.executable, __file__, "--client", base, "--clients", str(clients), "--seconds",
                          str(seconds)], capture_output=True, text=True, timeout=seconds + 120, check=True)
    done.set()
    watcher.join()
    data = json.loads(out.stdout)
    return _summary(data["results"], data["seconds"]), peak[0], peak[1]


def bench(name: str, db_url: str, clients: int, seconds: float) -> None:
    from tests.support.servers import CatalogueServer

    server = CatalogueServer(db_url).start()
    try:
        base = server.url.rstrip("/")
        for path in MIX:  # warm: caches, connections
            subprocess.run(["curl", "-s", "-o", "/dev/null", base + path], timeout=120, check=False)
        start_rss, start_anon = _memory(server.process.pid)
        alone, _, _ = _run(base, server.process.pid, 1, min(10.0, seconds))
        loaded, rss, anon = _run(base, server.process.pid, clients, seconds)
        print(f"{name}: {clients} clients for {seconds:.0f} s: {loaded['rps']:.0f} requests/s "
              f"({loaded['requests']} requests), p50 {loaded['p50']:.0f} ms, p95 {loaded['p95']:.0f} ms; "
              f"server errors {loaded['server_errors']}, invalid JSON {loaded['invalid_json']}"
              + (f", other statuses {loaded['other']}" if loaded["other"] else ""))
        print(f"{name}: server memory at peak {rss:.0f} MB resident, {anon:.0f} MB anonymous "
              f"(idle before: {start_rss:.0f} / {start_anon:.0f} MB)")
        print(f"{name}: reference, one client alone: {alone['rps']:.0f} requests/s, p95 {alone['p95']:.0f} ms; "
              f"p95 under load / alone: {loaded['p95'] / alone['p95']:.1f}x")
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--only", choices=["sqlite", "postgis"])
    parser.add_argument("--client", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main(args.client, args.clients, args.seconds)
        return 0
    from leo_catalogue.config import VAR_DIR

    if args.only in (None, "sqlite"):
        bench("SQLite", f"sqlite:///{VAR_DIR / 'leo_catalogue.sqlite'}", args.clients, args.seconds)
    if args.only in (None, "postgis"):
        from tests.support.postgres import PostgresCluster

        cluster = PostgresCluster()
        try:
            url = cluster.start()
            subprocess.run([sys.executable, "-m", "leo_catalogue", "load-demo"], cwd=ROOT, check=True,
                           env={**os.environ, "LEO_DATABASE_URL": url}, capture_output=True, timeout=900)
            bench("PostgreSQL", url, args.clients, args.seconds)
        finally:
            cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
