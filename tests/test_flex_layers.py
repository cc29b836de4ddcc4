"""Baselining the demo's half-hourly load and flexibility events from QGIS layers, the scripting API and
``qgis_process``; flags on the real LEO meter file."""

from __future__ import annotations

import csv
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from qgis.core import NULL, QgsVectorLayer

from leo_qgis_plugin import api
from leo_qgis_plugin.core.flex.baseline import BaselineError
from leo_qgis_plugin.core.flex.inputs import LoadFields
from leo_qgis_plugin.core.flex.quality import Combine, Flag, clean_series
from leo_qgis_plugin.core.formats.leo_trial import read_meter_file
from leo_qgis_plugin.core.formats.quality import Label

from .support.qgis_process import run_algorithm
from .support.servers import ROOT

ZONE_SITES = "'30033','30034','30035','30021','30022'"  # Didcot and Cholsey; Osney and Botley


@pytest.fixture(scope="module")
def flex_gpkg(demo_sqlite_path, tmp_path_factory) -> Path:
    """Load, events and zones of two CMZs copied from the demo catalogue into a GeoPackage with ogr2ogr."""
    target = tmp_path_factory.mktemp("flex") / "flex.gpkg"
    for name, sql in [
        ("load", f"SELECT primary_id, timestamp, total_consumption_active_import FROM d_substation_load_hh_v1 "
                 f"WHERE primary_id IN ({ZONE_SITES})"),
        ("events", "SELECT * FROM d_flex_events_v1 WHERE zone_id IN ('CMZ-DID-01', 'CMZ-OSN-01')"),
        ("zones", "SELECT zone_id, primary_ids FROM d_flex_zones_v1"),
    ]:
        subprocess.run(["ogr2ogr", "-f", "GPKG", "-append", "-nln", name, "-nlt", "NONE", str(target),
                        str(demo_sqlite_path), "-sql", sql], check=True, capture_output=True)
    return target


def layer(path: Path, name: str) -> QgsVectorLayer:
    result = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    assert result.isValid()
    return result


def test_the_demo_events_are_baselined_priced_and_summarised(flex_gpkg, project, tmp_path):
    results = api.flex_baseline(layer(flex_gpkg, "load"), layer(flex_gpkg, "events"), "BL01",
                                zones=layer(flex_gpkg, "zones"), report_folder=str(tmp_path / "report"))
    rows = {f["event_id"]: f for f in results.getFeatures()}
    assert len(rows) == 19 and {"event_id", "site_id", "method", "baseline_kwh", "metered_kwh", "delivered_kwh",
                                "delivery_ratio", "flags"} <= set(results.fields().names())
    didcot = rows["CMZ-DID-01-20251104"]
    assert didcot["baseline_kwh"] > 10_000 and not didcot["flags"]
    # The demo load carries each event's reported delivery: the baselines find it again. One event's ~2 MWh
    # is within the noise of a zone's ~40 MWh (3.5 % per half-hour, and the season's trend), so the check
    # is on the total over the events.
    reported = {f["event_id"]: f["delivered_mwh"] * 1000 for f in layer(flex_gpkg, "events").getFeatures()}
    found = [(r["delivered_kwh"], reported[r["event_id"]]) for r in rows.values() if r["delivered_kwh"] != NULL]
    assert len(found) >= 12
    assert sum(d for d, _ in found) == pytest.approx(sum(true for _, true in found), rel=0.15)
    assert len(didcot["like_days"].split(",")) == 10
    assert didcot["requested_kwh"] == pytest.approx(1.65 * 1000 * 100 / 60)
    # Osney's events start 13 January and the data 1 January: too few like-days for the early events, which
    # are flagged, never computed from too little.
    early = [r for r in rows.values() if r["flags"] and "insufficient_like_days" in r["flags"]]
    assert early and all(r["baseline_kwh"] == NULL for r in early)
    (summary,) = [lyr for lyr in project.mapLayers().values() if lyr.name() == "Flexibility business case"]
    didcot_november = [f for f in summary.getFeatures() if (f["zone"], f["month"]) == ("CMZ-DID-01", "2025-11")]
    assert sum(f["events"] for f in didcot_november) == 4 and len({f["provider"] for f in didcot_november}) > 1
    availability = sum(r["availability_gbp"] for r in rows.values() if r["site_id"] == "CMZ-DID-01")
    assert sum(f["availability_gbp"] for f in didcot_november) == pytest.approx(availability)
    with (tmp_path / "report" / "business_case.csv").open(encoding="utf-8-sig") as f:
        assert sum(int(float(r["events"])) for r in csv.DictReader(f)) == 19
    assert (tmp_path / "report" / "delivery_by_zone.png").stat().st_size > 5000
    assert (tmp_path / "report" / "events" / "CMZ-DID-01-20251104.png").exists()


def test_text_times_without_a_zone_are_refused_naming_the_field_and_feature(flex_gpkg, project):
    from leo_qgis_plugin.core.formats.fields import FieldDef, FieldType
    from leo_qgis_plugin.core.layers import table_layer

    def events(start: str):
        fields = [FieldDef(n, FieldType.STRING) for n in ("event_id", "zone_id", "start", "end")]
        return table_layer("events", fields + [FieldDef("requested_mw", FieldType.NUMBER)], [
            {"event_id": "E1", "zone_id": "CMZ-DID-01", "start": start, "end": "2025-11-04T18:00:00Z",
             "requested_mw": 1.0}])

    with pytest.raises(BaselineError, match=r"The events, feature 1, field 'start': 2025-11-04 17:00 has no time zone"):
        api.flex_baseline(layer(flex_gpkg, "load"), events("2025-11-04 17:00"), zones=layer(flex_gpkg, "zones"))
    with pytest.raises(BaselineError, match=r"field 'start': 'yesterday' is not a date and time"):
        api.flex_baseline(layer(flex_gpkg, "load"), events("yesterday"), zones=layer(flex_gpkg, "zones"))
    with pytest.raises(BaselineError, match="has no field 'kw'"):
        api.flex_baseline(layer(flex_gpkg, "load"), layer(flex_gpkg, "events"), load_fields=LoadFields(value="kw"))
    assert not project.mapLayers()
    # With a zone the time is converted: 18:00+01:00 is 17:00 UTC, an hour before the end.
    results = api.flex_baseline(layer(flex_gpkg, "load"), events("2025-11-04T18:00:00+01:00"),
                                zones=layer(flex_gpkg, "zones"))
    assert next(results.getFeatures())["requested_kwh"] == 1000.0


def test_flags_on_the_real_leo_meter_file():
    path = next((ROOT / "leo_catalogue/data/real/leo").glob("*LEOD041F06*"))
    table = read_meter_file(path.read_bytes())
    readings = [(r["timestamp"], r["active_power_total_avg"]) for r in table.rows]
    # For baselining, 5-second power readings (11:45:43 to 14:56:53) are averaged into 7 settlement periods.
    series = clean_series(readings, combine=Combine.MEAN)
    assert series.interval == timedelta(minutes=30) and len(series.values) == 7 and not any(series.counts().values())
    assert "Readings every 5 seconds were put into 30 minutes periods (power averaged)" in series.notes[0]
    # Labelled reading by reading (a 5-second interval), gaps are counted in readings.
    assert not any(clean_series(readings, timedelta(seconds=5)).counts().values())
    damaged = readings[:100] + readings[101:104] + readings[140:] + [readings[500]]
    damaged[10] = (damaged[10][0], "#VALUE!")
    flagged = clean_series(damaged, timedelta(seconds=5))
    # One reading missing, a run of 36 (a large gap: more than 10 readings), a bad value; the repeat is noted.
    assert flagged.counts() == {Flag.MISS_VAL: 1, Flag.MUL_MISS_VAL: 0, Flag.LARGE_GAP: 36, Flag.OUTLIER: 0,
                                Flag.FMT_ERR: 1}
    assert flagged.repeats == 1
    # Binned into half-hours the same damage leaves every period with readings: none is missing.
    assert not any(clean_series(damaged, combine=Combine.MEAN).counts().values())


def test_flexbaseline_from_qgis_process(flex_gpkg, tmp_path):
    result = run_algorithm("leo:flexbaseline", [
        f"LOAD={flex_gpkg}|layername=load", f"EVENTS={flex_gpkg}|layername=events",
        f"ZONES={flex_gpkg}|layername=zones", "METHOD=1",
        f"OUTPUT={tmp_path / 'baselines.csv'}", f"SUMMARY={tmp_path / 'summary.csv'}"], tmp_path / "config")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = list(csv.DictReader((tmp_path / "baselines.csv").open()))
    assert len(rows) == 19 and {r["method"] for r in rows} == {"mid8of10"}
    assert "19 events" in result.stdout + result.stderr


def test_the_flexibility_dock_charts_the_selected_event_and_delivery_by_zone(flex_gpkg, project):
    from leo_qgis_plugin.gui.flex_dock import FlexDock

    opened = []
    dock = FlexDock(lambda: opened.append(True))
    results = api.flex_baseline(layer(flex_gpkg, "load"), layer(flex_gpkg, "events"), zones=layer(flex_gpkg, "zones"))
    assert dock.results.currentText() == "Flexibility baselines" and dock.summary.currentText() == \
        "Flexibility business case"
    assert [t.get_text() for t in dock.zone_chart.axes.get_xticklabels()] == ["CMZ-DID-01", "CMZ-OSN-01"]
    results.selectByExpression("\"event_id\" = 'CMZ-DID-01-20251104'")
    assert dock.event_chart.axes.get_title().startswith("CMZ-DID-01-20251104:") and len(dock.event_chart.axes.lines) == 2
    assert [t.get_text() for t in dock.event_chart.axes.get_xticklabels()][0] == "16:30"
    assert "like-days 2025-" in dock.hint.text()
    dock.run.click()
    assert opened == [True]
    project.removeAllMapLayers()
    assert dock.results.count() == 0
    dock.disconnect_project()


def test_baseline_results_carry_the_loads_quality_counts(flex_gpkg, project):
    load = layer(flex_gpkg, "load")
    # A day of Didcot's half-hours missing: 48 periods in one run, a large gap with Project LEO's meaning.
    load.setSubsetString("NOT (\"primary_id\" = '30033' AND \"timestamp\" > '2025-10-01T00:00:00Z' "
                         "AND \"timestamp\" <= '2025-10-02T00:00:00Z')")
    results = api.flex_baseline(load, layer(flex_gpkg, "events"), "BL01", zones=layer(flex_gpkg, "zones"))
    summary = api.quality(results)
    column = summary.columns["total_consumption_active_import"]
    assert summary.series == 5 and column.readings > 5 * 17000  # five primaries' half-hours
    assert column.flagged[Label.LARGE_GAP] == 48 and column.runs[Label.LARGE_GAP] == 1
    assert str(column.first_gap.start) == "2025-10-01 00:00:00+00:00"
    rows = {f["event_id"]: f["load_quality"] for f in results.getFeatures()}
    assert all("large_gap 48" in text for event, text in rows.items() if event.startswith("CMZ-DID"))
    assert not any("large_gap" in (text or "") for event, text in rows.items() if event.startswith("CMZ-OSN"))
    history = results.metadata().history()
    assert history[0].startswith("Data quality (Project LEO's labels") and "large_gap 48" in history[0]
    # The demo's clock-change row is a repeat: the first reading is used, and the history says so.
    assert any("repeated a time stamp" in line for line in history)
