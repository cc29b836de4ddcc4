"""Benchmarks of temporal playback (`make bench`). Prints figures and ratios; asserts nothing.

1. substation-load-hh (every primary x a year, the cached GeoPackage download): one frame = the playback
   layer updated for a half-hour and the map rendered (1600 x 1000), against the plain way: the same
   GeoPackage as a temporal layer (QGIS's temporal filter) rendered for the same half-hour.
2. 1,000 sites x a year of half-hours (17.5 million rows, generated): reading the series, memory, and a
   frame; the plain way for two frames beside it.
"""

from __future__ import annotations

import random
import resource
import sqlite3
import struct
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsDateTimeRange,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsVectorLayer,
    QgsVectorLayerTemporalProperties,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402

app = QgsApplication([], False)
app.initQgis()

from osgeo import ogr, osr  # noqa: E402

from leo_catalogue.config import default_database_url  # noqa: E402
from leo_qgis_plugin import api  # noqa: E402
from leo_qgis_plugin.core.temporal.clock import to_qdatetime  # noqa: E402
from tests.support.servers import CatalogueServer  # noqa: E402

UTC = timezone.utc
HALF_HOUR = timedelta(minutes=30)


def render(layer: QgsVectorLayer, frame: tuple[datetime, datetime] | None = None) -> float:
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setExtent(layer.extent() if not layer.extent().isEmpty() else layer.sourceExtent())
    settings.setOutputSize(QSize(1600, 1000))
    if frame is not None:
        settings.setIsTemporal(True)
        settings.setTemporalRange(QgsDateTimeRange(to_qdatetime(frame[0]), to_qdatetime(frame[1])))
    start = time.perf_counter()
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    return time.perf_counter() - start


def plain_temporal(path: str, name: str) -> QgsVectorLayer:
    layer = QgsVectorLayer(path, name, "ogr")
    properties = layer.temporalProperties()
    properties.setMode(QgsVectorLayerTemporalProperties.ModeFeatureDateTimeInstantFromField)
    properties.setStartField("timestamp")
    properties.setIsActive(True)
    return layer


def frames_per_view(view, frames: list[tuple[datetime, datetime]]) -> float:
    total = 0.0
    for start, end in frames:
        begin = time.perf_counter()
        view.show_frame(start, end)
        total += time.perf_counter() - begin + render(view.layer)
    return total / len(frames)


def evening_frames(count: int) -> list[tuple[datetime, datetime]]:
    first = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)
    return [(first + HALF_HOUR * n, first + HALF_HOUR * (n + 1)) for n in range(count)]


def demo_year() -> None:
    server = CatalogueServer(default_database_url()).start()
    try:
        catalogue = api.connect(server.url)
        load = api.add_dataset(catalogue, "substation-load-hh", mode="download")
        start = time.perf_counter()
        view = api.playback(load)
        built = time.perf_counter() - start
        ours = frames_per_view(view, evening_frames(50))
        plain = plain_temporal(load.source(), "plain")
        plain_time = sum(render(plain, (s - HALF_HOUR, e - HALF_HOUR)) for s, e in evening_frames(3)) / 3
        print(f"substation-load-hh ({load.featureCount():,} rows): playback layer built in {built:.1f} s; a frame "
              f"{ours * 1000:.0f} ms (goal < 50 ms, {1 / ours:.0f} frames/s); plain GeoPackage + QGIS temporal filter: "
              f"{plain_time * 1000:.0f} ms a frame ({plain_time / ours:.0f}x)")
    finally:
        QgsProject.instance().removeAllMapLayers()
        server.stop()


def gpkg_point(x: float, y: float) -> bytes:
    # GeoPackage binary header (GP, version 0, flags: little endian, no envelope), srs 27700, then WKB.
    return b"GP\x00\x01" + struct.pack("<i", 27700) + struct.pack("<BIdd", 1, 1, x, y)


def thousand_sites(folder: Path) -> None:
    path = folder / "sites.gpkg"
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(27700)
    layer = dataset.CreateLayer("load", srs, ogr.wkbPoint, ["SPATIAL_INDEX=NO"])  # rows written with sqlite3
    layer.CreateField(ogr.FieldDefn("primary_id", ogr.OFTString))
    layer.CreateField(ogr.FieldDefn("timestamp", ogr.OFTDateTime))
    layer.CreateField(ogr.FieldDefn("avg_kw", ogr.OFTReal))
    dataset = None
    rng = random.Random(3)
    stamps = [(datetime(2025, 1, 1, tzinfo=UTC) + HALF_HOUR * (i + 1)).strftime("%Y-%m-%dT%H:%M:%SZ")
              for i in range(17_520)]
    start = time.perf_counter()
    with sqlite3.connect(path) as db:
        for site in range(1000):
            point = gpkg_point(rng.uniform(420000, 470000), rng.uniform(180000, 245000))
            base = rng.uniform(500, 5000)
            db.executemany('INSERT INTO load (geom, primary_id, timestamp, avg_kw) VALUES (?, ?, ?, ?)',
                           ((point, f"S{site:04d}", stamp, base * (0.6 + 0.4 * ((n % 48) / 48)))
                            for n, stamp in enumerate(stamps)))
    written = time.perf_counter() - start
    load = QgsVectorLayer(f"{path}|layername=load", "load", "ogr")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    view = api.playback(load)
    built = time.perf_counter() - start
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    ours = frames_per_view(view, evening_frames(20))
    plain = plain_temporal(f"{path}|layername=load", "plain")
    plain_time = sum(render(plain, frame) for frame in evening_frames(2)) / 2
    print(f"1,000 sites x a year ({load.featureCount():,} rows, written in {written:.0f} s): series read in "
          f"{built:.1f} s, peak memory +{grown:.0f} MB (goal < 1 GB); a frame {ours * 1000:.0f} ms (goal < 100 ms); "
          f"plain GeoPackage + QGIS temporal filter: {plain_time:.1f} s a frame ({plain_time / ours:.0f}x)")
    QgsProject.instance().removeAllMapLayers()


if __name__ == "__main__":
    demo_year()
    with tempfile.TemporaryDirectory() as folder:
        thousand_sites(Path(folder))
