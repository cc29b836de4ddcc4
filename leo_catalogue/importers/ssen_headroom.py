"""``import-ssen-headroom``: an SSEN headroom CSV (file or URL) into a catalogue dataset."""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from sqlalchemy import Engine

from leo_qgis_plugin.core.formats.ssen_headroom import FIELDS, read_headroom_csv

from ..records import DatasetKind, DatasetRecord, Provenance
from ..store import get_record, put_dataset
from .sources import read_source


@dataclass
class ImportReport:
    """What an import stored and what it had to report."""

    dataset_id: str
    version: str
    rows: int
    rows_without_location: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    what: str = "substations"
    quality: str = ""  # the data-quality headline (Project LEO's labels), for time series

    def summary(self) -> str:
        lines = [f"Imported {self.rows} {self.what} into {self.dataset_id!r} (version {self.version})."]
        if self.quality:
            lines.append(self.quality)
        if self.rows_without_location:
            lines.append(f"{len(self.rows_without_location)} row(s) have no coordinates and are kept without "
                         f"geometry: {'; '.join(self.rows_without_location)}.")
        lines += self.warnings
        return "\n".join(lines)


def default_record(dataset_id: str, source_name: str) -> DatasetRecord:
    """The record of a headroom dataset imported without an existing record to update."""
    return DatasetRecord(
        id=dataset_id,
        title=f"SSEN network headroom ({source_name})",
        description="Generation availability and network capacity (demand and generation headroom, RAG "
                    "status, constraints and reinforcement works) per substation, as published by SSEN.",
        keywords=["headroom", "network capacity", "constraints", "SSEN", "substations"],
        themes=["network"],
        licence="SSEN Open Data",
        attribution="Contains data from Scottish and Southern Electricity Networks (SSEN) open data.",
        provenance=Provenance.REAL,
        publisher="Scottish and Southern Electricity Networks",
        kind=DatasetKind.VECTOR,
        update_frequency="quarterly",
    )


def next_version(version: str) -> str:
    return str(int(version) + 1) if version.isdigit() else f"{version}.1"


def import_headroom(engine: Engine, source: str, dataset_id: str,
                    template: DatasetRecord | None = None, timeout: float = 60.0) -> ImportReport:
    """Read, check and store a headroom file; nothing in the catalogue changes if it is refused."""
    data, name = read_source(source, timeout)
    table = read_headroom_csv(data, name)
    with engine.connect() as conn:
        existing = get_record(conn, dataset_id)
    if template is not None:
        record = template
    elif existing is not None:
        record = existing
        record.version = next_version(existing.version)
        record.updated = None
    else:
        record = default_record(dataset_id, name)
    record.id = dataset_id
    record.fields = list(FIELDS)
    record.geometry_type = "Point"
    record.kind = DatasetKind.VECTOR
    record.notes = [n for n in record.notes if not n.startswith("Rows without coordinates")]
    if table.rows_without_location:
        record.notes.append("Rows without coordinates (kept, without geometry): "
                            + "; ".join(table.rows_without_location))
    rows = []
    for row in table.rows:
        located = row["latitude"] is not None and row["longitude"] is not None
        rows.append({**row, "geometry": shapely.Point(row["longitude"], row["latitude"]) if located else None})
    put_dataset(engine, record, [rows])
    return ImportReport(dataset_id, record.version, len(rows), table.rows_without_location, table.warnings)
