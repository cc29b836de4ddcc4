"""Benchmark of the GB operators' portals (`make bench`), against local portals in each portal's envelope
(tests/support/dno_portals.py), within each portal's configured rate limits:

1. opening a 10,000-substation Opendatasoft headroom dataset in QGIS (Northern Powergrid's columns): paged
   (100 records a request, the most the portal allows), from the JSON export (one request), and as a plain
   layer from the GeoJSON export; the reference is reading the same records from a local file onto the GB
   schema and into a layer (no network);
2. a harvest of the six operators into a fresh SpatiaLite catalogue, and the same harvest again (nothing
   changed: stamps only); the reference is storing the same six releases without any portal (the demo loader).

Prints seconds and ratios; asserts nothing.

    python scripts/bench_gb_portals.py [--substations 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def timed(what):
    start = time.perf_counter()
    result = what()
    return time.perf_counter() - start, result


def bench_open(substations: int) -> None:
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    from leo_qgis_plugin.core.constraints.headroom_file import layer_of_table
    from leo_qgis_plugin.core.formats import ods_api
    from leo_qgis_plugin.core.formats.gb_headroom import map_headroom
    from leo_qgis_plugin.core.formats.portals import portal
    from leo_qgis_plugin.core.opendatasoft import OpendatasoftCatalogue
    from leo_qgis_plugin.core.portal_transport import session_for
    from tests.support.dno_portals import DnoPortals

    npg = portal("npg")
    source = npg.headroom[0]
    with DnoPortals(sizes={source.dataset: substations}) as portals, tempfile.TemporaryDirectory() as cache:
        url = portals.url_of("npg")
        records = portals.records(source.dataset)
        local = Path(cache) / "records.json"
        local.write_text(json.dumps(records))

        def reference():
            table = map_headroom(json.loads(local.read_text()), npg, source)
            return layer_of_table("NPG", source.dataset, table).layer.featureCount()

        def paged():
            session = session_for(url, "opendatasoft", operator="npg")
            found = []
            while len(found) < substations:
                _total, batch = ods_api.records(session, source.dataset, offset=len(found))
                found += batch
            return layer_of_table("NPG", source.dataset, map_headroom(found, npg, source)).layer.featureCount()

        def exported():
            return OpendatasoftCatalogue(url, cache=Path(cache), operator="npg").open_dataset(source.dataset)\
                .featureCount()

        def geojson():
            return OpendatasoftCatalogue(url, cache=Path(cache) / "plain").open_dataset(source.dataset).featureCount()

        (Path(cache) / "plain").mkdir()
        base, count = timed(reference)
        print(f"Opening {count:,} Opendatasoft substations (Northern Powergrid's columns) on the GB schema:")
        print(f"  reference, from a local JSON file (no network): {base:6.2f} s")
        for label, run in (("paged, 100 records a request (portal limit 0.2 s)", paged),
                           ("from the JSON export, one request", exported),
                           ("plain layer from the GeoJSON export (streamed)", geojson)):
            seconds, opened = timed(run)
            print(f"  {label:<52} {seconds:6.2f} s  ({seconds / base:5.1f} × the reference; {opened:,} features)")
    app.exitQgis()


def bench_harvest() -> None:
    from leo_catalogue.db import make_engine
    from leo_catalogue.demo.gb_operators import load_gb_operators
    from leo_catalogue.harvest.run import harvest
    from leo_catalogue.store import init_catalogue
    from tests.support.dno_portals import ENWL_KEY, DnoPortals

    os.environ["LEO_HARVEST_APIKEY_ENWL"] = ENWL_KEY
    with DnoPortals() as portals, tempfile.TemporaryDirectory() as folder:
        def engine(name):
            made = make_engine(f"sqlite:///{Path(folder) / name}")
            init_catalogue(made)
            return made

        reference = engine("reference.sqlite")
        base, _ = timed(lambda: load_gb_operators(reference, lambda _m: None))
        target = engine("harvest.sqlite")
        first, results = timed(lambda: harvest(target, urls=portals.urls()))
        requests = len(portals.requests)
        again, repeat = timed(lambda: harvest(target, urls=portals.urls()))
        print("Harvest of six operators from local portals into SpatiaLite (within each portal's rate limits):")
        print(f"  reference, storing the same releases without portals: {base:6.2f} s (two releases each)")
        print(f"  first harvest: {first:6.2f} s, {requests} requests, "
              f"{sum(r.rows for r in results)} substations ({', '.join(r.status for r in results)})")
        print(f"  again, nothing changed: {again:6.2f} s, {len(portals.requests) - requests} requests "
              f"({', '.join(r.status for r in repeat)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--substations", type=int, default=10_000)
    args = parser.parse_args()
    bench_open(args.substations)
    bench_harvest()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
