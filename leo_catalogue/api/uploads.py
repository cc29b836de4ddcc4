"""Publishing: upload a dataset or a new version (multipart), list versions, delete a dataset or an earlier
version, who am I, the audit log."""

from __future__ import annotations

import shutil
from pathlib import PurePosixPath

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect

from ..accounts import Principal, Role
from ..audit import AuditAction, entries, record_action
from ..db import write_transaction
from ..errors import ApiError, bad_parameter, not_found, unauthorized
from ..records import AccessLevel, DatasetRecord
from ..store import (
    VersionExists,
    delete_dataset,
    delete_version,
    get_record,
    list_versions,
    set_version_access,
    version_record,
)
from ..types import to_json_value
from ..uploads.limits import MB, UploadError
from ..uploads.publish import UploadMetadata, check_may_create, check_may_replace, publish
from ..uploads.staging import staging_folder
from .auth import principal
from .negotiation import JsonAnswer, url
from .state import connection, known_params, readable_record

router = APIRouter()

FORM_FIELDS = {
    "file": {"type": "string", "format": "binary",
             "description": "GeoPackage (.gpkg), zipped Shapefile (.zip), GeoJSON (.geojson) or CSV (.csv)."},
    "title": {"type": "string"}, "description": {"type": "string"},
    "keywords": {"type": "string", "description": "comma-separated"},
    "licence": {"type": "string"}, "attribution": {"type": "string"},
    "access": {"type": "string", "enum": ["public", "registered", "restricted"]},
    "organisation": {"type": "string", "description": "admins only: upload for another organisation"},
    "id": {"type": "string", "description": "new datasets: the id wanted (else made from the title)"},
    "time_field": {"type": "string"}, "time_start_field": {"type": "string"}, "time_end_field": {"type": "string"},
    "crs": {"type": "string", "description": "the data's CRS when the file does not say (e.g. EPSG:27700)"},
    "repair": {"type": "boolean", "description": "repair invalid geometries instead of refusing them"},
}
UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": FORM_FIELDS}}}}}


def _uploader(request: Request) -> Principal:
    who = principal(request)
    if not who.signed_in:
        raise unauthorized("Uploading needs an editor's API token.")
    if not who.may_upload:
        raise ApiError(403, "Your token is a viewer's: uploads need an editor's or an admin's token.", code="Forbidden")
    return who


def _to_change(request: Request, who: Principal, collection_id: str) -> DatasetRecord:
    """The dataset if ``who`` may replace or delete it; 404 or 403 otherwise."""
    try:
        return check_may_replace(request.app.state.engine, who, collection_id)
    except UploadError as exc:
        raise _refused(exc) from None


def _deleter(request: Request) -> Principal:
    who = principal(request)
    if not who.signed_in:
        raise unauthorized("Deleting needs an editor's API token.")
    return who


def _refused(exc: UploadError) -> ApiError:
    codes = {400: "InvalidParameterValue", 403: "Forbidden", 404: "NotFound", 409: "Conflict"}
    return ApiError(exc.status, str(exc), code=codes.get(exc.status, "InvalidUpload"))


async def _receive(request: Request, who: Principal, existing: DatasetRecord | None) -> Response:
    """Check the request, save the file part to a staging folder, publish it; all-or-nothing."""
    limits = request.app.state.upload_limits
    length = request.headers.get("content-length", "")
    if not length.isdigit():
        raise ApiError(411, "Send the upload with a Content-Length.", code="LengthRequired")
    if int(length) > limits.max_bytes:
        raise ApiError(413, f"The upload is {int(length) // MB} MB; at most {limits.max_bytes // MB} MB are accepted.",
                       code="PayloadTooLarge")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ApiError(415, "Send the upload as multipart/form-data with the data in a part named 'file'.",
                       code="UnsupportedMediaType")
    engine = request.app.state.engine
    try:
        form = await request.form(max_files=1, max_fields=len(FORM_FIELDS), max_part_size=64 * 1024)
    except ClientDisconnect:
        return Response(status_code=400)  # the sender has gone; the spooled part is already discarded
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise UploadError("Send the data as a file part named 'file'.", 400)
        fields = {key: value for key, value in form.multi_items() if key != "file"}
        meta = UploadMetadata.from_form(fields, new_dataset=existing is None)
        dataset_id = "" if existing else await run_in_threadpool(check_may_create, engine, who, meta)
        name = PurePosixPath(upload.filename.replace("\\", "/")).name
        with staging_folder(request.app.state.staging_root) as folder:
            target = folder / f"upload{PurePosixPath(name.lower()).suffix}"
            await run_in_threadpool(_save, upload, target)
            record = await run_in_threadpool(publish, engine, who, target, name, meta, limits, existing, dataset_id,
                                             request.app.state.limits.upload_statement_timeout_ms)
    except UploadError as exc:
        raise _refused(exc) from None
    except VersionExists as exc:
        raise ApiError(409, str(exc), code="Conflict") from None
    finally:
        await form.close()
    location = url(request, f"/collections/{record.id}")
    body = {"id": record.id, "version": record.version, "title": record.title, "access": record.access.value,
            "feature_count": record.feature_count, "notes": record.notes,
            "links": [{"rel": "collection", "href": location, "type": "application/json"},
                      {"rel": "items", "href": f"{location}/items", "type": "application/geo+json"},
                      {"rel": "version-history", "href": f"{location}/versions", "type": "application/json"}]}
    return JsonAnswer(body, status_code=201, headers={"Location": location})


def _save(upload: UploadFile, target) -> None:
    upload.file.seek(0)
    with target.open("wb") as out:
        shutil.copyfileobj(upload.file, out, MB)


@router.post("/collections", status_code=201, summary="Upload a new dataset (editors and admins)",
             openapi_extra=UPLOAD_BODY)
async def upload_dataset(request: Request):
    who = await run_in_threadpool(_uploader, request)
    return await _receive(request, who, None)


@router.post("/collections/{collection_id}/versions", status_code=201,
             summary="Upload a new version of a dataset; earlier versions are kept", openapi_extra=UPLOAD_BODY)
async def upload_version(request: Request, collection_id: str):
    who = await run_in_threadpool(_uploader, request)
    existing = await run_in_threadpool(_to_change, request, who, collection_id)
    return await _receive(request, who, existing)


@router.get("/collections/{collection_id}/versions", summary="The stored versions of a dataset")
def versions(request: Request, collection_id: str):
    known_params(request, {"f"})
    who = principal(request)
    with connection(request) as conn:
        record = readable_record(get_record(conn, collection_id), collection_id, who, data=True)
        stored = [(v, version_record(record, v)) for v in list_versions(conn, collection_id)]
    base = url(request, f"/collections/{collection_id}")
    # Only the versions this caller may read: each keeps the access level it was published with.
    return {"id": collection_id, "current": record.version, "versions": [{
        "version": v["version"], "created": to_json_value(v["created"]), "feature_count": v["feature_count"],
        "organisation": v["organisation"], "current": v["version"] == record.version, "title": older.title,
        "licence": older.licence, "accessLevel": older.access.value,
        "links": [{"rel": "enclosure", "href": f"{base}/download?version={v['version']}",
                   "type": "application/geopackage+sqlite3"}],
    } for v, older in stored if who.may_read(older)]}


@router.put("/collections/{collection_id}/versions/{version}/access",
            summary="Change one version's access level (its organisation's editors, or an admin); audited",
            openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["access"],
                "properties": {"access": {"type": "string", "enum": [a.value for a in AccessLevel]}}}}}}})
async def change_access(request: Request, collection_id: str, version: str):
    who = await run_in_threadpool(_deleter, request)
    try:
        body = await request.json()
        access = AccessLevel(body["access"])
    except (ValueError, KeyError, TypeError):
        raise bad_parameter("access", 'Send {"access": "public" | "registered" | "restricted"} as JSON.') from None
    return await run_in_threadpool(_set_access, request, who, collection_id, version, access)


def _set_access(request: Request, who: Principal, collection_id: str, version: str, access: AccessLevel) -> dict:
    _to_change(request, who, collection_id)
    with write_transaction(request.app.state.engine) as conn:
        before = set_version_access(conn, collection_id, version, access)
        if before is None:
            raise not_found(f"Version {version[:40]!r} of {collection_id!r}")
        if before is not access:
            record_action(conn, who, AuditAction.ACCESS, collection_id, version, f"{before.value} → {access.value}")
    return {"id": collection_id, "version": version, "accessLevel": access.value, "was": before.value}


@router.delete("/collections/{collection_id}", status_code=204,
               summary="Delete a dataset with all its versions (its organisation's editors, or an admin)")
def delete(request: Request, collection_id: str):
    who = _deleter(request)
    _to_change(request, who, collection_id)
    with write_transaction(request.app.state.engine) as conn:
        removed = delete_dataset(conn, collection_id)
        record_action(conn, who, AuditAction.DELETE, collection_id, ", ".join(removed))
    return Response(status_code=204)


@router.delete("/collections/{collection_id}/versions/{version}", status_code=204,
               summary="Delete one earlier version of a dataset (its organisation's editors, or an admin)")
def delete_one_version(request: Request, collection_id: str, version: str):
    who = _deleter(request)
    record = _to_change(request, who, collection_id)
    if version == record.version:
        raise ApiError(409, f"Version {version} is the current one: upload a new version first, or delete the "
                            "whole dataset.", code="Conflict")
    with write_transaction(request.app.state.engine) as conn:
        if not delete_version(conn, collection_id, version):
            raise not_found(f"Version {version!r} of {collection_id!r}")
        record_action(conn, who, AuditAction.DELETE_VERSION, collection_id, version)
    return Response(status_code=204)


@router.get("/account", summary="Who the request's token belongs to")
def account(request: Request):
    who = principal(request)
    return {"signed_in": who.signed_in, "user": who.user, "organisation": who.organisation,
            "role": who.role.value if who.role else None, "may_upload": who.may_upload}


@router.get("/audit", summary="The audit log: uploads, replacements and deletions (admins)")
def audit(request: Request, dataset: str | None = Query(None), limit: int = Query(1000, ge=1, le=10000)):
    who = principal(request)
    if who.role is not Role.ADMIN:
        raise (unauthorized("The audit log needs an admin's token.") if not who.signed_in
               else ApiError(403, "The audit log is for admins.", code="Forbidden"))
    with connection(request) as conn:
        found = entries(conn, dataset, limit)
    return {"entries": [{key: to_json_value(value) for key, value in entry.items() if key != "id"}
                        for entry in found]}
