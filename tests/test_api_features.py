"""OGC API Features: every dataset's items, filtered by place, time, properties and CQL2."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlparse

import pytest

from .support.demo import PRIMARIES

LOAD = "/collections/substation-load-hh/items"
HEADROOM = "/collections/ssen-headroom/items"
EVENTS = "/collections/flex-events/items"



def count(http, path: str) -> int:
    return http.json(path)["numberMatched"]


def test_items_default_page_has_ten_and_correct_counts(http):
    page = http.json(HEADROOM)
    assert page["numberReturned"] == 10 and page["numberMatched"] == 68
    assert page["features"][0]["geometry"]["type"] == "Point"
    assert {"next"} <= {link["rel"] for link in page["links"]}


def test_paging_walks_every_feature_once_with_next_links(http):
    seen, url = [], f"{HEADROOM}?limit=25"
    while url:
        page = http.json(url)
        seen += [f["id"] for f in page["features"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    assert len(seen) == len(set(seen)) == 68


def test_next_links_of_full_pages_grow_tenfold_to_the_maximum_and_miss_nothing(http):
    """A client that follows next links (GDAL 3.6 starts at 10 a page) reads a big layer in few requests."""
    asked, seen, url = [], 0, f"{LOAD}?limit=10&datetime=2025-06-01/2025-06-30"
    while url:
        page = http.json(url)
        asked.append(int(parse_qs(urlparse(url).query).get("limit", ["10"])[0]))
        assert page["numberReturned"] <= asked[-1]
        seen += page["numberReturned"]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    assert seen == page["numberMatched"] == 30 * 48 * PRIMARIES
    assert asked[:5] == [10, 100, 1000, 10_000, 10_000]


def test_large_limits_are_clamped_to_the_maximum(http):
    page = http.json(f"{LOAD}?limit=50000")
    assert page["numberReturned"] == 10_000


def test_one_half_hour_gives_every_primary(http):
    page = http.json(f"{LOAD}?datetime=2025-06-01T12:00:00Z&limit=100")
    assert page["numberMatched"] == PRIMARIES
    assert {f["properties"]["timestamp"] for f in page["features"]} == {"2025-06-01T12:00:00Z"}
    assert all(f["properties"]["avg_kw"] == f["properties"]["total_consumption_active_import"] * 2 / 1000
               for f in page["features"])


def test_datetime_intervals_closed_and_open(http):
    assert count(http, f"{LOAD}?datetime=2025-06-01T12:00:00Z/2025-06-01T13:00:00Z") == 3 * PRIMARIES
    assert count(http, f"{LOAD}?datetime=2025-12-31T23:00:00Z/..") == 3 * PRIMARIES
    assert count(http, f"{LOAD}?datetime=../2025-01-01T01:00:00Z") == 2 * PRIMARIES
    assert count(http, f"{LOAD}?datetime=2025-12-31T23:00:00Z/") == 3 * PRIMARIES


def test_qgis_open_interval_markers_are_open_ends(http):
    # QGIS sends open ends as years 0000 and 9999.
    assert count(http, f"{LOAD}?datetime=0000-01-01T00:00:00Z/2025-01-01T01:00:00Z") == 2 * PRIMARIES
    assert count(http, f"{LOAD}?datetime=2025-12-31T23:00:00Z/9999-12-31T00:00:00Z") == 3 * PRIMARIES


def test_quirks_are_kept_gap_and_clock_change_duplicate(http):
    bampton = http.json("/collections/ssen-headroom/items?name=Bampton")["features"][0]["properties"]["asset_id"]
    gap = f"{LOAD}?primary_id={bampton}&datetime=2025-03-11T00:00:00Z/2025-03-12T00:00:00Z"
    assert count(http, gap) == 0
    assert count(http, f"{LOAD}?datetime=2025-10-26T01:00:00Z") == 2 * PRIMARIES


def test_start_end_datasets_match_by_overlap(http):
    events = http.json(f"{EVENTS}?limit=1000")["features"]
    event = events[0]["properties"]
    inside = event["start"].replace("Z", "")[:16] + ":00Z"
    found = http.json(f"{EVENTS}?datetime={inside}")["features"]
    assert event["event_id"] in [f["properties"]["event_id"] for f in found]
    day = event["start"][:10]
    assert count(http, f"{EVENTS}?datetime={day}") >= 1
    # Didcot and Cholsey: November only, so a July window finds none of its events.
    assert count(http, f"{EVENTS}?zone_id=CMZ-DID-01&datetime=2025-07-01/2025-07-31") == 0
    assert count(http, f"{EVENTS}?zone_id=CMZ-DID-01&datetime=2025-11-01/2025-11-30") > 0


def test_bbox_uses_the_index_and_filters(http):
    oxford = http.json(f"{HEADROOM}?bbox=-1.30,51.70,-1.15,51.80&limit=100")["features"]
    names = {f["properties"]["name"] for f in oxford}
    assert {"Headington", "Osney", "Cowley GSP"} <= names and "Banbury" not in names
    assert count(http, f"{LOAD}?bbox=-1.22,51.75,-1.21,51.77&datetime=2025-06-01T12:00:00Z") == 1


def test_equality_filters_are_typed(http):
    reds = http.json(f"{HEADROOM}?demand_rag=Red&limit=100")["features"]
    assert reds and all(f["properties"]["demand_rag"] == "Red" for f in reds)
    assert count(http, f"{HEADROOM}?single_transformer=true") == sum(
        1 for f in http.json(f"{HEADROOM}?limit=100")["features"] if f["properties"]["single_transformer"])
    status, body, _ = http.get(f"{HEADROOM}?demand_headroom_mva=lots")
    assert status == 400 and body["parameter"] == "demand_headroom_mva"


@pytest.mark.parametrize("cql,check", [
    ("demand_rag = 'Red' AND substation_type = 'Primary'",
     lambda p: p["demand_rag"] == "Red" and p["substation_type"] == "Primary"),
    ("demand_rag = 'Red' OR generation_rag = 'Red'", lambda p: "Red" in (p["demand_rag"], p["generation_rag"])),
    ("name LIKE 'Abingdon%'", lambda p: p["name"].startswith("Abingdon")),
    ("demand_headroom_mva BETWEEN 0 AND 2", lambda p: 0 <= p["demand_headroom_mva"] <= 2),
    ("demand_headroom_mva < 0", lambda p: p["demand_headroom_mva"] < 0),
    ("0 > demand_headroom_mva", lambda p: p["demand_headroom_mva"] < 0),
    ("substation_type IN ('GSP','BSP')", lambda p: p["substation_type"] in ("GSP", "BSP")),
    ("latitude IS NULL", lambda p: p["latitude"] is None),
    ("NOT (substation_type = 'Primary')", lambda p: p["substation_type"] != "Primary"),
    ("S_INTERSECTS(geometry, BBOX(-1.30,51.70,-1.15,51.80))", lambda p: -1.30 <= p["longitude"] <= -1.15),
    ("S_INTERSECTS(geometry, POLYGON((-1.3 51.7,-1.15 51.7,-1.15 51.8,-1.3 51.8,-1.3 51.7)))",
     lambda p: 51.7 <= p["latitude"] <= 51.8),
    ("substation_works_completion > DATE('2027-01-01')", lambda p: p["substation_works_completion"] > "2027-01-01"),
])
def test_cql2_text_filters(http, cql, check):
    page = http.json(f"{HEADROOM}?limit=100&filter={quote(cql)}")
    assert page["numberMatched"] == len(page["features"]) > 0
    assert all(check(f["properties"]) for f in page["features"]), cql


def test_cql2_timestamps_on_instant_data(http):
    cql = ("timestamp >= TIMESTAMP('2025-06-01T12:00:00Z') AND timestamp < TIMESTAMP('2025-06-01T13:00:00Z') "
           "AND avg_kw > 0")
    assert count(http, f"{LOAD}?filter={quote(cql)}") == 2 * PRIMARIES
    interval = "timestamp T_INTERSECTS INTERVAL('2025-06-01T12:00:00Z','2025-06-01T12:30:00Z')"
    assert count(http, f"{LOAD}?filter={quote(interval)}") == 2 * PRIMARIES


@pytest.mark.parametrize("cql", [
    "demand_rag = ", "nosuchfield = 1", "demand_headroom_mva = 'lots'", "name > TIMESTAMP('x')",
    "S_INTERSECTS(name, BBOX(0,0,1,1))", "demand_headroom_mva + 1 > 2", "((((((((((", "'; DROP TABLE records; --",
    "a" * 30_000, "NOT " * 5000 + "demand_rag = 'Red'",
])
def test_bad_cql2_is_400_naming_filter(http, cql):
    status, body, _ = http.get(f"{HEADROOM}?filter={quote(cql)}")
    assert status == 400, body
    assert body["parameter"] == "filter"
    assert count(http, "/collections/catalogue/items?limit=1") == 9  # and nothing was harmed


def test_filter_lang_other_than_cql2_text_is_refused(http):
    status, body, _ = http.get(f"{HEADROOM}?filter=x&filter-lang=cql2-json")
    assert status == 400 and body["parameter"] == "filter-lang"


def test_sortby_orders_features(http):
    page = http.json(f"{HEADROOM}?sortby=-demand_headroom_mva&limit=100&filter={quote('demand_headroom_mva IS NOT NULL')}")
    values = [f["properties"]["demand_headroom_mva"] for f in page["features"]]
    assert values == sorted(values, reverse=True)


@pytest.mark.parametrize("query,parameter", [
    ("bbox=0,0,1", "bbox"), ("bbox=0,0,200,1", "bbox"), ("bbox=nan,0,1,1", "bbox"),
    ("datetime=31/01/2025", "datetime"), ("datetime=2025-13-01T00:00:00Z", "datetime"), ("datetime=../..", "datetime"),
    ("limit=-5", "limit"), ("limit=1.5", "limit"), ("offset=x", "offset"), ("sortby=nosuch", "sortby"),
    ("colour=red", "colour"), ("bbox-crs=EPSG:27700", "bbox-crs"), ("f=shp", "f"),
])
def test_malformed_parameters_are_400_naming_the_parameter(http, query, parameter):
    status, body, _ = http.get(f"{HEADROOM}?{query}")
    assert status == 400, body
    assert body["parameter"] == parameter and body["description"]


def test_datetime_on_a_dataset_without_time_is_400(http):
    status, body, _ = http.get("/collections/oxon-districts/items?datetime=2025-01-01T00:00:00Z")
    assert status == 400 and body["parameter"] == "datetime"


def test_single_feature_and_queryables(http):
    feature = http.json(f"{HEADROOM}/1")
    assert feature["id"] == 1 and feature["properties"]["asset_id"]
    queryables = http.json("/collections/substation-load-hh/queryables")
    assert queryables["properties"]["timestamp"] == {"type": "string", "format": "date-time",
                                                     "title": "End of half hour (UTC)"}
    assert queryables["properties"]["avg_kw"]["type"] == "number"


def test_tabular_dataset_has_null_geometries(http):
    page = http.json("/collections/leo-price-2019-01-23/items?limit=100")
    assert page["numberMatched"] == 48
    assert all(f["geometry"] is None for f in page["features"])
    assert page["features"][0]["properties"]["price_gbp_per_mwh"] == 55.62


def test_leo_meter_rows_are_utc_at_an_approximate_site(http):
    page = http.json("/collections/leo-mvs-leod041f06/items?limit=1&sortby=timestamp")
    props = page["features"][0]["properties"]
    assert props["timestamp"] == "2019-11-18T11:45:43Z" and props["location_approximate"] is True
    assert page["numberMatched"] == 2295
