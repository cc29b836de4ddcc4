"""Headroom files of other DNOs mapped onto SSEN's canonical fields, so one overlay fits all.

SSEN's file is read column for column (``ssen_headroom``). For National Grid (NGED) and Northern
Powergrid (NPG) the column names below are matched case-insensitively. Confirmed from their
published data: NGED ``demandConnectedHeadroomMW`` and ``demandConnectedRAG``; NPG ``demhr``,
``genhr`` and ``worst_case_constraint_dem_colour``. The others are the same names' generation
counterparts and common names for place and identity; extend ALIASES when a file differs.
Headroom published in MW is taken as MVA at unity power factor (noted in the warnings).
"""

from __future__ import annotations

from .errors import FormatError
from .ssen_headroom import COLUMNS, HEADER, HeadroomTable, read_csv_rows, read_mapped_rows

ALIASES: dict[str, dict[str, list[str]]] = {
    "NGED": {
        "asset_id": ["substationNumber", "substation_number", "assetId"],
        "name": ["substationName", "substation_name", "substation"],
        "substation_type": ["substationType", "substation_type", "assetType"],
        "voltage_kv": ["voltage", "voltageKv", "nominalVoltage"],
        "latitude": ["latitude", "lat"],
        "longitude": ["longitude", "lon", "lng"],
        "upstream_bsp": ["upstreamBsp", "bulkSupplyPoint", "bsp"],
        "upstream_gsp": ["upstreamGsp", "gridSupplyPoint", "gsp"],
        "demand_headroom_mva": ["demandConnectedHeadroomMW"],
        "demand_rag": ["demandConnectedRAG"],
        "generation_headroom_mw": ["generationConnectedHeadroomMW"],
        "generation_rag": ["generationConnectedRAG"],
    },
    "NPG": {
        "asset_id": ["substation_id", "site_id", "id"],
        "name": ["substation_name", "site_name", "name"],
        "substation_type": ["substation_type", "site_type", "type"],
        "voltage_kv": ["voltage", "voltage_kv"],
        "latitude": ["latitude", "lat"],
        "longitude": ["longitude", "lon", "long"],
        "demand_headroom_mva": ["demhr"],
        "demand_rag": ["worst_case_constraint_dem_colour"],
        "generation_headroom_mw": ["genhr"],
        "generation_rag": ["worst_case_constraint_gen_colour"],
    },
}
# A file is taken to be this DNO's when it has one of these columns.
MARKERS = {"NGED": "demandconnectedheadroommw", "NPG": "demhr"}
REQUIRED = ("name", "latitude", "longitude")


def detect_publisher(header: list[str]) -> str | None:
    """``SSEN``, ``NGED``, ``NPG`` or None from a file's header."""
    if all(column in header for column in HEADER):
        return "SSEN"
    lowered = {h.lower() for h in header}
    return next((dno for dno, marker in MARKERS.items() if marker in lowered), None)


def read_dno_headroom(data: bytes, source: str = "headroom file") -> tuple[str, HeadroomTable]:
    """(publisher, canonical rows) of an SSEN, NGED or NPG headroom CSV; FormatError naming the problem."""
    header, reader = read_csv_rows(data, source)
    publisher = detect_publisher(header)
    if publisher == "SSEN":
        return publisher, read_mapped_rows(header, reader, {name: col for col, name, _, _ in COLUMNS}, source)
    if publisher is None:
        missing = [column for column in HEADER if column not in header]
        raise FormatError(
            f"The {source} is not a headroom file this plugin knows: it is neither SSEN's (lacking "
            f"{', '.join(repr(m) for m in missing[:4])}{' …' if len(missing) > 4 else ''}) nor National Grid's "
            "(no demandConnectedHeadroomMW column) nor Northern Powergrid's (no demhr column).")
    by_lower = {h.lower(): h for h in header}
    columns = {}
    for field, names in ALIASES[publisher].items():
        found = next((by_lower[n.lower()] for n in names if n.lower() in by_lower), None)
        if found:
            columns[field] = found
    lacking = [field for field in REQUIRED if field not in columns]
    if lacking:
        raise FormatError(f"The {source} looks like a {publisher} headroom file but has no column for "
                          f"{', '.join(lacking)}.")
    table = read_mapped_rows(header, reader, columns, source)
    table.warnings.insert(0, f"Read as a {publisher} headroom file; headroom in MW taken as MVA at unity "
                             "power factor.")
    return publisher, table
