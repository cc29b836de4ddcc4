"""Opening a published headroom CSV (SSEN, NGED or NPG; a file or a URL) as a styled layer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qgis.core import QgsFeedback, QgsLayerMetadata, QgsVectorLayer

from ..compat import set_attribution
from ..formats.dno_headroom import read_dno_headroom
from ..formats.errors import FormatError
from ..formats.ssen_headroom import FIELDS, HeadroomTable
from ..layers import point_layer
from ..network import fetch


@dataclass
class OpenedHeadroom:
    """The layer and what the user should be told about the file."""

    layer: QgsVectorLayer
    publisher: str
    rows: int
    rows_without_location: list[str]
    warnings: list[str]

    def message(self) -> str:
        text = f"{self.rows} substations read from a {self.publisher} headroom file."
        if self.rows_without_location:
            shown = "; ".join(self.rows_without_location[:5])
            more = f" and {len(self.rows_without_location) - 5} more" if len(self.rows_without_location) > 5 else ""
            text += f" {len(self.rows_without_location)} without coordinates (kept, not on the map): {shown}{more}."
        if self.warnings:
            text += f" {len(self.warnings)} note(s), e.g.: {self.warnings[0]}"
        return text


def read_source_bytes(source: str, authcfg: str = "", feedback: QgsFeedback | None = None) -> tuple[bytes, str]:
    """The bytes of a local path or an http(s) URL (through QGIS's network stack) and a display name."""
    if source.startswith(("http://", "https://")):
        return fetch(source, authcfg, feedback, accept="text/csv,*/*"), source.rsplit("/", 1)[-1] or source
    path = Path(source)
    if not path.is_file():
        raise FormatError(f"No such file: {source}")
    return path.read_bytes(), path.name


def headroom_layer(data: bytes, name: str) -> OpenedHeadroom:
    """A point layer with SSEN's canonical fields from any supported headroom CSV."""
    publisher, table = read_dno_headroom(data, name)
    return layer_of_table(publisher, name, table)


def layer_of_table(publisher: str, name: str, table: HeadroomTable) -> OpenedHeadroom:
    """A point layer of read headroom rows (its fields: the table's), with metadata naming the publisher."""
    layer = point_layer(f"{publisher} headroom ({name})", list(table.fields or FIELDS), table.rows)
    metadata = QgsLayerMetadata()
    metadata.setTitle(f"{publisher} network headroom ({name})")
    metadata.setAbstract(f"Substation headroom as published by {publisher} in {name}, read by LEO for QGIS.")
    metadata.setRights([f"Contains data published by {publisher} ({name})"])
    layer.setMetadata(metadata)
    set_attribution(layer, f"Contains data published by {publisher}")
    return OpenedHeadroom(layer, publisher, len(table.rows), table.rows_without_location, table.warnings)
