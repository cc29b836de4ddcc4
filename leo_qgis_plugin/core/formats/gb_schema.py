"""The Great Britain headroom schema: SSEN's canonical fields (``ssen_headroom.FIELDS``) and these.

Units stay as published: demand headroom in MVA (``demand_headroom_mva``) or MW (``demand_headroom_mw``),
generation headroom in MW (``generation_headroom_mw``) or MVA (``generation_headroom_mva``); nothing is
converted between MW and MVA, since that needs a power factor no operator publishes with its headroom.
"""

from __future__ import annotations

from .fields import FieldDef, FieldType
from .ssen_headroom import FIELDS

S, N, B = FieldType.STRING, FieldType.NUMBER, FieldType.BOOLEAN

GB_EXTRA: list[FieldDef] = [
    FieldDef("operator", S, "Network operator"),
    FieldDef("firm_capacity_mva", N, "Firm capacity", unit="MVA"),
    FieldDef("demand_headroom_mw", N, "Demand headroom (published in MW)", unit="MW"),
    FieldDef("demand_headroom_non_firm_mw", N, "Non-firm demand headroom (published in MW)", unit="MW"),
    FieldDef("generation_headroom_mva", N, "Generation headroom (published in MVA)", unit="MVA"),
    FieldDef("demand_rag_derived", B, "Demand RAG derived by LEO's rule (the operator publishes none)"),
    FieldDef("generation_rag_derived", B, "Generation RAG derived by LEO's rule (the operator publishes none)"),
    FieldDef("published", S, "When the operator published this release (UTC)"),
    FieldDef("source_dataset", S, "The operator's dataset it was read from"),
]

GB_FIELDS: list[FieldDef] = list(FIELDS) + GB_EXTRA

# The headroom fields each RAG is derived from where an operator publishes no RAG, first found wins.
HEADROOM_FOR_RAG = {
    "demand_rag": ("demand_headroom_mva", "demand_headroom_mw"),
    "generation_rag": ("generation_headroom_mw", "generation_headroom_mva"),
}
# LEO's rule for a derived RAG (documented in docs/gb-headroom.md): Red at or below 0, Amber below 5, else Green.
DERIVED_RAG_AMBER_BELOW = 5.0
