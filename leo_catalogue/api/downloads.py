"""Downloads of whole or filtered datasets: GeoPackage, zipped Shapefile, GeoJSON, CSV."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import FileResponse, StreamingResponse

from leo_qgis_plugin.core.formats.fields import FieldDef

from ..accounts import Principal
from ..errors import bad_parameter, not_found
from ..export import csv_chunks, geojson_chunks, metadata_text, write_ogr, zip_folder
from ..features import build_select
from ..records import DatasetRecord
from ..store import list_versions
from .auth import principal
from .documents import DOWNLOAD_FORMATS
from .features import dataset_record, feature_query
from .negotiation import url
from .state import connection

router = APIRouter()


def _version_record(conn, collection_id: str, who: Principal, version: str | None) -> DatasetRecord:
    """The dataset's record, pointed at one of its stored versions when asked; 404 for an unknown version."""
    record = dataset_record(conn, collection_id, who)
    if version is None or version == record.version:
        return record
    stored = next((v for v in list_versions(conn, collection_id) if v["version"] == version), None)
    if stored is None:
        raise not_found(f"Version {version!r} of {collection_id!r}")
    return replace(record, version=version, table_name=stored["table_name"], feature_count=stored["feature_count"],
                   fields=[FieldDef.from_json(f) for f in stored["fields"]])


def _stream_rows(request: Request, collection_id: str, query, who: Principal, version: str | None):
    """Rows of the filtered dataset, read in chunks on a connection held while streaming."""
    with request.app.state.engine.connect() as conn:
        record = _version_record(conn, collection_id, who, version)
        page, _ = build_select(conn, record, query)
        result = conn.execution_options(stream_results=True, yield_per=2000).execute(page)
        for row in result:
            yield tuple(row)


@router.get("/collections/{collection_id}/download", summary="Download a whole or filtered dataset")
def download(
    request: Request,
    collection_id: str,
    background: BackgroundTasks,
    f: str = Query("gpkg", description="gpkg, shp, geojson or csv"),
    version: str | None = Query(None, description="an earlier version (see /versions); the current by default"),
):
    who = principal(request)
    with connection(request) as conn:
        record = _version_record(conn, collection_id, who, version)
        query = feature_query(request, record, with_paging=False, extra=frozenset({"version"}))
        build_select(conn, record, query)  # checks the filter before anything is sent
    if f not in DOWNLOAD_FORMATS:
        raise bad_parameter("f", f"download format {f!r} is not offered; use one of: {', '.join(DOWNLOAD_FORMATS)}.")
    media = DOWNLOAD_FORMATS[f][0]
    rows = _stream_rows(request, collection_id, query, who, version)
    name = record.id if version is None else f"{record.id}-v{version}"
    if f == "geojson":
        return StreamingResponse(geojson_chunks(record, rows), media_type=media,
                                 headers={"Content-Disposition": f'attachment; filename="{name}.geojson"'})
    if f == "csv":
        return StreamingResponse(csv_chunks(record, rows), media_type=media,
                                 headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    work = Path(tempfile.mkdtemp(prefix="leo-download-"))
    background.add_task(shutil.rmtree, work, True)
    note = metadata_text(record, url(request, f"/collections/{collection_id}"))
    if f == "gpkg":
        target = work / f"{name}.gpkg"
        write_ogr(record, rows, target, "GPKG", note)
        return FileResponse(target, media_type=media, filename=target.name, background=background)
    folder = work / name
    folder.mkdir()
    write_ogr(record, rows, folder / f"{name}.shp", "ESRI Shapefile")
    (folder / f"{name}.txt").write_text(note, encoding="utf-8")
    target = work / f"{name}.zip"
    zip_folder(folder, target)
    return FileResponse(target, media_type=media, filename=target.name, background=background)
