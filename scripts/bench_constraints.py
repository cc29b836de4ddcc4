"""Benchmarks of the network-constraint tools (`make bench`). Prints figures and ratios; asserts nothing.

1. The overlay: api.add_constraint_overlay + one full render of the county, against the same three
   datasets opened as plain OAPIF layers with QGIS's default styles and rendered the same way.
2. Screening 10,000 and 100,000 random sites (EPSG:27700) against headroom and supply areas, against
   QGIS's own "join attributes by location" (containment only) on the same input.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append("/usr/share/qgis/python/plugins")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsDataSourceUri,
    QgsFeature,
    QgsFeatureRequest,
    QgsGeometry,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402

app = QgsApplication([], False)
app.initQgis()

from leo_catalogue.config import default_database_url  # noqa: E402
from leo_qgis_plugin import api  # noqa: E402
from leo_qgis_plugin.core.constraints.screening import screen_sites  # noqa: E402
from tests.support.servers import CatalogueServer  # noqa: E402

COUNTY = QgsRectangle(-1.72, 51.46, -0.87, 52.17)


def render(layers) -> None:
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(layers[0].crs())
    settings.setExtent(COUNTY)
    settings.setOutputSize(QSize(1600, 1000))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()


def plain_layers(url: str) -> list[QgsVectorLayer]:
    layers = []
    for dataset in ("flex-zones", "ssen-headroom", "ssen-primary-areas"):
        uri = QgsDataSourceUri()
        uri.setParam("url", url)
        uri.setParam("typename", dataset)
        layers.append(QgsVectorLayer(uri.uri(False), dataset, "OAPIF"))
    return layers


def bench_overlay(url: str) -> None:
    project = QgsProject.instance()
    start = time.perf_counter()
    plain = plain_layers(url)
    render(plain)
    reference = time.perf_counter() - start
    start = time.perf_counter()
    overlay = api.add_constraint_overlay(api.connect(url))
    render([node.layer() for node in overlay.group.findLayers()])
    ours = time.perf_counter() - start
    print(f"overlay added and drawn: {ours * 1000:.0f} ms (goal < 1 s: {'met' if ours < 1 else 'NOT met'}); "
          f"plain OAPIF layers with default styles: {reference * 1000:.0f} ms; ours / plain = {ours / reference:.2f}")
    project.clear()


def random_sites(count: int) -> QgsVectorLayer:
    rng = random.Random(count)
    layer = QgsVectorLayer("Point?crs=EPSG:27700&field=id:integer&field=kva:double", f"{count} sites", "memory")
    features = []
    for n in range(count):
        feature = QgsFeature(layer.fields())
        feature.setAttributes([n, rng.uniform(5, 500)])
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(rng.uniform(420000, 480000),
                                                               rng.uniform(180000, 245000))))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def memory_copy(layer: QgsVectorLayer) -> QgsVectorLayer:
    """The catalogue layer in memory, so the timings below measure screening, not the network."""
    return layer.materialize(QgsFeatureRequest())


def bench_screening(url: str) -> None:
    import processing
    from processing.core.Processing import Processing

    Processing.initialize()
    catalogue = api.connect(url)
    headroom = memory_copy(catalogue.layer("ssen-headroom"))
    areas = memory_copy(catalogue.layer("ssen-primary-areas"))
    for count, goal in ((10_000, 2), (100_000, 10)):
        sites = random_sites(count)
        start = time.perf_counter()
        result = screen_sites(sites, headroom, areas, '"kva"', max_distance_m=2000)
        ours = time.perf_counter() - start
        start = time.perf_counter()
        processing.run("native:joinattributesbylocation", {
            "INPUT": sites, "JOIN": areas, "PREDICATE": [0], "METHOD": 1, "OUTPUT": "memory:"})
        reference = time.perf_counter() - start
        print(f"screening {count:,} sites: {ours:.2f} s (goal < {goal} s: {'met' if ours < goal else 'NOT met'}; "
              f"{result.counts}); native:joinattributesbylocation (containment only): {reference:.2f} s; "
              f"ours / native = {ours / reference:.2f}")


def main() -> None:
    server = CatalogueServer(default_database_url()).start()
    try:
        bench_overlay(server.url)
        bench_screening(server.url)
    finally:
        server.stop()
        QgsProject.instance().clear()


if __name__ == "__main__":
    main()
