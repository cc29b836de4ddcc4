"""A tiny JSON client for the tests (the server's own clients are QGIS and OWSLib)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request


class Http:
    """A tiny JSON client for the tests (the server's own clients are QGIS and OWSLib)."""

    def __init__(self, base: str) -> None:
        self.base = base

    def get(self, path: str) -> tuple[int, dict | bytes, dict]:
        url = path if path.startswith("http") else self.base.rstrip("/") + path
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                body, status, headers = response.read(), response.status, dict(response.headers)
        except urllib.error.HTTPError as exc:
            body, status, headers = exc.read(), exc.code, dict(exc.headers)
        kind = headers.get("content-type", "")
        if "json" in kind:
            return status, json.loads(body), headers
        return status, body, headers

    def json(self, path: str) -> dict:
        status, body, _ = self.get(path)
        assert status == 200, (path, status, body)
        return body
