"""Aggregating features into boundaries: exact counts, area apportioning, RAG shares, totals that
reconcile between MSOAs, districts and the county, and bad input."""

from __future__ import annotations

import csv
import random
import sys

import pytest
from qgis.core import (
    QgsFeature,
    QgsField,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QVariant

from leo_qgis_plugin.core.aggregate.aggregate import Stat, aggregate
from leo_qgis_plugin.core.aggregate.point_arrays import read_points
from leo_qgis_plugin.core.exceptions import LeoError

from .support.servers import ROOT

BOUNDARIES = ROOT / "leo_catalogue/data/real/oxfordshire_boundaries.gpkg"


def boundaries(name: str) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"{BOUNDARIES}|layername={name}", name, "ogr")
    assert layer.isValid()
    return layer


def memory_layer(kind: str, crs: str, rows: list[tuple[str, dict]], fields: dict[str, QVariant.Type]):
    layer = QgsVectorLayer(f"{kind}?crs={crs}", "features", "memory")
    layer.dataProvider().addAttributes([QgsField(n, t) for n, t in fields.items()])
    layer.updateFields()
    features = []
    for wkt, values in rows:
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromWkt(wkt))
        for name, value in values.items():
            feature[name] = value
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


@pytest.fixture(scope="module")
def chargers():
    """20,000 points over Oxfordshire and beyond (EPSG:27700), with a power and a RAG."""
    rng = random.Random(5)
    rows = [(f"POINT({rng.uniform(425000, 470000)} {rng.uniform(180000, 245000)})",
             {"kw": rng.choice([7.0, 22.0, 50.0]), "rag": rng.choice(["Red", "Amber", "Green", None])})
            for _ in range(20_000)]
    return memory_layer("Point", "EPSG:27700", rows, {"kw": QVariant.Double, "rag": QVariant.String})


def by_name(layer: QgsVectorLayer, field: str) -> dict:
    return {f[field]: f for f in layer.getFeatures()}


def test_point_counts_match_qgis_and_reconcile_across_scales(chargers, leo_processing, tmp_path):
    # One published MSOA polygon is invalid (QGIS's own algorithm refuses it): both sides use a repaired copy.
    msoas = leo_processing.run("native:fixgeometries", {"INPUT": boundaries("msoa11"), "OUTPUT": "memory:"})["OUTPUT"]
    msoa = aggregate(chargers, msoas, ["kw"], [Stat.SUM, Stat.MEAN, Stat.MIN, Stat.MAX])
    districts = aggregate(chargers, boundaries("lad20"), ["kw"], [Stat.SUM])
    expected = leo_processing.run("native:countpointsinpolygon", {
        "POLYGONS": msoas, "POINTS": chargers, "FIELD": "n", "OUTPUT": "memory:"})["OUTPUT"]
    counts = {f["msoa11cd"]: f["count"] for f in msoa.layer.getFeatures()}
    assert counts == {f["msoa11cd"]: f["n"] for f in expected.getFeatures()}  # exact, MSOA by MSOA
    # Every level reconciles with the whole: inside its boundaries plus outside them is every feature. (The
    # published MSOAs lack two Vale of White Horse MSOAs, so fewer points fall inside MSOAs than districts.)
    for level in (msoa, districts):
        assert sum(f["count"] for f in level.layer.getFeatures()) + level.outside == 20_000
    assert 0 < districts.outside < msoa.outside < 20_000
    some = next(f for f in msoa.layer.getFeatures() if f["count"] > 0)
    assert some["kw_min"] == 7.0 and some["kw_max"] == 50.0 and some["kw_mean"] == pytest.approx(
        some["kw_sum"] / some["count"])
    # A GeoPackage of the same points is read through GDAL's Arrow interface: the same answer.
    path = tmp_path / "chargers.gpkg"
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    QgsVectorFileWriter.writeAsVectorFormatV3(chargers, str(path), QgsProject.instance().transformContext(), options)
    from_file = QgsVectorLayer(str(path), "chargers", "ogr")
    arrays = read_points(from_file, ["kw", "rag"])
    assert arrays.reader == "gdal" and len(arrays.xs) == 20_000
    assert sum(v is None for v in arrays.values["rag"]) == sum(1 for f in chargers.getFeatures() if not f["rag"])
    from_file = aggregate(from_file, msoas, ["kw"], [Stat.SUM])
    assert {f["msoa11cd"]: f["count"] for f in from_file.layer.getFeatures()} == counts


def test_nested_boundaries_give_the_same_totals_at_every_level():
    quarters = memory_layer("Polygon", "EPSG:27700", [
        (f"POLYGON(({x} {y}, {x + 50} {y}, {x + 50} {y + 50}, {x} {y + 50}, {x} {y}))", {"name": f"Q{x}-{y}"})
        for x in (0, 50, 100, 150) for y in (0, 50)], {"name": QVariant.String})
    halves = memory_layer("Polygon", "EPSG:27700", SQUARES, {"name": QVariant.String})
    whole = memory_layer("Polygon", "EPSG:27700", [("POLYGON((0 0, 200 0, 200 100, 0 100, 0 0))", {"name": "All"})],
                         {"name": QVariant.String})
    rng = random.Random(3)
    sites = memory_layer("Polygon", "EPSG:27700", [
        (QgsGeometry.fromPointXY(QgsPointXY(rng.uniform(0, 200), rng.uniform(0, 100))).buffer(8, 8).asWkt(),
         {"v": rng.uniform(0, 10)}) for _ in range(200)], {"v": QVariant.Double})
    totals = []
    for level in (quarters, halves, whole):
        result = aggregate(sites, level, ["v"], [Stat.SUM])
        totals.append((sum(f["count"] for f in result.layer.getFeatures()) + result.outside,
                       sum(f["v_sum"] for f in result.layer.getFeatures())))
    assert totals[0][0] == pytest.approx(200) and totals[1][0] == pytest.approx(200)
    assert totals[0][1] == pytest.approx(totals[1][1]) and totals[1][1] == pytest.approx(totals[2][1])


def test_rag_shares(chargers):
    result = aggregate(chargers, boundaries("lad20"), rag_fields=["rag"])
    for feature in result.layer.getFeatures():
        shares = feature["rag_red_share"] + feature["rag_amber_share"] + feature["rag_green_share"]
        assert shares == pytest.approx(1.0, abs=1e-5) and 0.25 < feature["rag_red_share"] < 0.42


SQUARES = [("POLYGON((0 0, 100 0, 100 100, 0 100, 0 0))", {"name": "West"}),
           ("POLYGON((100 0, 200 0, 200 100, 100 100, 100 0))", {"name": "East"})]


def test_polygons_are_apportioned_by_area_and_lines_by_length():
    squares = memory_layer("Polygon", "EPSG:27700", SQUARES, {"name": QVariant.String})
    straddling = memory_layer("Polygon", "EPSG:27700", [
        ("POLYGON((50 0, 150 0, 150 100, 50 100, 50 0))", {"v": 10.0}),    # half in each
        ("POLYGON((180 0, 260 0, 260 100, 180 100, 180 0))", {"v": 4.0}),  # a quarter in East, the rest outside
    ], {"v": QVariant.Double})
    result = aggregate(straddling, squares, ["v"], [Stat.SUM, Stat.MEAN, Stat.MAX])
    west, east = by_name(result.layer, "name")["West"], by_name(result.layer, "name")["East"]
    assert west["count"] == pytest.approx(0.5) and west["v_sum"] == pytest.approx(5.0) and west["v_mean"] == 10.0
    assert east["count"] == pytest.approx(0.75) and east["v_sum"] == pytest.approx(5.0 + 1.0)
    assert east["v_mean"] == pytest.approx(6.0 / 0.75) and east["v_max"] == 10.0
    assert result.outside == pytest.approx(0.75) and result.features == 2
    line = memory_layer("LineString", "EPSG:27700", [("LINESTRING(25 50, 125 50)", {"v": 8.0})], {"v": QVariant.Double})
    by_length = by_name(aggregate(line, squares, ["v"], [Stat.SUM]).layer, "name")
    assert by_length["West"]["v_sum"] == pytest.approx(6.0) and by_length["East"]["v_sum"] == pytest.approx(2.0)


def test_boundaries_in_another_crs_and_invalid_boundaries():
    in_degrees = memory_layer("Point", "EPSG:4326", [], {})
    feature = QgsFeature()
    feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(-7.55716, 49.76680)))  # BNG's false origin, near (0, 0)
    in_degrees.dataProvider().addFeatures([feature])
    moved = memory_layer("Polygon", "EPSG:27700", [
        ("POLYGON((-500 -500, 1000 -500, 1000 1000, -500 1000, -500 -500))", {"name": "Around the origin"})],
        {"name": QVariant.String})
    assert next(aggregate(in_degrees, moved).layer.getFeatures())["count"] == 1
    bowtie = memory_layer("Polygon", "EPSG:27700", [("POLYGON((0 0, 100 100, 100 0, 0 100, 0 0))", {"name": "Bow"})],
                          {"name": QVariant.String})
    points = memory_layer("Point", "EPSG:27700", [("POINT(90 50)", {})], {})
    result = aggregate(points, bowtie)
    assert "invalid geometry; it was repaired" in result.messages[0]
    assert next(result.layer.getFeatures())["count"] == 1


def test_bad_input_is_refused_with_a_clear_message(chargers):
    squares = memory_layer("Polygon", "EPSG:27700", SQUARES, {"name": QVariant.String})
    with pytest.raises(LeoError, match="Sums and means need numbers; 'rag'"):
        aggregate(chargers, squares, ["rag"])
    with pytest.raises(LeoError, match="has no field 'watts'"):
        aggregate(chargers, squares, ["watts"])
    with pytest.raises(LeoError, match="Boundaries must be polygons"):
        aggregate(squares, chargers)
    empty = memory_layer("Point", "EPSG:27700", [], {"kw": QVariant.Double})
    result = aggregate(empty, squares, ["kw"])
    assert [f["count"] for f in result.layer.getFeatures()] == [0, 0] and result.outside == 0


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))


def test_multiscale_view_of_the_substations(project, sqlite_server):
    from leo_qgis_plugin import api

    catalogue = api.connect(sqlite_server.url)
    substations = catalogue.layer("ssen-headroom")
    group = api.multiscale(substations, ["demand_headroom_mva"], ["sum", "max"], ["demand_rag"], catalogue=catalogue)
    assert group.name() == "ssen-headroom across scales" and project.layerTreeRoot().children()[0] is group
    county, districts, msoas, raw = [node.layer() for node in group.findLayers()]
    assert (county.minimumScale(), county.maximumScale()) == (0.0, 1_000_000.0)
    assert (districts.minimumScale(), districts.maximumScale()) == (1_000_000.0, 250_000.0)
    assert (msoas.minimumScale(), msoas.maximumScale()) == (250_000.0, 50_000.0)
    assert (raw.minimumScale(), raw.maximumScale()) == (50_000.0, 0.0) and raw.featureCount() == 68
    assert all(layer.hasScaleBasedVisibility() for layer in (county, districts, msoas, raw))
    (whole,) = county.getFeatures()
    assert whole["count"] == sum(f["count"] for f in districts.getFeatures())  # the county is the districts' union
    assert whole["demand_headroom_mva_sum"] == pytest.approx(
        sum(f["demand_headroom_mva_sum"] for f in districts.getFeatures()))
    assert districts.renderer().type() == "graduatedSymbol" and districts.labelsEnabled()
    assert "demand_rag_red_share" in msoas.fields().names()


def test_aggregate_algorithm(leo_processing, chargers):
    squares = memory_layer("Polygon", "EPSG:27700", [
        ("POLYGON((440000 200000, 450000 200000, 450000 210000, 440000 210000, 440000 200000))", {"name": "A"})],
        {"name": QVariant.String})
    result = leo_processing.run("leo:aggregate", {"INPUT": chargers, "BOUNDARIES": squares, "FIELDS": ["kw"],
                                                  "STATS": [0, 1], "RAG_FIELDS": ["rag"], "OUTPUT": "memory:"})
    (feature,) = result["OUTPUT"].getFeatures()
    assert feature["count"] + result["OUTSIDE"] == 20_000 and feature["kw_count"] == feature["count"]
    assert {"kw_sum", "rag_red_share"} <= set(result["OUTPUT"].fields().names())


def test_aggregate_from_qgis_process(tmp_path):
    from .support.qgis_process import run_algorithm

    sites = tmp_path / "sites.csv"
    sites.write_text("name,kw,wkt\nDidcot,50,POINT(452500 190000)\nBanbury,7,POINT(445500 240500)\n"
                     "Sea,22,POINT(100000 100000)\n")
    result = run_algorithm("leo:aggregate", [
        f"INPUT=delimitedtext://file://{sites}?type=csv&wktField=wkt&crs=EPSG:27700",
        f"BOUNDARIES={BOUNDARIES}|layername=lad20", "FIELDS=kw", "STATS=1", f"OUTPUT={tmp_path / 'districts.csv'}"],
        tmp_path / "config")
    assert result.returncode == 0, result.stdout + result.stderr
    counts = {r["lad20nm"]: float(r["count"]) for r in csv.DictReader((tmp_path / "districts.csv").open())}
    assert counts["South Oxfordshire"] == 1 and counts["Cherwell"] == 1 and sum(counts.values()) == 2
    assert "OUTSIDE:\t1" in result.stdout


def test_the_multiscale_task_and_dialog(project, sqlite_server):
    from qgis.core import QgsApplication

    from leo_qgis_plugin import api
    from leo_qgis_plugin.core.aggregate.multiscale import add_group
    from leo_qgis_plugin.gui.multiscale_dialog import MultiscaleDialog
    from leo_qgis_plugin.tasks.multiscale import multiscale_task

    from .support.qt import wait_for

    catalogue = api.connect(sqlite_server.url)
    substations = catalogue.layer("ssen-headroom")
    dialog = MultiscaleDialog(substations)
    assert dialog.chosen_rag_fields() == ["demand_rag", "generation_rag"]  # RAG fields ticked by name
    assert dialog.chosen_stats() == [Stat.SUM, Stat.MEAN] and dialog.chosen_fields() == []
    offered = [dialog.fields.item(i).text() for i in range(dialog.fields.count())]
    assert "demand_headroom_mva" in offered and not {"latitude", "longitude"} & set(offered)  # no coordinates
    assert dialog.rag_fields.count() == 2  # only the fields that hold RAG states
    outcome = []
    task = multiscale_task(catalogue, substations, ["demand_headroom_mva"], dialog.chosen_stats(),
                           dialog.chosen_rag_fields(), outcome.append, outcome.append)
    QgsApplication.taskManager().addTask(task)
    wait_for(lambda: outcome)
    group = add_group(substations.name(), outcome[0])
    assert [node.layer().name() for node in group.findLayers()] == [
        "ssen-headroom: county", "ssen-headroom: districts", "ssen-headroom: msoas", "ssen-headroom"]
