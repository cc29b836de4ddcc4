"""Per-request access to the database and the checks every endpoint shares."""

from __future__ import annotations

from contextlib import contextmanager

from fastapi import Request
from starlette.datastructures import QueryParams

from ..accounts import Principal
from ..cql import MAX_FILTER_LENGTH
from ..db import RequestWork
from ..errors import bad_parameter, not_found
from ..params import MAX_PARAMETERS, MAX_VALUE_LENGTH
from ..records import DatasetRecord

LONG_PARAMETERS = {"filter": MAX_FILTER_LENGTH}


def request_work(request: Request) -> RequestWork:
    """The request's database work, which the server stops when the client goes (see api/guard.py)."""
    work = request.scope.get("leo.work")
    if work is None:  # a request that did not come through the guard (none in the server)
        work = request.scope["leo.work"] = RequestWork()
    return work


@contextmanager
def connection(request: Request):
    """A read connection to the catalogue database, stopped if the client goes away."""
    with request.app.state.engine.connect() as conn, request_work(request).using(conn):
        yield conn


def known_params(request: Request, allowed: set[str]) -> None:
    """400 naming the first query parameter this endpoint does not know, or one that is too long; 400 for too
    many parameters."""
    check_params(request.query_params, allowed)


def check_params(params: QueryParams, allowed: set[str]) -> None:
    """400 naming the first of ``params`` not in ``allowed`` or too long; 400 for too many parameters."""
    if len(params.multi_items()) > MAX_PARAMETERS:
        raise bad_parameter("query", f"the request has {len(params.multi_items())} query parameters; at most "
                                     f"{MAX_PARAMETERS} are accepted.")
    for name, value in params.multi_items():
        if name not in allowed:
            raise bad_parameter(name[:100], f"unknown query parameter {name[:100]!r}; accepted: "
                                            f"{', '.join(sorted(allowed))}.")
        longest = LONG_PARAMETERS.get(name, MAX_VALUE_LENGTH)
        if len(value) > longest:
            raise bad_parameter(name, f"{name} is {len(value):,} characters long; at most {longest:,} are accepted.")


def readable_record(record: DatasetRecord | None, dataset_id: str, principal: Principal,
                    data: bool = False) -> DatasetRecord:
    """The record if ``principal`` may see it (and it has data, when asked); 404 otherwise.

    Records out of reach answer 404, not 403, so their existence does not leak.
    """
    if record is None or not principal.may_read(record) or (data and not record.table_name):
        raise not_found(f"Collection {dataset_id!r}")
    return record
