"""Docs scene: every demo flexibility event baselined (BL01), the LEO flexibility panel charting one event
and delivery by zone; the report's charts are copied into docs/images."""

import os
import shutil
import sys
from pathlib import Path

from leo_qgis_plugin import api

sys.path.insert(0, os.path.join(os.getcwd(), "scripts", "screenshots"))
from scene import show_in_british_national_grid  # noqa: E402

catalogue = api.connect(os.environ.get("LEO_CATALOGUE_URL", "http://127.0.0.1:8765/"))
load = api.add_dataset(catalogue, "substation-load-hh", mode="download")
events = api.add_dataset(catalogue, "flex-events", mode="live")
zones = api.add_dataset(catalogue, "flex-zones", mode="live")
report = Path("var/flex-report")
results = api.flex_baseline(load, events, zones=zones, report_folder=str(report))
images = Path("docs/images")
shutil.copy(report / "delivery_by_zone.png", images / "flex-delivery-by-zone.png")
shutil.copy(report / "events" / "CMZ-DID-01-20251104.png", images / "flex-event.png")
load.setSubsetString("\"timestamp\" = '2025-11-04T17:00:00'")  # one half-hour on the map, not a year
import qgis.utils  # noqa: E402

qgis.utils.plugins["leo_qgis_plugin"].open_panel("flex")
results.selectByExpression("\"event_id\" = 'CMZ-OXE-01-20250129'")
show_in_british_national_grid(430000, 178000, 472000, 214000)
