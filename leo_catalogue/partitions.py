"""PostgreSQL: time-series tables partitioned by month of their time field (native range partitioning).

A query for one instant or one month then reads only the partitions it needs (PostgreSQL prunes the others),
and each partition's indexes stay small, so the catalogue keeps its speed at a national operator's scale
(about 130 million feeder rows a month). Partitions are made as rows arrive, in the import's transaction:
a failed import leaves none behind. Rows without a time go to the table's default partition, so nothing is
refused that an unpartitioned table would take. SQLite tables are not partitioned.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from geoalchemy2 import Geometry
from sqlalchemy import Column, Integer, MetaData, Table, text
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateTable

from .records import DatasetKind, DatasetRecord
from .schema import GEOMETRY_COLUMN, ID_COLUMN
from .types import SQL_TYPES


def partition_column(conn: Connection, record: DatasetRecord) -> str | None:
    """The time field a dataset's table is partitioned by; None when it is not (SQLite, or not a time series
    of instants)."""
    if conn.dialect.name != "postgresql" or record.kind is not DatasetKind.TIMESERIES or not record.time_field:
        return None
    return record.time_field


def partition_name(table: str, month: str) -> str:
    """A partition's name (``month``: ``YYYYMM`` or ``default``; also the table's sequence), unique within
    PostgreSQL's 63 characters however long the table's name is."""
    digest = hashlib.sha1(table.encode()).hexdigest()[:8]
    return f"{table[:40]}_{digest}_{month}"


def create_partitioned_table(conn: Connection, record: DatasetRecord, column: str) -> Table:
    """The dataset's table, partitioned by month of ``column``. No primary key: PostgreSQL's would have to
    include the time, which may be empty; ``fid`` comes from the table's own sequence and is indexed."""
    name = record.table_name
    sequence = partition_name(name, "fid_seq")  # unique however long the name (two versions share a prefix)
    quote = conn.dialect.identifier_preparer.quote
    conn.execute(text(f"CREATE SEQUENCE {quote(sequence)}"))
    table = Table(
        name, MetaData(),
        Column(ID_COLUMN, Integer, nullable=False, server_default=text(f"nextval('{quote(sequence)}')")),
        Column(GEOMETRY_COLUMN, Geometry("GEOMETRY", srid=4326, spatial_index=False)),
        *[Column(f.name, SQL_TYPES[f.type]) for f in record.fields],
        postgresql_partition_by=f"RANGE ({quote(column)})",
    )
    conn.execute(CreateTable(table))
    conn.execute(text(f"ALTER SEQUENCE {quote(sequence)} OWNED BY {quote(name)}.{quote(ID_COLUMN)}"))
    conn.execute(text(f"CREATE TABLE {quote(partition_name(name, 'default'))} PARTITION OF {quote(name)} DEFAULT"))
    conn.execute(text(f"CREATE INDEX {quote('ix_' + name + '_fid')} ON {quote(name)} ({quote(ID_COLUMN)})"))
    return table


class MonthlyPartitions:
    """Makes the partition of each month that rows fall in, once."""

    def __init__(self, conn: Connection, table: str, column: str) -> None:
        self.conn = conn
        self.table = table
        self.column = column
        self.made: set[tuple[int, int]] = set()

    def make_room(self, rows: list[dict]) -> None:
        """The partitions for the months of ``rows`` (UTC), made if missing."""
        months = {(t.year, t.month) for t in (_utc(row.get(self.column)) for row in rows) if t is not None}
        quote = self.conn.dialect.identifier_preparer.quote
        for year, month in sorted(months - self.made):
            self.made.add((year, month))
            if year == 9999 and month == 12:
                continue  # no month after it to end the range: its rows stay in the default partition
            start = datetime(year, month, 1, tzinfo=timezone.utc)
            end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=timezone.utc)
            self.conn.execute(text(
                f"CREATE TABLE IF NOT EXISTS {quote(partition_name(self.table, f'{year:04d}{month:02d}'))} "
                f"PARTITION OF {quote(self.table)} FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"))


def _utc(value) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
