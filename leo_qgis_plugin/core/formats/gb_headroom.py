"""Any GB operator's published headroom records read onto the one GB headroom schema (``gb_schema``).

Records come as the portals give them (CKAN datastore rows, Opendatasoft export records with nested
``geo_point_2d``); the operator's mapping table (``headroom_columns/<mapping>.csv``) names the columns.
Published in scenarios and years (SP Energy Networks, UK Power Networks): one scenario and the earliest
year are kept. Published one row per headroom type (SP Energy Networks): pivoted to one row per substation.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from .dno_headroom import column_table, map_columns
from .errors import FormatError
from .gb_schema import DERIVED_RAG_AMBER_BELOW, GB_EXTRA, GB_FIELDS, HEADROOM_FOR_RAG
from .portals import HeadroomSource, Portal
from .ssen_headroom import HeadroomTable, read_mapped_rows

# Great Britain with its islands (Scilly to Shetland), WGS 84: a location outside is reported and cleared.
GB_BOUNDS = (-8.75, 49.8, 2.0, 60.95)
_TYPES = (("grid", "GSP"), ("gsp", "GSP"), ("bulk", "BSP"), ("bsp", "BSP"), ("primary", "Primary"),
          ("pry", "Primary"))


class _Rows:
    """Lists of cells with a ``line_num``, as a csv reader gives them (record 1 is line 2)."""

    def __init__(self, header: list[str], records: list[dict]) -> None:
        self.header, self.records, self.line_num = header, records, 1

    def __iter__(self):
        for record in self.records:
            self.line_num += 1
            yield [_cell(record.get(column)) for column in self.header]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def flatten(record: dict) -> dict:
    """A record with geographic points (``{"lon": …, "lat": …}``) as ``name.lon``/``name.lat`` columns;
    other nested values (shapes, lists) left out."""
    flat = {}
    for key, value in record.items():
        if isinstance(value, dict):
            if "lat" in value and "lon" in value:
                flat[f"{key}.lat"], flat[f"{key}.lon"] = value["lat"], value["lon"]
        elif not isinstance(value, list):
            flat[key] = value
    return flat


def keep_one_scenario(records: list[dict], spec: dict, notes: list[str]) -> list[dict]:
    """Only the preferred (else first) scenario's earliest year."""
    scenario_column, year_column = spec["columns"]
    if not records or scenario_column not in records[0]:
        return records
    scenarios = list(dict.fromkeys(str(r.get(scenario_column)) for r in records))
    chosen = spec.get("prefer") if spec.get("prefer") in scenarios else scenarios[0]
    years = sorted({str(r.get(year_column)) for r in records if str(r.get(scenario_column)) == chosen})
    kept = [r for r in records if str(r.get(scenario_column)) == chosen and str(r.get(year_column)) == years[0]]
    if len(scenarios) > 1 or len(years) > 1:
        notes.append(f"Kept scenario {chosen!r}, year {years[0]} ({len(scenarios)} scenario(s), {len(years)} year(s) "
                     "published).")
    return kept


def pivot_long(records: list[dict], spec: dict) -> list[dict]:
    """One row per substation from one row per headroom type: ``value`` becomes ``value_<type>``."""
    rows: dict[tuple, dict] = {}
    for record in records:
        key = tuple(str(record.get(column)) for column in spec["row"])
        row = rows.setdefault(key, {k: v for k, v in record.items() if k not in (spec["key"], spec["value"])})
        kind = re.sub(r"[^a-z0-9]+", "_", str(record.get(spec["key"])).lower()).strip("_")
        row[f"{spec['value']}_{kind}"] = record.get(spec["value"])
    return list(rows.values())


def substation_type(text: str | None) -> str | None:
    """GSP, BSP or Primary from the many ways operators write them; other text as published."""
    if not text:
        return None
    lowered = text.lower()
    return next((kind for word, kind in _TYPES if word in lowered), text)


def derived_rag(headroom: float | None) -> str | None:
    if headroom is None:
        return None
    return "Red" if headroom <= 0 else "Amber" if headroom < DERIVED_RAG_AMBER_BELOW else "Green"


def map_headroom(records: Iterable[dict], portal: Portal, source: HeadroomSource, published: str = "") -> HeadroomTable:
    """The GB headroom rows of one operator's published records; FormatError naming a missing column."""
    notes: list[str] = []
    flat = [flatten(r) for r in records]
    if source.scenario:
        flat = keep_one_scenario(flat, source.scenario, notes)
    if source.long:
        flat = pivot_long(flat, source.long)
    what = f"{portal.name}'s {source.dataset}"
    if not flat:
        raise FormatError(f"{what} has no records.")
    header = list(dict.fromkeys(column for record in flat for column in record))
    positions, repeated = map_columns(header, source.mapping)
    names, identifying = column_table(source.mapping)
    headroom = [field for field, columns in names.items() if {c.lower() for c in columns} & identifying]
    lacking = [field for field in ["name", *headroom] if field not in positions]
    if "name" in lacking or all(field in lacking for field in headroom):
        expected = "; ".join(f"{field}: {' or '.join(repr(c) for c in names.get(field, []))}" for field in lacking)
        raise FormatError(f"{what} lacks the column(s) its mapping table ({source.mapping}.csv) expects — {expected}. "
                          f"Was a column renamed? Its columns are: {', '.join(header[:30])}.")
    table = read_mapped_rows(header, _Rows(header, flat), {f: header[at] for f, at in positions.items()}, what,
                             extra=GB_EXTRA)
    table.warnings[:0] = notes + repeated
    if lacking:
        table.warnings.insert(0, f"Not published by {what}: {', '.join(lacking)}.")
    finish_rows(table, portal, source, published, positions)
    return table


def finish_rows(table: HeadroomTable, portal: Portal, source: HeadroomSource, published: str,
                mapped: Collection[str]) -> None:
    """Operator, defaults the dataset implies, types, derived RAGs (for RAGs not in ``mapped``, the fields the
    source published), and locations outside GB reported."""
    west, south, east, north = GB_BOUNDS
    table.fields = list(GB_FIELDS)
    for number, row in enumerate(table.rows, start=2):
        for extra in GB_EXTRA:
            row.setdefault(extra.name, None)
        row["operator"] = portal.operator
        row["source_dataset"] = source.dataset
        row["published"] = published or None
        row["licence_area"] = row["licence_area"] or source.licence_area or (
            portal.licence_areas[0] if len(portal.licence_areas) == 1 else None)
        row["substation_type"] = substation_type(row["substation_type"] or source.substation_type)
        for rag, fields in HEADROOM_FOR_RAG.items():
            derived = rag not in mapped
            row[f"{rag}_derived"] = derived
            if derived:
                row[rag] = derived_rag(next((row[f] for f in fields if row.get(f) is not None), None))
        lat, lon = row["latitude"], row["longitude"]
        if lat is not None and lon is not None and not (west <= lon <= east and south <= lat <= north):
            label = row["name"] or row["asset_id"] or "(unnamed)"
            table.warnings.append(f"Record {number - 1} ({label}): {lat}, {lon} is outside Great Britain; kept "
                                  "without a location.")
            table.rows_without_location.append(f"record {number - 1}: {label}")
            row["latitude"] = row["longitude"] = None
