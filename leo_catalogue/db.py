"""Database engines: SpatiaLite (embedded default) and PostgreSQL/PostGIS, one code path."""

from __future__ import annotations

import os
from functools import partial

from sqlalchemy import Engine, create_engine, event, text

os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")


def is_sqlite(engine: Engine) -> bool:
    """True for the SpatiaLite backend."""
    return engine.dialect.name == "sqlite"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    # SQLite's LIKE ignores ASCII case while PostgreSQL's does not: make both the same.
    cursor.execute("PRAGMA case_sensitive_like=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # How long a write waits for another (SQLite has one writer at a time: a large upload holds it).
    cursor.execute(f"PRAGMA busy_timeout={int(os.environ.get('LEO_SQLITE_BUSY_TIMEOUT_MS', '30000'))}")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.close()


def _autocommit_driver(dbapi_conn, _record) -> None:
    # Python's sqlite3 begins transactions only before INSERT/UPDATE/DELETE, so a CREATE TABLE would commit
    # on its own and a failed write would leave an orphan table. Let SQLAlchemy say BEGIN instead.
    dbapi_conn.isolation_level = None


def _begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")


def _adapt_numpy_scalars() -> None:
    """Let psycopg2 send numpy scalars as plain numbers. numpy 2's float64 is a float whose repr is
    ``np.float64(-1.4)``, which psycopg2 would otherwise put into the SQL text as it stands."""
    import numpy
    from psycopg2.extensions import adapt, register_adapter

    register_adapter(numpy.generic, lambda value: adapt(value.item()))


def make_engine(url: str) -> Engine:
    """An engine for a ``sqlite:///`` or ``postgresql://`` URL, ready for spatial SQL."""
    if url.startswith("sqlite"):
        from geoalchemy2.admin.dialects.sqlite import load_spatialite

        engine = create_engine(url, pool_size=8, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _autocommit_driver)
        event.listen(engine, "begin", _begin)
        # WGS84 mode initialises a new file in 0.07 s instead of 6 s for the full EPSG table.
        event.listen(engine, "connect", partial(load_spatialite, transaction=True, init_mode="WGS84"))
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url[len("postgresql://"):]
    _adapt_numpy_scalars()
    engine = create_engine(
        url, pool_pre_ping=True, pool_size=8, connect_args={"options": "-c timezone=UTC"}
    )
    return engine


def ensure_postgis(engine: Engine) -> None:
    """Create the PostGIS extension where it is missing (PostgreSQL only)."""
    if not is_sqlite(engine):
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
