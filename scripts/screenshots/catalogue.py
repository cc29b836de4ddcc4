"""Docs scene: the LEO catalogue dock after searching "headroom", a record selected, the dataset added."""

import os
import sys

import qgis.utils
from qgis.PyQt.QtCore import QTimer

sys.path.insert(0, os.path.join(os.getcwd(), "scripts", "screenshots"))
from scene import show_in_british_national_grid  # noqa: E402

dock = qgis.utils.plugins["leo_qgis_plugin"].open_panel("catalogue")
dock.search.setText("headroom")


def select_and_add() -> None:
    dock.list.setCurrentRow(0)
    dock.add_selected()


QTimer.singleShot(2500, select_and_add)
show_in_british_national_grid(420000, 180000, 480000, 245000, delay_ms=6000)
