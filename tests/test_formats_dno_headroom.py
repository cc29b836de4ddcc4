"""National Grid (NGED) and Northern Powergrid (NPG) headroom files map onto SSEN's canonical fields."""

from __future__ import annotations

import pytest

from leo_catalogue.demo.headroom_csv import headroom_csv
from leo_catalogue.demo.network import build_network
from leo_qgis_plugin.core.formats.dno_headroom import detect_publisher, read_dno_headroom
from leo_qgis_plugin.core.formats.errors import FormatError

NGED = (b"substationNumber,substationName,substationType,latitude,longitude,demandConnectedHeadroomMW,"
        b"demandConnectedRAG,generationConnectedHeadroomMW,generationConnectedRAG\r\n"
        b"110234,Banbury North,Primary,52.07,-1.33,4.2,Green,-1.5,R\r\n"
        b"110235,Adderbury East,Primary,,,N/A,Amber,0.5,a\r\n")
NPG = (b"site_name,lat,long,demhr,genhr,worst_case_constraint_dem_colour\r\n"
       b"Whitby,54.48,-0.61,12.5,3.1,GREEN\r\n")


def test_nged_columns_become_canonical_fields():
    publisher, table = read_dno_headroom(NGED, "nged.csv")
    first, second = table.rows
    assert publisher == "NGED"
    assert first["name"] == "Banbury North" and first["asset_id"] == "110234"
    assert first["demand_headroom_mva"] == 4.2 and first["demand_rag"] == "Green"
    assert first["generation_headroom_mw"] == -1.5 and first["generation_rag"] == "Red"
    assert second["demand_headroom_mva"] is None and second["generation_rag"] == "Amber"
    assert table.rows_without_location == ["line 3: Adderbury East"]
    assert "unity power factor" in table.warnings[0]


def test_npg_columns_become_canonical_fields():
    publisher, table = read_dno_headroom(NPG, "npg.csv")
    (row,) = table.rows
    assert publisher == "NPG"
    assert (row["name"], row["latitude"], row["longitude"]) == ("Whitby", 54.48, -0.61)
    assert row["demand_headroom_mva"] == 12.5 and row["generation_headroom_mw"] == 3.1 and row["demand_rag"] == "Green"
    assert row["generation_rag"] is None


def test_ssen_files_are_read_column_for_column():
    publisher, table = read_dno_headroom(headroom_csv(build_network()), "ssen.csv")
    assert publisher == "SSEN" and len(table.rows) == 68


def test_unknown_files_are_refused_naming_what_was_looked_for():
    with pytest.raises(FormatError, match="neither SSEN's .* nor National Grid's .* nor Northern Powergrid's"):
        read_dno_headroom(b"a,b\r\n1,2\r\n", "x.csv")
    with pytest.raises(FormatError, match="NPG headroom file but has no column for name"):
        read_dno_headroom(b"demhr,lat,lon\r\n1,2,3\r\n", "x.csv")
    assert detect_publisher(["DEMHR"]) == "NPG"
