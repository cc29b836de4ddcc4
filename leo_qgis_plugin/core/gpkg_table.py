"""A GeoPackage attributes table (no geometry) written straight with sqlite3, in batches.

Typed rows from the readers go in as they are read, a batch per transaction, so a file of any size is
written in constant memory; QGIS opens the result through GDAL like any GeoPackage (``path|layername=x``).
"""

from __future__ import annotations

import json
import operator
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime, timezone
from pathlib import Path

from .formats.fields import FieldDef, FieldType

_SQL_TYPES = {FieldType.STRING: "TEXT", FieldType.INTEGER: "INTEGER", FieldType.NUMBER: "REAL",
              FieldType.BOOLEAN: "BOOLEAN", FieldType.DATE: "DATE", FieldType.DATETIME: "DATETIME"}
_GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
_GPKG_VERSION = 10200              # 1.2: what QGIS 3.22's GDAL reads without a warning
_SYSTEM_TABLES = """
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
    organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
INSERT INTO gpkg_spatial_ref_sys VALUES
    ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
    ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
    ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,
AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",
0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]',
     'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
    description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
    CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
    geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
    CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name));
"""
# What a table was made from and what its reader said, so an unchanged file is not read again.
_SOURCE_TABLE = "leo_source"


def _cell(value):
    """A Python value as a GeoPackage stores it: date-times as ISO 8601 UTC text with milliseconds."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if isinstance(value, date):
        return value.isoformat()
    return value


class GpkgTableWriter:
    """Writes one attributes table into a new GeoPackage; ``close()`` (or leaving the ``with``) commits."""

    def __init__(self, path: Path, table: str, fields: list[FieldDef], description: str = "") -> None:
        self.path, self.table, self.fields = path, table, fields
        if path.exists():
            path.unlink()
        self.connection = sqlite3.connect(path)
        # The file is new and only renamed into place when complete: no journal is needed while writing.
        self.connection.executescript(f"PRAGMA application_id = {_GPKG_APPLICATION_ID}; "
                                      f"PRAGMA user_version = {_GPKG_VERSION}; PRAGMA journal_mode = OFF; "
                                      "PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;" + _SYSTEM_TABLES)
        columns = ", ".join(f'"{f.name}" {_SQL_TYPES[f.type]}' for f in fields)
        self.connection.execute(f'CREATE TABLE "{table}" (fid INTEGER PRIMARY KEY NOT NULL, {columns})')
        self.connection.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
                                "VALUES (?, 'attributes', ?, ?)", (table, table, description))
        names = ", ".join(f'"{f.name}"' for f in fields)
        self._insert = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(fields))})'
        self._pick = operator.itemgetter(*[f.name for f in fields])
        self._converted = [n for n, f in enumerate(fields) if f.type in (FieldType.DATETIME, FieldType.DATE)]
        self._texts: dict = {}  # each date-time as text once (a day's file repeats 48 half-hours)
        self.rows = 0

    def append(self, rows: Iterable[dict]) -> None:
        """Add a batch of rows (dicts with every field) in one transaction."""
        with self.connection:
            cursor = self.connection.executemany(self._insert, map(self._values, rows))
            self.rows += cursor.rowcount

    def _values(self, row: dict) -> list:
        values = list(self._pick(row))
        for at in self._converted:
            value = values[at]
            if value is not None:
                text = self._texts.get(value)
                if text is None:
                    text = _cell(value)
                    if len(self._texts) < 100_000:
                        self._texts[value] = text
                values[at] = text
        return values

    def index(self, *columns: str) -> None:
        """An index on the columns (built once the rows are in: faster than growing it row by row)."""
        name = f"idx_{self.table}_{'_'.join(columns)}"
        listed = ", ".join(f'"{c}"' for c in columns)
        self.connection.execute(f'CREATE INDEX "{name}" ON "{self.table}" ({listed})')

    def close(self, source: dict | None = None) -> None:
        """Commit; ``source`` (what the table was made from and what was found) is kept beside it."""
        if source is not None:
            self.connection.execute(f"CREATE TABLE {_SOURCE_TABLE} (key TEXT PRIMARY KEY, value TEXT)")
            self.connection.executemany(f"INSERT INTO {_SOURCE_TABLE} VALUES (?, ?)",
                                        [(k, json.dumps(v)) for k, v in source.items()])
        self.connection.commit()
        self.connection.close()

    def __enter__(self) -> GpkgTableWriter:
        return self

    def __exit__(self, kind, _value, _traceback) -> None:
        if kind is None:
            return
        self.connection.close()
        self.path.unlink(missing_ok=True)


def read_source(path: Path) -> dict | None:
    """What a GeoPackage written by ``GpkgTableWriter`` was made from; None for any other file."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return {key: json.loads(value) for key, value in connection.execute(f"SELECT key, value FROM {_SOURCE_TABLE}")}
    except sqlite3.Error:
        return None
    finally:
        connection.close()
