"""The load of a GeoPackage read in bulk through GDAL gives the same series, labels and notes as QGIS's feature
iteration; what GDAL would read wrong (times with an offset, text in a number column) goes through QGIS."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

from qgis.core import QgsVectorLayer

from leo_qgis_plugin.core.flex.inputs import LoadFields, read_load
from leo_qgis_plugin.core.flex.load_columns import read_load_columns
from leo_qgis_plugin.core.flex.quality import Flag

UTC = timezone.utc
FIELDS = LoadFields(site="site", time="ts", value="wh")


def gpkg(folder: Path, lines: list[str], name: str = "load") -> QgsVectorLayer:
    source = folder / f"{name}.csv"
    source.write_text("site,ts,wh\n" + "\n".join(lines) + "\n")
    target = folder / f"{name}.gpkg"
    subprocess.run(["ogr2ogr", "-f", "GPKG", "-nln", name, str(target), str(source), "-oo", "AUTODETECT_TYPE=YES"],
                   check=True, capture_output=True)
    return QgsVectorLayer(f"{target}|layername={name}", name, "ogr")


def damaged_days() -> list[str]:
    """Two sites x three days of half-hours (stamped at their ends), with an empty value, three periods absent,
    a repeated stamp and an outlier at site B; a site name with a quote."""
    start = datetime(2025, 3, 3, 0, 30, tzinfo=UTC)
    lines = []
    for site in ("A", "B'x"):
        for n in range(144):
            if site == "A" and n in (40, 41, 42):
                continue
            value = "" if (site == "A" and n == 7) else ("900000" if site == "B'x" and n == 99 else f"{1000 + n % 48}")
            lines.append(f'"{site}",{(start + timedelta(minutes=30 * n)):%Y-%m-%dT%H:%M:%SZ},{value}')
    return lines + [lines[5]]


def test_gdal_and_qgis_read_the_same_series(tmp_path):
    layer = gpkg(tmp_path, damaged_days())
    assert read_load_columns(layer, "site", "ts", "wh", None).reader == "gdal"
    bulk = read_load(layer, FIELDS)
    layer.setSubsetString("1 = 1")  # a filtered layer is read by QGIS
    assert read_load_columns(layer, "site", "ts", "wh", None).reader == "qgis"
    by_feature = read_load(layer, FIELDS)
    assert bulk.keys() == by_feature.keys() == {"A", "B'x"}
    for site in bulk:
        ours, theirs = bulk[site], by_feature[site]
        assert (ours.values, ours.flags, ours.quality, ours.notes, ours.repeats) == \
            (theirs.values, theirs.flags, theirs.quality, theirs.notes, theirs.repeats)
    a, b = bulk["A"], bulk["B'x"]
    assert a.counts()[Flag.MISS_VAL] == 1 and a.counts()[Flag.MUL_MISS_VAL] == 3 and a.repeats == 1
    assert b.counts()[Flag.OUTLIER] == 1 and a.values[datetime(2025, 3, 3, tzinfo=UTC)] == 1.0  # Wh -> kWh


def test_only_the_sites_asked_for_are_read(tmp_path):
    layer = gpkg(tmp_path, damaged_days())
    columns = read_load_columns(layer, "site", "ts", "wh", {"B'x", "absent"})
    assert columns.reader == "gdal" and columns.sites == ["B'x"] and len(columns.stamps) == 144
    assert set(read_load(layer, FIELDS, sites={"B'x"})) == {"B'x"}


def test_times_with_an_offset_are_read_as_qgis_reads_them(tmp_path):
    # Not UTC, so not GeoPackage's standard form: GDAL's Arrow interface drops the offset, and what QGIS makes of
    # it differs between versions, so QGIS reads such a layer (GDAL's warning says so).
    layer = gpkg(tmp_path, ["A,2025-06-01T01:30:00+01:00,5", "A,2025-06-01T01:00:00Z,6"])
    columns = read_load_columns(layer, "site", "ts", "wh", None)
    assert columns.reader == "qgis" and len(columns.stamps) == 2


def test_text_in_the_value_column_is_a_format_error(tmp_path):
    layer = gpkg(tmp_path, ["A,2025-06-01T00:30:00Z,5", "A,2025-06-01T01:00:00Z,#VALUE!", "A,2025-06-01T01:30:00Z,7"])
    series = read_load(layer, FIELDS)["A"]
    assert series.counts()[Flag.FMT_ERR] == 1 and len(series.values) == 2


def test_an_empty_layer_and_no_matching_site(tmp_path):
    layer = gpkg(tmp_path, ["A,2025-06-01T00:30:00Z,5"])
    assert read_load(layer, FIELDS, sites={"Z"}) == {} and read_load(layer, FIELDS, sites=set()) == {}
