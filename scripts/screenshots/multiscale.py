"""Docs scene: the substations' multi-scale view at MSOA level (demand headroom summed, RAG shares)."""

import os
import sys

from qgis.utils import iface

from leo_qgis_plugin import api

sys.path.insert(0, os.path.join(os.getcwd(), "scripts", "screenshots"))
from scene import show_in_british_national_grid  # noqa: E402

catalogue = api.connect(os.environ.get("LEO_CATALOGUE_URL", "http://127.0.0.1:8765/"))
substations = catalogue.layer("ssen-headroom", "Substations")
group = api.multiscale(substations, ["demand_headroom_mva"], ["sum", "min"], ["demand_rag"], catalogue=catalogue)
iface.setActiveLayer(group.findLayers()[2].layer())
# Oxford and around at about 1:100,000: the MSOA level is the one shown.
show_in_british_national_grid(437000, 195000, 468000, 216000)
