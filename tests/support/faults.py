"""A real HTTP endpoint on 127.0.0.1 that serves a file well, or fails on purpose.

Paths: ``/ok/NAME`` serves the body; ``/error…`` answers 500; ``/html…`` answers an HTML page where
JSON was expected; ``/badjson…`` answers JSON cut off mid-object; ``/unauthorized…`` and ``/forbidden…``
answer 401 (asking for Basic credentials) and 403; ``/truncated…`` promises more bytes than it sends and
closes; ``/slow…`` waits longer than a client's timeout.
"""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler

from .local_http import LocalServer, send_reply


class FaultyServer(LocalServer):
    def __init__(self, body: bytes, slow_seconds: float = 5.0) -> None:
        self.body = body
        self.slow_seconds = slow_seconds
        self.requests: list[tuple[str, str]] = []
        self.slow_answered = 0  # how many /slow requests were answered (after their wait)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):  # keep test output clean
                pass

            def do_GET(self):  # noqa: N802
                server.requests.append((self.path, self.headers.get("User-Agent", "")))
                if self.path.startswith("/ok/"):
                    send_reply(self, 200, server.body)
                elif self.path.startswith("/error"):
                    send_reply(self, 500, b"Internal Server Error")
                elif self.path.startswith("/html"):
                    send_reply(self, 200, b"<html><body><h1>Service temporarily unavailable</h1></body></html>")
                elif self.path.startswith("/badjson"):
                    send_reply(self, 200, b'{"type": "FeatureCollection", "features": [{"id": ')
                elif self.path.startswith("/unauthorized"):
                    send_reply(self, 401, b"sign in", {"WWW-Authenticate": 'Basic realm="LEO"'})
                elif self.path.startswith("/forbidden"):
                    send_reply(self, 403, b"forbidden")
                elif self.path.startswith("/truncated"):
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(server.body) * 2))
                    self.end_headers()
                    self.wfile.write(server.body[: len(server.body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                elif self.path.startswith("/slow"):
                    time.sleep(server.slow_seconds)
                    server.slow_answered += 1
                    send_reply(self, 200, server.body)
                else:
                    send_reply(self, 404, b"not found")

        super().__init__(Handler)
