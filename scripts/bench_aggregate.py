"""Benchmark of aggregation into boundaries (`make bench`). Prints figures and ratios; asserts nothing.

1,000,000 random points (a GeoPackage in British National Grid) aggregated into Oxfordshire's MSOAs
(count, sum and mean of one field), against QGIS's native:countpointsinpolygon (count only) and
geopandas' sjoin + groupby on the same input.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append("/usr/share/qgis/python/plugins")

from qgis.core import QgsApplication, QgsProcessingContext, QgsVectorLayer  # noqa: E402

app = QgsApplication([], False)
app.initQgis()

import processing  # noqa: E402
from osgeo import ogr, osr  # noqa: E402
from processing.core.Processing import Processing  # noqa: E402

from leo_qgis_plugin.core.aggregate.aggregate import Stat, aggregate  # noqa: E402

BOUNDARIES = ROOT / "leo_catalogue/data/real/oxfordshire_boundaries.gpkg"
POINTS = 1_000_000


def write_points(path: Path) -> None:
    rng = random.Random(1)
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(27700)
    layer = dataset.CreateLayer("points", srs, ogr.wkbPoint)
    layer.CreateField(ogr.FieldDefn("kw", ogr.OFTReal))
    layer.StartTransaction()
    for _ in range(POINTS):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("kw", rng.random() * 50)
        point = ogr.Geometry(ogr.wkbPoint)
        point.AddPoint_2D(rng.uniform(425000, 470000), rng.uniform(180000, 245000))
        feature.SetGeometry(point)
        layer.CreateFeature(feature)
    layer.CommitTransaction()


def main() -> None:
    Processing.initialize()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "points.gpkg"
        write_points(path)
        points = QgsVectorLayer(f"{path}|layername=points", "points", "ogr")
        context = QgsProcessingContext()
        msoas = processing.run("native:fixgeometries", {
            "INPUT": f"{BOUNDARIES}|layername=msoa11", "OUTPUT": "memory:"}, context=context)["OUTPUT"]
        start = time.perf_counter()
        ours = aggregate(points, msoas, ["kw"], [Stat.SUM, Stat.MEAN])
        our_time = time.perf_counter() - start
        start = time.perf_counter()
        processing.run("native:countpointsinpolygon", {"POLYGONS": msoas, "POINTS": points, "FIELD": "n",
                                                       "OUTPUT": "memory:"}, context=context)
        native = time.perf_counter() - start
        line = (f"aggregate {POINTS:,} points into {msoas.featureCount()} MSOAs (count, sum, mean): "
                f"{our_time:.2f} s (goal < 3 s); native:countpointsinpolygon (count only): {native:.2f} s "
                f"({native / our_time:.1f}x ours)")
        try:
            import geopandas
        except ImportError:
            print(line + "; geopandas not installed")
            return
        start = time.perf_counter()
        frame = geopandas.read_file(path, layer="points", engine="pyogrio")
        areas = geopandas.read_file(BOUNDARIES, layer="msoa11", engine="pyogrio").to_crs(27700)
        areas["geometry"] = areas.make_valid()
        joined = geopandas.sjoin(frame, areas[["msoa11cd", "geometry"]], predicate="within")
        joined.groupby("msoa11cd")["kw"].agg(["count", "sum", "mean"])
        pandas_time = time.perf_counter() - start
        print(line + f"; geopandas read + sjoin + groupby: {pandas_time:.2f} s ({pandas_time / our_time:.1f}x ours)")
        del ours


if __name__ == "__main__":
    main()
