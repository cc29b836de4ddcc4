"""Querying a dataset's features: bbox, datetime, property equality, CQL2, sorting and paging."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import orjson
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.engine import Connection

from leo_qgis_plugin.core.formats.fields import FieldDef, FieldType

from .cql import INT64, filter_condition
from .errors import bad_parameter
from .params import TimeRange, parse_timestamp
from .records import DatasetRecord
from .schema import GEOMETRY_COLUMN, ID_COLUMN
from .spatial import bbox_filter
from .store import table_for
from .types import json_bytes, to_json_value


@dataclass
class FeatureQuery:
    """What a client asked of a dataset's features, already parsed and checked."""

    bbox: tuple[float, float, float, float] | None = None
    time: TimeRange | None = None
    equals: dict[str, str] = field(default_factory=dict)
    cql: str | None = None
    cql_lang: str | None = None
    sortby: list[tuple[str, bool]] = field(default_factory=list)
    limit: int | None = 10
    offset: int = 0


def coerce_property(field_def: FieldDef, raw: str):
    """A query-string value as the field's type; 400 naming the property when it cannot be."""
    try:
        if field_def.type == FieldType.INTEGER:
            value = int(raw)
            if not INT64[0] <= value <= INT64[1]:
                raise bad_parameter(field_def.name, f"{field_def.name} is outside the range of 64-bit integers.")
            return value
        if field_def.type == FieldType.NUMBER:
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError
            return value
        if field_def.type == FieldType.BOOLEAN:
            if raw.lower() not in ("true", "false", "1", "0"):
                raise ValueError
            return raw.lower() in ("true", "1")
        if field_def.type == FieldType.DATETIME:
            return parse_timestamp(raw, field_def.name)
        if field_def.type == FieldType.DATE:
            return date.fromisoformat(raw)
    except ValueError:
        raise bad_parameter(field_def.name, f"{raw[:60]!r} is not a valid {field_def.type.value} for {field_def.name}.") \
            from None
    return raw


def _time_condition(record: DatasetRecord, data, time: TimeRange):
    columns = record.time_columns
    if columns is None:
        raise bad_parameter("datetime", f"collection {record.id!r} has no time dimension.")
    start_col, end_col = data.c[columns[0]], data.c[columns[1]]
    parts = []
    # Instants: start <= t <= end. Periods: they intersect the range (an open end never ends).
    if time.end is not None:
        parts.append(start_col <= time.end)
    if time.start is not None:
        parts.append(end_col >= time.start if columns[0] == columns[1] else or_(end_col >= time.start, end_col.is_(None)))
    return and_(*parts)


def build_select(conn: Connection, record: DatasetRecord, query: FeatureQuery) -> tuple[Select, Select]:
    """(page query, count query) for a dataset and a client's query."""
    data = table_for(record)
    dialect = conn.dialect.name
    conditions = []
    if query.bbox:
        conditions.append(bbox_filter(dialect, data, query.bbox))
    if query.time:
        conditions.append(_time_condition(record, data, query.time))
    for name, raw in query.equals.items():
        conditions.append(data.c[name] == coerce_property(record.field(name), raw))
    if query.cql:
        conditions.append(filter_condition(query.cql, query.cql_lang, data, record.fields, dialect))
    where = and_(True, *conditions)
    columns = [data.c[ID_COLUMN], func.ST_AsBinary(data.c[GEOMETRY_COLUMN]).label("wkb")] + [
        data.c[f.name] for f in record.fields
    ]
    order = [data.c[name].desc() if desc else data.c[name].asc() for name, desc in query.sortby]
    order.append(data.c[ID_COLUMN].asc())
    page = select(*columns).where(where).order_by(*order)
    if query.limit is not None:
        page = page.limit(query.limit).offset(query.offset)
    count = select(func.count()).select_from(data).where(where)
    return page, count


def row_to_feature(record: DatasetRecord, row) -> dict:
    """A GeoJSON feature from a result row (geometry parsed from WKB)."""
    import shapely

    m = row._mapping
    geometry = shapely.geometry.mapping(shapely.from_wkb(bytes(m["wkb"]))) if m["wkb"] is not None else None
    return {
        "type": "Feature",
        "id": m[ID_COLUMN],
        "geometry": geometry,
        "properties": {f.name: to_json_value(m[f.name]) for f in record.fields},
    }


def features_json(record: DatasetRecord, rows: Sequence) -> list[bytes]:
    """Result rows (id, wkb, *fields) as GeoJSON features, each as JSON bytes, in bulk: geometries written by GEOS
    for the whole batch, the rest by orjson. The same JSON as ``row_to_feature`` through ``json_bytes``: times as
    ISO 8601 with Z, NaN and infinities as null."""
    import shapely

    geoms = shapely.from_wkb([bytes(row[1]) if row[1] is not None else None for row in rows])
    geoms[shapely.is_empty(geoms)] = None  # GeoJSON has no empty point; an empty geometry is no geometry
    geometries = shapely.to_geojson(geoms)
    names = [f.name for f in record.fields]
    encoded = []
    for row, geometry in zip(rows, geometries.tolist()):
        feature = {"type": "Feature", "id": row[0],
                   "geometry": orjson.Fragment(geometry) if geometry is not None else None,
                   "properties": dict(zip(names, row[2:]))}
        try:
            encoded.append(orjson.dumps(feature, option=orjson.OPT_UTC_Z))
        except TypeError:  # a value orjson does not take (text with lone surrogates): the general encoder
            feature["geometry"] = json.loads(geometry) if geometry is not None else None
            encoded.append(json_bytes(feature))
    return encoded


def sortable_fields(record: DatasetRecord) -> set[str]:
    """Names a client may sort by."""
    return {f.name for f in record.fields}

