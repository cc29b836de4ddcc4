"""One site's time series straight from the catalogue server (OGC API - Features, filtered and paged)."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlencode

from qgis.core import QgsFeedback

from ..catalogue import OgcApiCatalogue
from ..exceptions import LeoError
from ..models import CatalogueRecord
from ..network import fetch_json

PAGE = 10_000


def value_field(record: CatalogueRecord, field: str | None) -> str:
    numbers = [f["name"] for f in record.fields if f.get("type") in ("number", "integer")]
    if field is not None:
        if field not in numbers:
            raise LeoError(f"{record.id!r} has no numeric field {field!r}; it has {', '.join(numbers)}.")
        return field
    if "avg_kw" in numbers:
        return "avg_kw"
    if not numbers:
        raise LeoError(f"{record.id!r} has no numeric field to chart.")
    return numbers[0]


def _iso(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def fetch_series(catalogue: OgcApiCatalogue, record: CatalogueRecord, site_id: str, start: datetime | None,
                 end: datetime | None, field: str | None = None,
                 feedback: QgsFeedback | None = None) -> list[tuple[datetime, float]]:
    if not record.time_field or not record.site_field:
        raise LeoError(f"{record.id!r} is not a time series by site.")
    name = value_field(record, field)
    query = {record.site_field: site_id, "limit": PAGE, "sortby": record.time_field}
    if start is not None or end is not None:
        query["datetime"] = f"{_iso(start) if start else '..'}/{_iso(end) if end else '..'}"
    url = f"{catalogue.url}collections/{record.id}/items?{urlencode(query)}"
    pairs = []
    while url:
        page = fetch_json(url, catalogue.authcfg, feedback)
        for feature in page.get("features") or []:
            props = feature.get("properties") or {}
            value, stamp = props.get(name), props.get(record.time_field)
            if value is not None and stamp:
                pairs.append((datetime.fromisoformat(stamp.replace("Z", "+00:00")), float(value)))
        url = next((link["href"] for link in page.get("links") or [] if link.get("rel") == "next"), None)
    return sorted(set(pairs))
