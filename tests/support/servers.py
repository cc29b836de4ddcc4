"""Starting the real catalogue server (``python -m leo_catalogue serve``) on a free loopback port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .postgres import free_port

ROOT = Path(__file__).resolve().parents[2]


class CatalogueServer:
    """A uvicorn process serving one database; ``url`` ends with a slash."""

    def __init__(self, db_url: str, env: dict[str, str] | None = None, log_level: str = "warning") -> None:
        self.db_url = db_url
        self.env = env or {}
        self.log_level = log_level  # "info" logs every request (uvicorn's access log) into ``log``
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"leo-server-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> CatalogueServer:
        env = {**os.environ, "SPATIALITE_LIBRARY_PATH": "mod_spatialite", **self.env}
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "leo_catalogue", "serve", "--db", self.db_url, "--port", str(self.port),
                 "--log-level", self.log_level],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"catalogue server exited: {self.log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(self.url, timeout=1).read()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("catalogue server did not start within 60 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
