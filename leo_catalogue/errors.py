"""Errors the API turns into HTTP answers with a JSON body naming the problem."""

from __future__ import annotations


class ApiError(Exception):
    """A client error: HTTP status, an OGC exception code, the parameter at fault, a message."""

    def __init__(self, status: int, message: str, parameter: str | None = None, code: str = "InvalidParameterValue"):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter
        self.code = code

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
