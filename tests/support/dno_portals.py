"""Every GB operator's portal on 127.0.0.1, in its published envelope: CKAN's Action API (SSEN, NGED, NESO:
``package_show``, ``package_search``, ``datastore_search`` with ``_links.next``) and Opendatasoft's Explore
API v2.1 (UKPN, NPG, ENWL, SPEN: ``catalog/datasets``, ``records`` with its 100-record pages and 10,000-record
window, ``exports/json|geojson``). Each portal lives under ``/<key>/``; its records are the synthetic ones in
the operator's exact columns (``leo_catalogue.demo.dno_records``).

Faults on purpose: ``faults[key] = [kind, …]`` answers that portal's next requests with ``429`` (Retry-After: 1),
``500``, ``html``, ``cut`` (a body cut short), ``rename`` (a column renamed in its records); SSEN's portal
refuses a User-Agent that is not a browser's (403); ENWL's exports need ``Authorization: Apikey <KEY>``.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlparse

from leo_catalogue.demo.dno_records import published_records
from leo_catalogue.demo.headroom_csv import headroom_csv
from leo_catalogue.demo.network import build_network
from leo_qgis_plugin.core.formats.portals import portals

from .local_http import LocalServer, send_reply

ENWL_KEY = "enwl-test-key"
MODIFIED = {1: "2026-03-02T09:00:00+00:00", 2: "2026-06-01T09:00:00+00:00"}


class DnoPortals(LocalServer):
    def __init__(self, sizes: dict[str, int] | None = None) -> None:
        self.release = 1
        self.sizes = sizes or {}  # dataset id -> synthetic substation count (benchmarks)
        self.faults: dict[str, list[str]] = {}
        self.requests: list[tuple[str, str, float]] = []  # (path, User-Agent, time.monotonic())
        self.lock = threading.Lock()
        self.ssen_csv = headroom_csv(build_network())
        self._cache: dict[tuple, list[dict]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def do_GET(self):  # noqa: N802
                server.answer(self)

        super().__init__(Handler)

    def url_of(self, key: str) -> str:
        return f"{self.url}/{key}/"

    def urls(self) -> dict[str, str]:
        return {key: self.url_of(key) for key in portals()}

    def records(self, dataset: str) -> list[dict]:
        key = (dataset, self.release, self.sizes.get(dataset))
        if key not in self._cache:
            self._cache[key] = published_records(dataset, self.release, self.sizes.get(dataset))
        return self._cache[key]

    def requests_to(self, key: str) -> list[tuple[str, str, float]]:
        return [r for r in self.requests if r[0].startswith(f"/{key}/")]

    # -- answering -------------------------------------------------------------------------------------------

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlparse(handler.path)
        key, _, rest = url.path.lstrip("/").partition("/")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        with self.lock:
            self.requests.append((handler.path, handler.headers.get("User-Agent", ""), time.monotonic()))
            fault = self.faults.get(key, []).pop(0) if self.faults.get(key) else ""
        portal = portals().get(key)
        if portal is None:
            return send_reply(handler, 404, b"no such portal")
        if fault == "429":
            return self.json(handler, {"error_code": "TooManyRequests", "message": "Too many requests."}, 429,
                             {"Retry-After": "1"})
        if fault == "500":
            return send_reply(handler, 500, b"Internal Server Error")
        if fault == "html":
            return send_reply(handler, 200, b"<html><body>Down for maintenance</body></html>",
                              {"Content-Type": "text/html"})
        if key == "ssen" and not handler.headers.get("User-Agent", "").startswith("Mozilla/"):
            return send_reply(handler, 403, b"<html>Access denied</html>", {"Content-Type": "text/html"})
        if portal.kind == "ckan":
            return self.ckan(handler, portal, rest, query, fault)
        return self.ods(handler, portal, rest, query, fault)

    def json(self, handler, data, status: int = 200, headers: dict | None = None, fault: str = "") -> None:
        body = json.dumps(data).encode()
        if fault == "cut":
            handler.send_response(status)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
            handler.close_connection = True
            return None
        return send_reply(handler, status, body, {"Content-Type": "application/json", **(headers or {})})

    def rows(self, dataset: str, fault: str) -> list[dict]:
        rows = self.records(dataset)
        if fault == "rename":  # the operator renamed its headroom columns
            renamed = ("headroom", "hr", "Headroom")
            return [{(f"{k}_v2" if any(w in k for w in renamed) else k): v for k, v in r.items()} for r in rows]
        return rows

    # CKAN's Action API
    def ckan(self, handler, portal, rest: str, query: dict, fault: str) -> None:
        action = rest.removeprefix("api/3/action/")
        packages = {p["name"]: p for p in self.packages(portal)}
        if rest.startswith("files/"):
            return send_reply(handler, 200, self.ssen_csv, {"Content-Type": "text/csv"})
        if action == "package_show":
            package = packages.get(query.get("id", ""))
            if package is None:
                return self.json(handler, {"help": "", "success": False,
                                           "error": {"message": "Not found", "__type": "Not Found Error"}}, 404)
            return self.json(handler, {"help": "", "success": True, "result": package}, fault=fault)
        if action == "package_search":
            words = query.get("q", "").lower()
            found = [p for p in packages.values() if words in json.dumps(p).lower()]
            start, rows = int(query.get("start", 0)), int(query.get("rows", 10))
            return self.json(handler, {"help": "", "success": True,
                                       "result": {"count": len(found), "results": found[start:start + rows]}})
        if action == "datastore_search":
            dataset = query.get("resource_id", "").removeprefix("ds-")
            if dataset not in {s.dataset for s in portal.headroom}:
                return self.json(handler, {"success": False, "error": {"message": "Resource not found"}}, 404)
            records = self.rows(dataset, fault)
            limit, offset = int(query.get("limit", 100)), int(query.get("offset", 0))
            page = [{"_id": offset + n + 1, **r} for n, r in enumerate(records[offset:offset + limit])]
            base = f"/api/3/action/datastore_search?resource_id={query['resource_id']}&limit={limit}"
            fields = [{"id": "_id", "type": "int"}] + [{"id": k, "type": "text"} for k in (records[0] if records else {})]
            return self.json(handler, {"help": "", "success": True, "result": {
                "resource_id": query["resource_id"], "fields": fields, "records": page, "total": len(records),
                "limit": limit, "offset": offset,
                "_links": {"start": base, "next": f"/{portal.key}{base}&offset={offset + limit}"}}}, fault=fault)
        return self.json(handler, {"success": False, "error": {"message": f"Unknown action {action}"}}, 400)

    def packages(self, portal) -> list[dict]:
        found = []
        for source in portal.headroom:
            modified = MODIFIED[self.release].replace("+00:00", "")
            if source.via == "resource":
                resources = [{"id": f"res-{n}", "name": f"Headroom Dashboard Data - {month}", "format": "CSV",
                              "url": f"{self.url_of(portal.key)}files/headroom-{n}.csv", "last_modified": stamp}
                             for n, (month, stamp) in enumerate([("March 2026", MODIFIED[1].replace("+00:00", "")),
                                                                 ("June 2026", modified)][:self.release], start=1)]
            else:
                resources = [{"id": f"ds-{source.dataset}", "name": "Headroom", "format": "CSV",
                              "datastore_active": True, "last_modified": modified,
                              "url": f"{self.url_of(portal.key)}files/{source.dataset}.csv"}]
            found.append({"name": source.dataset, "title": f"{portal.name} headroom", "notes": "Synthetic test data.",
                          "tags": [{"name": "headroom"}], "organization": {"name": portal.key, "title": portal.name},
                          "license_title": portal.licence, "metadata_modified": modified, "resources": resources})
        return found

    # Opendatasoft's Explore API v2.1
    def ods(self, handler, portal, rest: str, query: dict, fault: str) -> None:
        path = rest.removeprefix("api/explore/v2.1/catalog/")
        descriptions = {s.dataset: self.description(portal, s.dataset) for s in portal.headroom}
        if path == "datasets":
            words = query.get("where", "").strip('"').lower()
            found = [d for d in descriptions.values() if words in json.dumps(d).lower()]
            offset, limit = int(query.get("offset", 0)), int(query.get("limit", 10))
            return self.json(handler, {"total_count": len(found), "results": found[offset:offset + limit]})
        parts = [unquote(p) for p in path.split("/")]
        if len(parts) < 2 or parts[0] != "datasets" or parts[1] not in descriptions:
            return self.json(handler, {"error_code": "DatasetNotFound", "message": "Unknown dataset"}, 404)
        dataset = parts[1]
        if len(parts) == 2:
            return self.json(handler, descriptions[dataset], fault=fault)
        records = self.rows(dataset, fault)
        if parts[2] == "records":
            limit, offset = int(query.get("limit", 10)), int(query.get("offset", 0))
            if limit > 100:
                return self.json(handler, {"error_code": "InvalidRESTParameterError",
                                           "message": "Invalid value for limit API parameter: 200 was found but "
                                                      "-1 <= limit <= 100 is expected."}, 400)
            if offset + limit > 10_000:
                return self.json(handler, {"error_code": "InvalidRESTParameterError",
                                           "message": "Invalid value for offset and limit: offset + limit must "
                                                      "be lower than 10000."}, 400)
            return self.json(handler, {"total_count": len(records), "results": records[offset:offset + limit]},
                             fault=fault)
        if parts[2] == "exports" and len(parts) == 4:
            if portal.needs_key and handler.headers.get("Authorization") != f"Apikey {ENWL_KEY}":
                return self.json(handler, {"error_code": "InvalidAPIKey" if handler.headers.get("Authorization")
                                           else "AuthenticationRequired",
                                           "message": "This dataset's exports require an API key."}, 401)
            if parts[3] == "json":
                return self.json(handler, records, fault=fault)
            if parts[3] == "geojson":
                return self.json(handler, {"type": "FeatureCollection", "features": [geojson_feature(r) for r in records]},
                                 fault=fault)
        return self.json(handler, {"error_code": "NotFound", "message": "Unknown endpoint"}, 404)

    def description(self, portal, dataset: str) -> dict:
        records = self.records(dataset)
        return {"dataset_id": dataset, "dataset_uid": f"da_{dataset[:6]}", "has_records": True,
                "features": ["geo"], "fields": [{"name": k, "label": k, "type": "text"} for k in records[0]],
                "metas": {"default": {"title": f"{portal.name} network headroom ({dataset})",
                                      "description": "<p>Synthetic test data.</p>", "keyword": ["headroom"],
                                      "license": portal.licence, "publisher": portal.name,
                                      "modified": MODIFIED[self.release], "data_processed": MODIFIED[self.release],
                                      "records_count": len(records)}}}


def geojson_feature(record: dict) -> dict:
    """A record as Opendatasoft's GeoJSON export writes it: its geo point as the geometry."""
    point = next((v for v in record.values() if isinstance(v, dict) and "lon" in v), None)
    geometry = {"type": "Point", "coordinates": [point["lon"], point["lat"]]} if point else None
    return {"type": "Feature", "geometry": geometry,
            "properties": {k: v for k, v in record.items() if not isinstance(v, dict)}}
