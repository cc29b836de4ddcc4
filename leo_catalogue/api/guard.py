"""What every request goes through before an endpoint sees it: text the databases cannot take is refused,
``HEAD`` is answered for every ``GET``, and a request's database work stops when its client goes away."""

from __future__ import annotations

from urllib.parse import parse_qsl

import anyio

from ..db import RequestWork
from .negotiation import dumps


def _error(status: int, parameter: str, description: str) -> tuple[dict, bytes]:
    body = dumps({"code": "InvalidParameterValue", "description": description, "parameter": parameter})
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]}
    return start, body


def unusable_text(scope: dict) -> tuple[str, str] | None:
    """(parameter, problem) for a path or query string that no database can take (NUL characters) or that is
    not UTF-8; None when it is fine."""
    path = scope.get("path", "")
    if "\x00" in path:
        return "path", "The path holds a NUL character (%00)."
    try:
        pairs = parse_qsl(scope.get("query_string", b"").decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        return "query", "The query string is not UTF-8."
    for name, value in pairs:
        if "\x00" in name or "\x00" in value:
            shown = name.replace("\x00", "")[:100] or "query"
            return shown, f"{shown!r} holds a NUL character (%00): no database takes it."
    return None


class RequestGuard:
    """ASGI middleware around the whole application."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = unusable_text(scope)
        if problem is not None:
            start, body = _error(400, *problem)
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        work = RequestWork()
        scope["leo.work"] = work
        # What endpoints hand back when the request ends (download slots, open rows). One list, shared with the
        # copy of the scope a HEAD runs its GET with, so that a HEAD gives back what its GET took.
        scope["leo.release"] = []
        try:
            if scope["method"] == "HEAD":
                await self._head(scope, receive, send, work)
            else:
                await self._watched(scope, receive, send, work)
        finally:
            for release in scope.get("leo.release", []):
                release()

    async def _watched(self, scope, receive, send, work: RequestWork) -> None:
        """Run the request; when the client disconnects, stop its database work (the endpoint then ends quickly).

        The request body is passed through as it is read; after its last part, the guard itself listens for the
        disconnect and tells the application about it when it asks.
        """
        gone = anyio.Event()
        body_read = anyio.Event()
        has_body = _has_body(scope)
        if not has_body:
            body_read.set()

        async def app_receive():
            if not body_read.is_set():
                message = await receive()
                if message["type"] == "http.disconnect":
                    work.cancel()
                    gone.set()
                    body_read.set()
                elif not message.get("more_body", False):
                    body_read.set()
                return message
            await gone.wait()
            return {"type": "http.disconnect"}

        async def watch() -> None:
            await body_read.wait()
            if gone.is_set():
                return
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    work.cancel()
                    gone.set()
                    return

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(watch)
            try:
                await self.app(scope, app_receive, send)
            finally:
                tasks.cancel_scope.cancel()

    async def _head(self, scope, receive, send, work: RequestWork) -> None:
        """``HEAD`` as the ``GET`` it stands for: the same status and headers, no body; the rest of the work is
        stopped once the headers are out (a download is not written for nothing)."""
        scope = {**scope, "method": "GET"}
        headers_sent = anyio.Event()

        async def send_head(message) -> None:
            if message["type"] == "http.response.start" and not headers_sent.is_set():
                await send(message)
                await send({"type": "http.response.body", "body": b""})
                headers_sent.set()

        async with anyio.create_task_group() as tasks:
            async def run() -> None:
                await self.app(scope, receive, send_head)
                headers_sent.set()

            tasks.start_soon(run)
            await headers_sent.wait()
            work.cancel()
            tasks.cancel_scope.cancel()


def _has_body(scope) -> bool:
    headers = dict(scope.get("headers", []))
    length = headers.get(b"content-length", b"0").strip()
    return b"transfer-encoding" in headers or (length != b"0" and length != b"")
