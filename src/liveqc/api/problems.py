"""Errors as RFC 9457 ``application/problem+json``.

One table maps error classes to HTTP status; one handler on ``LiveQCError`` covers every
subclass. Request validation errors use the same shape with an ``errors`` list; anything
unexpected is a generic 500 carrying the request id (the traceback goes to the log only).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from liveqc import errors

log = logging.getLogger("liveqc.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
DOCS_BASE = "https://liveqc.readthedocs.io/en/latest/problems"

STATUS: dict[type[errors.LiveQCError], int] = {
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.InvalidTransition: 409,
    errors.ValidationFailed: 422,
    errors.InputError: 422,
    errors.AuthenticationRequired: 401,
    errors.PermissionDenied: 403,
    errors.RateLimited: 429,
    errors.RulePackError: 500,
    errors.ConfigurationError: 500,
}

#: Codes for plain HTTP errors raised by the framework (unknown path, wrong method, ...).
HTTP_CODES = {
    400: ("bad-request", "Bad request"),
    401: ("authentication-required", "Authentication required"),
    403: ("permission-denied", "Permission denied"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("request-validation", "Invalid request"),
    429: ("rate-limited", "Too many requests"),
}


class Problem(BaseModel):
    """RFC 9457 problem details, as every error response carries them."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    request_id: str | None = None
    errors: list[dict[str, Any]] | None = None


#: Error responses every API route may give, for the OpenAPI document.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "Malformed request (a body that cannot be parsed)"},
    401: {"model": Problem, "description": "Unauthenticated"},
    403: {"model": Problem, "description": "Not allowed"},
    404: {"model": Problem, "description": "Not found (or another organisation's row)"},
    409: {"model": Problem, "description": "Conflict"},
    422: {"model": Problem, "description": "Invalid request"},
    429: {"model": Problem, "description": "Too many requests"},
    500: {"model": Problem, "description": "Internal error"},
}


def problem_media_types(schema: dict[str, Any]) -> dict[str, Any]:
    """Document error responses as ``application/problem+json`` in an OpenAPI document."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if str(status)[0] in "45" and "application/json" in content:
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
    return schema


def status_for(exc: errors.LiveQCError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def problem(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": f"{DOCS_BASE}#{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
        "request_id": getattr(request.state, "request_id", None),
        **extra,
    }
    headers = dict(headers or {})
    if body["request_id"]:
        headers.setdefault("X-Request-ID", body["request_id"])
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


async def _liveqc_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.LiveQCError)
    status = status_for(exc)
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if "retry_after" in exc.extra:
        headers["Retry-After"] = str(int(exc.extra["retry_after"]) + 1)
    if status >= 500:
        log.error("%s: %s", exc.code, exc.detail)
        return problem(
            request,
            status=status,
            code=exc.code,
            title=exc.title,
            detail="The server cannot handle this request; see the log for the request id.",
        )
    return problem(
        request,
        status=status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        headers=headers or None,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    items = [
        {
            "loc": [str(part) for part in err.get("loc", ())],
            "field": ".".join(str(part) for part in err.get("loc", ())[1:]) or None,
            "message": err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]
    fields = ", ".join(item["field"] or item["loc"][0] for item in items if item["loc"]) or "body"
    return problem(
        request,
        status=422,
        code="request-validation",
        title="Invalid request",
        detail=f"invalid input: {fields}",
        errors=items,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, title = HTTP_CODES.get(exc.status_code, ("http-error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    return problem(
        request,
        status=exc.status_code,
        code=code,
        title=title,
        detail=detail,
        headers=dict(exc.headers) if exc.headers else None,
    )


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """Input the database refused (a value out of range, a NUL byte, a unique clash)."""
    log.warning("database refused the request: %s", type(exc).__name__)
    if isinstance(exc, IntegrityError):
        return problem(
            request,
            status=409,
            code="conflict",
            title="Conflict",
            detail="the change clashes with existing data",
        )
    return problem(
        request,
        status=422,
        code="invalid-data",
        title="Invalid data",
        detail="a value cannot be stored (out of range or containing forbidden characters)",
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None)
    log.exception("unhandled error (request_id=%s)", request_id, exc_info=exc)
    return problem(
        request,
        status=500,
        code="internal-error",
        title="Internal server error",
        detail=f"An unexpected error occurred; quote request id {request_id} when reporting it.",
    )


def install(app: FastAPI) -> None:
    """Register the problem+json handlers on ``app``."""
    app.add_exception_handler(errors.LiveQCError, _liveqc_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _database_error)
    app.add_exception_handler(IntegrityError, _database_error)
    app.add_exception_handler(Exception, _unexpected)
