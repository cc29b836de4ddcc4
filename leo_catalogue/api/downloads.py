"""Downloads of whole or filtered datasets: GeoPackage, zipped Shapefile, GeoJSON, CSV.

A download that cannot be made fails before its first byte where it can: the query runs and its first rows
are read before the answer starts. Files are written in full and sent with their Content-Length; their folder
is removed as soon as the file is open, whatever happens next. A stream that fails later ends without its
final chunk, which every HTTP client reports as a broken transfer, never as a complete file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from ..accounts import Principal
from ..db import restart_clock
from ..errors import ApiError, bad_parameter, not_found
from ..export import csv_chunks, geojson_chunks, metadata_text, write_ogr, zip_folder
from ..features import FeatureQuery, build_select
from ..ready_files import ensure_ready, fingerprint
from ..records import DatasetRecord
from ..store import list_versions, version_record
from .auth import principal
from .documents import DOWNLOAD_FORMATS
from .features import dataset_record, feature_query
from .negotiation import url
from .state import connection
from .static_file import file_answer

router = APIRouter()
BATCH = 2000
CHUNK = 1024 * 1024


class DownloadSlots:
    """How many downloads each client (a token's user, else an address) has running; at most ``per_client``."""

    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    def take(self, request: Request, who: Principal) -> None:
        """Count one more download for this client until the request ends; 429 past the limit."""
        client = f"user:{who.organisation}/{who.user}" if who.signed_in else f"address:{getattr(request.client, 'host', '')}"
        with self._lock:
            if self._running.get(client, 0) >= self.per_client:
                raise ApiError(429, f"This client already has {self.per_client} downloads running "
                                    "(LEO_DOWNLOADS_PER_CLIENT); start another when one has finished.",
                               code="TooManyRequests", headers={"Retry-After": "10"})
            self._running[client] = self._running.get(client, 0) + 1
        request.scope.setdefault("leo.release", []).append(lambda: self._release(client))

    def _release(self, client: str) -> None:
        with self._lock:
            self._running[client] -= 1
            if not self._running[client]:
                del self._running[client]


def _version_record(conn, collection_id: str, who: Principal, version: str | None) -> DatasetRecord:
    """The dataset's record, or that of one of its stored versions (with the access level that version was
    published with); 404 for a version that does not exist or that ``who`` may not read."""
    record = dataset_record(conn, collection_id, who)
    if version is None or version == record.version:
        return record
    stored = next((v for v in list_versions(conn, collection_id) if v["version"] == version), None)
    older = version_record(record, stored) if stored is not None else None
    if older is None or not who.may_read(older):
        raise not_found(f"Version {version[:40]!r} of {collection_id!r}")
    return older


class _Rows:
    """The download's rows, read in batches on a connection held until the last row (or a failure)."""

    def __init__(self, request: Request, collection_id: str, who: Principal, version: str | None) -> None:
        self._stack = ExitStack()
        try:
            conn = self._stack.enter_context(connection(request))
            self.record = _version_record(conn, collection_id, who, version)
            self.query = feature_query(request, self.record, with_paging=False, extra=frozenset({"version"}))
            page, _ = build_select(conn, self.record, self.query)
            self._conn = conn
            self._result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(page)
            self._first = self._result.fetchmany(BATCH)  # errors in the query surface here, before any byte
        except BaseException:
            self._stack.close()
            raise

    def __iter__(self) -> Iterator[tuple]:
        try:
            batch = self._first
            while batch:
                yield from (tuple(row) for row in batch)
                restart_clock(self._conn)
                batch = self._result.fetchmany(BATCH)
        finally:
            self._stack.close()

    def close(self) -> None:
        self._stack.close()


def _file_answer(path: Path, folder: Path, media: str) -> StreamingResponse:
    """Send a finished file with its length; its folder is gone once the file is open."""
    handle = path.open("rb")
    size = os.fstat(handle.fileno()).st_size
    shutil.rmtree(folder, ignore_errors=True)

    def chunks() -> Iterator[bytes]:
        with handle:
            while data := handle.read(CHUNK):
                yield data

    return StreamingResponse(chunks(), media_type=media, headers={
        "Content-Length": str(size), "Content-Disposition": f'attachment; filename="{path.name}"'})


@router.get("/collections/{collection_id}/download", summary="Download a whole or filtered dataset")
def download(
    request: Request,
    collection_id: str,
    f: str = Query("gpkg", description="gpkg, shp, geojson or csv"),
    version: str | None = Query(None, description="an earlier version (see /versions); the current by default"),
):
    who = principal(request)
    if f not in DOWNLOAD_FORMATS:
        raise bad_parameter("f", f"download format {f[:20]!r} is not offered; use one of: {', '.join(DOWNLOAD_FORMATS)}.")
    with connection(request) as conn:
        current = dataset_record(conn, collection_id, who)
        record = _version_record(conn, collection_id, who, version)
        query = feature_query(request, record, with_paging=False, extra=frozenset({"version"}))  # 400s before anything
    media = DOWNLOAD_FORMATS[f][0]
    name = record.id if version is None else f"{record.id}-v{record.version}"
    if f == "gpkg" and record.version == current.version and query == FeatureQuery(limit=None):
        # The whole current version: its ready-made file, with ETag and ranges (made first if missing or stale).
        try:
            path = ensure_ready(request.app.state.engine, record)
        except OSError as exc:
            raise ApiError(503, f"The GeoPackage of {record.id!r} could not be prepared ({exc.strerror or exc}); "
                                "try again later or tell the catalogue's owner.", code="Unavailable") from None
        return file_answer(request, path, media, f"{name}.gpkg", f'"{fingerprint(record)}"')
    request.app.state.downloads.take(request, who)
    rows = _Rows(request, collection_id, who, version)
    request.scope.setdefault("leo.release", []).append(rows.close)  # also when the stream is never read (HEAD)
    if f in ("geojson", "csv"):
        chunks = geojson_chunks(rows.record, rows) if f == "geojson" else csv_chunks(rows.record, rows)
        return StreamingResponse(chunks, media_type=media,
                                 headers={"Content-Disposition": f'attachment; filename="{name}.{f}"'})
    work = Path(tempfile.mkdtemp(prefix="leo-download-"))
    try:
        note = metadata_text(rows.record, url(request, f"/collections/{collection_id}"))
        if f == "gpkg":
            target = work / f"{name}.gpkg"
            write_ogr(rows.record, rows, target, "GPKG", note)
        else:
            folder = work / name
            folder.mkdir()
            write_ogr(rows.record, rows, folder / f"{name}.shp", "ESRI Shapefile")
            (folder / f"{name}.txt").write_text(note, encoding="utf-8")
            target = work / f"{name}.zip"
            zip_folder(folder, target)
        return _file_answer(target, work, media)
    finally:
        rows.close()
        shutil.rmtree(work, ignore_errors=True)  # already gone after a good answer; this is for failures
