"""OGC API Features clients reading a whole large layer (`make bench`; issue 16, goal 2: ≥ 50,000 features a second
through each client). Prints figures and ratios; asserts nothing.

For substation-load-hh (963,495 features), on SpatiaLite and on PostGIS, features a second as each client sees
them: QGIS's OAPIF provider reading every feature, `ogr2ogr` from `OAPIF:` to GeoJSON with and without
`-oo PAGE_SIZE=10000`, OWSLib paging with limit=10000. Reference, measured in the same run: the same rows written
by `ogr2ogr -f GeoJSON` straight from the SQLite file (no HTTP).

    .venv/bin/python scripts/bench_oapif.py [--only sqlite|postgis] [--dataset ID] [--clients qgis,gdal,owslib]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL = 50_000


def rate(count: int, seconds: float) -> str:
    return f"{count:,} features in {seconds:.1f} s = {count / seconds:,.0f}/s"


def _count_features(path: Path) -> int:
    with path.open("rb") as data:
        return sum(chunk.count(b'"type": "Feature"') for chunk in iter(lambda: data.read(1 << 24), b""))


def ogr2ogr(source: list[str], folder: Path) -> tuple[int, float]:
    target = folder / "out.geojson"
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run(["ogr2ogr", "-f", "GeoJSON", str(target), *source], check=True, capture_output=True)
    seconds = time.perf_counter() - started
    count = _count_features(target)
    target.unlink()
    return count, seconds


def qgis_read(url: str, dataset: str) -> tuple[int, float]:
    from qgis.core import QgsDataSourceUri, QgsVectorLayer

    uri = QgsDataSourceUri()
    uri.setParam("url", url)
    uri.setParam("typename", dataset)
    started = time.perf_counter()
    layer = QgsVectorLayer(uri.uri(False), dataset, "OAPIF")
    count = sum(1 for _ in layer.getFeatures())
    seconds = time.perf_counter() - started
    del layer
    return count, seconds


def owslib_read(url: str, dataset: str) -> tuple[int, float]:
    from owslib.ogcapi.features import Features

    started = time.perf_counter()
    api = Features(url)
    count = offset = 0
    while True:
        page = api.collection_items(dataset, limit=10_000, offset=offset)
        count += len(page["features"])
        offset += page["numberReturned"]
        if not page["numberReturned"] or offset >= page["numberMatched"]:
            break
    return count, time.perf_counter() - started


def run_clients(name: str, url: str, dataset: str, clients: set[str], folder: Path, reference: float) -> None:
    def show(label: str, count: int, seconds: float) -> None:
        per_second = count / seconds
        verdict = "met" if per_second >= GOAL else "NOT met"
        print(f"  {label}: {rate(count, seconds)} (goal ≥ {GOAL:,}/s: {verdict}); "
              f"reference / this = {reference / per_second:.2f}x")

    print(f"{name}:")
    if "qgis" in clients:
        show("QGIS OAPIF provider, whole layer", *qgis_read(url, dataset))
    if "gdal" in clients:
        show("ogr2ogr OAPIF: -> GeoJSON, no PAGE_SIZE", *ogr2ogr([f"OAPIF:{url}", dataset], folder))
        show("ogr2ogr OAPIF: -> GeoJSON, -oo PAGE_SIZE=10000",
             *ogr2ogr([f"OAPIF:{url}", dataset, "-oo", "PAGE_SIZE=10000"], folder))
    if "owslib" in clients:
        show("OWSLib collection_items, limit=10000", *owslib_read(url, dataset))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["sqlite", "postgis"])
    parser.add_argument("--dataset", default="substation-load-hh")
    parser.add_argument("--clients", default="qgis,gdal,owslib")
    args = parser.parse_args()
    clients = set(args.clients.split(","))

    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    from leo_catalogue.config import default_database_url
    from leo_catalogue.db import make_engine
    from leo_catalogue.store import get_record
    from tests.support.servers import CatalogueServer

    sqlite_url = default_database_url()
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        table = get_record(conn, args.dataset).table_name
    engine.dispose()
    with tempfile.TemporaryDirectory(prefix="leo-bench-oapif-") as tmp:
        folder = Path(tmp)
        count, seconds = ogr2ogr([sqlite_url.removeprefix("sqlite:///"), table], folder)
        reference = count / seconds
        print(f"OGC API Features clients reading {args.dataset} whole; reference: ogr2ogr -f GeoJSON from the SQLite "
              f"file: {rate(count, seconds)}")
        env = {"LEO_READY_DIR": str(folder / "ready")}
        if args.only in (None, "sqlite"):
            server = CatalogueServer(sqlite_url, env=env).start()
            try:
                run_clients("SpatiaLite", server.url, args.dataset, clients, folder, reference)
            finally:
                server.stop()
        if args.only in (None, "postgis"):
            run_postgis(args.dataset, clients, folder, reference, env)
    QgsApplication.exitQgis()


def run_postgis(dataset: str, clients: set[str], folder: Path, reference: float, env: dict) -> None:
    from leo_catalogue.db import make_engine
    from leo_catalogue.demo.build import load_demo
    from tests.support.postgres import PostgresCluster
    from tests.support.servers import CatalogueServer

    cluster = PostgresCluster()
    try:
        url = cluster.start()
        engine = make_engine(url)
        started = time.perf_counter()
        load_demo(engine)
        engine.dispose()
        print(f"(PostGIS demo catalogue loaded in {time.perf_counter() - started:.0f} s)")
        server = CatalogueServer(url, env=env).start()
        try:
            run_clients("PostGIS", server.url, dataset, clients, folder, reference)
        finally:
            server.stop()
    finally:
        cluster.stop()


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    main()
