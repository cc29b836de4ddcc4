"""The audit log: who uploaded, replaced or deleted which dataset, and when."""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from .accounts import Principal
from .schema import audit_log


class AuditAction(str, Enum):
    UPLOAD = "upload"    # a new dataset
    REPLACE = "replace"  # a new version of an existing dataset
    DELETE = "delete"
    DELETE_VERSION = "delete-version"  # one earlier version
    ACCESS = "access"    # a version's access level changed (detail: from → to)


def record_action(conn: Connection, who: Principal, action: AuditAction, dataset_id: str, version: str = "",
                  detail: str = "") -> None:
    """Log an action in the same transaction as the change, so the log and the catalogue agree."""
    conn.execute(insert(audit_log).values(at=datetime.now(timezone.utc), user=who.user, organisation=who.organisation,
                                          action=action.value, dataset_id=dataset_id, version=version, detail=detail))


def entries(conn: Connection, dataset_id: str | None = None, limit: int = 1000) -> list[dict]:
    """The latest entries first, for one dataset or all."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if dataset_id:
        query = query.where(audit_log.c.dataset_id == dataset_id)
    return [dict(row._mapping) for row in conn.execute(query)]
