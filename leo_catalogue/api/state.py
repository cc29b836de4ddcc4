"""Per-request access to the database and the checks every endpoint shares."""

from __future__ import annotations

from contextlib import contextmanager

from fastapi import Request

from ..errors import bad_parameter, not_found
from ..records import AccessLevel, DatasetRecord


@contextmanager
def connection(request: Request):
    """A read connection to the catalogue database."""
    with request.app.state.engine.connect() as conn:
        yield conn


def known_params(request: Request, allowed: set[str]) -> None:
    """400 naming the first query parameter this endpoint does not know."""
    for name in request.query_params.keys():
        if name not in allowed:
            raise bad_parameter(name, f"unknown query parameter {name!r}; accepted: {', '.join(sorted(allowed))}.")


def public_record(record: DatasetRecord | None, dataset_id: str, data: bool = False) -> DatasetRecord:
    """The record if anyone may see it (and it has data, when asked); 404 otherwise.

    Non-public records answer 404, not 403, so their existence does not leak.
    """
    if record is None or record.access != AccessLevel.PUBLIC or (data and not record.table_name):
        raise not_found(f"Collection {dataset_id!r}")
    return record
