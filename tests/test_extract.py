"""Server-side extraction: catalogue datasets, filtered by box, time and CQL2, written by the real server and
streamed to disk (api.extract_dataset and leo:extractdataset); the same features as the items endpoint;
nothing overwritten, nothing partial left by a failure."""

from __future__ import annotations

import zipfile
from datetime import datetime, timezone

import pytest
from osgeo import ogr

from .support.faults import FaultyServer
from .support.http_client import Http

OXFORD = (-1.30, 51.70, -1.15, 51.80)


def _count(path: str) -> int:
    dataset = ogr.Open(f"/vsizip/{path}" if path.endswith(".zip") else path)  # kept: GDAL frees layers with it
    return dataset.GetLayer(0).GetFeatureCount()


@pytest.mark.parametrize("fmt, suffix", [("gpkg", ".gpkg"), ("shp", ".zip"), ("geojson", ".geojson"),
                                         ("csv", ".csv")])
def test_filtered_extract_has_the_features_the_api_finds(sqlite_server, tmp_path, fmt, suffix):
    from leo_qgis_plugin import api

    catalogue = api.connect(sqlite_server.url)
    path = api.extract_dataset(catalogue, "ssen-headroom", str(tmp_path / "red-in-oxford"), fmt, bbox=OXFORD,
                               cql="demand_rag = 'Red' OR demand_rag = 'Amber'")
    assert path.endswith(suffix)
    box = ",".join(map(str, OXFORD))
    expected = Http(sqlite_server.url).json(f"/collections/ssen-headroom/items?bbox={box}&limit=1&filter="
                         "demand_rag%20%3D%20%27Red%27%20OR%20demand_rag%20%3D%20%27Amber%27")["numberMatched"]
    assert 0 < expected
    assert _count(path) == expected
    if fmt == "shp":
        names = zipfile.ZipFile(path).namelist()
        assert any(n.endswith(".prj") for n in names) and any(n.endswith(".cpg") for n in names)


def test_time_range_extract_of_half_hourly_load(sqlite_server, tmp_path):
    from leo_qgis_plugin import api

    start = datetime(2025, 6, 1, tzinfo=timezone.utc)
    end = datetime(2025, 6, 1, 2, tzinfo=timezone.utc)
    path = api.extract_dataset(api.connect(sqlite_server.url), "substation-load-hh", str(tmp_path / "june.csv"),
                               "csv", start=start, end=end)
    expected = Http(sqlite_server.url).json("/collections/substation-load-hh/items?limit=1&"
                         "datetime=2025-06-01T00:00:00Z/2025-06-01T02:00:00Z")["numberMatched"]
    assert _count(path) == expected > 0
    with pytest.raises(Exception, match="UTC"):
        api.extract_dataset(api.connect(sqlite_server.url), "substation-load-hh", str(tmp_path / "naive.csv"), "csv",
                            start=datetime(2025, 6, 1))


def test_nothing_overwritten_and_no_partial_file(sqlite_server, tmp_path):
    from leo_qgis_plugin import api
    from leo_qgis_plugin.core.exceptions import LeoError

    catalogue = api.connect(sqlite_server.url)
    target = tmp_path / "headroom.gpkg"
    target.write_bytes(b"keep me")
    with pytest.raises(LeoError, match="exists"):
        api.extract_dataset(catalogue, "ssen-headroom", str(target))
    assert target.read_bytes() == b"keep me"
    with pytest.raises(LeoError, match="filter"):
        api.extract_dataset(catalogue, "ssen-headroom", str(tmp_path / "bad.gpkg"), cql="demand_rag = ")
    with pytest.raises(LeoError, match="HTTP 404"):
        api.extract_dataset(catalogue, "no-such-dataset", str(tmp_path / "none.gpkg"))
    with FaultyServer(b"x" * 100_000) as faulty:
        with pytest.raises(LeoError, match="cut short"):
            api.extract_dataset(api.connect(f"{faulty.url}/truncated/"), "ssen-headroom", str(tmp_path / "cut.gpkg"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["headroom.gpkg"]


def test_extractdataset_algorithm(sqlite_server, leo_processing, tmp_path):
    import processing

    result = processing.run("leo:extractdataset", {
        "CATALOGUE": sqlite_server.url, "DATASET_ID": "ssen-headroom", "FORMAT": 1,
        "EXTENT": "-1.30,-1.15,51.70,51.80 [EPSG:4326]", "FILTER": "demand_rag = 'Red'",
        "OUTPUT": str(tmp_path / "red.zip")})
    assert result["OUTPUT"].endswith("red.zip") and _count(result["OUTPUT"]) > 0
