"""``load-demo``: build the whole Oxfordshire demo catalogue, deterministically."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import shapely
from sqlalchemy import Engine

from leo_qgis_plugin.core.formats.leo_trial import read_meter_file, read_price_file

from ..config import VAR_DIR
from ..importers.ssen_headroom import import_headroom
from ..store import init_catalogue, put_dataset
from . import records
from .areas import supply_areas
from .boundaries import county_outline, read_layer
from .flex import event_rows, zone_rows
from .gb_operators import load_gb_operators, operator_ids
from .headroom_csv import headroom_csv
from .load import flex_response_kw, half_hours, load_rows
from .network import build_network, primaries
from .sources import LEO_METER, LEO_PRICE

DEMO_IDS = ("oxon-districts", "oxon-msoa", "ssen-headroom", "ssen-primary-areas", "flex-zones", "flex-events",
            "substation-load-hh", "leo-mvs-leod041f06", "leo-price-2019-01-23")

# A representative point in Oxford for the LEO trial meter (the real site is not published).
LEO_SITE = (-1.2577, 51.7520)


def write_headroom_csv(target: Path) -> Path:
    """Write the synthetic network as an SSEN-format headroom CSV and return its path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(headroom_csv(build_network()))
    return target


def demo_present(engine: Engine, gb_operators: bool = False) -> bool:
    """True when every demo dataset (and with ``gb_operators``, every GB operator's) is in the catalogue."""
    from ..store import get_record

    wanted = (*DEMO_IDS, *(operator_ids() if gb_operators else ()))
    with engine.connect() as conn:
        return all(get_record(conn, dataset_id) is not None for dataset_id in wanted)


def load_demo(engine: Engine, log: Callable[[str], None] = lambda _m: None, gb_operators: bool = False) -> None:
    """Create the schema and (re)load every demo dataset; with ``gb_operators`` also Great Britain's six
    operators' synthetic headroom, in each one's published columns (``make run`` loads them)."""
    init_catalogue(engine)
    districts = read_layer("lad20", ["lad20cd", "lad20nm"])
    put_dataset(engine, records.districts(), [districts])
    put_dataset(engine, records.msoa(), [read_layer("msoa11", ["msoa11cd", "msoa11nm", "msoa11nmw"])])
    log("Loaded ONS boundaries: oxon-districts, oxon-msoa.")

    csv_path = write_headroom_csv(VAR_DIR / "demo" / "ssen_headroom_oxfordshire_synthetic.csv")
    report = import_headroom(engine, str(csv_path), "ssen-headroom", template=records.headroom())
    log(report.summary())

    network = build_network()
    prims = primaries(network)
    areas = supply_areas(prims, county_outline(districts))
    by_id = {s.asset_id: s for s in prims}
    area_rows = [{
        "asset_id": asset_id, "name": by_id[asset_id].name, "upstream_bsp": by_id[asset_id].upstream_bsp,
        "upstream_gsp": by_id[asset_id].upstream_gsp, "demand_headroom_mva": by_id[asset_id].demand_headroom_mva,
        "demand_rag": by_id[asset_id].demand_rag, "generation_headroom_mw": by_id[asset_id].generation_headroom_mw,
        "generation_rag": by_id[asset_id].generation_rag, "geometry": area,
    } for asset_id, area in areas.items()]
    put_dataset(engine, records.primary_areas(), [area_rows])
    zones = zone_rows({by_id[a].name: g for a, g in areas.items()}, {p.name: p.asset_id for p in prims})
    put_dataset(engine, records.flex_zones(), [zones])
    events = event_rows(zones)
    put_dataset(engine, records.flex_events(), [events])
    log("Loaded ssen-primary-areas, flex-zones, flex-events.")

    response = flex_response_kw(events, zones, half_hours())
    put_dataset(engine, records.substation_load(), load_rows(prims, response))
    log("Loaded substation-load-hh.")

    meter = read_meter_file(LEO_METER.read_bytes(), LEO_METER.name)
    site = shapely.Point(*LEO_SITE)
    meter_rows = [{"site_id": "LEOD041F06", "location_approximate": True, **row, "geometry": site}
                  for row in meter.rows]
    put_dataset(engine, records.leo_meter(meter.fields), [meter_rows])
    price = read_price_file(LEO_PRICE.read_bytes(), LEO_PRICE.name)
    put_dataset(engine, records.leo_price(price.fields), [[{**row, "geometry": None} for row in price.rows]])
    log("Loaded Project LEO trial files: leo-mvs-leod041f06, leo-price-2019-01-23.")
    if gb_operators:
        load_gb_operators(engine, log)
