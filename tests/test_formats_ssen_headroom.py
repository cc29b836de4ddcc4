"""The SSEN headroom reader takes SSEN's file as published, and refuses what it cannot read with a reason."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from leo_catalogue.demo.headroom_csv import headroom_csv
from leo_catalogue.demo.network import build_network
from leo_qgis_plugin.core.formats.errors import FormatError
from leo_qgis_plugin.core.formats.ssen_headroom import HEADER, read_headroom_csv


def row(**values) -> dict:
    base = dict.fromkeys(HEADER, "")
    base.update({"AssetID": "1", "Substation": "Test", "Substation Type": "Primary", "Voltage (kV)": "33 / 11",
                 "Location Latitude": "51.7", "Location Longitude": "-1.2"})
    base.update(values)
    return base


def write(rows: list[dict], header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def test_the_exact_published_header_is_what_the_demo_writes():
    data = headroom_csv(build_network())
    assert data.decode().splitlines()[0] == ",".join(f'"{h}"' if "," in h else h for h in HEADER)
    table = read_headroom_csv(data)
    assert len(table.rows) == 68 and table.rows_without_location == ["line 32: Culham"]


def test_published_quirks_become_clean_typed_values():
    table = read_headroom_csv(write([row(**{
        "Estimated Demand Headroom (MVA)": "DATA NOT AVAILABLE",
        "Estimated Generation Headroom (MW)": "-3.5",
        "Maximum Observed Gross Demand (MVA)": "1,234.5",
        "Contracted BESS Demand (MVA)": "DATA NOT APPLICABLE",
        "Fault Level": "",
        "3-Phase Break Fault Level (kA)": "N/A",
        "Substation Reinforcement Completion Date": "Sep-26",
        "Upstream Reinforcement Completion Date": "DATA NOT AVAILABLE",
        "Single Transformer Site": "Yes",
        "Substation Demand RAG Status": "RED",
        "Substation Comment": "Line one\nLine two",
    })]))
    r = table.rows[0]
    assert r["demand_headroom_mva"] is None and r["generation_headroom_mw"] == -3.5
    assert r["max_demand_mva"] == 1234.5 and r["contracted_bess_demand_mva"] is None
    assert r["fault_level_ka"] is None
    assert r["substation_works_completion"] == date(2026, 9, 1) and r["upstream_works_completion"] is None
    assert r["single_transformer"] is True and r["demand_rag"] == "Red"
    assert r["voltage_high_kv"] == 33 and r["voltage_low_kv"] == 11
    assert r["comment"] == "Line one\nLine two"


def test_rows_without_coordinates_are_reported_and_kept():
    table = read_headroom_csv(write([row(), row(**{"Substation": "Nowhere", "Location Latitude": ""})]))
    assert len(table.rows) == 2 and len(table.located_rows) == 1
    assert table.rows_without_location == ["line 3: Nowhere"]


def test_impossible_coordinates_are_reported_and_the_row_kept_without_location():
    table = read_headroom_csv(write([row(**{"Substation": "Upside down", "Location Latitude": "151.7"})]))
    assert table.rows[0]["latitude"] is None and table.rows_without_location == ["line 2: Upside down"]
    assert "out of range" in table.warnings[0]


def test_unreadable_values_are_reported_not_silently_dropped():
    table = read_headroom_csv(write([row(**{"Estimated Demand Headroom (MVA)": "lots"})]))
    assert table.rows[0]["demand_headroom_mva"] is None
    assert "Estimated Demand Headroom (MVA) 'lots'" in table.warnings[0]


@pytest.mark.parametrize("encoding,prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")])
def test_excel_encodings_are_read(encoding, prefix):
    data = prefix + write([row(**{"Substation": "Café Ñ – £"})], encoding=encoding)
    assert read_headroom_csv(data).rows[0]["name"] == "Café Ñ – £"


@pytest.mark.parametrize("data,message", [
    (b"", "empty"),
    (b"   \r\n", "empty"),
    (b"\x00\x01\x02binary", "not a text file"),
    (b"\xff\xfeA\x00B\x00", "UTF-16"),
    (b"\x81\x8d\x8f\x90", "cannot be decoded"),
    (b"name,latitude,longitude\r\nA,1,2\r\n", "lacks"),
    (",".join(HEADER).encode() + b"\r\n", "no substation rows"),
    (",".join(HEADER[:-1]).encode() + b"\r\n1,2\r\n", "Substation Reinforcement Completion Date"),
    (",".join(HEADER).encode() + b'\r\n"' + b"x" * 200_000 + b'"\r\n', "not valid CSV"),
])
def test_bad_files_are_refused_with_a_reason(data, message):
    with pytest.raises(FormatError, match=message):
        read_headroom_csv(data)


def test_columns_in_another_order_and_extra_columns_are_accepted():
    header = ["Extra"] + list(reversed(HEADER))
    table = read_headroom_csv(write([row(Extra="x")], header=header))
    assert table.rows[0]["name"] == "Test" and "Extra" in table.warnings[0]


def test_a_large_file_reads(tmp_path):
    rows = [row(AssetID=str(i), Substation=f"S{i}") for i in range(20_000)]
    assert len(read_headroom_csv(write(rows)).rows) == 20_000
