"""Database engines: SpatiaLite (embedded default) and PostgreSQL/PostGIS, one code path.

The server's engine bounds every statement in time (``statement_timeout_ms``): PostgreSQL's own
``statement_timeout``; on SQLite a progress handler that stops a statement past its deadline. A request's
work can also be cancelled from another thread (the client went away): see ``RequestWork``.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection

os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")

# SQLite calls the progress handler every this many virtual-machine steps (a few thousand times a second).
_PROGRESS_STEPS = 10_000
_WRITE = "leo_write"


def is_sqlite(engine: Engine) -> bool:
    """True for the SpatiaLite backend."""
    return engine.dialect.name == "sqlite"


class RequestWork:
    """The database connections one request is using, so that its work can be stopped when its client has gone."""

    def __init__(self) -> None:
        self.cancelled = False
        self._connections: set = set()
        self._lock = threading.Lock()

    def cancel(self) -> None:
        """Stop every statement of this request now and refuse the next ones."""
        with self._lock:
            self.cancelled = True
            connections = list(self._connections)
        for dbapi_conn in connections:
            try:
                if hasattr(dbapi_conn, "interrupt"):  # sqlite3 (the progress handler also sees ``cancelled``)
                    dbapi_conn.interrupt()
                else:
                    dbapi_conn.cancel()  # psycopg2: PostgreSQL cancels the running statement
            except Exception:  # noqa: BLE001 - a connection closing meanwhile has nothing left to cancel
                pass

    @contextmanager
    def using(self, conn: Connection) -> Iterator[Connection]:
        """Count ``conn`` as this request's while the block runs."""
        dbapi_conn = conn.connection.dbapi_connection
        clock: _Clock | None = conn.info.get("leo.clock")
        with self._lock:
            self._connections.add(dbapi_conn)
        if clock is not None:
            clock.work = self
        try:
            if self.cancelled:
                raise RequestCancelled()
            yield conn
        finally:
            with self._lock:
                self._connections.discard(dbapi_conn)
            if clock is not None:
                clock.work = None


class RequestCancelled(Exception):
    """The request's client has gone: its database work was stopped."""


class _Clock:
    """SQLite: when the running statement of one connection must stop."""

    def __init__(self, timeout_ms: int | None) -> None:
        self.default_ms = timeout_ms
        self.timeout_ms = timeout_ms
        self.deadline = math.inf
        self.work: RequestWork | None = None

    def start(self) -> None:
        self.deadline = time.monotonic() + self.timeout_ms / 1000 if self.timeout_ms else math.inf

    def should_stop(self) -> int:
        return int((self.work is not None and self.work.cancelled) or time.monotonic() > self.deadline)


def restart_clock(conn: Connection) -> None:
    """Give the next fetch of a streamed result a whole timeout again (as PostgreSQL times each FETCH)."""
    clock: _Clock | None = conn.info.get("leo.clock")
    if clock is not None:
        clock.start()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    # SQLite's LIKE ignores ASCII case while PostgreSQL's does not: make both the same.
    cursor.execute("PRAGMA case_sensitive_like=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # How long a write waits for another (SQLite has one writer at a time: a large upload holds it).
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.close()


def busy_timeout_ms() -> int:
    """How long a SQLite writer queues for another to finish (``LEO_SQLITE_BUSY_TIMEOUT_MS``, default 30 s)."""
    return int(os.environ.get("LEO_SQLITE_BUSY_TIMEOUT_MS", "30000"))


def _autocommit_driver(dbapi_conn, _record) -> None:
    # Python's sqlite3 begins transactions only before INSERT/UPDATE/DELETE, so a CREATE TABLE would commit
    # on its own and a failed write would leave an orphan table. Let SQLAlchemy say BEGIN instead.
    dbapi_conn.isolation_level = None


def _begin(conn) -> None:
    # A writer takes the write lock at once: SQLite's busy handler then queues it behind another writer for
    # the busy timeout. A plain BEGIN that reads first and writes later fails at once with "database is locked"
    # when another writer committed meanwhile (its snapshot is stale and waiting cannot help).
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def _sqlite_clock(timeout_ms: int | None, dbapi_conn, record) -> None:
    clock = _Clock(timeout_ms)
    record.info["leo.clock"] = clock
    dbapi_conn.set_progress_handler(clock.should_stop, _PROGRESS_STEPS)


def _start_clock(conn, _cursor, _statement, _parameters, _context, _executemany) -> None:
    clock: _Clock | None = conn.info.get("leo.clock")
    if clock is not None:
        clock.start()


def _adapt_numpy_scalars() -> None:
    """Let psycopg2 send numpy scalars as plain numbers. numpy 2's float64 is a float whose repr is
    ``np.float64(-1.4)``, which psycopg2 would otherwise put into the SQL text as it stands."""
    import numpy
    from psycopg2.extensions import adapt, register_adapter

    register_adapter(numpy.generic, lambda value: adapt(value.item()))


def make_engine(url: str, statement_timeout_ms: int | None = None, pool_size: int = 8,
                pool_timeout_s: float = 30) -> Engine:
    """An engine for a ``sqlite:///`` or ``postgresql://`` URL, ready for spatial SQL.

    ``statement_timeout_ms`` bounds every statement (the server sets it; the command line's imports run
    unbounded). At most ``pool_size`` connections are open; a request waits ``pool_timeout_s`` for one.
    """
    pooling = {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": pool_timeout_s}
    if url.startswith("sqlite"):
        from geoalchemy2.admin.dialects.sqlite import load_spatialite

        engine = create_engine(url, connect_args={"check_same_thread": False}, **pooling)
        event.listen(engine, "connect", _autocommit_driver)
        event.listen(engine, "begin", _begin)
        # WGS84 mode initialises a new file in 0.07 s instead of 6 s for the full EPSG table.
        event.listen(engine, "connect", partial(load_spatialite, transaction=True, init_mode="WGS84"))
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", partial(_sqlite_clock, statement_timeout_ms))
        event.listen(engine, "before_cursor_execute", _start_clock)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url[len("postgresql://"):]
    _adapt_numpy_scalars()
    options = "-c timezone=UTC" + (f" -c statement_timeout={int(statement_timeout_ms)}" if statement_timeout_ms else "")
    return create_engine(url, pool_pre_ping=True, connect_args={"options": options}, **pooling)


@contextmanager
def write_transaction(engine: Engine, timeout_ms: int | None = None) -> Iterator[Connection]:
    """A transaction that writes: on SQLite it holds the write lock from the start (queueing behind another
    writer for the busy timeout). ``timeout_ms`` replaces the statement timeout for its statements (large
    uploads build indexes on millions of rows)."""
    with engine.execution_options(**{_WRITE: True}).begin() as conn:
        clock: _Clock | None = conn.info.get("leo.clock")
        if timeout_ms is not None:
            if clock is not None:
                clock.timeout_ms = timeout_ms
            else:
                conn.execute(text(f"SET LOCAL statement_timeout = {int(timeout_ms)}"))
        try:
            yield conn
        finally:
            if clock is not None:
                clock.timeout_ms = clock.default_ms


def ensure_postgis(engine: Engine) -> None:
    """Create the PostGIS extension where it is missing (PostgreSQL only)."""
    if not is_sqlite(engine):
        with write_transaction(engine) as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
