"""The statistics aggregation offers (no numpy here: the Processing provider lists them at QGIS start-up)."""

from __future__ import annotations

from enum import Enum

RAG_STATES = ("Red", "Amber", "Green")


class Stat(str, Enum):
    COUNT = "count"
    SUM = "sum"
    MEAN = "mean"
    MIN = "min"
    MAX = "max"
