"""An upload becomes a dataset, or a new version of one: who may, what the record says, one transaction
with its audit entry. Nothing is stored when anything is refused."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from leo_qgis_plugin.core.formats.fields import FieldType

from ..accounts import Principal, Role
from ..audit import AuditAction, record_action
from ..ready_files import ensure_ready
from ..records import AccessLevel, DatasetKind, DatasetRecord, Provenance
from ..store import get_record, list_versions, put_dataset
from .limits import UploadError, UploadLimits
from .unpack import UploadFormat, csv_as_utf8, unpack_shapefile, upload_format
from .vector import UploadedLayer

TEXT_LIMITS = {"title": 200, "description": 20000, "keywords": 2000, "licence": 200, "attribution": 500,
               "organisation": 100, "id": 64, "crs": 100}
# Ids that name parts of the API, or that clients could mistake for one.
RESERVED_IDS = {"catalogue", "collections", "api", "openapi", "conformance", "docs", "account", "audit", "items",
                "queryables", "versions", "download", "access", "search", "new", "none"}
NAMESPACE = "--"  # restricted datasets' ids: <organisation>--<name>
NO_TIME = "none"  # time_field=none: a new version without the time dimension the dataset had
TIME_KINDS = (FieldType.DATETIME, FieldType.DATE)


@dataclass
class UploadMetadata:
    """What the sender says about the data (the form fields of an upload)."""

    title: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    licence: str = ""
    attribution: str = ""
    access: AccessLevel | None = None  # None: public for a new dataset, unchanged for a new version
    organisation: str = ""
    dataset_id: str = ""
    time_field: str = ""
    time_start_field: str = ""
    time_end_field: str = ""
    crs: str = ""
    repair: bool = False

    @classmethod
    def from_form(cls, form: Mapping[str, str], new_dataset: bool) -> UploadMetadata:
        """Checked form values; UploadError (400) naming the first problem."""
        values = {key: _text(form, key) for key in TEXT_LIMITS}
        meta = cls(title=values["title"], description=values["description"], licence=values["licence"],
                   attribution=values["attribution"], organisation=values["organisation"], dataset_id=values["id"],
                   crs=values["crs"], time_field=_text(form, "time_field"),
                   time_start_field=_text(form, "time_start_field"), time_end_field=_text(form, "time_end_field"),
                   keywords=[k.strip() for k in values["keywords"].split(",") if k.strip()],
                   repair=_text(form, "repair").lower() in ("1", "true", "yes"))
        try:
            meta.access = AccessLevel(_text(form, "access")) if _text(form, "access") else None
        except ValueError:
            raise UploadError("access must be public, registered or restricted.", 400) from None
        if new_dataset and not meta.title:
            raise UploadError("A title is needed.", 400)
        if new_dataset and not meta.licence:
            raise UploadError("A licence is needed: say under which terms others may use the data.", 400)
        if meta.dataset_id and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", meta.dataset_id):
            raise UploadError("A dataset id is lower-case letters, digits and hyphens (e.g. 'ev-chargers-2024').", 400)
        if meta.dataset_id in RESERVED_IDS:
            raise UploadError(f"{meta.dataset_id!r} is a word the API uses; choose another id.", 400)
        if meta.time_field and meta.time_start_field:
            raise UploadError("Give either time_field (instants) or time_start_field/time_end_field (periods).", 400)
        return meta


def _text(form: Mapping[str, str], key: str) -> str:
    value = form.get(key) or ""
    if not isinstance(value, str):
        raise UploadError(f"{key} must be text, not a file.", 400)
    value = "".join(ch for ch in value if ch.isprintable() or ch in "\n\t").strip()
    if len(value) > TEXT_LIMITS.get(key, 100):
        raise UploadError(f"{key} is longer than {TEXT_LIMITS.get(key, 100)} characters.", 400)
    return value


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48] or "dataset"


def check_may_create(engine: Engine, who: Principal, meta: UploadMetadata) -> str:
    """The new dataset's id if ``who`` may create it; UploadError otherwise (before the file is read).

    A restricted dataset's id is in its organisation's own space (``oxford-city-council--sites``), where no other
    organisation may put one: so an id another organisation asks for never meets a dataset it cannot see, and
    the answer to it cannot tell that such a dataset exists.
    """
    _check_organisation(who, meta)
    organisation = meta.organisation or who.organisation
    space = slug(organisation) + NAMESPACE
    dataset_id = meta.dataset_id or slug(meta.title)
    if dataset_id in RESERVED_IDS:
        dataset_id += "-1"
    if NAMESPACE in dataset_id and not dataset_id.startswith(space):
        raise UploadError(f"Ids with {NAMESPACE!r} are in an organisation's own space; yours start with {space!r}.",
                          400)
    if meta.access is AccessLevel.RESTRICTED and not dataset_id.startswith(space):
        dataset_id = space + dataset_id
    with engine.connect() as conn:
        if get_record(conn, dataset_id) is not None:
            raise UploadError(f"The dataset id {dataset_id!r} is taken. Choose another id, or upload a new version "
                              "of your own dataset with POST /collections/{id}/versions.", 409)
    return dataset_id


def check_may_replace(engine: Engine, who: Principal, dataset_id: str) -> DatasetRecord:
    """The dataset's record if ``who`` may upload a new version of it; UploadError (404/403) otherwise."""
    with engine.connect() as conn:
        record = get_record(conn, dataset_id)
    if record is None or not who.may_read(record):
        raise UploadError(f"Collection {dataset_id!r} not found.", 404)
    if not who.may_write(record):
        owner = record.organisation or "no organisation (catalogue data)"
        raise UploadError(f"{dataset_id!r} belongs to {owner}; only its editors or an admin may replace or delete "
                          "it. Upload your layer as a new dataset instead.", 403)
    return record


def _check_organisation(who: Principal, meta: UploadMetadata) -> None:
    if meta.organisation and meta.organisation != who.organisation and who.role is not Role.ADMIN:
        raise UploadError(f"You upload for {who.organisation}; only an admin may upload for {meta.organisation}.", 403)


def publish(engine: Engine, who: Principal, upload: Path, filename: str, meta: UploadMetadata,
            limits: UploadLimits, existing: DatasetRecord | None = None, dataset_id: str = "",
            timeout_ms: int | None = None) -> DatasetRecord:
    """Read, check and store an upload as a new dataset (``dataset_id``) or a new version of ``existing``;
    ``timeout_ms`` bounds each statement that stores it."""
    fmt = upload_format(upload, filename)
    previous_access = existing.access if existing is not None else None
    with tempfile.TemporaryDirectory(prefix="unpacked-", dir=upload.parent) as work:
        path = unpack_shapefile(upload, Path(work), limits) if fmt is UploadFormat.SHAPEFILE_ZIP else upload
        encoding_note = csv_as_utf8(path) if fmt is UploadFormat.CSV else ""
        layer = UploadedLayer(path, fmt, meta.crs, limits)
        if encoding_note:
            layer.notes.append(encoding_note)
        record = _record(who, meta, layer, existing, dataset_id, filename)
        if existing is not None:
            with engine.connect() as conn:
                record.version = next_version(record.version, {v["version"] for v in list_versions(conn, record.id)})
        action = AuditAction.REPLACE if existing else AuditAction.UPLOAD

        def audit(conn, stored: DatasetRecord) -> None:
            record_action(conn, who, action, stored.id, stored.version,
                          f"{filename}: {stored.feature_count} features, {layer.source_crs or 'no geometry'}")
            if previous_access is not None and stored.access is not previous_access:
                record_action(conn, who, AuditAction.ACCESS, stored.id, stored.version,
                              f"{previous_access.value} → {stored.access.value} (earlier versions keep theirs)")

        # Reading adds notes (geometries repaired, mixed columns): into the record, which is written last.
        layer.notes = record.notes
        put_dataset(engine, record, layer.batches(meta.repair), keep_previous=True, user=who.user,
                    organisation=who.organisation, also=audit, timeout_ms=timeout_ms)
        with engine.connect() as conn:  # the version's GeoPackage, ready before anyone asks for it
            ensure_ready(engine, get_record(conn, record.id))
        return record


def _record(who: Principal, meta: UploadMetadata, layer: UploadedLayer, existing: DatasetRecord | None,
            dataset_id: str, filename: str) -> DatasetRecord:
    if existing is not None:
        record = existing
        for name in ("title", "description", "licence", "attribution"):
            if getattr(meta, name):
                setattr(record, name, getattr(meta, name))
        if meta.keywords:
            record.keywords = meta.keywords
        record.updated = None
    else:
        organisation = meta.organisation or who.organisation
        record = DatasetRecord(
            id=dataset_id, title=meta.title, description=meta.description, keywords=meta.keywords,
            licence=meta.licence, attribution=meta.attribution or f"{organisation}, shared through the LEO catalogue",
            provenance=Provenance.REAL, publisher=organisation, kind=DatasetKind.VECTOR, themes=["contributed"],
            access=meta.access or AccessLevel.PUBLIC, organisation=organisation)
    if meta.access is not None:
        record.access = meta.access
    record.fields = layer.fields
    record.geometry_type = layer.geometry_type
    if existing is not None and not (meta.time_field or meta.time_start_field or meta.time_end_field):
        # A new version keeps the dataset's time dimension unless it says otherwise.
        record.time_field = _kept_time_field(layer, existing.time_field)
        record.time_start_field = _kept_time_field(layer, existing.time_start_field)
        record.time_end_field = _kept_time_field(layer, existing.time_end_field)
    else:
        record.time_field = _time_field(layer, meta.time_field)
        record.time_start_field = _time_field(layer, meta.time_start_field)
        record.time_end_field = _time_field(layer, meta.time_end_field)
    if record.is_temporal:
        record.kind = DatasetKind.TIMESERIES
    else:
        record.kind = DatasetKind.VECTOR if layer.geometry_type else DatasetKind.TABLE
    crs_note = f"Uploaded as {filename}" + (f" in {layer.source_crs}; stored in EPSG:4326." if layer.source_crs else ".")
    record.notes = [crs_note, *layer.notes]
    return record


def next_version(current: str, taken: set[str]) -> str:
    """The next whole-number version not yet used."""
    number = int(current) + 1 if current.isdigit() else len(taken) + 1
    while str(number) in taken | {current}:
        number += 1
    return str(number)


def _kept_time_field(layer: UploadedLayer, name: str | None) -> str | None:
    """The dataset's time field, which the new version must have too."""
    if not name:
        return None
    if not any(f.name == name and f.type in TIME_KINDS for f in layer.fields):
        raise UploadError(f"The dataset's time field {name!r} is not a date/time field of the new file: name its time "
                          f"field (time_field=…), or send time_field={NO_TIME} to publish it without time.")
    return name


def _time_field(layer: UploadedLayer, name: str) -> str | None:
    """The stored name of the time field the sender named (by its name in their file); UploadError if it is not
    a date or date-time field."""
    if not name or name.lower() == NO_TIME:
        return None
    found = next((f for f in layer.fields if name in (f.name, f.source)), None)
    if found is None or found.type not in TIME_KINDS:
        candidates = ", ".join(f.source or f.name for f in layer.fields if f.type in TIME_KINDS) or "none"
        problem = "is not a field of the layer" if found is None else f"holds {found.type.value} values, not times"
        raise UploadError(f"The time field {name!r} {problem}; the layer's date/time fields: {candidates}.")
    return found.name
