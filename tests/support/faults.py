"""A real HTTP endpoint on 127.0.0.1 that serves a file well, or fails on purpose.

Paths: ``/ok/NAME`` serves the body; ``/error…`` answers 500; ``/html…`` answers an HTML page where
JSON was expected; ``/badjson…`` answers JSON cut off mid-object; ``/unauthorized…`` and ``/forbidden…``
answer 401 (asking for Basic credentials) and 403; ``/truncated…`` promises more bytes than it sends and
closes; ``/slow…`` waits longer than a client's timeout.
"""

from __future__ import annotations

import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that gave up (timeout tests) leaves a broken pipe: expected, not worth a traceback.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class FaultyServer:
    def __init__(self, body: bytes, slow_seconds: float = 5.0) -> None:
        self.body = body
        self.slow_seconds = slow_seconds
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):  # keep test output clean
                pass

            def do_GET(self):  # noqa: N802
                server.requests.append((self.path, self.headers.get("User-Agent", "")))
                if self.path.startswith("/ok/"):
                    self._send(200, server.body)
                elif self.path.startswith("/error"):
                    self._send(500, b"Internal Server Error")
                elif self.path.startswith("/html"):
                    self._send(200, b"<html><body><h1>Service temporarily unavailable</h1></body></html>")
                elif self.path.startswith("/badjson"):
                    self._send(200, b'{"type": "FeatureCollection", "features": [{"id": ')
                elif self.path.startswith("/unauthorized"):
                    self._send(401, b"sign in", {"WWW-Authenticate": 'Basic realm="LEO"'})
                elif self.path.startswith("/forbidden"):
                    self._send(403, b"forbidden")
                elif self.path.startswith("/truncated"):
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(server.body) * 2))
                    self.end_headers()
                    self.wfile.write(server.body[: len(server.body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                elif self.path.startswith("/slow"):
                    time.sleep(server.slow_seconds)
                    self._send(200, server.body)
                else:
                    self._send(404, b"not found")

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FaultyServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
