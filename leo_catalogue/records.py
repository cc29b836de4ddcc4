"""The dataset record: what the catalogue knows about one dataset."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from leo_qgis_plugin.core.formats.fields import FieldDef


class Provenance(str, Enum):
    REAL = "real"
    SYNTHETIC = "synthetic"


class AccessLevel(str, Enum):
    PUBLIC = "public"
    REGISTERED = "registered"
    RESTRICTED = "restricted"


class DatasetKind(str, Enum):
    VECTOR = "vector"
    TABLE = "table"
    TIMESERIES = "timeseries"


@dataclass
class DatasetRecord:
    """A catalogue record. Extents, counts and the table name are filled in when data is stored."""

    id: str
    title: str
    description: str
    keywords: list[str]
    licence: str
    attribution: str
    provenance: Provenance
    publisher: str
    kind: DatasetKind
    fields: list[FieldDef] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    licence_url: str = ""
    update_frequency: str = "not_planned"
    version: str = "1"
    access: AccessLevel = AccessLevel.PUBLIC
    organisation: str = ""
    geometry_type: str | None = None
    time_field: str | None = None
    time_start_field: str | None = None
    time_end_field: str | None = None
    site_field: str | None = None
    notes: list[str] = field(default_factory=list)
    updated: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None
    time_start: datetime | None = None
    time_end: datetime | None = None
    feature_count: int = 0
    table_name: str | None = None

    @property
    def is_temporal(self) -> bool:
        return bool(self.time_field or self.time_start_field)

    @property
    def time_columns(self) -> tuple[str, str] | None:
        """(start, end) field names; both the same for instant data; None without time."""
        if self.time_field:
            return self.time_field, self.time_field
        if self.time_start_field:
            return self.time_start_field, self.time_end_field or self.time_start_field
        return None

    def field(self, name: str) -> FieldDef | None:
        return next((f for f in self.fields if f.name == name), None)
