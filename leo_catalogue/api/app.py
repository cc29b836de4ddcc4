"""The FastAPI application: routers, JSON errors (never a 500 for what a client or the database's load can
cause), CORS for reads, and the OpenAPI document."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Match

from .. import __version__
from ..config import ServerLimits
from ..db import RequestCancelled, busy_timeout_ms
from ..errors import ApiError
from ..portal import routes as portal_routes
from ..portal.sizes import DownloadSizes
from ..portal.templating import STATIC, STATIC_PATH
from ..uploads.limits import UploadLimits
from ..uploads.staging import clear_orphans, default_staging_root
from . import catalogue, common, downloads, features, uploads
from .guard import RequestGuard
from .html import error_page
from .negotiation import JsonAnswer, prefers_html
from .openapi import openapi_document

BUSY = "The catalogue is busy with another upload or change; nothing was stored. Try again in a minute."


def _html_wanted(request: Request) -> bool:
    """Whether an error should be a portal page (never raises, unlike wants_html)."""
    f = request.query_params.get("f")
    return f == "html" if f is not None else prefers_html(request.headers.get("accept", ""))


def _error(status: int, code: str, description: str, parameter: str | None = None,
           headers: dict[str, str] | None = None, request: Request | None = None) -> Response:
    if request is not None and _html_wanted(request):
        page = error_page(request, status, description)
        page.headers.update(headers or {})
        return page
    body = {"code": code, "description": description}
    if parameter:
        body["parameter"] = parameter
    return JsonAnswer(body, status_code=status, headers=headers)


def _routes(routes):
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's include_router (no prefixes here)
        yield from _routes(included.routes) if included is not None else [route]


def _allowed_methods(request: Request) -> str:
    """Every method some route takes at this path (several routes can share a path: GET and POST /collections)."""
    methods: set[str] = set()
    for route in _routes(request.app.router.routes):
        match, _ = route.matches({**request.scope, "method": "OPTIONS-PROBE"})
        if match is not Match.NONE and getattr(route, "methods", None):
            methods |= set(route.methods)
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def database_error(request: Request, exc: Exception) -> JsonAnswer:
    """503 for database work that was stopped (the statement timeout, a client that went) or had to wait too long
    (SQLite's single writer, all connections in use); anything else is the server's own fault."""
    work = request.scope.get("leo.work")
    if isinstance(exc, RequestCancelled) or (work is not None and work.cancelled):
        return _error(503, "Cancelled", "The request was cancelled: its client went away.")
    if isinstance(exc, PoolTimeout):
        return _error(503, "Busy", "Every database connection is in use; try again shortly.",
                      headers={"Retry-After": "5"})
    message = str(getattr(exc, "orig", exc)).lower()
    if "interrupted" in message or "statement timeout" in message:
        limit = request.app.state.limits.statement_timeout_ms
        return _error(503, "Timeout", f"The request's database work took longer than LEO_STATEMENT_TIMEOUT_MS "
                                      f"({limit:,} ms) and was stopped: narrow it (bbox, datetime, filter, a smaller "
                                      "limit).")
    if "database is locked" in message or "database is busy" in message:
        return _error(503, "Busy", f"{BUSY} (waited {busy_timeout_ms() // 1000} s, LEO_SQLITE_BUSY_TIMEOUT_MS)",
                      headers={"Retry-After": "60"})
    raise exc


def app_from_environment(url: str | None = None) -> FastAPI:
    """The served app over ``url`` (default ``LEO_DATABASE_URL``), with the limits from the environment; what each
    uvicorn worker calls (``--factory``). Every statement the server runs is bounded in time."""
    from ..config import default_database_url
    from ..db import make_engine

    limits = ServerLimits.from_environment()
    engine = make_engine(url or default_database_url(), statement_timeout_ms=limits.statement_timeout_ms,
                         pool_size=limits.db_connections)
    return create_app(engine, limits=limits)


def create_app(engine: Engine, staging_root: Path | None = None, upload_limits: UploadLimits | None = None,
               limits: ServerLimits | None = None) -> FastAPI:
    """The catalogue API over a database engine; uploads wait in ``staging_root`` while they are checked."""
    app = FastAPI(
        title="LEO catalogue",
        version=__version__,
        description="OGC API Records and Features for Project LEO (Local Energy Oxfordshire) data.",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        default_response_class=JsonAnswer,
    )
    app.state.engine = engine
    app.state.staging_root = staging_root or default_staging_root()
    app.state.upload_limits = upload_limits or UploadLimits.from_environment()
    app.state.limits = limits or ServerLimits.from_environment()
    app.state.downloads = downloads.DownloadSlots(app.state.limits.downloads_per_client)
    clear_orphans(app.state.staging_root)  # left by a server killed mid-upload
    app.include_router(common.router)
    app.include_router(catalogue.router)
    app.include_router(downloads.router)
    app.include_router(features.router)
    app.include_router(uploads.router)
    app.include_router(portal_routes.router)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC), name="portal-static")
    app.state.download_sizes = {}
    app.add_middleware(DownloadSizes)
    app.openapi = lambda: openapi_document(app)
    if app.state.limits.cors_origins:
        # Reads only: web maps may GET the catalogue; writes stay with same-origin clients (QGIS, scripts).
        app.add_middleware(CORSMiddleware, allow_origins=list(app.state.limits.cors_origins),
                           allow_methods=["GET", "HEAD"], allow_headers=["Authorization", "Accept"],
                           expose_headers=["Content-Disposition", "Content-Length"], max_age=3600)
    app.add_middleware(RequestGuard)

    @app.exception_handler(ApiError)
    def api_error(request: Request, exc: ApiError):
        return _error(exc.status, exc.code, exc.message, exc.parameter, exc.headers, request)

    @app.exception_handler(RequestValidationError)
    def validation_error(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        location = first.get("loc", ["", ""])
        return _error(400, "InvalidParameterValue", first.get("msg", "invalid request"),
                      str(location[-1]) if location else None, request=request)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 405:
            allowed = _allowed_methods(request)
            return _error(405, "MethodNotAllowed", f"{request.method} is not allowed here; allowed: {allowed}.",
                          headers={"Allow": allowed})
        code = "NotFound" if exc.status_code == 404 else "HTTPError"
        return _error(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None), request=request)

    for kind in (DBAPIError, PoolTimeout, RequestCancelled):
        app.add_exception_handler(kind, database_error)
    return app
