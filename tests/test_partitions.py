"""PostgreSQL time-series tables are partitioned by month: each month's rows in its own partition, made as rows
arrive, rows without a time kept in the default partition, queries for an instant reading one partition; a
failed import leaves no partition behind."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError

from leo_catalogue.db import make_engine
from leo_catalogue.partitions import partition_name
from leo_catalogue.records import DatasetKind, DatasetRecord, Provenance
from leo_catalogue.store import get_record, init_catalogue, put_dataset
from leo_qgis_plugin.core.formats.fields import FieldDef, FieldType

UTC = timezone.utc


@pytest.fixture()
def engine(postgres_cluster, request):
    engine = make_engine(postgres_cluster.create_database(f"part_{request.node.name[:40].lower()}"))
    init_catalogue(engine)
    yield engine
    engine.dispose()


def series_record(dataset_id: str) -> DatasetRecord:
    return DatasetRecord(id=dataset_id, title="Load", description="", keywords=[], licence="CC-BY-4.0",
                         attribution="test", provenance=Provenance.SYNTHETIC, publisher="test",
                         kind=DatasetKind.TIMESERIES, time_field="timestamp", site_field="site",
                         fields=[FieldDef("site", FieldType.STRING), FieldDef("timestamp", FieldType.DATETIME),
                                 FieldDef("kw", FieldType.NUMBER)])


def rows(start: datetime, count: int, site: str = "A") -> list[dict]:
    return [{"site": site, "timestamp": start + timedelta(hours=6 * i), "kw": float(i), "geometry": None}
            for i in range(count)]


def partitions(conn, table: str) -> dict[str, int]:
    found = conn.execute(text("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                              "WHERE i.inhparent = CAST(:t AS regclass) AND c.relkind = 'r'"), {"t": table}).scalars()
    return {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in found}


def test_each_month_in_its_partition_made_as_rows_arrive(engine):
    # Batches arrive in any order; March comes only in the last one; a row without a time is kept.
    batches = [rows(datetime(2025, 1, 30, tzinfo=UTC), 12), rows(datetime(2025, 3, 31, 18, tzinfo=UTC), 2, "B"),
               [{"site": "C", "timestamp": None, "kw": 1.0, "geometry": None}]]
    record = put_dataset(engine, series_record("load"), iter(batches))
    table = record.table_name
    with engine.connect() as conn:
        found = partitions(conn, table)
        # 30 Jan 00:00 + 12 x 6 h: 30-31 Jan (8 rows), 1 Feb (4); 31 Mar 18:00 (1) and 1 Apr 00:00 (1).
        assert found == {partition_name(table, "202501"): 8, partition_name(table, "202502"): 4,
                         partition_name(table, "202503"): 1, partition_name(table, "202504"): 1,
                         partition_name(table, "default"): 1}
        assert conn.execute(text(f'SELECT count(DISTINCT fid), count(*) FROM "{table}"')).one() == (15, 15)
        plan = "\n".join(conn.execute(text(f'EXPLAIN SELECT * FROM "{table}" WHERE timestamp = :t'),
                                      {"t": datetime(2025, 2, 1, 6, tzinfo=UTC)}).scalars())
    assert partition_name(table, "202502") in plan and partition_name(table, "202501") not in plan
    assert get_record(engine.connect(), "load").feature_count == 15


def test_a_failed_import_leaves_no_partition(engine):
    bad = rows(datetime(2025, 5, 1, tzinfo=UTC), 3)
    bad[2]["kw"] = "not a number"
    with pytest.raises(DataError):
        put_dataset(engine, series_record("refused"), iter([rows(datetime(2025, 4, 1, tzinfo=UTC), 3), bad]))
    with engine.connect() as conn:
        assert get_record(conn, "refused") is None
        left = conn.execute(text("SELECT count(*) FROM pg_class WHERE relname LIKE 'd_refused%'")).scalar_one()
    assert left == 0


def test_a_new_version_gets_partitions_of_its_own(engine):
    put_dataset(engine, series_record("again"), iter([rows(datetime(2025, 6, 1, tzinfo=UTC), 4)]))
    second = series_record("again")
    second.version = "2"
    record = put_dataset(engine, second, iter([rows(datetime(2025, 7, 1, tzinfo=UTC), 4)]))
    with engine.connect() as conn:
        assert set(partitions(conn, record.table_name)) == {partition_name(record.table_name, "202507"),
                                                            partition_name(record.table_name, "default")}
        assert conn.execute(text("SELECT count(*) FROM pg_class WHERE relname LIKE 'd_again_v1%'")).scalar_one() == 0
