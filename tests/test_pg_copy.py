"""Dataset rows go into PostgreSQL by COPY: hostile text, empty and odd numbers, times and geometries arrive as
they were sent, and a refused batch leaves nothing behind."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest
import shapely
from sqlalchemy import text
from sqlalchemy.exc import DataError

from leo_catalogue.db import make_engine
from leo_catalogue.pg_copy import copy_rows
from leo_catalogue.records import DatasetKind, DatasetRecord, Provenance
from leo_catalogue.store import get_record, init_catalogue, put_dataset
from leo_qgis_plugin.core.formats.fields import FieldDef, FieldType

UTC = timezone.utc
HOSTILE = ["tab\there", "new\nline", "back\\slash \\N", "\\.", "quote ' \" ;DROP TABLE x;--", "", "é 漢字 \r end"]


@pytest.fixture()
def engine(postgres_cluster, request):
    url = postgres_cluster.create_database(f"copy_{request.node.name[:40].lower()}")
    engine = make_engine(url)
    init_catalogue(engine)
    yield engine
    engine.dispose()


def test_values_arrive_as_sent(engine):
    rows = [{"label": s, "x": x, "n": n, "b": b, "d": date(2024, 2, 29), "at": datetime(2024, 3, 31, 1, 30, tzinfo=UTC)
             + timedelta(minutes=i)} for i, (s, x, n, b) in enumerate(zip(
                HOSTILE, [np.float64(1.5), float("nan"), float("inf"), -float("inf"), None, 1e-300, -0.0],
                [1, None, 2 ** 62, -1, 0, None, 7], [True, False, None, True, False, None, True]))]
    points = np.array([shapely.Point(-1.25, 51.75), None] + [shapely.Point(i, i) for i in range(5)], dtype=object)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t_copy (geom geometry(GEOMETRY, 4326), label text, x double precision, n bigint, "
                          "b boolean, d date, at timestamptz)"))
        copy_rows(conn, "t_copy", ["label", "x", "n", "b", "d", "at"], rows, points)
    with engine.connect() as conn:
        back = conn.execute(text("SELECT ST_AsText(geom) AS wkt, ST_SRID(geom) AS srid, label, x, n, b, d, at FROM t_copy "
                                 "ORDER BY at")).mappings().all()
    assert [r["label"] for r in back] == HOSTILE
    assert back[0]["wkt"] == "POINT(-1.25 51.75)" and back[0]["srid"] == 4326 and back[1]["wkt"] is None
    xs = [r["x"] for r in back]
    assert xs[0] == 1.5 and np.isnan(xs[1]) and xs[2] == float("inf") and xs[3] == -float("inf") and xs[4] is None
    assert xs[5] == 1e-300
    assert [r["n"] for r in back] == [1, None, 2 ** 62, -1, 0, None, 7]
    assert [r["b"] for r in back] == [True, False, None, True, False, None, True]
    assert back[6]["at"] == datetime(2024, 3, 31, 1, 36, tzinfo=UTC) and back[0]["d"] == date(2024, 2, 29)


def test_a_refused_import_leaves_nothing(engine):
    record = DatasetRecord(id="copy-refused", title="Refused", description="", keywords=[], licence="CC-BY-4.0",
                           attribution="test", provenance=Provenance.SYNTHETIC, publisher="test",
                           kind=DatasetKind.TABLE, fields=[FieldDef("n", FieldType.INTEGER)])
    batches = [[{"n": 1, "geometry": None}], [{"n": "not a number", "geometry": None}]]
    with pytest.raises(DataError):
        put_dataset(engine, record, iter(batches))
    with engine.connect() as conn:
        assert get_record(conn, "copy-refused") is None
        assert not conn.dialect.has_table(conn, "d_copy_refused_v1")
