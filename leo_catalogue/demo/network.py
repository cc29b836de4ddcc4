"""A synthetic Oxfordshire SEPD network: GSPs, BSPs and primaries at real places, invented values.

Everything here is generated from a fixed seed, so the demo catalogue is the same on every machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SEED = 20191118

# (name, latitude, longitude, upstream GSP)
GSPS = [
    ("Cowley", 51.7302, -1.1801, None),
    ("Didcot", 51.6224, -1.2740, None),
    ("Bicester", 51.9140, -1.1720, None),
]
# (name, latitude, longitude, upstream GSP)
BSPS = [
    ("Headington", 51.7585, -1.2050, "Cowley"),
    ("Osney", 51.7507, -1.2700, "Cowley"),
    ("Witney", 51.7880, -1.4780, "Cowley"),
    ("Thame", 51.7420, -0.9860, "Cowley"),
    ("Abingdon", 51.6700, -1.2700, "Didcot"),
    ("Didcot", 51.6180, -1.2620, "Didcot"),
    ("Wantage", 51.5930, -1.4150, "Didcot"),
    ("Henley", 51.5400, -0.9150, "Didcot"),
    ("Banbury", 52.0580, -1.3300, "Bicester"),
    ("Bicester", 51.8950, -1.1600, "Bicester"),
]
# (name, latitude, longitude, upstream BSP)
PRIMARIES = [
    ("Headington", 51.7602, -1.2151, "Headington"), ("Marston", 51.7751, -1.2372, "Headington"),
    ("Summertown", 51.7772, -1.2641, "Headington"), ("Cowley Local", 51.7331, -1.2052, "Headington"),
    ("Blackbird Leys", 51.7133, -1.1954, "Headington"), ("Rose Hill", 51.7290, -1.2263, "Headington"),
    ("Wheatley", 51.7473, -1.1401, "Headington"), ("Littlemore", 51.7211, -1.2240, "Headington"),
    ("Osney", 51.7524, -1.2722, "Osney"), ("Botley", 51.7490, -1.2931, "Osney"),
    ("Kidlington", 51.8223, -1.2880, "Osney"), ("Woodstock", 51.8481, -1.3530, "Osney"),
    ("Eynsham", 51.7800, -1.3771, "Osney"), ("Kennington", 51.7222, -1.2450, "Osney"),
    ("Abingdon North", 51.6802, -1.2902, "Abingdon"), ("Abingdon South", 51.6623, -1.2781, "Abingdon"),
    ("Culham", 51.6541, -1.2380, "Abingdon"), ("Berinsfield", 51.6632, -1.1702, "Abingdon"),
    ("Drayton", 51.6451, -1.3012, "Abingdon"), ("Milton Park", 51.6302, -1.2953, "Abingdon"),
    ("Didcot North", 51.6150, -1.2451, "Didcot"), ("Didcot South", 51.6002, -1.2402, "Didcot"),
    ("Cholsey", 51.5781, -1.1583, "Didcot"), ("Wallingford", 51.6003, -1.1251, "Didcot"),
    ("Harwell", 51.5972, -1.3052, "Didcot"),
    ("Wantage", 51.5882, -1.4261, "Wantage"), ("Grove", 51.6103, -1.4210, "Wantage"),
    ("Faringdon", 51.6571, -1.5862, "Wantage"), ("Shrivenham", 51.5990, -1.6560, "Wantage"),
    ("Steventon", 51.6220, -1.3231, "Wantage"),
    ("Witney", 51.7851, -1.4861, "Witney"), ("Carterton", 51.7590, -1.5962, "Witney"),
    ("Burford", 51.8081, -1.6361, "Witney"), ("Bampton", 51.7260, -1.5451, "Witney"),
    ("Chipping Norton", 51.9420, -1.5460, "Witney"), ("Charlbury", 51.8720, -1.4820, "Witney"),
    ("Long Hanborough", 51.8230, -1.3990, "Witney"),
    ("Banbury", 52.0630, -1.3401, "Banbury"), ("Bloxham", 52.0200, -1.3740, "Banbury"),
    ("Adderbury", 52.0140, -1.3130, "Banbury"), ("Deddington", 51.9810, -1.3200, "Banbury"),
    ("Hook Norton", 51.9960, -1.4850, "Banbury"),
    ("Bicester Town", 51.9001, -1.1520, "Bicester"), ("Launton", 51.9030, -1.1180, "Bicester"),
    ("Ambrosden", 51.8710, -1.1230, "Bicester"), ("Upper Heyford", 51.9290, -1.2760, "Bicester"),
    ("Islip", 51.8250, -1.2370, "Bicester"),
    ("Henley", 51.5370, -0.9040, "Henley"), ("Sonning Common", 51.5180, -0.9810, "Henley"),
    ("Goring", 51.5220, -1.1360, "Henley"), ("Woodcote", 51.5280, -1.0710, "Henley"),
    ("Watlington", 51.6450, -1.0080, "Henley"),
    ("Thame", 51.7450, -0.9770, "Thame"), ("Chinnor", 51.7020, -0.9110, "Thame"),
    ("Benson", 51.6200, -1.1090, "Thame"),
]

# The primary published without coordinates (a real quirk of SSEN's file).
UNLOCATED = "Culham"

ASSET_PREFIX = {"GSP": "1", "BSP": "2", "Primary": "3"}
VOLTAGES = {"GSP": "400 / 132", "BSP": "132 / 33", "Primary": "33 / 11"}
RATINGS = {"GSP": (240.0, 4), "BSP": (90.0, 2), "Primary": (15.0, 2)}
DEMAND_CONSTRAINTS = ["Upstream Thermal Capacity", "Substation Thermal Capacity", "Transmission Constraint"]
GENERATION_CONSTRAINTS = ["Upstream Thermal Capacity", "Fault Level", "Transmission Constraint",
                          "Substation Thermal Capacity"]
WORKS = ["New 33/11 kV transformer", "Uprating of 33 kV circuits", "Second supergrid transformer",
         "Fault level mitigation (new switchgear)", "Reconductoring of 132 kV overhead line"]


@dataclass
class Substation:
    """One synthetic substation with its published headroom figures."""

    asset_id: str
    name: str
    kind: str  # GSP, BSP or Primary
    latitude: float | None
    longitude: float | None
    upstream_gsp: str
    upstream_bsp: str
    gsp_group: str
    firm_capacity_mva: float
    transformer_count: int
    max_demand_mva: float
    min_demand_mva: float
    contracted_demand_mva: float
    contracted_bess_mva: float | None
    demand_headroom_mva: float
    demand_rag: str
    demand_constraint: str | None
    connected_generation_mw: float
    contracted_generation_mw: float
    generation_headroom_mw: float
    generation_rag: str
    generation_constraint: str | None
    fault_rating_ka: float
    fault_level_ka: float | None
    upstream_works: str | None
    upstream_completion: str | None
    substation_works: str | None
    substation_completion: str | None
    single_transformer: bool

    @property
    def display_name(self) -> str:
        return f"{self.name} {self.kind}" if self.kind != "Primary" else self.name


def _rag(headroom: float, capacity: float) -> str:
    # SSEN publishes no thresholds; the synthetic data uses a share of firm capacity.
    if headroom < 0.05 * capacity:
        return "Red"
    if headroom < 0.2 * capacity:
        return "Amber"
    return "Green"


def _month(rng: random.Random) -> str:
    return f"{rng.choice(['Mar', 'Jun', 'Sep', 'Dec'])}-{rng.choice([26, 27, 28, 29, 30])}"


def build_network() -> list[Substation]:
    """The synthetic network, GSPs first then BSPs then primaries (always the same)."""
    rng = random.Random(SEED)
    bsp_gsp = {name: gsp for name, _, _, gsp in BSPS}
    entries = [("GSP", n, la, lo, n, "") for n, la, lo, _ in GSPS]
    entries += [("BSP", n, la, lo, g, n) for n, la, lo, g in BSPS]
    entries += [("Primary", n, la, lo, bsp_gsp[b], b) for n, la, lo, b in PRIMARIES]
    network = []
    for index, (kind, name, lat, lon, gsp, bsp) in enumerate(entries):
        rating, count = RATINGS[kind]
        if kind == "Primary":
            rating = rng.choice([7.5, 12.0, 15.0, 20.0, 24.0])
            count = 1 if rng.random() < 0.1 else 2
        firm = rating * (count - 1) if count > 1 else rating * 0.9
        max_demand = round(firm * rng.uniform(0.45, 1.08), 2)
        contracted = round(firm * rng.uniform(0.0, 0.15), 2)
        headroom = round(firm - max_demand - contracted, 2)
        connected_gen = round(firm * rng.uniform(0.05, 0.7), 2)
        contracted_gen = round(firm * rng.uniform(0.0, 0.3), 2)
        gen_headroom = round(firm * 0.9 - connected_gen - contracted_gen, 2)
        demand_rag, gen_rag = _rag(headroom, firm), _rag(gen_headroom, firm)
        needs_works = demand_rag == "Red" or gen_rag == "Red"
        upstream_works = rng.random() < 0.25
        located = name != UNLOCATED or kind != "Primary"
        network.append(Substation(
            asset_id=f"{ASSET_PREFIX[kind]}{index:04d}",
            name=name, kind=kind,
            latitude=lat if located else None, longitude=lon if located else None,
            upstream_gsp=f"{gsp} GSP", upstream_bsp=f"{bsp} BSP" if bsp else "",
            gsp_group=f"{gsp} GSP Group", firm_capacity_mva=firm, transformer_count=count,
            max_demand_mva=max_demand, min_demand_mva=round(max_demand * rng.uniform(0.2, 0.4), 2),
            contracted_demand_mva=contracted,
            contracted_bess_mva=round(rng.uniform(0, 3), 2) if rng.random() < 0.3 else None,
            demand_headroom_mva=headroom, demand_rag=demand_rag,
            demand_constraint=rng.choice(DEMAND_CONSTRAINTS) if demand_rag != "Green" else None,
            connected_generation_mw=connected_gen, contracted_generation_mw=contracted_gen,
            generation_headroom_mw=gen_headroom, generation_rag=gen_rag,
            generation_constraint=rng.choice(GENERATION_CONSTRAINTS) if gen_rag != "Green" else None,
            fault_rating_ka={"GSP": 40.0, "BSP": 25.0, "Primary": 13.1}[kind],
            fault_level_ka=round(rng.uniform(5, 14), 2) if rng.random() > 0.1 else None,
            upstream_works=rng.choice(WORKS) if upstream_works else None,
            upstream_completion=_month(rng) if upstream_works else None,
            substation_works=rng.choice(WORKS) if needs_works else None,
            substation_completion=_month(rng) if needs_works else None,
            single_transformer=count == 1,
        ))
    return network


def primaries(network: list[Substation]) -> list[Substation]:
    """The primary substations of a network."""
    return [s for s in network if s.kind == "Primary"]
