"""The Opendatasoft Explore API v2.1's envelopes (``/api/explore/v2.1/catalog/…``).

``/catalog/datasets`` and ``/catalog/datasets/{id}/records`` answer ``{"total_count": N, "results": […]}``;
records come at most 100 a request and only while offset + limit stays within 10,000; the
``/exports/{json,geojson,csv}`` endpoints have no such limit and are what a whole dataset is read from.
"""

from __future__ import annotations

from urllib.parse import quote

from .portal_session import PortalError, PortalSession

API = "api/explore/v2.1/catalog/"
MAX_LIMIT = 100
MAX_WINDOW = 10_000


def dataset_path(dataset: str) -> str:
    return f"{API}datasets/{quote(dataset, safe='')}"


def datasets(session: PortalSession, text: str = "", limit: int = 20, offset: int = 0,
             where: str = "") -> tuple[int, list[dict]]:
    """(total, one page of dataset descriptions) of the portal's catalogue; ``text`` is a full-text search."""
    clauses = [c for c in (where, f'"{_quoted(text)}"' if text.strip() else "") if c]
    params = {"limit": min(limit, MAX_LIMIT), "offset": offset, "where": " and ".join(clauses)}
    return _page(session, session.url(f"{API}datasets", params), "the catalogue")


def dataset(session: PortalSession, dataset_id: str) -> dict:
    """One dataset's description (``dataset_id``, ``metas.default``, ``fields``)."""
    data = session.get_json(session.url(dataset_path(dataset_id)), dataset_id)
    if not isinstance(data, dict) or "dataset_id" not in data:
        raise PortalError(f"{session.portal.name}'s portal answered {dataset_id} without a dataset description.")
    return data


def records(session: PortalSession, dataset_id: str, limit: int = MAX_LIMIT, offset: int = 0, where: str = "",
            select: str = "", refine: str = "") -> tuple[int, list[dict]]:
    """(total_count, one page of flat records); PortalError before asking past the 10,000-record window."""
    limit = min(limit, MAX_LIMIT)
    if offset + limit > MAX_WINDOW:
        raise PortalError(f"{session.portal.name}'s portal, {dataset_id}: records past the first {MAX_WINDOW:,} "
                          "cannot be paged (Opendatasoft's limit); the whole dataset is read from its export instead.")
    params = {"limit": limit, "offset": offset, "where": where, "select": select, "refine": refine}
    return _page(session, session.url(f"{dataset_path(dataset_id)}/records", params), dataset_id)


def all_records(session: PortalSession, dataset_id: str, where: str = "") -> list[dict]:
    """Every record, page by page (within the 10,000 window; larger datasets go through :func:`export`)."""
    total, found = records(session, dataset_id, where=where)
    if total > MAX_WINDOW:
        return export(session, dataset_id, where)
    while len(found) < total:
        _total, batch = records(session, dataset_id, offset=len(found), where=where)
        if not batch:
            break
        found += batch
    return found


def export_url(session: PortalSession, dataset_id: str, fmt: str = "json", where: str = "") -> str:
    return session.url(f"{dataset_path(dataset_id)}/exports/{fmt}", {"where": where})


def export(session: PortalSession, dataset_id: str, where: str = "") -> list[dict]:
    """Every record from the JSON export (one request, no record limit)."""
    data = session.get_json(export_url(session, dataset_id, "json", where), dataset_id)
    if not isinstance(data, list):
        raise PortalError(f"{session.portal.name}'s portal answered the export of {dataset_id} with "
                          f"{type(data).__name__}, not a list of records.")
    return data


def _page(session: PortalSession, url: str, what: str) -> tuple[int, list[dict]]:
    data = session.get_json(url, what)
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise PortalError(f"{session.portal.name}'s portal answered {what} without Opendatasoft's envelope "
                          "(no 'results' list): is it an Opendatasoft portal?")
    return int(data.get("total_count", len(data["results"]))), data["results"]


def _quoted(text: str) -> str:
    return text.strip().replace("\\", "\\\\").replace('"', '\\"')
