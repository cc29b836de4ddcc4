"""The CKAN Action API's envelopes (``/api/3/action/…``): packages, their resources, datastore records.

Every answer is ``{"success": true, "result": …}`` or ``{"success": false, "error": {"message": …}}``;
``datastore_search`` pages with ``result.records``, ``result.total`` and ``result._links.next``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .portal_session import PortalError, PortalSession
from .values import portal_time

DATASTORE_PAGE = 1000  # rows per datastore_search request (CKAN's own default is 100, its maximum 32,000)
# Formats QGIS can open from a CKAN resource, by CKAN's "format" value.
OPENABLE = {"CSV": "csv", "GEOJSON": "geojson", "JSON": "geojson", "GPKG": "gpkg", "GEOPACKAGE": "gpkg",
            "SHP": "zip", "ZIP": "zip", "SHAPEFILE": "zip"}


@dataclass
class Resource:
    id: str
    name: str
    url: str
    format: str
    last_modified: datetime | None
    size: int | None
    datastore_active: bool = False

    @property
    def openable(self) -> bool:
        return self.format.upper() in OPENABLE


def resource_from(data: dict) -> Resource:
    size = data.get("size")
    return Resource(id=str(data.get("id", "")), name=data.get("name") or data.get("url", ""), url=data.get("url", ""),
                    format=(data.get("format") or "").strip(),
                    last_modified=portal_time(data.get("last_modified") or data.get("created")),
                    size=int(size) if isinstance(size, (int, float)) else None,
                    datastore_active=bool(data.get("datastore_active")))


def newest(resources: list[Resource], wanted=lambda r: r.openable) -> Resource | None:
    """The most recently modified resource that is ``wanted`` (SSEN republishes headroom as new resources)."""
    return max((r for r in resources if wanted(r)), key=lambda r: r.last_modified or datetime.min, default=None)


def action(session: PortalSession, name: str, params: dict, dataset: str, kind: str = "api"):
    """The ``result`` of one Action API call; PortalError with CKAN's own message when it refuses."""
    answer = session.get_json(session.url(f"api/3/action/{name}", params), dataset, kind)
    if not isinstance(answer, dict) or "success" not in answer:
        raise PortalError(f"{session.portal.name}'s portal answered {name} for {dataset} without CKAN's envelope "
                          "(no 'success'): is it a CKAN portal?")
    if not answer["success"]:
        error = answer.get("error") or {}
        raise PortalError(f"{session.portal.name}'s portal refused {name} for {dataset}: "
                          f"{error.get('message') or error.get('__type') or 'no reason given'}.")
    return answer.get("result")


def package(session: PortalSession, dataset: str) -> dict:
    result = action(session, "package_show", {"id": dataset}, dataset)
    if not isinstance(result, dict) or "name" not in result:
        raise PortalError(f"{session.portal.name}'s portal answered package_show for {dataset} without a package.")
    return result


def datastore_records(session: PortalSession, resource_id: str, dataset: str,
                      page: int = DATASTORE_PAGE) -> tuple[list[str], list[dict]]:
    """(field names, every record) of a datastore resource, following ``_links.next`` page by page."""
    params = {"resource_id": resource_id, "limit": page}
    url = session.url("api/3/action/datastore_search", params)
    records: list[dict] = []
    names: list[str] = []
    while True:
        answer = session.get_json(url, dataset, "datastore")
        if not isinstance(answer, dict) or not answer.get("success"):
            error = (answer.get("error") if isinstance(answer, dict) else None) or {}
            raise PortalError(f"{session.portal.name}'s portal refused datastore_search for {dataset}: "
                              f"{error.get('message') or 'no reason given'}.")
        result = answer["result"]
        names = names or [f["id"] for f in result.get("fields", []) if f.get("id") != "_id"]
        batch = result.get("records") or []
        records += batch
        total = result.get("total")
        following = (result.get("_links") or {}).get("next")
        if not batch or not following or (isinstance(total, int) and len(records) >= total):
            return names, records
        url = session.url(following.lstrip("/")) if following.startswith("/") else following
