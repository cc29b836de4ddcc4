"""Storing datasets and their records: all-or-nothing writes, one code path for both backends."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timezone

import numpy as np
import shapely
from sqlalchemy import Engine, delete, insert, select, text, update
from sqlalchemy.engine import Connection

from leo_qgis_plugin.core.formats.fields import FieldDef

from .db import write_transaction
from .partitions import MonthlyPartitions, create_partitioned_table, partition_column
from .pg_copy import copy_rows
from .records import AccessLevel, DatasetKind, DatasetRecord, Provenance
from .schema import (
    GEOMETRY_COLUMN,
    MIGRATABLE_VERSIONS,
    SCHEMA_VERSION,
    catalogue_meta,
    create_catalogue_schema,
    dataset_table,
    dataset_versions,
    record_keywords,
    records,
    table_name_for,
)

Batch = list[dict]


class VersionExists(RuntimeError):
    """A version being kept is already stored (two uploads of the same dataset at once)."""


class OutdatedCatalogue(RuntimeError):
    """The database was made by another version of the catalogue's schema."""


def schema_state(engine: Engine) -> str:
    """``empty`` (no catalogue yet), ``current``, ``migratable`` (brought up to date in place) or ``outdated``."""
    with engine.connect() as conn:
        if not conn.dialect.has_table(conn, "records"):
            return "empty"
        if not conn.dialect.has_table(conn, "catalogue_meta"):
            return "outdated"
        version = conn.execute(select(catalogue_meta.c.value).where(catalogue_meta.c.key == "schema_version")).scalar()
    if version == SCHEMA_VERSION:
        return "current"
    return "migratable" if version in MIGRATABLE_VERSIONS else "outdated"


def init_catalogue(engine: Engine) -> None:
    """Create the catalogue schema (idempotent) or bring a migratable one up to date, keeping every dataset;
    OutdatedCatalogue for a database of an older, incompatible version."""
    from .db import ensure_postgis

    state = schema_state(engine)
    if state == "outdated":
        raise OutdatedCatalogue(
            f"The catalogue database was made by another version of LEO catalogue (schema {SCHEMA_VERSION} "
            "expected). For a SQLite file, `python -m leo_catalogue load-demo --if-needed` sets it aside and builds "
            "a new one; otherwise point --db at a new database.")
    ensure_postgis(engine)
    with write_transaction(engine) as conn:
        if state == "migratable":
            version = conn.execute(select(catalogue_meta.c.value).where(catalogue_meta.c.key == "schema_version")).scalar()
        create_catalogue_schema(conn)
        if state == "empty":
            conn.execute(insert(catalogue_meta).values(key="schema_version", value=SCHEMA_VERSION))
        elif state == "migratable":
            if version == "3":
                timestamp = "DATETIME" if conn.dialect.name == "sqlite" else "TIMESTAMP WITH TIME ZONE"
                conn.execute(text(f"ALTER TABLE api_tokens ADD COLUMN expires {timestamp}"))
                _list_current_versions(conn)
            else:
                _keep_access_per_version(conn)
            conn.execute(update(catalogue_meta).where(catalogue_meta.c.key == "schema_version")
                         .values(value=SCHEMA_VERSION))


def _list_current_versions(conn: Connection) -> None:
    """Version rows for the datasets of a database made before versions were kept."""
    for record in (record_from_row(row) for row in conn.execute(select(records).where(records.c.table_name.is_not(None)))):
        conn.execute(insert(dataset_versions).values(_version_row(record, "", record.organisation)))


def _keep_access_per_version(conn: Connection) -> None:
    """Schema 4 to 5: versions get their own access level and record. What earlier versions were published with
    was not kept, so they become restricted to their organisation (never more open than they may have been);
    current versions take their record's."""
    json_type = "TEXT" if conn.dialect.name == "sqlite" else "JSON"
    conn.execute(text("ALTER TABLE dataset_versions ADD COLUMN access TEXT"))
    conn.execute(text(f"ALTER TABLE dataset_versions ADD COLUMN record {json_type}"))
    for record in (record_from_row(row) for row in conn.execute(select(records).where(records.c.table_name.is_not(None)))):
        for stored in list_versions(conn, record.id):
            access = record.access if stored["version"] == record.version else AccessLevel.RESTRICTED
            conn.execute(update(dataset_versions).where(dataset_versions.c.id == stored["id"])
                         .values(access=access.value, record=_record_snapshot(replace(record, access=access))))


class _Extent:
    """Running spatial and temporal extent of the rows written."""

    def __init__(self, time_columns: tuple[str, str] | None):
        self.bounds: list[float] | None = None
        self.time_columns = time_columns
        self.start: datetime | None = None
        self.end: datetime | None = None

    def add(self, geoms: np.ndarray, batch: Batch) -> None:
        present = geoms[~shapely.is_missing(geoms)]
        if len(present):
            b = shapely.total_bounds(present)
            if self.bounds is None:
                self.bounds = list(b)
            else:
                self.bounds = [min(self.bounds[0], b[0]), min(self.bounds[1], b[1]),
                               max(self.bounds[2], b[2]), max(self.bounds[3], b[3])]
        if self.time_columns:
            first, last = self.time_columns
            starts = [r[first] for r in batch if r.get(first) is not None]
            ends = [r[last] for r in batch if r.get(last) is not None]
            if starts:
                self.start = min([self.start, *starts]) if self.start else min(starts)
            if ends:
                self.end = max([self.end, *ends]) if self.end else max(ends)


def _create_indexes(conn: Connection, record: DatasetRecord) -> None:
    name = record.table_name
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"SELECT CreateSpatialIndex('{name}', '{GEOMETRY_COLUMN}')"))
    else:
        conn.execute(text(f'CREATE INDEX "ix_{name}_geom" ON "{name}" USING GIST ({GEOMETRY_COLUMN})'))
    time_names = {n for n in (record.time_field, record.time_start_field, record.time_end_field) if n}
    for column in sorted(time_names):
        conn.execute(text(f'CREATE INDEX "ix_{name}_{column}" ON "{name}" ("{column}")'))
    if record.site_field and record.time_columns:
        conn.execute(text(
            f'CREATE INDEX "ix_{name}_site_time" ON "{name}" ("{record.site_field}", "{record.time_columns[0]}")'
        ))
    if conn.dialect.name != "sqlite":
        conn.execute(text(f'ANALYZE "{name}"'))


def _record_row(record: DatasetRecord) -> dict:
    bbox = record.bbox or (None, None, None, None)
    return {
        "id": record.id,
        "title": record.title,
        "description": record.description,
        "keywords": list(record.keywords),
        "themes": list(record.themes),
        "search_text": " ".join([record.title, record.description, *record.keywords, *record.themes]),
        "licence": record.licence,
        "licence_url": record.licence_url,
        "attribution": record.attribution,
        "provenance": record.provenance.value,
        "publisher": record.publisher,
        "organisation": record.organisation,
        "kind": record.kind.value,
        "update_frequency": record.update_frequency,
        "version": record.version,
        "access": record.access.value,
        "updated": record.updated,
        "minx": bbox[0], "miny": bbox[1], "maxx": bbox[2], "maxy": bbox[3],
        "time_start": record.time_start,
        "time_end": record.time_end,
        "geometry_type": record.geometry_type,
        "fields": [f.to_json() for f in record.fields],
        "time_field": record.time_field,
        "time_start_field": record.time_start_field,
        "time_end_field": record.time_end_field,
        "site_field": record.site_field,
        "feature_count": record.feature_count,
        "table_name": record.table_name,
        "notes": list(record.notes),
    }


def record_from_row(row) -> DatasetRecord:
    """A DatasetRecord from a row of the records table."""
    m = row._mapping
    bbox = (m["minx"], m["miny"], m["maxx"], m["maxy"]) if m["minx"] is not None else None
    return DatasetRecord(
        id=m["id"], title=m["title"], description=m["description"], keywords=list(m["keywords"]),
        themes=list(m["themes"]), licence=m["licence"], licence_url=m["licence_url"],
        attribution=m["attribution"], provenance=Provenance(m["provenance"]), publisher=m["publisher"],
        organisation=m["organisation"], kind=DatasetKind(m["kind"]), update_frequency=m["update_frequency"],
        version=m["version"], access=AccessLevel(m["access"]), updated=m["updated"], bbox=bbox,
        time_start=m["time_start"], time_end=m["time_end"], geometry_type=m["geometry_type"],
        fields=[FieldDef.from_json(f) for f in m["fields"]], time_field=m["time_field"],
        time_start_field=m["time_start_field"], time_end_field=m["time_end_field"],
        site_field=m["site_field"], feature_count=m["feature_count"], table_name=m["table_name"],
        notes=list(m["notes"]),
    )


def write_records(conn: Connection, items: list[DatasetRecord]) -> None:
    """Insert or replace records with their keyword and full-text entries (in bulk)."""
    if not items:
        return
    ids = [r.id for r in items]
    sqlite = conn.dialect.name == "sqlite"
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        if sqlite:
            for index in ("records_fts", "records_title_fts"):
                conn.execute(text(f"DELETE FROM {index} WHERE rowid IN "
                                  "(SELECT num FROM records WHERE id IN (SELECT value FROM json_each(:ids)))"),
                             {"ids": json.dumps(part)})
        conn.execute(delete(records).where(records.c.id.in_(part)))
        conn.execute(delete(record_keywords).where(record_keywords.c.record_id.in_(part)))
    conn.execute(insert(records), [_record_row(r) for r in items])
    keywords = [{"record_id": r.id, "keyword": k}
                for r in items for k in sorted({k.lower() for k in [*r.keywords, *r.themes]})]
    if keywords:
        conn.execute(insert(record_keywords), keywords)
    if sqlite:
        by_id = {r.id: r for r in items}
        rows = []
        for chunk in range(0, len(ids), 500):
            found = conn.execute(select(records.c.num, records.c.id).where(records.c.id.in_(ids[chunk:chunk + 500])))
            for num, record_id in found:
                r = by_id[record_id]
                rows.append({"num": num, "t": r.title, "d": r.description,
                             "k": " ".join([*r.keywords, *r.themes]), "a": r.access.value})
        conn.execute(text("INSERT INTO records_fts (rowid, title, description, keywords, access) "
                          "VALUES (:num, :t, :d, :k, :a)"), rows)
        public = [row for row in rows if row["a"] == AccessLevel.PUBLIC.value]
        if public:
            conn.execute(text("INSERT INTO records_title_fts (rowid, title) VALUES (:num, :t)"), public)


def put_dataset(engine: Engine, record: DatasetRecord, batches: Iterable[Batch], keep_previous: bool = False,
                user: str = "", organisation: str = "",
                also: Callable[[Connection, DatasetRecord], None] | None = None,
                timeout_ms: int | None = None) -> DatasetRecord:
    """Store a dataset's rows and its record in one transaction as its current version.

    Each row is a dict of field values plus ``geometry`` (a shapely geometry in EPSG:4326, or None).
    Earlier versions are dropped, or kept (``keep_previous``, as for uploads) and listed by
    ``list_versions``. ``also`` runs in the same transaction (e.g. the audit entry) once the record is
    complete. Nothing changes in the catalogue if anything fails. ``timeout_ms`` bounds each statement (uploads).
    """
    record.table_name = table_name_for(record.id, record.version)
    record.updated = record.updated or datetime.now(timezone.utc)
    table = dataset_table(record.table_name, record.fields)
    names = [f.name for f in record.fields]
    extent = _Extent(record.time_columns)
    count = 0
    with write_transaction(engine, timeout_ms) as conn:
        old = conn.execute(select(records.c.table_name).where(records.c.id == record.id)).scalar()
        if keep_previous and conn.dialect.has_table(conn, record.table_name):
            raise VersionExists(f"Version {record.version} of {record.id!r} is already stored; try again.")
        if old == record.table_name or conn.dialect.has_table(conn, record.table_name):
            _drop_table(conn, record.table_name)
        column = partition_column(conn, record)
        if column is None:
            table.create(conn)
        else:
            table = create_partitioned_table(conn, record, column)
            partitions = MonthlyPartitions(conn, record.table_name, column)
        for batch in batches:
            if not batch:
                continue
            if column is not None:
                partitions.make_room(batch)
            geoms = np.array([row.get("geometry") for row in batch], dtype=object)
            extent.add(geoms, batch)
            _insert_rows(conn, table, names, batch, geoms)
            count += len(batch)
        _create_indexes(conn, record)
        record.feature_count = count
        record.bbox = tuple(extent.bounds) if extent.bounds else None
        record.time_start, record.time_end = extent.start, extent.end
        write_records(conn, [record])
        if not keep_previous:
            earlier = {v["table_name"] for v in list_versions(conn, record.id)} | ({old} if old else set())
            for name in earlier - {record.table_name}:
                _drop_table(conn, name)
            conn.execute(delete(dataset_versions).where(dataset_versions.c.record_id == record.id))
        conn.execute(delete(dataset_versions).where((dataset_versions.c.record_id == record.id)
                                                    & (dataset_versions.c.version == record.version)))
        conn.execute(insert(dataset_versions).values(_version_row(record, user, organisation)))
        if also is not None:
            also(conn, record)
    return record


def _insert_rows(conn: Connection, table, names: list[str], batch: Batch, geoms: np.ndarray) -> None:
    """Insert a batch. On PostgreSQL by COPY; on SQLite straight through the driver, column by column:
    SQLAlchemy's executemany builds a dict and runs the type processors for every value, two thirds of a large
    import's time."""
    if conn.dialect.name != "sqlite":
        copy_rows(conn, table.name, names, batch, geoms, GEOMETRY_COLUMN)
        return
    columns = [shapely.to_wkb(geoms).tolist()]
    for name in names:
        values = [row.get(name) for row in batch]
        process = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        if process is not None:
            converted = {value: process(value) for value in set(values)}  # times repeat: each converted once
            values = [converted[value] for value in values]
        columns.append(values)
    quote = conn.dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in [GEOMETRY_COLUMN, *names])}) "
           f"VALUES (ST_GeomFromWKB(?, 4326){', ?' * len(names)})")
    conn.exec_driver_sql(sql, list(zip(*columns)))


def _version_row(record: DatasetRecord, user: str, organisation: str) -> dict:
    return {"record_id": record.id, "version": record.version, "table_name": record.table_name,
            "fields": [f.to_json() for f in record.fields], "feature_count": record.feature_count,
            "created": record.updated or datetime.now(timezone.utc), "user": user, "organisation": organisation,
            "access": record.access.value, "record": _record_snapshot(record)}


# What a version keeps of its record: what it was published with, as it was then.
_SNAPSHOT = ("title", "description", "keywords", "licence", "licence_url", "attribution", "time_field",
             "time_start_field", "time_end_field", "site_field", "geometry_type", "notes")


def _record_snapshot(record: DatasetRecord) -> dict:
    snapshot = {name: getattr(record, name) for name in _SNAPSHOT}
    snapshot.update(kind=record.kind.value, bbox=list(record.bbox) if record.bbox else None,
                    time_start=record.time_start.isoformat() if record.time_start else None,
                    time_end=record.time_end.isoformat() if record.time_end else None)
    return snapshot


def version_record(current: DatasetRecord, stored: dict) -> DatasetRecord:
    """The record of one stored version (from ``list_versions``): its own access level, title, licence, time
    fields and extent, with the dataset's id and organisation."""
    snapshot = stored.get("record") or {}
    fields = {name: snapshot[name] for name in _SNAPSHOT if name in snapshot}
    if "kind" in snapshot:
        fields["kind"] = DatasetKind(snapshot["kind"])
    if "bbox" in snapshot:
        fields["bbox"] = tuple(snapshot["bbox"]) if snapshot["bbox"] else None
    for name in ("time_start", "time_end"):
        if name in snapshot:
            fields[name] = datetime.fromisoformat(snapshot[name]) if snapshot[name] else None
    access = AccessLevel(stored["access"]) if stored.get("access") else current.access
    return replace(current, **fields, version=stored["version"], table_name=stored["table_name"],
                   feature_count=stored["feature_count"], fields=[FieldDef.from_json(f) for f in stored["fields"]],
                   access=access)


def set_version_access(conn: Connection, dataset_id: str, version: str, access: AccessLevel) -> AccessLevel | None:
    """Give one stored version a new access level (and the record, when it is the current version); the level it
    had, or None when there is no such version."""
    stored = next((v for v in list_versions(conn, dataset_id) if v["version"] == version), None)
    record = get_record(conn, dataset_id)
    if stored is None or record is None:
        return None
    before = AccessLevel(stored["access"]) if stored.get("access") else record.access
    conn.execute(update(dataset_versions).where(dataset_versions.c.id == stored["id"]).values(access=access.value))
    if record.version == version:
        record.access = access
        write_records(conn, [record])
    return before


def list_versions(conn: Connection, dataset_id: str) -> list[dict]:
    """The stored versions of a dataset, oldest first: version, table_name, fields, feature_count, created,
    user, organisation."""
    rows = conn.execute(select(dataset_versions).where(dataset_versions.c.record_id == dataset_id)
                        .order_by(dataset_versions.c.id))
    return [dict(row._mapping) for row in rows]


def delete_version(conn: Connection, dataset_id: str, version: str) -> bool:
    """Remove one earlier (not the current) version's data; False if there is no such earlier version."""
    current = conn.execute(select(records.c.version).where(records.c.id == dataset_id)).scalar()
    stored = next((v for v in list_versions(conn, dataset_id) if v["version"] == version), None)
    if stored is None or version == current:
        return False
    _drop_table(conn, stored["table_name"])
    conn.execute(delete(dataset_versions).where(dataset_versions.c.id == stored["id"]))
    return True


def delete_dataset(conn: Connection, dataset_id: str) -> list[str]:
    """Remove a dataset: its record, search entries and every version's table. The versions removed."""
    current = conn.execute(select(records.c.table_name).where(records.c.id == dataset_id)).scalar()
    versions = list_versions(conn, dataset_id)
    for name in {v["table_name"] for v in versions} | ({current} if current else set()):
        _drop_table(conn, name)
    if conn.dialect.name == "sqlite":
        for index in ("records_fts", "records_title_fts"):
            conn.execute(text(f"DELETE FROM {index} WHERE rowid IN (SELECT num FROM records WHERE id = :id)"),
                         {"id": dataset_id})
    conn.execute(delete(records).where(records.c.id == dataset_id))
    conn.execute(delete(record_keywords).where(record_keywords.c.record_id == dataset_id))
    conn.execute(delete(dataset_versions).where(dataset_versions.c.record_id == dataset_id))
    return [v["version"] for v in versions]


def _drop_table(conn: Connection, name: str) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"SELECT DisableSpatialIndex('{name}', '{GEOMETRY_COLUMN}')"))
        conn.execute(text(f'DROP TABLE IF EXISTS "idx_{name}_{GEOMETRY_COLUMN}"'))
        conn.execute(text(f"SELECT DiscardGeometryColumn('{name}', '{GEOMETRY_COLUMN}')"))
    conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))


def get_record(conn: Connection, dataset_id: str) -> DatasetRecord | None:
    """The record with this id, or None."""
    row = conn.execute(select(records).where(records.c.id == dataset_id)).first()
    return record_from_row(row) if row else None


def table_for(record: DatasetRecord):
    """The SQLAlchemy table holding a record's data."""
    return dataset_table(record.table_name, record.fields)


def put_records(engine: Engine, items: Iterable[DatasetRecord]) -> int:
    """Store catalogue-only records (no data table), e.g. records harvested from elsewhere."""
    batch = list(items)
    for record in batch:
        record.updated = record.updated or datetime.now(timezone.utc)
    with write_transaction(engine) as conn:
        write_records(conn, batch)
    return len(batch)
