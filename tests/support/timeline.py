"""A timeline of its own for a test that plays layers: QGIS's Temporal Controller is shared by the whole test
session (as by a QGIS window), and a layer played before would widen the range; afterwards it is left off,
so the next test's layers start a fresh timeline."""

from __future__ import annotations

import pytest

from leo_qgis_plugin import api
from leo_qgis_plugin.core.compat import TemporalNavigationMode


def timeline_off() -> None:
    api.temporal_controller().setNavigationMode(TemporalNavigationMode.NavigationOff)


@pytest.fixture
def own_timeline():
    timeline_off()
    yield api.temporal_controller()
    timeline_off()
