"""Benchmarks of flexibility baselining (`make bench`). Prints figures and ratios; asserts nothing.

1. The demo's half-hourly load (every primary x a year, ~1M rows, copied to a GeoPackage with ogr2ogr)
   and 100 events on single primaries, at least one on each: BL01 end to end (read, flag, baseline,
   price), against only reading the same rows: the columns in bulk through GDAL (the way BL01 reads them)
   and QGIS feature iteration (the way any layer can be read); and 19 events on 5 primaries, for which
   only those primaries' rows are read.
2. 1,000 sites x 90 days (the 60-day look-back BL01 reads, and the event month) with 1,000 events:
   flagging and baselining in memory.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qgis.core import QgsApplication, QgsFeatureRequest, QgsVectorLayer  # noqa: E402

app = QgsApplication([], False)
app.initQgis()

from leo_catalogue.config import default_database_url  # noqa: E402
from leo_qgis_plugin.core.flex.analysis import run_baselines  # noqa: E402
from leo_qgis_plugin.core.flex.baseline import BaselineOptions, Event, compute_baselines, series_lookup  # noqa: E402
from leo_qgis_plugin.core.flex.inputs import EventFields, LoadFields  # noqa: E402
from leo_qgis_plugin.core.flex.load_columns import read_load_columns  # noqa: E402
from leo_qgis_plugin.core.flex.quality import clean_series  # noqa: E402
from leo_qgis_plugin.core.formats.fields import FieldDef, FieldType  # noqa: E402
from leo_qgis_plugin.core.layers import table_layer  # noqa: E402

UTC = timezone.utc
HALF_HOUR = timedelta(minutes=30)


def events_layer(sites: list[str], count: int) -> QgsVectorLayer:
    rng = random.Random(7)
    rows = []
    for n in range(count):
        day = datetime(2025, 3, 3, tzinfo=UTC) + timedelta(days=rng.randrange(0, 270))
        start = day.replace(hour=17)
        rows.append({"event_id": f"E{n}", "zone_id": rng.choice(sites), "start": start,
                     "end": start + timedelta(minutes=90), "requested_mw": 1.0, "direction": "deficit"})
        if n < len(sites):  # every site has an event
            rows[-1]["zone_id"] = sites[n]
    fields = [FieldDef("event_id", FieldType.STRING), FieldDef("zone_id", FieldType.STRING),
              FieldDef("start", FieldType.DATETIME), FieldDef("end", FieldType.DATETIME),
              FieldDef("requested_mw", FieldType.NUMBER), FieldDef("direction", FieldType.STRING)]
    return table_layer("events", fields, rows)


def demo_year() -> None:
    database = default_database_url().removeprefix("sqlite:///")
    with tempfile.TemporaryDirectory() as folder:
        gpkg = Path(folder) / "load.gpkg"
        subprocess.run(["ogr2ogr", "-f", "GPKG", "-nln", "load", "-nlt", "NONE", str(gpkg), database, "-sql",
                        "SELECT primary_id, timestamp, total_consumption_active_import FROM d_substation_load_hh_v1"],
                       check=True, capture_output=True)
        load = QgsVectorLayer(f"{gpkg}|layername=load", "load", "ogr")
        sites = sorted({str(f["primary_id"]) for f in load.getFeatures(
            QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry).setSubsetOfAttributes(["primary_id"],
                                                                                             load.fields()))})
        events = events_layer(sites, 100)
        start = time.perf_counter()
        request = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry)
        request.setSubsetOfAttributes(["primary_id", "timestamp", "total_consumption_active_import"], load.fields())
        rows = sum(1 for _ in load.getFeatures(request))
        read = time.perf_counter() - start
        start = time.perf_counter()
        bulk = read_load_columns(load, "primary_id", "timestamp", "total_consumption_active_import", None)
        bulk_read = time.perf_counter() - start
        start = time.perf_counter()
        run = run_baselines(load, events, BaselineOptions(), LoadFields(), EventFields())
        total = time.perf_counter() - start
        done = sum(r.baseline_kwh is not None for r in run.results)
        zone_sites = sites[:5]
        start = time.perf_counter()
        run = run_baselines(load, events_layer(zone_sites, 19), BaselineOptions(), LoadFields(),
                            EventFields())
        few = time.perf_counter() - start
        print(f"BL01 for 19 events on 5 primaries (only their rows are read from the same layer): {few:.1f} s")
        print(f"BL01 for every primary ({len(sites)}) x a year ({rows:,} rows) and 100 events: {total:.2f} s end to "
              f"end (goal < 2 s: {'met' if total < 2 else 'NOT met'}; {done} baselined, {100 - done} flagged)")
        print(f"    reference, only reading the rows: in bulk through GDAL ({bulk.reader}, {len(bulk.stamps):,} rows) "
              f"{bulk_read:.2f} s (BL01 / that = {total / bulk_read:.1f}x); through QGIS feature iteration "
              f"{read:.2f} s (BL01 / that = {total / read:.2f}x)")


def thousand_sites() -> None:
    rng = random.Random(11)
    start_day = datetime(2025, 9, 1, tzinfo=UTC)
    stamps = [start_day + HALF_HOUR * i for i in range(90 * 48)]
    begin = time.perf_counter()
    series = {f"S{n}": clean_series([(t, 50 + 30 * rng.random()) for t in stamps], HALF_HOUR) for n in range(1000)}
    flagged = time.perf_counter() - begin
    first = stamps[-10 * 48].replace(hour=17)
    events = [Event(f"E{n}", f"S{n}", first + timedelta(days=n % 5), first + timedelta(days=n % 5, hours=1), 0.5)
              for n in range(1000)]
    begin = time.perf_counter()
    results = compute_baselines(events, series_lookup(series), BaselineOptions())
    baselined = time.perf_counter() - begin
    print(f"1,000 sites x 90 days ({len(stamps) * 1000:,} readings), 1,000 events: flagging {flagged:.1f} s, "
          f"BL01 {baselined:.1f} s, total {flagged + baselined:.1f} s (goal < 30 s; "
          f"{sum(r.baseline_kwh is not None for r in results)} baselined)")


if __name__ == "__main__":
    demo_year()
    thousand_sites()
