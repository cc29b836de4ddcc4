"""The OpenAPI 3.0 document: FastAPI's, brought down to 3.0 (what /api says it is and OGC's oas30 class asks),
with the page size QGIS reads and the error answers each operation gives."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from ..params import DEFAULT_LIMIT, MAX_LIMIT

OPENAPI_VERSION = "3.0.3"

ERRORS = {
    "400": "A query parameter or form field is malformed, unknown or past a limit (`parameter` names it).",
    "401": "The token is not valid, has expired, or is needed here.",
    "403": "The token is valid but may not do this.",
    "404": "No such collection, record, feature or version (or not visible to this token).",
    "409": "Conflict: an id that is taken, or the current version.",
    "411": "The upload has no Content-Length.",
    "413": "The upload is larger than the server accepts.",
    "415": "The upload is not multipart/form-data.",
    "422": "The uploaded file was refused (the description says why, naming the first feature at fault).",
    "429": "Too many downloads at once from this client (see Retry-After).",
    "503": "The database is busy, or the request's database work took longer than the statement timeout.",
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "description"],
    "properties": {"code": {"type": "string"}, "description": {"type": "string"},
                   "parameter": {"type": "string"}},
}


def _errors_of(path: str, method: str) -> list[str]:
    codes = ["400", "401", "503"]
    if "{" in path:
        codes.append("404")
    if method in ("post", "put", "delete") or path == "/audit":
        codes.append("403")
    if method == "post":
        codes += ["409", "411", "413", "415", "422"]
    if method in ("delete", "put"):
        codes += ["404", "409"]
    if path.endswith("/download"):
        codes.append("429")
    return sorted(set(codes))


def _to_openapi_30(node):
    """JSON Schema 2020-12 (OpenAPI 3.1) constructs FastAPI writes, as OpenAPI 3.0: ``anyOf`` with
    ``{"type": "null"}`` becomes ``nullable``."""
    if isinstance(node, list):
        return [_to_openapi_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _to_openapi_30(value) for key, value in node.items()}
    options = node.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        rest = [option for option in options if option != {"type": "null"}]
        del node["anyOf"]
        if len(rest) == 1:
            node.update(rest[0])
        else:
            node["anyOf"] = rest
        node["nullable"] = True
    return node


def openapi_document(app: FastAPI) -> dict:
    """The API document (cached on the app)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes,
                         openapi_version=OPENAPI_VERSION)
    schema = _to_openapi_30(schema)
    components = schema.setdefault("components", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.get("schemas", {}).pop(name, None)
    if not components.get("schemas"):
        components.pop("schemas", None)
    components.setdefault("schemas", {})["Exception"] = ERROR_SCHEMA
    components["responses"] = {code: {"description": text, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Exception"}}}} for code, text in ERRORS.items()}
    components.setdefault("parameters", {})["limit"] = {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": f"Number of items per page (1 to {MAX_LIMIT}; larger values are clamped).",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        "style": "form",
        "explode": False,
    }
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            parameters = operation.get("parameters", [])
            for index, parameter in enumerate(parameters):
                if parameter.get("name") == "limit":
                    parameters[index] = {"$ref": "#/components/parameters/limit"}
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)  # FastAPI's validation answer: this server answers 400 instead
            for code in _errors_of(path, method):
                responses[code] = {"$ref": f"#/components/responses/{code}"}
    app.openapi_schema = schema
    return schema
