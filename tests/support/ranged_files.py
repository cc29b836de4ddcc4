"""A real HTTP endpoint on 127.0.0.1 that serves one file with an ETag and byte ranges, and can cut its answers
short on purpose: what a download that resumes is tested against."""

from __future__ import annotations

import re
from http.server import BaseHTTPRequestHandler

from .local_http import LocalServer, send_reply


class RangedFileServer(LocalServer):
    """``/file``: ``body`` with ``ETag`` and ``Accept-Ranges`` (unless ``ranges`` is False). The first ``cuts``
    answers stop after ``cut_after`` bytes of what they promised and close the connection. ``requests`` keeps
    each request's Range and If-Range headers."""

    def __init__(self, body: bytes, cuts: int = 0, cut_after: int = 0, ranges: bool = True,
                 etag: str = '"v1"') -> None:
        self.body, self.cuts, self.cut_after, self.ranges, self.etag = body, cuts, cut_after, ranges, etag
        self.requests: list[tuple[str | None, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def do_GET(self):  # noqa: N802
                wanted, if_range = self.headers.get("Range"), self.headers.get("If-Range")
                server.requests.append((wanted, if_range))
                if self.path != "/file":
                    send_reply(self, 404, b"not found")
                    return
                headers = {"ETag": server.etag, "Accept-Ranges": "bytes"} if server.ranges else {}
                start = 0
                match = re.fullmatch(r"bytes=(\d+)-", wanted or "")
                if server.ranges and match and if_range == server.etag:
                    start = int(match.group(1))
                    if start >= len(server.body):
                        send_reply(self, 416, b"", {**headers, "Content-Range": f"bytes */{len(server.body)}"})
                        return
                part = server.body[start:]
                self.send_response(206 if start else 200)
                for name, value in headers.items():
                    self.send_header(name, value)
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(server.body) - 1}/{len(server.body)}")
                self.send_header("Content-Length", str(len(part)))
                self.end_headers()
                if server.cuts > 0:
                    server.cuts -= 1
                    self.wfile.write(part[:server.cut_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(part)

        super().__init__(Handler)
