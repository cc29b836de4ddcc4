"""What the flexibility tools offer: methods, load units and default prices (no heavy imports: the
Processing provider lists them at QGIS start-up)."""

from __future__ import annotations

from datetime import timedelta
from enum import Enum

# Project LEO's Sustained Peak Management market ceilings.
AVAILABILITY_GBP_PER_KW_H = 0.045
UTILISATION_GBP_PER_KWH = 0.30


class BaselineError(ValueError):
    """Input a baseline cannot be computed from; the message names what and where."""


class Method(str, Enum):
    BL01 = "BL01"
    MID_8_OF_10 = "mid8of10"
    HIGH_X_OF_Y = "highXofY"
    NOMINATED = "nominated"
    FIXED_REFERENCE = "fixed"


class LoadUnit(str, Enum):
    """What the load value field holds; baselines are in kWh per interval."""

    KWH = "kWh per interval"
    WH = "Wh per interval"
    AVG_KW = "average kW over the interval"

    def to_kwh(self, value: float, interval: timedelta) -> float:
        if self is LoadUnit.WH:
            return value / 1000
        if self is LoadUnit.AVG_KW:
            return value * interval.total_seconds() / 3600
        return value
