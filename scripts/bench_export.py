"""Benchmark of the exporter (`make bench`): 1,000,000 points from a GeoPackage to a Shapefile, against
ogr2ogr doing the same in the same run. Prints figures and the ratio; asserts nothing."""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from osgeo import ogr, osr  # noqa: E402
from qgis.core import QgsApplication, QgsVectorLayer  # noqa: E402

app = QgsApplication([], False)
app.initQgis()

from leo_qgis_plugin import api  # noqa: E402

COUNT = 1_000_000


def make_points(path: Path) -> None:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(27700)
    source = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = source.CreateLayer("points", srs, ogr.wkbPoint)
    for name, kind in (("site_id", ogr.OFTInteger), ("site_name", ogr.OFTString), ("demand_kva", ogr.OFTReal)):
        layer.CreateField(ogr.FieldDefn(name, kind))
    rng = random.Random(1)
    definition = layer.GetLayerDefn()
    layer.StartTransaction()
    for n in range(COUNT):
        feature = ogr.Feature(definition)
        feature.SetField(0, n)
        feature.SetField(1, f"Site {n}")
        feature.SetField(2, rng.uniform(1, 500))
        point = ogr.Geometry(ogr.wkbPoint)
        point.AddPoint_2D(rng.uniform(420000, 480000), rng.uniform(180000, 245000))
        feature.SetGeometry(point)
        layer.CreateFeature(feature)
    layer.CommitTransaction()
    source = None


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="leo-bench-export-") as folder:
        folder = Path(folder)
        source = folder / "points.gpkg"
        make_points(source)
        start = time.perf_counter()
        subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", str(folder / "ogr2ogr.shp"), str(source)], check=True,
                       capture_output=True)
        reference = time.perf_counter() - start
        layer = QgsVectorLayer(str(source), "points", "ogr")
        start = time.perf_counter()
        report = api.export_layers([layer], str(folder / "ours"), "shp")
        ours = time.perf_counter() - start
        print(f"export {report.features:,} points to Shapefile: {ours:.2f} s; ogr2ogr: {reference:.2f} s; "
              f"ogr2ogr / ours = {reference / ours:.2f} (goal 0.8 or better)")
        del layer


if __name__ == "__main__":
    main()
