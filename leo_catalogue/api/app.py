"""The FastAPI application: routers, JSON errors and the OpenAPI document."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import ApiError
from ..params import DEFAULT_LIMIT, MAX_LIMIT
from ..portal import routes as portal_routes
from ..portal.sizes import DownloadSizes
from ..portal.templating import STATIC, STATIC_PATH
from ..uploads.limits import UploadLimits
from ..uploads.staging import clear_orphans, default_staging_root
from . import catalogue, common, downloads, features, uploads
from .html import error_page
from .negotiation import prefers_html


def _html_wanted(request: Request) -> bool:
    """Whether an error should be a portal page (never raises, unlike wants_html)."""
    f = request.query_params.get("f")
    return f == "html" if f is not None else prefers_html(request.headers.get("accept", ""))


def _error(status: int, code: str, description: str, parameter: str | None = None,
           request: Request | None = None) -> Response:
    if request is not None and _html_wanted(request):
        return error_page(request, status, description)
    body = {"code": code, "description": description}
    if parameter:
        body["parameter"] = parameter
    return JSONResponse(body, status_code=status)


def _openapi(app: FastAPI) -> dict:
    """FastAPI's document plus the shared ``limit`` parameter QGIS reads its page size from."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schema.setdefault("components", {}).setdefault("parameters", {})["limit"] = {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": f"Number of items per page (1 to {MAX_LIMIT}; larger values are clamped).",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        "style": "form",
        "explode": False,
    }
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            parameters = operation.get("parameters", [])
            for index, parameter in enumerate(parameters):
                if parameter.get("name") == "limit":
                    parameters[index] = {"$ref": "#/components/parameters/limit"}
    app.openapi_schema = schema
    return schema


def create_app(engine: Engine, staging_root: Path | None = None, upload_limits: UploadLimits | None = None) -> FastAPI:
    """The catalogue API over a database engine; uploads wait in ``staging_root`` while they are checked."""
    app = FastAPI(
        title="LEO catalogue",
        version=__version__,
        description="OGC API Records and Features for Project LEO (Local Energy Oxfordshire) data.",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.staging_root = staging_root or default_staging_root()
    app.state.upload_limits = upload_limits or UploadLimits.from_environment()
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
    app.openapi = lambda: _openapi(app)

    @app.exception_handler(ApiError)
    def api_error(request: Request, exc: ApiError):
        if _html_wanted(request):
            page = error_page(request, exc.status, exc.message)
            page.headers.update(exc.headers)
            return page
        return JSONResponse(exc.to_json(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    def validation_error(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        location = first.get("loc", ["", ""])
        return _error(400, "InvalidParameterValue", first.get("msg", "invalid request"),
                      str(location[-1]) if location else None, request)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException):
        code = "NotFound" if exc.status_code == 404 else "HTTPError"
        return _error(exc.status_code, code, str(exc.detail), request=request)

    return app
