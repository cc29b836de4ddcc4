"""Errors the API turns into HTTP answers with a JSON body naming the problem."""

from __future__ import annotations


class ApiError(Exception):
    """A client error: HTTP status, an OGC exception code, the parameter at fault, a message."""

    def __init__(self, status: int, message: str, parameter: str | None = None, code: str = "InvalidParameterValue",
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter
        self.code = code
        self.headers = headers or {}

    def to_json(self) -> dict:
        body = {"code": self.code, "description": self.message}
        if self.parameter:
            body["parameter"] = self.parameter
        return body


def bad_parameter(parameter: str, message: str) -> ApiError:
    """HTTP 400 for a malformed or unknown query parameter."""
    return ApiError(400, message, parameter)


def not_found(what: str) -> ApiError:
    """HTTP 404 for an unknown collection, record or feature."""
    return ApiError(404, f"{what} not found.", code="NotFound")


def unauthorized(message: str) -> ApiError:
    """HTTP 401 for a token that is not valid; asks for Basic credentials (QGIS's Basic authcfg carries the
    token as its password)."""
    return ApiError(401, message, code="Unauthorized", headers={"WWW-Authenticate": 'Basic realm="LEO catalogue"'})
