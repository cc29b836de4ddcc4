"""A local CKAN portal on 127.0.0.1 serving real recorded metadata (National Grid's package_show) and an
SSEN-style headroom dataset whose resources are SSEN-format CSVs, republished as a new resource."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

from leo_catalogue.demo.headroom_csv import headroom_csv
from leo_catalogue.demo.network import build_network

from .local_http import LocalServer, send_reply
from .servers import ROOT

NGED = json.loads((ROOT / "leo_catalogue/data/real/ckan/nged_package_show_result.json").read_text())


def headroom_package(base: str) -> dict:
    def resource(n: int, month: str, modified: str) -> dict:
        return {"id": f"res-{n}", "name": f"Headroom Dashboard Data - {month}", "format": "CSV",
                "url": f"{base}/files/headroom-{n}.csv", "last_modified": modified, "size": 20000}

    return {
        "name": "generation-availability-and-network-capacity", "title": "Generation Availability and Network Capacity",
        "notes": "Headroom at SSEN substations.", "tags": [{"name": "headroom"}, {"name": "capacity"}],
        "organization": {"name": "ssen", "title": "Scottish and Southern Electricity Networks"},
        "license_title": "SSEN Open Data Licence", "metadata_modified": "2026-03-02T09:00:00",
        "resources": [resource(1, "December 2025", "2025-12-01T09:00:00"),
                      resource(2, "March 2026", "2026-03-02T09:00:00"),
                      {"id": "res-pdf", "name": "Guide", "format": "PDF", "url": f"{base}/files/guide.pdf",
                       "last_modified": "2026-04-01T09:00:00"}],
    }


class CkanPortal(LocalServer):
    def __init__(self) -> None:
        portal = self
        self.csv = headroom_csv(build_network())

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def do_GET(self):  # noqa: N802
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                packages = {p["name"]: p for p in (NGED, headroom_package(portal.url))}
                if url.path == "/api/3/action/package_show":
                    package = packages.get(query.get("id"))
                    if package is None:
                        return self.send_json({"success": False, "error": {"message": "Not found"}}, 404)
                    return self.send_json({"success": True, "result": package})
                if url.path == "/api/3/action/package_search":
                    found = [p for p in packages.values() if query.get("q", "").lower() in json.dumps(p).lower()]
                    if "tags:" in query.get("fq", ""):
                        tag = query["fq"].split('"')[1]
                        found = [p for p in found if tag in [t["name"] for t in p.get("tags", [])]]
                    start, rows = int(query.get("start", 0)), int(query.get("rows", 10))
                    return self.send_json({"success": True, "result": {"count": len(found),
                                                                       "results": found[start:start + rows]}})
                if url.path.startswith("/files/headroom-"):
                    return self.send(200, portal.csv, "text/csv")
                self.send(404, b"not found", "text/plain")

            def send_json(self, data, status=200):
                self.send(status, json.dumps(data).encode(), "application/json")

            def send(self, status, body, kind):
                send_reply(self, status, body, {"Content-Type": kind})

        super().__init__(Handler)
