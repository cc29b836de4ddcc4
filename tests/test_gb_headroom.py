"""Every operator's published records read onto the one GB headroom schema through its mapping table: types,
units as published, RAG as published or derived (and marked), scenarios, pivoted rows, locations outside Great
Britain reported, a renamed column named."""

from __future__ import annotations

import pytest

from leo_catalogue.demo.dno_records import published_records
from leo_qgis_plugin.core.formats.errors import FormatError
from leo_qgis_plugin.core.formats.gb_headroom import map_headroom, substation_type
from leo_qgis_plugin.core.formats.portals import portal

# operator key, dataset, rows, the first row's expected values
EXPECTED = [
    ("nged", "network-opportunity-map-headroom", 8,
     {"name": "Nechells", "asset_id": "NGED00001", "substation_type": "GSP", "firm_capacity_mva": 240.0,
      "demand_headroom_mva": 95.1, "generation_headroom_mva": 123.3, "generation_headroom_mw": None,
      "demand_rag": "Green", "demand_rag_derived": False}),
    ("ukpn", "dfes-network-headroom-report", 8,
     {"name": "Canterbury North", "substation_type": "GSP", "licence_area": "South Eastern Power Networks (SPN)",
      "demand_headroom_mva": 63.0, "generation_headroom_mw": 82.6, "demand_rag": "Green", "demand_rag_derived": True}),
    ("npg", "heatmapsubstationareas", 8,
     {"name": "Skelton Grange", "substation_type": "GSP", "voltage_kv": "132", "demand_headroom_mva": 112.0,
      "upstream_bsp": "Skelton Grange", "latitude": 53.774, "demand_rag_derived": False}),
    ("enwl", "enwl-pry-heatmap", 6,
     {"name": "Didsbury", "asset_id": "ENWL00003", "substation_type": "Primary", "licence_area": "ENWL",
      "demand_headroom_mva": None, "demand_headroom_mw": 10.3, "demand_headroom_non_firm_mw": 14.3,
      "generation_headroom_mw": 4.1, "demand_rag_derived": True, "generation_rag_derived": True}),
    ("spen", "spd-nshr-data-workbook", 8,
     {"name": "Pinkston", "licence_area": "SPD", "demand_headroom_mw": 93.2, "generation_headroom_mw": 59.1,
      "latitude": None, "demand_rag": "Green", "demand_rag_derived": True}),
]


@pytest.mark.parametrize("key, dataset, rows, first", EXPECTED, ids=[e[0] for e in EXPECTED])
def test_each_operator_maps_onto_the_gb_schema(key, dataset, rows, first):
    operator = portal(key)
    source = next(s for s in operator.headroom if s.dataset == dataset)
    table = map_headroom(published_records(dataset), operator, source, "2026-03-02T09:00:00+00:00")
    assert len(table.rows) == rows
    row = table.rows[0]
    assert {k: row[k] for k in first} == first
    assert row["operator"] == operator.operator and row["source_dataset"] == dataset
    assert row["published"] == "2026-03-02T09:00:00+00:00"
    assert {r["demand_rag"] for r in table.rows} <= {"Red", "Amber", "Green"}


def test_one_scenario_and_year_kept_and_rows_per_type_pivoted():
    spen = portal("spen")
    table = map_headroom(published_records("spd-nshr-data-workbook"), spen, spen.headroom[0])
    assert "Kept scenario 'Best View', year 2026" in table.warnings[0]
    assert len(table.rows_without_location) == 8  # SPEN publishes no coordinates: kept, and reported
    ukpn = portal("ukpn")
    records = published_records("dfes-network-headroom-report")
    table = map_headroom(records, ukpn, ukpn.headroom[0])
    assert len(records) == 32 and len(table.rows) == 8


def test_derived_rag_follows_the_documented_rule():
    enwl = portal("enwl")
    records = [{"pry_number": n, "dem_hr_firm_mw": mw, "gen_hr_inverter_mw": 1.0,
                "geo_point_2d": {"lon": -2.2, "lat": 53.4}} for n, mw in (("A", -1.0), ("B", 0.0), ("C", 4.9),
                                                                           ("D", 5.0))]
    table = map_headroom(records, enwl, enwl.headroom[1])
    assert [r["demand_rag"] for r in table.rows] == ["Red", "Red", "Amber", "Green"]


def test_a_location_outside_great_britain_is_reported_not_dropped():
    npg = portal("npg")
    records = published_records("heatmapsubstationareas")[:2]
    records[1] = {**records[1], "substation_location": {"lon": 2.35, "lat": 48.85}}  # Paris
    table = map_headroom(records, npg, npg.headroom[0])
    assert len(table.rows) == 2 and table.rows[1]["latitude"] is None
    assert any("outside Great Britain" in w and "Kirkstall" in w for w in table.warnings)
    assert table.rows_without_location == ["record 2: Kirkstall"]


def test_a_renamed_column_is_named():
    npg = portal("npg")
    records = [{("demhr_v2" if k == "demhr" else "genhr_v2" if k == "genhr" else k): v
                for k, v in r.items()} for r in published_records("heatmapsubstationareas")]
    with pytest.raises(FormatError, match=r"Northern Powergrid's heatmapsubstationareas lacks .*'demhr'.*"
                                          r"Was a column renamed\? Its columns are: .*demhr_v2"):
        map_headroom(records, npg, npg.headroom[0])
    with pytest.raises(FormatError, match="has no records"):
        map_headroom([], npg, npg.headroom[0])


def test_hostile_and_odd_values_do_not_break_the_mapping():
    nged = portal("nged")
    records = published_records("network-opportunity-map-headroom")[:3]
    records[0] = {**records[0], "Demand Headroom (MVA)": "DATA NOT AVAILABLE", "Substation Name": "=cmd|' /C calc'!A0"}
    records[1] = {**records[1], "Demand Headroom (MVA)": "lots", "Latitude": None}
    records[2] = {**records[2], "Substation Name": "x" * 10_000}
    table = map_headroom(records, nged, nged.headroom[0])
    assert table.rows[0]["demand_headroom_mva"] is None and table.rows[0]["name"].startswith("=cmd")
    assert any("'lots' is not valid" in w for w in table.warnings)
    assert table.rows[1]["latitude"] is None and len(table.rows[2]["name"]) == 10_000


def test_substation_types_however_written():
    assert [substation_type(t) for t in ("Grid Supply Point", "Bulk Supply Point", "Primary Substation", "PRY",
                                         "BSP", "", None, "Secondary")] == \
        ["GSP", "BSP", "Primary", "Primary", "BSP", None, None, "Secondary"]
