"""A throwaway PostgreSQL/PostGIS cluster on a free loopback port (the Debian release's own PostgreSQL)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's programs (Debian 12 has 15, Debian 13 has 17, unstable newer)."""
    versions = sorted((p for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")), key=lambda p: int(p.parts[-3]))
    if not versions:
        raise RuntimeError("PostgreSQL is not installed (make test installs postgresql and postgresql-postgis).")
    return versions[-1].parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresCluster:
    """initdb + pg_ctl start on 127.0.0.1:<free port>; stop() removes everything."""

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="leo-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.bin = postgres_bin()
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            # initdb refuses to run as root: run the cluster as the postgres user.
            self.run_as = ["runuser", "-u", "postgres", "--"]
            uid, gid = pwd.getpwnam("postgres").pw_uid, pwd.getpwnam("postgres").pw_gid
            self.root.chmod(0o755)
        self.sockets.mkdir()
        if self.run_as:
            os.chown(self.root, uid, gid)
            os.chown(self.sockets, uid, gid)

    def _run(self, *args: str) -> None:
        subprocess.run([*self.run_as, *args], check=True, capture_output=True, text=True)

    def start(self) -> str:
        """Start the cluster, create database ``leo`` with PostGIS; return its URL."""
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "-U", "postgres")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sockets} -c fsync=off -c timezone=UTC"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-l",
                  str(self.root / "log.txt"), "start")
        return self.create_database("leo")

    def create_database(self, name: str) -> str:
        """A new, empty database in this cluster; its URL."""
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)
