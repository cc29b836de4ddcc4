"""Catalogue records as the plugin sees them, parsed once from the server's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

# Custom layer properties that remember where a layer came from (kept in saved projects).
PROPERTY_PREFIX = "leo_qgis/dataset"


class AccessLevel(str, Enum):
    """Who may see a shared dataset (as the catalogue names them)."""

    PUBLIC = "public"          # anyone
    REGISTERED = "registered"  # anyone signed in
    RESTRICTED = "restricted"  # your organisation only


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class CatalogueRecord:
    """One dataset's record (OGC API Records)."""

    id: str
    title: str
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    licence: str = ""
    attribution: str = ""
    provenance: str = ""
    publisher: str = ""
    updated: datetime | None = None
    version: str = ""
    kind: str = ""
    spatial_extent: tuple[float, float, float, float] | None = None
    temporal_extent: tuple[datetime | None, datetime | None] | None = None
    fields: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)
    feature_count: int = 0
    update_frequency: str = ""
    time_field: str = ""        # the instant of each row (time series)
    time_start_field: str = ""  # or the start and end of each row's period (events)
    time_end_field: str = ""
    site_field: str = ""        # which site a time-series row belongs to
    notes: list[str] = field(default_factory=list)  # what the server found (e.g. the data-quality summary)

    @property
    def is_time_series(self) -> bool:
        return self.kind == "timeseries"

    @classmethod
    def from_json(cls, data: dict) -> CatalogueRecord:
        props = data.get("properties") or {}
        bbox = None
        geometry = data.get("geometry") or {}
        if geometry.get("type") == "Polygon":
            xs = [p[0] for p in geometry["coordinates"][0]]
            ys = [p[1] for p in geometry["coordinates"][0]]
            bbox = (min(xs), min(ys), max(xs), max(ys))
        interval = ((data.get("time") or {}).get("interval")) or None
        return cls(
            id=str(data["id"]), title=props.get("title", data["id"]), description=props.get("description", ""),
            keywords=list(props.get("keywords") or []), licence=props.get("license") or "",
            attribution=props.get("attribution") or props.get("rights") or "",
            provenance=props.get("provenance") or "", publisher=props.get("publisher") or "",
            updated=_time(props.get("updated")), version=str(props.get("version") or ""),
            kind=props.get("kind") or "", spatial_extent=bbox,
            temporal_extent=(_time(interval[0]), _time(interval[1])) if interval else None,
            fields=list(props.get("fields") or []), links=list(data.get("links") or []),
            feature_count=int(props.get("featureCount") or 0), update_frequency=props.get("updateFrequency") or "",
            time_field=props.get("timeField") or "", time_start_field=props.get("timeStartField") or "",
            time_end_field=props.get("timeEndField") or "", site_field=props.get("siteField") or "",
            notes=[str(n) for n in props.get("notes") or []],
        )
