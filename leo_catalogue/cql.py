"""CQL2 text filters, parsed by pygeofilter, translated to SQLAlchemy for both backends.

Our own translation (rather than pygeofilter's SQLAlchemy backend) so that SpatiaLite's
-1 answers, BBOX literals and typed comparisons behave the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timezone

import numpy as np
import shapely
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_text import parse
from sqlalchemy import Table, and_, not_, or_
from sqlalchemy.sql import ColumnElement

from leo_qgis_plugin.core.formats.fields import FieldDef, FieldType

from .errors import bad_parameter
from .params import as_utc
from .schema import GEOMETRY_COLUMN
from .spatial import geometry_literal, predicate

MAX_FILTER_LENGTH = 20_000
MAX_IN_VALUES = 1_000   # values in one IN list
MAX_NODES = 1_000       # comparisons, operators and literals in one filter (SQLite's expression depth is 1000)
INT64 = (-2**63, 2**63 - 1)
GEOMETRY_NAMES = {"geometry", "geom", GEOMETRY_COLUMN}

_COMPARISONS = {
    ast.Equal: lambda a, b: a == b,
    ast.NotEqual: lambda a, b: a != b,
    ast.LessThan: lambda a, b: a < b,
    ast.LessEqual: lambda a, b: a <= b,
    ast.GreaterThan: lambda a, b: a > b,
    ast.GreaterEqual: lambda a, b: a >= b,
}

_MIRRORED = {
    ast.LessThan: ast.GreaterThan,
    ast.LessEqual: ast.GreaterEqual,
    ast.GreaterThan: ast.LessThan,
    ast.GreaterEqual: ast.LessEqual,
}

_SPATIAL = {
    ast.GeometryIntersects: "intersects",
    ast.GeometryWithin: "within",
    ast.GeometryContains: "contains",
    ast.GeometryDisjoint: "disjoint",
    ast.GeometryEquals: "equals",
    ast.GeometryTouches: "touches",
    ast.GeometryCrosses: "crosses",
    ast.GeometryOverlaps: "overlaps",
}


class CqlTranslator:
    """Turns one parsed CQL2 expression into an SQL condition on a dataset table."""

    def __init__(self, data: Table, fields: list[FieldDef], dialect: str):
        self.data = data
        self.fields = {f.name: f for f in fields}
        self.dialect = dialect
        self.nodes = 0

    def fail(self, message: str):
        raise bad_parameter("filter", message)

    def translate(self, node) -> ColumnElement:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail(f"filter has more than {MAX_NODES} conditions; at most {MAX_NODES} are accepted.")
        if isinstance(node, ast.And):
            return and_(self.translate(node.lhs), self.translate(node.rhs))
        if isinstance(node, ast.Or):
            return or_(self.translate(node.lhs), self.translate(node.rhs))
        if isinstance(node, ast.Not):
            return not_(self.translate(node.sub_node))
        if type(node) in _COMPARISONS:
            kind, lhs, rhs = type(node), node.lhs, node.rhs
            if isinstance(rhs, ast.Attribute) and not isinstance(lhs, ast.Attribute):
                kind, lhs, rhs = _MIRRORED.get(kind, kind), rhs, lhs  # 3 < x  is  x > 3
            left, right = self.operands(lhs, rhs)
            return _COMPARISONS[kind](left, right)
        if isinstance(node, ast.Like):
            column = self.attribute(node.lhs, FieldType.STRING)
            trailing = len(node.pattern) - len(node.pattern.rstrip("\\"))
            if trailing % 2 == 1:
                self.fail("a LIKE pattern must not end with the escape character \\ (write \\\\ for a backslash).")
            expression = column.like(node.pattern, escape="\\")
            return not_(expression) if node.not_ else expression
        if isinstance(node, ast.Between):
            column, field = self.attribute_with_field(node.lhs)
            expression = column.between(self.literal(node.low, field), self.literal(node.high, field))
            return not_(expression) if node.not_ else expression
        if isinstance(node, ast.In):
            column, field = self.attribute_with_field(node.lhs)
            if len(node.sub_nodes) > MAX_IN_VALUES:
                self.fail(f"IN lists {len(node.sub_nodes)} values; at most {MAX_IN_VALUES} are accepted.")
            self.nodes += len(node.sub_nodes) // 10  # long lists count, but far less than conditions
            expression = column.in_([self.literal(v, field) for v in node.sub_nodes])
            return not_(expression) if node.not_ else expression
        if isinstance(node, ast.IsNull):
            column = self.attribute(node.lhs)
            return column.is_not(None) if node.not_ else column.is_(None)
        if type(node) in _SPATIAL:
            return self.spatial(_SPATIAL[type(node)], node.lhs, node.rhs)
        if isinstance(node, ast.TemporalPredicate):
            return self.temporal(node)
        if isinstance(node, ast.Include):
            return and_(True)
        if isinstance(node, ast.Exclude):
            return and_(False)
        self.fail(f"filter uses {type(node).__name__}, which this server does not support.")

    # --- operands -------------------------------------------------------------------------

    def attribute_with_field(self, node) -> tuple[ColumnElement, FieldDef]:
        if not isinstance(node, ast.Attribute):
            self.fail("the left side of this comparison must be a property name.")
        field = self.fields.get(node.name)
        if field is None:
            self.fail(f"unknown property {node.name!r} in filter; see /queryables.")
        return self.data.c[field.name], field

    def attribute(self, node, required: FieldType | None = None) -> ColumnElement:
        column, field = self.attribute_with_field(node)
        if required and field.type != required:
            self.fail(f"property {field.name!r} is {field.type.value}, not {required.value}.")
        return column

    def operands(self, lhs, rhs):
        if isinstance(lhs, ast.Attribute) and isinstance(rhs, ast.Attribute):
            return self.attribute(lhs), self.attribute(rhs)
        column, field = self.attribute_with_field(lhs)
        return column, self.literal(rhs, field)

    def literal(self, value, field: FieldDef):
        if isinstance(value, (ast.Node, values.Geometry, values.Envelope, values.Interval)) or isinstance(
            value, ast.Function
        ):
            self.fail(f"property {field.name!r} can only be compared with a literal value.")
        kind = field.type
        try:
            if kind in (FieldType.NUMBER, FieldType.INTEGER):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    value = float(value)
                if not math.isfinite(value):
                    raise ValueError
                if isinstance(value, int) and not INT64[0] <= value <= INT64[1]:
                    self.fail(f"{value} is outside the range of 64-bit integers (property {field.name!r}).")
                return value
            if kind == FieldType.BOOLEAN:
                if not isinstance(value, bool):
                    raise ValueError
                return value
            if kind == FieldType.DATETIME:
                if isinstance(value, datetime):
                    return as_utc(value, "filter")
                if isinstance(value, date):
                    return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
                return as_utc(datetime.fromisoformat(str(value).replace("Z", "+00:00")), "filter")
            if kind == FieldType.DATE:
                return value if isinstance(value, date) else date.fromisoformat(str(value))
            if isinstance(value, (datetime, date)):
                raise ValueError
            return str(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} cannot be compared with {kind.value} property {field.name!r}.")

    def geometry_value(self, node) -> ColumnElement:
        if isinstance(node, ast.Attribute):
            if node.name not in GEOMETRY_NAMES:
                self.fail(f"{node.name!r} is not the geometry property (use 'geometry').")
            return self.data.c[GEOMETRY_COLUMN]
        if isinstance(node, values.Geometry):
            try:
                geometry = shapely.geometry.shape(node.geometry)
            except Exception:  # noqa: BLE001 - any malformed geometry is the client's error
                self.fail("the filter's geometry is not valid.")
            return self.finite(geometry)
        if isinstance(node, values.Envelope):
            return self.finite(shapely.box(node.x1, node.y1, node.x2, node.y2))
        if isinstance(node, ast.Function) and node.name.lower() == "bbox" and len(node.arguments) in (4, 6):
            numbers = list(node.arguments)
            if len(numbers) == 6:
                numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
            if not all(isinstance(n, (int, float)) for n in numbers):
                self.fail("BBOX takes numbers.")
            return self.finite(shapely.box(*numbers))
        self.fail("a spatial predicate needs the geometry property and a geometry or BBOX literal.")

    def finite(self, geometry: shapely.Geometry) -> ColumnElement:
        """The geometry as SQL; refused unless its coordinates are finite longitudes and latitudes."""
        xy = shapely.get_coordinates(geometry)
        if not np.isfinite(xy).all() or (np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any():
            self.fail("the filter's geometry must be in longitude -180..180 and latitude -90..90 (CRS84).")
        return geometry_literal(geometry)

    def spatial(self, name: str, lhs, rhs) -> ColumnElement:
        return predicate(self.dialect, name, self.geometry_value(lhs), self.geometry_value(rhs))

    def temporal(self, node) -> ColumnElement:
        column, field = self.attribute_with_field(node.lhs)
        if field.type not in (FieldType.DATETIME, FieldType.DATE):
            self.fail(f"property {field.name!r} is not a time.")
        rhs = node.rhs
        if isinstance(rhs, values.Interval):
            start = self.literal(rhs.start, field) if rhs.start not in (None, "..") else None
            end = self.literal(rhs.end, field) if rhs.end not in (None, "..") else None
        else:
            start = end = self.literal(rhs, field)
        name = type(node).__name__
        if name in ("TimeOverlaps", "TimeIntersects", "TimeDuring", "TimeEquals"):
            parts = []
            if start is not None:
                parts.append(column >= start)
            if end is not None:
                parts.append(column <= end)
            return and_(*parts)
        if name == "TimeBefore":
            return column < (start if start is not None else end)
        if name == "TimeAfter":
            return column > (end if end is not None else start)
        self.fail(f"temporal operator {name} is not supported; use T_INTERSECTS, T_BEFORE or T_AFTER.")


def parse_filter(text: str, lang: str | None) -> object:
    """Parse a CQL2 text filter; 400 naming ``filter`` for anything malformed."""
    if lang not in (None, "cql2-text"):
        raise bad_parameter("filter-lang", f"filter-lang {lang!r} is not supported; use cql2-text.")
    if len(text) > MAX_FILTER_LENGTH:
        raise bad_parameter("filter", f"filter is longer than {MAX_FILTER_LENGTH} characters.")
    if not text.strip():
        raise bad_parameter("filter", "filter is empty.")
    try:
        return parse(text)
    except RecursionError:
        raise bad_parameter("filter", "filter is nested too deeply.") from None
    except Exception as exc:  # noqa: BLE001 - lark raises many error types for bad text
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise bad_parameter("filter", f"filter is not valid CQL2 text: {first_line}") from None


def filter_condition(text: str, lang: str | None, data: Table, fields: list[FieldDef], dialect: str) -> ColumnElement:
    """The SQL condition for a CQL2 text filter on a dataset table."""
    tree = parse_filter(text, lang)
    try:
        return CqlTranslator(data, fields, dialect).translate(tree)
    except RecursionError:
        raise bad_parameter("filter", "filter is nested too deeply.") from None
