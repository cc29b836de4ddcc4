"""Rows into a PostgreSQL table by ``COPY ... FROM STDIN`` (text format): one round trip per batch and no
statement per row, several times faster than INSERTs for a large import."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date, datetime

import numpy as np
import shapely
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def copy_cell(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float):
        return ("NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity") \
            if not math.isfinite(value) else repr(float(value))  # numpy 2's repr would say np.float64(...)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


def copy_rows(conn: Connection, table: str, columns: Sequence[str], rows: Sequence[dict],
              geometries: np.ndarray | None = None, geometry_column: str = "geom", srid: int = 4326) -> None:
    """COPY ``rows`` (dicts by column) into ``table`` in the connection's transaction; ``geometries``: one
    shapely geometry (or None) per row for ``geometry_column``, sent as hex EWKB with ``srid``."""
    if not rows:
        return
    names = list(columns)
    cells = [[copy_cell(row.get(name)) for name in names] for row in rows]
    if geometries is not None:
        ewkb = shapely.to_wkb(shapely.set_srid(geometries, srid), hex=True, include_srid=True)
        names = [geometry_column, *names]
        cells = [[NULL if g is None else g, *row] for g, row in zip(ewkb.tolist(), cells)]
    buffer = io.StringIO("".join("\t".join(row) + "\n" for row in cells))
    quote = conn.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    driver = conn.connection.driver_connection
    try:
        with driver.cursor() as cursor:
            cursor.copy_expert(sql, buffer)
    except driver.Error as exc:  # as SQLAlchemy would raise it (DataError, ...), for the callers' handlers
        raise DBAPIError.instance(sql, None, exc, driver.Error) from None
