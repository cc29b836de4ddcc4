"""Docs scene: the network constraints overlay (demand headroom) with the LEO dock open."""

import os
import sys

import qgis.utils

from leo_qgis_plugin import api

sys.path.insert(0, os.path.join(os.getcwd(), "scripts", "screenshots"))
from scene import show_in_british_national_grid  # noqa: E402

catalogue = api.connect(os.environ.get("LEO_CATALOGUE_URL", "http://127.0.0.1:8765/"))
overlay = api.add_constraint_overlay(catalogue, kind="demand")
qgis.utils.plugins["leo_qgis_plugin"].open_panel("constraints")

show_in_british_national_grid(436000, 183000, 470000, 215000)
