"""Waiting for background tasks in tests, with the Qt event loop running."""

from __future__ import annotations

import time

from qgis.core import QgsApplication


def wait_for(condition, seconds: float = 30) -> None:
    """Process events until ``condition()`` is true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        QgsApplication.processEvents()
        time.sleep(0.01)
