"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timezone

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Float, Text
from sqlalchemy.types import TypeDecorator, TypeEngine

from leo_qgis_plugin.core.formats.fields import FieldType


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both backends.

    SQLite stores naive text; binding anything but UTC there would silently shift
    times, so every value is converted to UTC on the way in and marked UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


SQL_TYPES: dict[FieldType, type[TypeEngine] | TypeEngine] = {
    FieldType.STRING: Text,
    FieldType.INTEGER: BigInteger,  # 64-bit on both (PostgreSQL's INTEGER is 32-bit)
    FieldType.NUMBER: Float,
    FieldType.BOOLEAN: Boolean,
    FieldType.DATE: Date,
    FieldType.DATETIME: UTCDateTime,
}

JSONType = JSON


def to_json_value(value):
    """A property value as JSON: datetimes as ISO 8601 UTC with Z, dates as ISO."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _json_default(value):
    converted = to_json_value(value)
    if converted is value:
        raise TypeError(f"not JSON serialisable: {type(value).__name__}")
    return converted


def _finite(value):
    """``value`` with every NaN or infinite number replaced by null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def json_bytes(data) -> bytes:
    """JSON as UTF-8 that never holds NaN or Infinity (JSON has no such numbers; browsers' JSON.parse refuses
    them): such numbers become null. Every JSON answer of the server is written here."""
    try:
        text = json.dumps(data, default=_json_default, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(data), default=_json_default, ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False)
    return text.encode("utf-8")
