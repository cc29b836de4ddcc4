"""Synthetic headroom records for one area of each GB operator, in that operator's exact published columns.

Real places, invented values, a fixed seed. They are what the local portals in the tests and benchmarks
serve, and what the demo catalogue loads through the same mapping tables as the real portals' records.
``release`` 2 is a later publication: some headroom changes, one substation is new, one is gone.
"""

from __future__ import annotations

import random

SEED = 20260302

# (operator key, area, [(name, latitude, longitude, type)]); the first of each area is its GSP.
AREAS = {
    "nged": ("Birmingham", [("Nechells", 52.4930, -1.8640, "GSP"), ("Kitts Green", 52.4800, -1.7650, "BSP"),
                            ("Selly Oak", 52.4400, -1.9380, "Primary"), ("Erdington", 52.5230, -1.8390, "Primary"),
                            ("Handsworth", 52.5050, -1.9300, "Primary"), ("Yardley", 52.4720, -1.8020, "Primary"),
                            ("Moseley", 52.4450, -1.8880, "Primary"), ("Sutton Coldfield", 52.5640, -1.8230, "Primary")]),
    "ukpn": ("Kent", [("Canterbury North", 51.2960, 1.0840, "GSP"), ("Maidstone", 51.2720, 0.5290, "BSP"),
                      ("Ashford", 51.1460, 0.8750, "Primary"), ("Faversham", 51.3150, 0.8910, "Primary"),
                      ("Tonbridge", 51.1950, 0.2750, "Primary"), ("Folkestone", 51.0810, 1.1660, "Primary"),
                      ("Margate", 51.3810, 1.3860, "Primary"), ("Sevenoaks", 51.2720, 0.1900, "Primary")]),
    "npg": ("Leeds", [("Skelton Grange", 53.7740, -1.5080, "GSP"), ("Kirkstall", 53.8150, -1.6030, "BSP"),
                      ("Headingley", 53.8200, -1.5770, "Primary"), ("Roundhay", 53.8380, -1.4960, "Primary"),
                      ("Armley", 53.7990, -1.5890, "Primary"), ("Seacroft", 53.8190, -1.4560, "Primary"),
                      ("Morley", 53.7400, -1.6000, "Primary"), ("Otley", 53.9050, -1.6910, "Primary")]),
    "enwl": ("Manchester", [("Stalybridge", 53.4840, -2.0590, "BSP"), ("Bredbury", 53.4200, -2.1140, "BSP"),
                            ("Didsbury", 53.4170, -2.2310, "Primary"), ("Chorlton", 53.4420, -2.2770, "Primary"),
                            ("Salford Quays", 53.4710, -2.2970, "Primary"), ("Ancoats", 53.4840, -2.2250, "Primary"),
                            ("Stretford", 53.4460, -2.3090, "Primary"), ("Rochdale", 53.6160, -2.1550, "Primary")]),
    "spen": ("Glasgow", [("Pinkston", 55.8740, -4.2510, "GSP"), ("Govan", 55.8600, -4.3080, "BSP"),
                         ("Partick", 55.8700, -4.3100, "Primary"), ("Dennistoun", 55.8610, -4.2090, "Primary"),
                         ("Shawlands", 55.8290, -4.2920, "Primary"), ("Springburn", 55.8830, -4.2300, "Primary"),
                         ("Cathcart", 55.8170, -4.2600, "Primary"), ("Bearsden", 55.9160, -4.3340, "Primary")]),
    "spm": ("Liverpool", [("Lister Drive", 53.4250, -2.9330, "GSP"), ("Bootle", 53.4460, -2.9920, "BSP"),
                          ("Anfield", 53.4310, -2.9610, "Primary"), ("Wavertree", 53.3970, -2.9220, "Primary"),
                          ("Toxteth", 53.3890, -2.9640, "Primary"), ("Walton", 53.4500, -2.9610, "Primary")]),
}
FIRM = {"GSP": 240.0, "BSP": 90.0, "Primary": 24.0}
KV = {"GSP": "132", "BSP": "33", "Primary": "11"}
RAG_OF = ("Red", "Amber", "Green")


def substations(key: str, release: int = 1, count: int | None = None) -> list[dict]:
    """The area's substations with invented values; ``count`` repeats the area's places (numbered, slightly
    moved) up to that many substations, for benchmarks."""
    area, places = AREAS[key]
    rng = random.Random(f"{SEED}-{key}")
    wanted = count or len(places)
    found = []
    for n in range(wanted):
        name, lat, lon, kind = places[n % len(places)]
        if n >= len(places):
            name, lat, lon = f"{name} {n // len(places) + 1}", lat + rng.uniform(-0.2, 0.2), lon + rng.uniform(-0.2, 0.2)
        firm = FIRM[kind]
        peak = round(firm * rng.uniform(0.45, 1.05), 1)
        generation = round(firm * rng.uniform(-0.1, 0.6), 1)
        found.append({"number": f"{key.upper()}{n + 1:05d}", "name": name, "lat": round(lat, 5), "lon": round(lon, 5),
                      "kind": kind, "firm": firm, "peak": peak, "demand": round(firm - peak, 1),
                      "generation": generation, "area": area})
    if release >= 2 and not count:
        for row in found[::3]:
            row["demand"] = round(row["demand"] - 6.5, 1)
        found.pop(1)  # withdrawn in the later release
        _, lat, lon, _ = places[-1]
        found.append({**found[-1], "number": f"{key.upper()}99999", "name": f"{area} New Primary",
                      "lat": round(lat + 0.03, 5), "lon": round(lon + 0.03, 5), "demand": 9.0, "generation": 4.0})
    return found


def _rag(headroom: float, firm: float) -> str:
    return "Red" if headroom <= 0 else "Amber" if headroom < 0.15 * firm else "Green"


def nged_records(release: int = 1, count: int | None = None) -> list[dict]:
    """NGED's Network Opportunity Map headroom columns."""
    return [{"Substation Name": s["name"], "Substation Number": s["number"], "Asset Type": s["kind"],
             "Firm Capacity of Substation (MVA)": s["firm"], "Measured Peak Demand (MVA)": s["peak"],
             "Demand Headroom (MVA)": s["demand"], "Demand Headroom RAG": _rag(s["demand"], s["firm"]),
             "Generation Headroom (MVA)": s["generation"], "Generation Headroom RAG": _rag(s["generation"], s["firm"]),
             "Latitude": s["lat"], "Longitude": s["lon"]} for s in substations("nged", release, count)]


def ukpn_records(release: int = 1, count: int | None = None) -> list[dict]:
    """UK Power Networks' DFES network headroom report columns (per scenario and year)."""
    rows = []
    for s in substations("ukpn", release, count):
        for scenario in ("Best View", "Holistic Transition"):
            for year in (2026, 2030):
                step = (year - 2026) * 0.8 + (scenario != "Best View") * 1.5
                rows.append({"substation_name": s["name"], "functionallocation": s["number"],
                             "substation_type": {"GSP": "Grid Supply Point", "BSP": "Bulk Supply Point",
                                                 "Primary": "Primary Substation"}[s["kind"]],
                             "licencearea": "South Eastern Power Networks (SPN)", "scenario": scenario, "year": year,
                             "firm_capacity_mva": s["firm"], "demand_headroom_mva": round(s["demand"] - step, 1),
                             "generation_headroom_mw": round(s["generation"] - step, 1),
                             "spatial_coordinates": {"lon": s["lon"], "lat": s["lat"]}})
    return rows


def npg_records(release: int = 1, count: int | None = None) -> list[dict]:
    """Northern Powergrid's heat-map substation-area columns."""
    return [{"name": s["name"], "type": s["kind"], "pvoltage": KV[s["kind"]], "demhr": s["demand"],
             "genhr": s["generation"], "demconstraint": "Thermal" if s["demand"] <= 0 else "None",
             "genconstraint": "Fault level" if s["generation"] <= 0 else "None", "upstreamname": "Skelton Grange",
             "substation_location": {"lon": s["lon"], "lat": s["lat"]},
             "worst_case_constraint_dem_colour": _rag(s["demand"], s["firm"]),
             "worst_case_constraint_gen_colour": _rag(s["generation"], s["firm"])}
            for s in substations("npg", release, count)]


def enwl_records(kind: str, release: int = 1, count: int | None = None) -> list[dict]:
    """Electricity North West's primary (``pry``) or BSP heat-map columns; headroom in MW, no RAG."""
    wanted = "Primary" if kind == "pry" else "BSP"
    prefix = "pry" if kind == "pry" else "bsp"
    return [{f"{prefix}_number": s["number"], f"{prefix}_name": s["name"], "voltage_kv": KV[s["kind"]],
             "dem_hr_firm_mw": s["demand"], "dem_hr_non_firm_mw": round(s["demand"] + 4, 1),
             "gen_hr_inverter_mw": s["generation"], "geo_point_2d": {"lon": s["lon"], "lat": s["lat"]}}
            for s in substations("enwl", release, count) if (s["kind"] == wanted) or count]


def spen_records(release: int = 1, count: int | None = None, area: str = "spen") -> list[dict]:
    """SP Energy Networks' network-headroom workbook columns: a row per group, scenario, year and type
    (``area`` spen: SP Distribution around Glasgow; spm: SP Manweb around Liverpool)."""
    rows = []
    for s in substations(area, release, count):
        for year in (2026, 2028):
            for kind, value in (("Demand", s["demand"]), ("Generation", s["generation"])):
                rows.append({"substation_group": s["name"], "voltage_kv": KV[s["kind"]], "scenario": "Best View",
                             "year": year, "headroom_mw": round(value - (year - 2026) * 0.5, 1),
                             "headroom_type": kind})
    return rows


def published_records(dataset: str, release: int = 1, count: int | None = None) -> list[dict]:
    """The records of a configured headroom dataset (by its portal dataset id)."""
    makers = {"network-opportunity-map-headroom": nged_records, "dfes-network-headroom-report": ukpn_records,
              "heatmapsubstationareas": npg_records, "spd-nshr-data-workbook": spen_records,
              "spm-nshr-data-workbook": lambda r, c: spen_records(r, c, "spm"),
              "enwl-pry-heatmap": lambda r, c: enwl_records("pry", r, c),
              "enwl-bsp-heatmap": lambda r, c: enwl_records("bsp", r, c)}
    return makers[dataset](release, count)
