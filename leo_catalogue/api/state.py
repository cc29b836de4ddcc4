"""Per-request access to the database and the checks every endpoint shares."""

from __future__ import annotations

from contextlib import contextmanager

from fastapi import Request

from ..accounts import Principal
from ..errors import bad_parameter, not_found
from ..records import DatasetRecord


@contextmanager
def connection(request: Request):
    """A read connection to the catalogue database."""
    with request.app.state.engine.connect() as conn:
        yield conn


def known_params(request: Request, allowed: set[str]) -> None:
    """400 naming the first query parameter this endpoint does not know."""
    check_names(request.query_params.keys(), allowed)


def check_names(names, allowed: set[str]) -> None:
    """400 naming the first of ``names`` not in ``allowed``."""
    for name in names:
        if name not in allowed:
            raise bad_parameter(name, f"unknown query parameter {name!r}; accepted: {', '.join(sorted(allowed))}.")


def readable_record(record: DatasetRecord | None, dataset_id: str, principal: Principal,
                    data: bool = False) -> DatasetRecord:
    """The record if ``principal`` may see it (and it has data, when asked); 404 otherwise.

    Records out of reach answer 404, not 403, so their existence does not leak.
    """
    if record is None or not principal.may_read(record) or (data and not record.table_name):
        raise not_found(f"Collection {dataset_id!r}")
    return record
