"""A year of synthetic half-hourly load per primary, in SSEN LV-feeder units (Wh per half hour).

Daily, weekly and seasonal shape in UK local time, with the quirks real feeds have:
a multi-day gap, a duplicated row at the autumn clock change and an outlier. The flexibility events'
``delivered_mwh`` is taken off (turn-down) or added to (turn-up) the zone's primaries during each event,
shared equally between them, so baselining the demo finds the response the events report.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np

from .network import SEED, Substation

YEAR = 2025
UK = ZoneInfo("Europe/London")
GAP_PRIMARY = "Bampton"
GAP = (datetime(2025, 3, 10, 6, 0, tzinfo=timezone.utc), datetime(2025, 3, 13, 14, 0, tzinfo=timezone.utc))
CLOCK_CHANGE_DUPLICATE = datetime(2025, 10, 26, 1, 0, tzinfo=timezone.utc)
OUTLIER_PRIMARY, OUTLIER_AT = "Witney", datetime(2025, 7, 14, 12, 0, tzinfo=timezone.utc)


def half_hours() -> list[datetime]:
    """Every half-hour of the year in UTC, stamped at the end of the period (00:30 first, as SSEN does)."""
    start = datetime(YEAR, 1, 1, 0, 30, tzinfo=timezone.utc)
    end = datetime(YEAR + 1, 1, 1, 0, 0, tzinfo=timezone.utc)
    count = int((end - start) / timedelta(minutes=30)) + 1
    return [start + timedelta(minutes=30 * i) for i in range(count)]


def _shape(stamps: list[datetime]) -> np.ndarray:
    local = [s.astimezone(UK) for s in stamps]
    hour = np.array([t.hour + t.minute / 60 for t in local])
    weekend = np.array([t.weekday() >= 5 for t in local])
    day_of_year = np.array([t.timetuple().tm_yday for t in local])
    daily = (0.55 + 0.22 * np.exp(-((hour - 8.5) / 1.6) ** 2) + 0.42 * np.exp(-((hour - 18.0) / 2.0) ** 2)
             - 0.18 * np.exp(-((hour - 3.5) / 2.5) ** 2))
    seasonal = 1 + 0.22 * np.cos(2 * np.pi * (day_of_year - 15) / 365.25)
    return daily * seasonal * np.where(weekend, 0.86, 1.0)


def flex_response_kw(events: list[dict], zones: list[dict], stamps: list[datetime]) -> dict[str, np.ndarray]:
    """Per primary id, the change in average kW each half-hour (stamped at its end) caused by the events."""
    half_hour = timedelta(minutes=30)
    members = {z["zone_id"]: z["primary_ids"].split(",") for z in zones}
    index_of = {s: i for i, s in enumerate(stamps)}
    response: dict[str, np.ndarray] = {}
    for event in events:
        sites = members[event["zone_id"]]
        ends = []
        at = event["start"] - timedelta(seconds=event["start"].timestamp() % 1800)
        while at < event["end"]:
            overlap = (min(at + half_hour, event["end"]) - max(at, event["start"])) / half_hour
            ends.append((at + half_hour, overlap))
            at += half_hour
        total = sum(w for _, w in ends)
        sign = -1.0 if event["direction"] == "deficit" else 1.0
        for site in sites:
            change = response.setdefault(site, np.zeros(len(stamps)))
            for end, weight in ends:
                kwh = event["delivered_mwh"] * 1000 / len(sites) * weight / total
                change[index_of[end]] += sign * kwh * 2  # kWh in half an hour = 2 x average kW
    return response


def load_rows(primaries: list[Substation], response_kw: dict[str, np.ndarray] | None = None) -> Iterator[list[dict]]:
    """One batch of rows per primary, each with its site point; ``response_kw`` adds the flexibility events."""
    import shapely

    stamps = half_hours()
    shape = _shape(stamps)
    rng = np.random.default_rng(SEED)
    index_of = {s: i for i, s in enumerate(stamps)}
    for primary in primaries:
        peak_kw = primary.max_demand_mva * 1000 * 0.95
        noise = rng.normal(1.0, 0.035, len(stamps))
        kw = np.round(peak_kw * shape / shape.max() * noise + (response_kw or {}).get(primary.asset_id, 0.0), 1)
        if primary.name == OUTLIER_PRIMARY:
            kw[index_of[OUTLIER_AT]] = peak_kw * 6
        point = shapely.Point(primary.longitude, primary.latitude) if primary.latitude is not None else None
        batch = []
        for stamp, value in zip(stamps, kw.tolist()):
            if primary.name == GAP_PRIMARY and GAP[0] <= stamp < GAP[1]:
                continue
            watt_hours = round(value * 500.0)  # kW over half an hour
            row = {
                "primary_id": primary.asset_id,
                "primary_name": primary.name,
                "timestamp": stamp,
                "total_consumption_active_import": watt_hours,
                "avg_kw": watt_hours * 2 / 1000,
                "geometry": point,
            }
            batch.append(row)
            if stamp == CLOCK_CHANGE_DUPLICATE:
                batch.append(dict(row))
        yield batch
