"""Great Britain's network operators' open-data portals, as configured in ``dno_portals.json`` (data, not code).

A portal is CKAN (SSEN, NGED, NESO) or Opendatasoft (UKPN, Northern Powergrid, Electricity North West,
SP Energy Networks); each operator lists the datasets that hold its substation headroom and the mapping
table (``headroom_columns/<mapping>.csv``) that reads their columns onto the GB headroom schema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from .errors import FormatError

CONFIG = Path(__file__).with_name("dno_portals.json")
KINDS = ("ckan", "opendatasoft")


@dataclass(frozen=True)
class HeadroomSource:
    """One published headroom dataset: how to fetch it (``resource``: the newest CSV file of a CKAN
    dataset; ``datastore``: CKAN's datastore_search; ``export``: Opendatasoft's JSON export) and read it."""

    dataset: str
    via: str
    mapping: str
    substation_type: str = ""  # when the dataset holds one type only and does not say so per row
    licence_area: str = ""  # likewise for the licence area
    scenario: dict = field(default_factory=dict)  # {"columns": [...], "prefer": "..."}: keep one scenario-year
    long: dict = field(default_factory=dict)  # {"key", "value", "row"}: one row per headroom type, pivoted


@dataclass(frozen=True)
class Portal:
    key: str
    operator: str
    name: str
    kind: str
    url: str
    licence: str
    licence_areas: tuple[str, ...] = ()
    headroom: tuple[HeadroomSource, ...] = ()
    min_interval_s: float = 0.0
    datastore_interval_s: float = 0.0
    needs_key: bool = False
    user_agent: str = ""

    def at(self, url: str) -> Portal:
        """The same portal served from another address (a mirror, or a local endpoint in tests)."""
        return replace(self, url=url if url.endswith("/") else url + "/")


@cache
def portals() -> dict[str, Portal]:
    """Every configured portal by key (``ssen``, ``nged``, ``neso``, ``ukpn``, ``npg``, ``enwl``, ``spen``)."""
    data = json.loads(CONFIG.read_text(encoding="utf-8"))
    found = {}
    for item in data["portals"]:
        if item["kind"] not in KINDS:
            raise FormatError(f"{CONFIG.name}: portal {item['key']!r} has an unknown kind {item['kind']!r}.")
        found[item["key"]] = Portal(
            key=item["key"], operator=item["operator"], name=item["name"], kind=item["kind"],
            url=item["url"], licence=item.get("licence", ""), licence_areas=tuple(item.get("licence_areas", ())),
            headroom=tuple(HeadroomSource(**source) for source in item.get("headroom", ())),
            min_interval_s=float(item.get("min_interval_s", 0)),
            datastore_interval_s=float(item.get("datastore_interval_s", 0)), needs_key=bool(item.get("needs_key")),
            user_agent=data["browser_user_agent"] if item.get("browser_user_agent") else "")
    return found


def portal(key: str) -> Portal:
    try:
        return portals()[key.lower()]
    except KeyError:
        raise FormatError(f"No portal {key!r} is configured; known: {', '.join(portals())}.") from None


def portal_for_url(url: str) -> Portal | None:
    """The configured portal at this address (its rate limits and User-Agent apply), if any."""
    wanted = url.rstrip("/").lower()
    return next((p for p in portals().values() if p.url.rstrip("/").lower() == wanted), None)
