"""Synthetic Constraint Managed Zones (CMZs) and a year of flexibility events in them.

Modelled on what SSEN and Project LEO published: products Sustain/Secure/Dynamic, Piclo
directions (deficit = turn demand down), availability and utilisation price ceilings,
and the Didcot and Cholsey zone needing up to 5 MW on November weekdays 16:30-18:10.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import shapely

from .network import SEED

UK = ZoneInfo("Europe/London")
AVAILABILITY_CEILING = 0.045  # £/kW/h, Project LEO's Sustained Peak Management market
UTILISATION_CEILING = 0.30  # £/kWh


@dataclass(frozen=True)
class Zone:
    zone_id: str
    name: str
    primaries: tuple[str, ...]  # primary names
    product: str
    direction: str
    mw_required: float
    season: tuple[date, date]
    window: tuple[time, time]
    weekdays_only: bool
    units: tuple[tuple[str, str], ...]  # (unit, provider)


ZONES = [
    Zone("CMZ-DID-01", "Didcot and Cholsey", ("Didcot North", "Didcot South", "Cholsey"), "Sustain", "deficit",
         5.0, (date(2025, 11, 1), date(2025, 11, 30)), (time(16, 30), time(18, 10)), True,
         (("Cholsey community battery", "Community Energy Group"),
          ("Didcot leisure centre heating", "Flex Aggregator One"),
          ("Didcot depot EV chargers", "Fleet Flex Ltd"))),
    Zone("CMZ-OXE-01", "Oxford East", ("Headington", "Cowley Local", "Blackbird Leys", "Rose Hill"), "Sustain",
         "deficit", 3.5, (date(2025, 1, 6), date(2025, 3, 28)), (time(16, 0), time(20, 0)), True,
         (("Headington hospital CHP", "Flex Aggregator One"),
          ("Cowley business park HVAC", "Community Energy Group"))),
    Zone("CMZ-OSN-01", "Osney and Botley", ("Osney", "Botley"), "Secure", "deficit", 2.0,
         (date(2025, 1, 13), date(2025, 2, 28)), (time(17, 0), time(19, 0)), True,
         (("Osney river hydro", "Community Energy Group"),)),
    Zone("CMZ-BIC-01", "Bicester", ("Bicester Town", "Launton", "Ambrosden"), "Dynamic", "deficit", 4.0,
         (date(2025, 12, 1), date(2025, 12, 19)), (time(16, 30), time(19, 30)), True,
         (("Bicester distribution centre", "Fleet Flex Ltd"), ("Bicester homes heat pumps", "Flex Aggregator One"))),
    Zone("CMZ-WIT-01", "Witney solar", ("Witney", "Carterton"), "Sustain", "excess", 6.0,
         (date(2025, 5, 1), date(2025, 8, 29)), (time(11, 0), time(15, 0)), False,
         (("Witney batteries", "Flex Aggregator One"), ("Carterton water pumping", "Fleet Flex Ltd"))),
]


def _uk(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=UK).astimezone(timezone.utc)


def zone_rows(areas_by_name: dict[str, shapely.Geometry], primary_ids: dict[str, str]) -> list[dict]:
    """One row per CMZ, its polygon the union of its primaries' supply areas."""
    rows = []
    for zone in ZONES:
        rows.append({
            "zone_id": zone.zone_id, "name": zone.name, "dno": "SSEN", "product": zone.product,
            "direction": zone.direction, "mw_required": zone.mw_required,
            "service_start": _uk(zone.season[0], zone.window[0]),
            "service_end": _uk(zone.season[1], zone.window[1]),
            "window_start": zone.window[0].strftime("%H:%M"), "window_end": zone.window[1].strftime("%H:%M"),
            "service_days": "weekdays" if zone.weekdays_only else "all days",
            "availability_ceiling_gbp_per_kw_h": AVAILABILITY_CEILING,
            "utilisation_ceiling_gbp_per_kwh": UTILISATION_CEILING,
            "primary_ids": ",".join(primary_ids[p] for p in zone.primaries),
            "geometry": _multipolygon(shapely.union_all([areas_by_name[p] for p in zone.primaries])),
        })
    return rows


def _multipolygon(geometry: shapely.Geometry) -> shapely.MultiPolygon:
    parts = [g for g in getattr(geometry, "geoms", [geometry]) if g.geom_type == "Polygon"]
    return shapely.MultiPolygon(parts)


def event_rows(zones: list[dict]) -> list[dict]:
    """Flexibility events: on some service days of each zone, one unit called for part of the window."""
    rng = random.Random(SEED + 1)
    rows = []
    for zone, spec in zip(zones, ZONES):
        day = spec.season[0]
        while day <= spec.season[1]:
            if (not spec.weekdays_only or day.weekday() < 5) and rng.random() < 0.35:
                unit, provider = rng.choice(spec.units)
                start = _uk(day, spec.window[0])
                end = _uk(day, spec.window[1])
                hours = (end - start).total_seconds() / 3600
                requested = round(min(spec.mw_required, rng.uniform(0.3, 2.5)), 2)
                delivered = round(requested * hours * rng.uniform(0.55, 1.05), 3)
                rows.append({
                    "event_id": f"{spec.zone_id}-{day:%Y%m%d}",
                    "zone_id": spec.zone_id, "zone_name": spec.name, "unit": unit, "provider": provider,
                    "product": spec.product, "direction": spec.direction, "start": start, "end": end,
                    "requested_mw": requested, "requested_mwh": round(requested * hours, 3),
                    "delivered_mwh": delivered,
                    "availability_price_gbp_per_mw_h": round(rng.uniform(20, AVAILABILITY_CEILING * 1000), 2),
                    "utilisation_price_gbp_per_mwh": round(rng.uniform(120, UTILISATION_CEILING * 1000), 2),
                    "geometry": zone["geometry"],
                })
            day += timedelta(days=1)
    return rows
