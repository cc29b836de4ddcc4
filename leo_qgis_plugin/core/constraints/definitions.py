"""What the constraint tools know: headroom kinds, RAG states and palettes, substation types."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from qgis.core import QgsSettings

PALETTE_SETTING = "leo_qgis/constraints/palette"

OVERLAY_GROUP = "SSEN network constraints"
SUBSTATIONS_DATASET = "ssen-headroom"
AREAS_DATASET = "ssen-primary-areas"
ZONES_DATASET = "flex-zones"


class ConstraintKind(str, Enum):
    """Which headroom an overlay or screening looks at."""

    DEMAND = "demand"
    GENERATION = "generation"

    @property
    def rag_field(self) -> str:
        return "demand_rag" if self is ConstraintKind.DEMAND else "generation_rag"

    @property
    def headroom_field(self) -> str:
        return "demand_headroom_mva" if self is ConstraintKind.DEMAND else "generation_headroom_mw"

    @property
    def unit(self) -> str:
        return "MVA" if self is ConstraintKind.DEMAND else "MW"

    @property
    def constraint_field(self) -> str:
        return "demand_constraint" if self is ConstraintKind.DEMAND else "generation_constraint"


class Rag(str, Enum):
    RED = "Red"
    AMBER = "Amber"
    GREEN = "Green"


@dataclass(frozen=True)
class Palette:
    label: str
    colours: dict[Rag, str]
    unknown: str = "#9e9e9e"


class RagPalette(Enum):
    """Colours for RAG states. SSEN's map uses plain red, amber and green; the colour-blind-safe
    alternative (Okabe-Ito) keeps the three states apart for red-green colour blindness."""

    SSEN = Palette("SSEN red, amber, green", {Rag.RED: "#d7191c", Rag.AMBER: "#f5a300", Rag.GREEN: "#1a9641"})
    COLOURBLIND = Palette("Colour-blind safe", {Rag.RED: "#d55e00", Rag.AMBER: "#f0e442", Rag.GREEN: "#0072b2"})

    @classmethod
    def current(cls) -> RagPalette:
        """The palette chosen in the settings (SSEN's by default)."""
        name = QgsSettings().value(PALETTE_SETTING, cls.SSEN.name)
        return cls.__members__.get(str(name), cls.SSEN)

    def save(self) -> None:
        QgsSettings().setValue(PALETTE_SETTING, self.name)


# Symbol sizes (mm) by substation type: the higher the voltage, the larger the symbol.
TYPE_SIZES = {"GSP": 5.0, "BSP": 3.8, "Primary": 2.6}
SUBSTATION_TYPES = tuple(TYPE_SIZES)
