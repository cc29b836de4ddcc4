"""Reader of SSEN's "Generation Availability and Network Capacity" headroom CSV.

Reads the file as SSEN publishes it (null markers in numeric columns, ``33 / 11``
voltages, ``Sep-26`` dates, quoted multi-line text, rows without coordinates) into
clean typed rows. The column mapping below is the documented canonical schema.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import FormatError
from .fields import FieldDef, FieldType
from .text import decode_text
from .values import is_null, parse_month_year, parse_number, parse_yes_no

S, N, B, D = FieldType.STRING, FieldType.NUMBER, FieldType.BOOLEAN, FieldType.DATE

# (published column, canonical field, type, unit) in SSEN's published order.
COLUMNS: list[tuple[str, str, FieldType, str]] = [
    ("AssetID", "asset_id", S, ""),
    ("GSP Grouping / Default Order", "gsp_group", S, ""),
    ("Map / License Area", "licence_area", S, ""),
    ("Substation", "name", S, ""),
    ("Upstream GSP", "upstream_gsp", S, ""),
    ("Upstream BSP", "upstream_bsp", S, ""),
    ("Substation Type", "substation_type", S, ""),
    ("Voltage (kV)", "voltage_kv", S, "kV"),
    ("Location Latitude", "latitude", N, "degree"),
    ("Location Longitude", "longitude", N, "degree"),
    ("Grid Reference", "grid_reference", S, ""),
    ("Substation Comment", "comment", S, ""),
    ("LTDS CIM Nodes", "ltds_cim_nodes", S, ""),
    ("Transformer Nameplate Ratings", "transformer_ratings", S, ""),
    ("Single Transformer Site", "single_transformer", B, ""),
    ("Maximum Observed Gross Demand (MVA)", "max_demand_mva", N, "MVA"),
    ("Minimum Observed Gross Demand (MVA)", "min_demand_mva", N, "MVA"),
    ("Contracted Demand Excl BESS (MVA)", "contracted_demand_mva", N, "MVA"),
    ("Contracted BESS Demand (MVA)", "contracted_bess_demand_mva", N, "MVA"),
    ("Estimated Demand Headroom (MVA)", "demand_headroom_mva", N, "MVA"),
    ("Substation Demand RAG Status", "demand_rag", S, ""),
    ("Demand Constraint", "demand_constraint", S, ""),
    ("TIA Threshold", "tia_threshold", S, ""),
    ("Connected Generation (MW)", "connected_generation_mw", N, "MW"),
    ("Contracted Generation (MW)", "contracted_generation_mw", N, "MW"),
    ("Technical Limits Agreed at GSP", "technical_limits_at_gsp", S, ""),
    ("Estimated Generation Headroom (MW)", "generation_headroom_mw", N, "MW"),
    ("3-Phase Break Fault Rating (kA)", "fault_rating_ka", N, "kA"),
    ("3-Phase Break Fault Level (kA)", "fault_level_ka", N, "kA"),
    ("Substation Generation RAG Status", "generation_rag", S, ""),
    ("Generation Constraint", "generation_constraint", S, ""),
    ("Upstream Reinforcement Works", "upstream_works", S, ""),
    ("Upstream Reinforcement Completion Date", "upstream_works_completion", D, ""),
    ("Substation Reinforcement Works", "substation_works", S, ""),
    ("Substation Reinforcement Completion Date", "substation_works_completion", D, ""),
]

HEADER: list[str] = [column for column, _, _, _ in COLUMNS]

# Derived from "Voltage (kV)": the highest and lowest voltage of the substation.
DERIVED = [
    FieldDef("voltage_high_kv", FieldType.NUMBER, "Highest voltage", "Voltage (kV)", "kV"),
    FieldDef("voltage_low_kv", FieldType.NUMBER, "Lowest voltage", "Voltage (kV)", "kV"),
]

FIELDS: list[FieldDef] = [
    FieldDef(name, kind, column, column, unit) for column, name, kind, unit in COLUMNS
] + DERIVED

RAG_VALUES = ("Red", "Amber", "Green")

_PARSERS: dict[FieldType, Callable[[str], object]] = {
    N: parse_number,
    B: parse_yes_no,
    D: parse_month_year,
}


@dataclass
class HeadroomTable:
    """The rows of a headroom file, typed, with what the reader had to report."""

    rows: list[dict]
    fields: list[FieldDef] = field(default_factory=lambda: list(FIELDS))
    rows_without_location: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def located_rows(self) -> list[dict]:
        """Rows that have both coordinates."""
        return [r for r in self.rows if r["latitude"] is not None and r["longitude"] is not None]


def _clean_text(raw: str) -> str | None:
    return None if is_null(raw) else " ".join(raw.split()) if "\n" not in raw else raw.strip()


def _voltages(text: str | None) -> tuple[float | None, float | None]:
    if not text:
        return None, None
    values = []
    for part in text.replace("kV", "").replace("/", " ").split():
        try:
            values.append(float(part))
        except ValueError:
            continue
    return (max(values), min(values)) if values else (None, None)


def _normalise_rag(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip().lower()
    for rag in RAG_VALUES:
        # Other DNOs publish R/A/G letters or colour names in other cases.
        if text in (rag.lower(), rag[0].lower()):
            return rag
    return value


def read_csv_rows(data: bytes, source: str) -> tuple[list[str], csv._reader]:
    """(stripped header, row reader) of a CSV file's bytes; FormatError when there is no header."""
    reader = csv.reader(io.StringIO(decode_text(data, source), newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise FormatError(f"The {source} has no readable header row ({exc}).") from None
    return [h.strip() for h in header], reader


def read_mapped_rows(header: list[str], reader, columns: dict[str, str], source: str,
                     extra: list[FieldDef] = ()) -> HeadroomTable:
    """Typed canonical rows from a CSV whose columns are mapped to canonical field names.

    ``columns`` maps canonical field name -> the file's column title; unmapped fields stay empty.
    ``extra`` are fields beyond SSEN's (the GB schema's), read the same way.
    """
    index = {name: header.index(column) for name, column in columns.items()}
    kinds = {name: kind for _, name, kind, _ in COLUMNS} | {f.name: f.type for f in extra}
    table = HeadroomTable(rows=[], fields=list(FIELDS) + list(extra))
    extra = [h for h in header if h and h not in columns.values()]
    if extra:
        table.warnings.append(f"Ignored unknown column(s): {', '.join(extra)}.")
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            line = reader.line_num
            if len(record) < len(header):
                record = record + [""] * (len(header) - len(record))
            row: dict = dict.fromkeys(kinds)
            for name, position in index.items():
                raw = record[position]
                parser = _PARSERS.get(kinds[name])
                if parser is None:
                    row[name] = _clean_text(raw)
                    continue
                try:
                    row[name] = parser(raw)
                except ValueError:
                    table.warnings.append(f"Line {line}: {columns[name]} {raw.strip()!r} is not valid; kept as empty.")
            row["demand_rag"] = _normalise_rag(row["demand_rag"])
            row["generation_rag"] = _normalise_rag(row["generation_rag"])
            row["voltage_high_kv"], row["voltage_low_kv"] = _voltages(row["voltage_kv"])
            label = row["name"] or row["asset_id"] or "(unnamed)"
            if row["latitude"] is None or row["longitude"] is None:
                table.rows_without_location.append(f"line {line}: {label}")
            elif not (-90 <= row["latitude"] <= 90 and -180 <= row["longitude"] <= 180):
                table.warnings.append(f"Line {line}: coordinates out of range; location dropped.")
                table.rows_without_location.append(f"line {line}: {label}")
                row["latitude"] = row["longitude"] = None
            table.rows.append(row)
    except csv.Error as exc:
        raise FormatError(f"The {source} is not valid CSV near line {reader.line_num}: {exc}.") from None
    if not table.rows:
        raise FormatError(f"The {source} has a header but no substation rows.")
    return table


def read_headroom_csv(data: bytes, source: str = "headroom file") -> HeadroomTable:
    """Parse the bytes of an SSEN headroom CSV; raise FormatError naming the problem."""
    header, reader = read_csv_rows(data, source)
    missing = [column for column in HEADER if column not in header]
    if missing:
        raise FormatError(
            f"The {source} is not an SSEN headroom CSV: its header lacks "
            f"{len(missing)} expected column(s): {', '.join(repr(m) for m in missing[:6])}"
            + (" …" if len(missing) > 6 else "") + "."
        )
    return read_mapped_rows(header, reader, {name: column for column, name, _, _ in COLUMNS}, source)
