"""Benchmarks of the plugin's catalogue client (`make bench`). Prints figures and ratios; asserts nothing.

1. Searches through the plugin's client (QGIS network stack), p50/p95.
2. Adding ssen-headroom live.
3. Adding the ~1M-row substation-load-hh as a downloaded GeoPackage, the first time and from the cache,
   against reading the same dataset through QGIS's plain OAPIF provider.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qgis.core import QgsApplication, QgsFeatureRequest, QgsProject  # noqa: E402

app = QgsApplication([], False)
app.initQgis()

from leo_catalogue.config import default_database_url  # noqa: E402
from leo_qgis_plugin import api  # noqa: E402
from leo_qgis_plugin.core.datasets import cached_path  # noqa: E402
from leo_qgis_plugin.gui.catalogue_dock import DEBOUNCE_MS  # noqa: E402
from tests.support.servers import CatalogueServer  # noqa: E402

WORDS = ["load", "headroom", "flex", "districts", "meter", "price", "oxford", "primary", "zones", "msoa"]


def main() -> None:
    server = CatalogueServer(default_database_url()).start()
    try:
        catalogue = api.connect(server.url)
        times = []
        for n in range(100):
            start = time.perf_counter()
            catalogue.search(WORDS[n % len(WORDS)])
            times.append((time.perf_counter() - start) * 1000)
        p95 = sorted(times)[94]
        shown = DEBOUNCE_MS + p95
        print(f"search through the plugin's client: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms; "
              f"results shown {shown:.0f} ms after typing stops (debounce {DEBOUNCE_MS} ms; goal < 300 ms)")
        start = time.perf_counter()
        layer = api.add_dataset(catalogue, "ssen-headroom", mode="live")
        print(f"add ssen-headroom live: {(time.perf_counter() - start) * 1000:.0f} ms (goal < 1 s)")
        record = catalogue.get("substation-load-hh")
        cached_path(catalogue, record.id, record.version).unlink(missing_ok=True)
        start = time.perf_counter()
        layer = api.add_dataset(catalogue, "substation-load-hh", mode="download")
        first = time.perf_counter() - start
        start = time.perf_counter()
        layer = api.add_dataset(catalogue, "substation-load-hh", mode="download")
        again = time.perf_counter() - start
        count = layer.featureCount()
        start = time.perf_counter()
        live = catalogue.layer("substation-load-hh")
        read = sum(1 for _ in live.getFeatures(QgsFeatureRequest().setNoAttributes()))
        plain = time.perf_counter() - start
        print(f"add substation-load-hh ({count:,} rows) as a GeoPackage: first time {first:.1f} s (goal < 15 s), "
              f"from the cache {again * 1000:.0f} ms (goal < 1 s); reading it through QGIS's plain OAPIF provider: "
              f"{plain:.1f} s for {read:,} features; plain / first download = {plain / first:.1f}x")
        del layer, live
    finally:
        QgsProject.instance().removeAllMapLayers()
        server.stop()


if __name__ == "__main__":
    main()
