"""Headroom files as each DNO publishes them: National Grid's column names (``name``, ``type``, ``voltages``…),
SSEN's data-portal renamings (``voltage__kv_``), read through one mapping table per DNO; repeated columns are
reported; every headroom file opened in a project is styled."""

from __future__ import annotations

import csv
import io
import re

import pytest

from leo_catalogue.demo.headroom_csv import headroom_csv
from leo_catalogue.demo.network import build_network
from leo_qgis_plugin import api
from leo_qgis_plugin.core.formats.dno_headroom import CANONICAL, PUBLISHERS, column_table, read_dno_headroom
from leo_qgis_plugin.core.formats.gb_schema import GB_FIELDS
from leo_qgis_plugin.core.formats.portals import portals

# National Grid's Network Capacity Map (Connected Data portal) as published: camelCase columns, lower-case RAG.
NGED = ("substationID,heatmapDatasetID,type,area,name,substationNumber,description,voltages,longitude,latitude,"
        "primary,BSP,GSP,demandTotalCapacity,demandConnectedHeadroomMW,demandContractedHeadroomMW,demandMaximum,"
        "demandMinimum,demandConnectedRAG,demandContractedRAG,generationTotalCapacity,"
        "generationConnectedHeadroomMW,generationContractedHeadroomMW,generationConnectedRAG,generationContractedRAG\n"
        "17,hm1,Primary,West Midlands,Banbury North,110234,Banbury North 33/11kV,33/11,-1.33,52.07,,Banbury Bsp,"
        "Cowley S.G.P.,24.5,4.2,3.9,20.1,5.2,green,amber,12,-1.5,-2.0,red,red\n"
        "18,hm2,BSP,West Midlands,Banbury Bsp,110200,,132/33,-1.35,52.06,,,Cowley S.G.P.,90,,,,,,,,0.5,,amber,\n")


def test_national_grids_published_columns_are_read():
    publisher, table = read_dno_headroom(NGED.encode(), "network_capacity_map.csv")
    first, second = table.rows
    assert publisher == "NGED"
    assert (first["name"], first["substation_type"], first["voltage_kv"]) == ("Banbury North", "Primary", "33/11")
    assert (first["voltage_high_kv"], first["voltage_low_kv"]) == (33, 11)
    assert first["asset_id"] == "110234" and first["licence_area"] == "West Midlands"
    assert (first["upstream_bsp"], first["upstream_gsp"]) == ("Banbury Bsp", "Cowley S.G.P.")
    assert first["demand_headroom_mva"] == 4.2 and first["demand_rag"] == "Green" and first["generation_rag"] == "Red"
    assert first["max_demand_mva"] == 20.1 and (first["latitude"], first["longitude"]) == (52.07, -1.33)
    assert second["demand_headroom_mva"] is None and second["generation_rag"] == "Amber"


def portal_names(data: bytes) -> bytes:
    """SSEN's file as its CKAN data portal serves it: each title lower-cased, other characters as ``_``."""
    header, rest = data.decode("utf-8-sig").split("\n", 1)
    titles = next(csv.reader(io.StringIO(header)))
    return (",".join(re.sub(r"[^a-z0-9]", "_", t.lower()) for t in titles) + "\n" + rest).encode()


def test_ssens_portal_renamings_read_the_same_as_the_file():
    data = headroom_csv(build_network())
    assert b"voltage__kv_" in portal_names(data)
    published, from_file = read_dno_headroom(data, "file.csv")
    renamed, from_portal = read_dno_headroom(portal_names(data), "portal.csv")
    assert published == renamed == "SSEN" and from_portal.rows == from_file.rows and len(from_file.rows) == 68


def test_a_repeated_column_is_reported():
    header, rest = NGED.split("\n", 1)
    doubled = header + ",name\n" + "".join(line + ",Other name\n" for line in rest.splitlines())
    _publisher, table = read_dno_headroom(doubled.encode(), "nged.csv")
    assert table.rows[0]["name"] == "Banbury North"
    assert any("The column 'name' appears 2 times (columns 5 and 26): the first is read" in w for w in table.warnings)
    both = NGED.replace("substationID", "substationNumber", 1)
    _publisher, table = read_dno_headroom(both.encode(), "nged.csv")
    assert any("'substationNumber' appears 2 times" in w for w in table.warnings)


def test_the_mapping_tables_name_only_canonical_fields():
    gb = {f.name for f in GB_FIELDS}
    for dno in PUBLISHERS:
        names, identifying = column_table(dno)
        assert set(CANONICAL) <= gb and set(names) <= gb and identifying, dno
        assert {"name", "latitude", "longitude"} <= set(names)
    for source in (s for p in portals().values() for s in p.headroom):  # every operator's portal mapping
        names, identifying = column_table(source.mapping)
        assert set(names) <= gb and "name" in names and identifying, source.mapping


def test_every_opened_headroom_file_is_styled(project, tmp_path):
    ssen = tmp_path / "Headroom Dashboard Data - March 2026.csv"
    ssen.write_bytes(headroom_csv(build_network()))
    nged = tmp_path / "network_capacity_map.csv"
    nged.write_text(NGED)
    opened = [api.open_headroom_csv(str(path)) for path in (ssen, nged, ssen)]
    for one in opened:
        renderer = one.layer.renderer()
        assert renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "demand_rag", one.layer.name()


@pytest.mark.parametrize("column", ["Substation", "Voltage (kV)"])
def test_a_file_lacking_a_column_says_which(column):
    data = headroom_csv(build_network()).decode("utf-8-sig")
    header, rest = data.split("\n", 1)
    titles = next(csv.reader(io.StringIO(header)))
    keep = [n for n, t in enumerate(titles) if t != column]
    rows = [[cells[n] for n in keep] for cells in csv.reader(io.StringIO(rest))]
    out = io.StringIO()
    csv.writer(out).writerows([[titles[n] for n in keep], *rows])
    if column == "Substation":
        with pytest.raises(Exception, match="has no column for name"):
            read_dno_headroom(out.getvalue().encode(), "x.csv")
    else:
        _publisher, table = read_dno_headroom(out.getvalue().encode(), "x.csv")
        assert any("Not in this file (left empty): voltage_kv" in w for w in table.warnings)
