"""The business case for flexibility: what each event earned, summarised per provider, zone and month.

Availability is paid on the requested capacity over the event window; utilisation on the energy
delivered, capped at the energy requested (delivery below zero earns nothing). Prices default to the
ceilings of Project LEO's Sustained Peak Management market: £0.045/kW/h availability, £0.30/kWh
utilisation; an event's own agreed prices are used when it carries them.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .baseline import Event, EventResult
from .definitions import AVAILABILITY_GBP_PER_KW_H, UTILISATION_GBP_PER_KWH

UK = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Prices:
    availability_gbp_per_kw_h: float = AVAILABILITY_GBP_PER_KW_H
    utilisation_gbp_per_kwh: float = UTILISATION_GBP_PER_KWH


@dataclass
class Payment:
    availability_gbp: float
    utilisation_gbp: float

    @property
    def total_gbp(self) -> float:
        return self.availability_gbp + self.utilisation_gbp


def payment(event: Event, result: EventResult, prices: Prices = Prices()) -> Payment:
    hours = (event.end - event.start).total_seconds() / 3600
    availability = event.availability_gbp_per_kw_h
    utilisation = event.utilisation_gbp_per_kwh
    availability = prices.availability_gbp_per_kw_h if availability is None else availability
    utilisation = prices.utilisation_gbp_per_kwh if utilisation is None else utilisation
    paid_kwh = min(max(result.delivered_kwh or 0.0, 0.0), result.requested_kwh)
    return Payment(round(event.requested_mw * 1000 * hours * availability, 2), round(paid_kwh * utilisation, 2))


@dataclass
class SummaryRow:
    provider: str
    zone: str
    month: str  # YYYY-MM, UK time
    events: int = 0
    events_with_baseline: int = 0
    requested_mwh: float = 0.0
    delivered_mwh: float = 0.0
    availability_gbp: float = 0.0
    utilisation_gbp: float = 0.0

    @property
    def total_gbp(self) -> float:
        return self.availability_gbp + self.utilisation_gbp


def summarise(events: list[Event], results: list[EventResult], prices: Prices = Prices()) -> list[SummaryRow]:
    """Events, MWh delivered and £ per provider, zone and month (events without a baseline are counted
    but earn utilisation only when delivery could be measured)."""
    rows: dict[tuple[str, str, str], SummaryRow] = {}
    by_id = {e.event_id: e for e in events}
    for result in results:
        event = by_id[result.event_id]
        key = (event.provider, event.zone, event.start.astimezone(UK).strftime("%Y-%m"))
        row = rows.setdefault(key, SummaryRow(*key))
        paid = payment(event, result, prices)
        row.events += 1
        row.events_with_baseline += result.delivered_kwh is not None
        row.requested_mwh += result.requested_kwh / 1000
        row.delivered_mwh += (result.delivered_kwh or 0.0) / 1000
        row.availability_gbp += paid.availability_gbp
        row.utilisation_gbp += paid.utilisation_gbp
    return [rows[k] for k in sorted(rows)]
