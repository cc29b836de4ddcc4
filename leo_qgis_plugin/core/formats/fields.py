"""Field definitions shared by the readers, the catalogue and the plugin."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class FieldType(str, Enum):
    """The value types a dataset field can hold (names as in JSON Schema where one exists)."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"


@dataclass(frozen=True)
class FieldDef:
    """One typed field of a dataset, with the source column it came from (if any)."""

    name: str
    type: FieldType
    title: str = ""
    source: str = ""
    unit: str = ""

    def to_json(self) -> dict:
        data = {"name": self.name, "type": self.type.value}
        for key in ("title", "source", "unit"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data

    @classmethod
    def from_json(cls, data: dict) -> FieldDef:
        return cls(
            name=data["name"],
            type=FieldType(data["type"]),
            title=data.get("title", ""),
            source=data.get("source", ""),
            unit=data.get("unit", ""),
        )
