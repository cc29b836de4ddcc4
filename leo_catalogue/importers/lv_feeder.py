"""``import-lv-feeder``: SSEN's half-hourly LV-feeder file (with its postcode lookup) into a time-series
dataset, streamed: read, typed and stored in batches, so a day of the whole licence area (806 MB) never sits
in memory."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Connection, Engine, select

from leo_qgis_plugin.core.formats.errors import FormatError
from leo_qgis_plugin.core.formats.lv_feeder import (
    FIELDS,
    HALF_HOUR,
    QUALITY_COLUMNS,
    FeederReader,
    read_postcode_lookup,
    with_text_cells,
)
from leo_qgis_plugin.core.formats.quality import QualitySummary, sites_quality

from ..records import DatasetKind, DatasetRecord, Provenance
from ..store import get_record, put_dataset, table_for, write_records
from .ssen_headroom import ImportReport, next_version

QUALITY_NOTE = "Data quality"


def feeder_record(dataset_id: str, source_name: str) -> DatasetRecord:
    return DatasetRecord(
        id=dataset_id,
        title=f"SSEN LV-feeder half-hourly consumption ({source_name})",
        description="Half-hourly active and reactive consumption per low-voltage feeder from smart meters, with "
                    "the postcodes each feeder serves, as published by SSEN. Times are the end of each half hour "
                    "(UTC); avg_kw is the half hour's energy as average power.",
        keywords=["LV feeder", "smart meter", "half-hourly", "consumption", "SSEN"],
        themes=["network", "time series"], licence="SSEN Open Data",
        attribution="Contains data from Scottish and Southern Electricity Networks (SSEN) open data.",
        provenance=Provenance.REAL, publisher="Scottish and Southern Electricity Networks",
        kind=DatasetKind.TIMESERIES, update_frequency="daily", time_field="timestamp", site_field="dataset_id")


def import_lv_feeder(engine: Engine, path: Path, dataset_id: str, lookup_path: Path | None = None) -> ImportReport:
    """Stream an LV-feeder CSV into a dataset (a new version if it exists); nothing changes if it is refused."""
    if not path.is_file():
        raise FormatError(f"No such file: {path}.")
    lookup = read_postcode_lookup(lookup_path.read_bytes(), lookup_path.name) if lookup_path else None
    with engine.connect() as conn:
        existing = get_record(conn, dataset_id)
    record = existing or feeder_record(dataset_id, path.name)
    if existing is not None:
        record.version, record.updated = next_version(existing.version), None
    record.fields, record.geometry_type = list(FIELDS), None
    reader = FeederReader(path.name, lookup)
    with ExitStack() as files:
        def open_text():  # read twice: once to find repeated feeders and instants, once to store the rows
            return files.enter_context(path.open(encoding="utf-8-sig", newline=""))

        quality = QualitySummary()

        def summarise(conn: Connection, stored: DatasetRecord) -> None:
            quality.add(stored_quality(conn, stored, reader.text_cells))
            stored.notes = [n for n in stored.notes if not n.startswith(QUALITY_NOTE)] + quality.lines()
            write_records(conn, [stored])

        put_dataset(engine, record, reader.batches(open_text, total_chars=path.stat().st_size), also=summarise)
    more = [f"… and {len(reader.warnings) - 20} more notes."] if len(reader.warnings) > 20 else []
    return ImportReport(dataset_id, record.version, reader.rows, warnings=reader.warnings[:20] + more,
                        what="half-hourly feeder rows", quality=quality.headline())


def stored_quality(conn: Connection, record: DatasetRecord, text_cells: dict) -> QualitySummary:
    """Project LEO's labels per feeder, read back from the stored table in one pass ordered by feeder and time
    (its index), streamed (a server-side cursor on PostgreSQL)."""
    table = table_for(record)
    query = select(table.c.dataset_id, table.c.timestamp, *(table.c[c] for c in QUALITY_COLUMNS)).order_by(
        table.c.dataset_id, table.c.timestamp)
    # Options on the statement: on the connection they would stay set, and the writes after it in the same
    # transaction would go through a server-side cursor too (PostgreSQL refuses "DECLARE ... FOR DELETE").
    rows = conn.execute(query.execution_options(stream_results=True, yield_per=20000))
    return sites_quality(with_text_cells(rows, text_cells, _utc), QUALITY_COLUMNS, step=HALF_HOUR, instant=_utc)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
