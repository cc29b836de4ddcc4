"""The change layer of a harvested release: per substation, headroom then and now, the difference, new and
removed substations, RAG changes."""

from __future__ import annotations

from .fields import FieldDef, FieldType

S, N, B = FieldType.STRING, FieldType.NUMBER, FieldType.BOOLEAN
CHANGE_FIELDS = [
    FieldDef("asset_id", S), FieldDef("name", S), FieldDef("substation_type", S), FieldDef("operator", S),
    FieldDef("change", S, "new, removed, changed or unchanged"),
    FieldDef("demand_unit", S, "Unit of the demand headroom (as published)"),
    FieldDef("demand_then", N, "Demand headroom in the earlier release"), FieldDef("demand_now", N),
    FieldDef("demand_difference", N, "Now minus then"),
    FieldDef("generation_unit", S, "Unit of the generation headroom (as published)"),
    FieldDef("generation_then", N), FieldDef("generation_now", N), FieldDef("generation_difference", N),
    FieldDef("demand_rag_then", S), FieldDef("demand_rag_now", S),
    FieldDef("generation_rag_then", S), FieldDef("generation_rag_now", S),
    FieldDef("rag_changed", B, "Either RAG changed"),
    FieldDef("latitude", N, unit="degree"), FieldDef("longitude", N, unit="degree"),
]
_HEADROOM = {"demand": (("demand_headroom_mva", "MVA"), ("demand_headroom_mw", "MW")),
             "generation": (("generation_headroom_mw", "MW"), ("generation_headroom_mva", "MVA"))}


def substation_key(row: dict) -> tuple:
    return (row.get("source_dataset"), row.get("asset_id") or row.get("name"), row.get("substation_type"))


def _headroom(row: dict | None, kind: str) -> tuple[float | None, str]:
    for name, unit in _HEADROOM[kind]:
        if row is not None and row.get(name) is not None:
            return row[name], unit
    return None, ""


def change_rows(then: list[dict], now: list[dict]) -> list[dict]:
    """One row per substation in either release, keyed by dataset, id (else name) and type."""
    before = {substation_key(r): r for r in then}
    after = {substation_key(r): r for r in now}
    rows = []
    for key in list(after) + [k for k in before if k not in after]:
        old, new = before.get(key), after.get(key)
        here = new or old
        row = {name: here.get(name) for name in ("asset_id", "name", "substation_type", "operator", "latitude",
                                                  "longitude")}
        differs = False
        for kind in ("demand", "generation"):
            was, unit_then = _headroom(old, kind)
            is_, unit_now = _headroom(new, kind)
            row[f"{kind}_unit"] = unit_now or unit_then
            row[f"{kind}_then"], row[f"{kind}_now"] = was, is_
            row[f"{kind}_difference"] = round(is_ - was, 3) if was is not None and is_ is not None else None
            differs |= was != is_
            for when, source in (("then", old), ("now", new)):
                row[f"{kind}_rag_{when}"] = source.get(f"{kind}_rag") if source else None
        row["rag_changed"] = bool(old and new and (row["demand_rag_then"] != row["demand_rag_now"]
                                                   or row["generation_rag_then"] != row["generation_rag_now"]))
        row["change"] = ("new" if old is None else "removed" if new is None
                         else "changed" if differs or row["rag_changed"] else "unchanged")
        rows.append(row)
    return rows


def summary(rows: list[dict]) -> dict[str, int]:
    counts = {"new": 0, "removed": 0, "changed": 0, "unchanged": 0}
    for row in rows:
        counts[row["change"]] += 1
    counts["rag_changed"] = sum(1 for row in rows if row["rag_changed"])
    return counts
