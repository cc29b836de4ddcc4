"""Sizes of whole-dataset downloads, learnt from the downloads the server has sent.

Downloads are written when asked for, so a size is known only once one has been made: this ASGI middleware
counts the bytes of each complete, unfiltered download and remembers them per dataset, version and format
(in memory, until the server restarts). Dataset pages show a size where one is known.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import anyio
from sqlalchemy import select

from ..records import DatasetRecord
from ..schema import records

_DOWNLOAD = re.compile(r"^/collections/([^/]+)/download$")
_WHOLE = {"f", "version"}


class DownloadSizes:
    """Wraps the app; ``app.state.download_sizes`` maps (dataset id, version, format) to bytes."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        match = _DOWNLOAD.match(scope.get("path", "")) if scope["type"] == "http" else None
        params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))) if match else {}
        if not match or scope["method"] != "GET" or not set(params) <= _WHOLE:
            await self.app(scope, receive, send)
            return
        status, sent = 0, 0

        async def counting(message):
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
                if status == 200 and not message.get("more_body", False):
                    await self._remember(scope, match.group(1), params, sent)
            await send(message)

        await self.app(scope, receive, counting)

    async def _remember(self, scope, dataset_id: str, params: dict, size: int) -> None:
        app = scope["app"]
        version = params.get("version") or await anyio.to_thread.run_sync(_current_version, app, dataset_id)
        if version:
            app.state.download_sizes[(dataset_id, version, params.get("f", "gpkg"))] = size


def _current_version(app, dataset_id: str) -> str | None:
    with app.state.engine.connect() as conn:
        return conn.execute(select(records.c.version).where(records.c.id == dataset_id)).scalar()


def known_sizes(app, record: DatasetRecord) -> dict[str, int]:
    """Format → bytes of the record's current version, for the downloads made so far."""
    return {f: size for (dataset_id, version, f), size in getattr(app.state, "download_sizes", {}).items()
            if dataset_id == record.id and version == record.version}
