"""The one table mapping reliefgis errors to HTTP statuses and RFC 9457 problem bodies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from geo.errors import (
    ComputeTimeout,
    ComputeUnavailable,
    DecisionRefused,
    FontNotFound,
    GeometryError,
    HazardValueError,
    InputError,
    LayerError,
    LayerNotFound,
    LimitExceeded,
    MissingInput,
    NotFound,
    PlanError,
    PlanNotFound,
    ReliefError,
    StoreError,
    TooBusy,
    TooLarge,
    UploadError,
    UploadTooLarge,
)

PROBLEM_JSON = "application/problem+json"

#: Most specific first: the first matching class decides the status.
STATUS_CODES: tuple[tuple[type[Exception], int], ...] = (
    (LimitExceeded, 413),
    (GeometryError, 422),
    (MissingInput, 422),
    (DecisionRefused, 422),
    (HazardValueError, 422),
    (UploadTooLarge, 413),
    (UploadError, 422),
    (TooLarge, 413),
    (InputError, 400),
    (PlanNotFound, 404),
    (LayerNotFound, 404),
    (NotFound, 404),
    (TooBusy, 429),
    (StoreError, 503),
    (ComputeUnavailable, 503),
    (ComputeTimeout, 504),
    (PlanError, 500),
    (LayerError, 500),
    (FontNotFound, 503),
)


#: Statuses any operation may answer with a problem: input refused (400, 413, 422), keys
#: (401, 403), not found (404), wrong method (405), too many at once (429), the service
#: (500, 503, 504).
PROBLEM_STATUSES = (400, 401, 403, 404, 405, 413, 422, 429, 500, 503, 504)
_PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string", "description": "about:blank"},
        "title": {"type": "string", "description": "The status's phrase"},
        "status": {"type": "integer", "description": "The HTTP status"},
        "detail": {"type": "string", "description": "What is wrong, naming the field"},
        "instance": {"type": "string", "description": "The path asked for"},
        "field": {"type": "string", "description": "The request field at fault"},
        "limit": {"type": "string", "description": "The work limit exceeded (413)"},
        "errors": {
            "type": "array",
            "description": "Each field refused, with its message (422)",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "description": "The field, dotted"},
                    "message": {"type": "string", "description": "What is wrong with it"},
                },
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}


def document_problems(schema: dict[str, Any]) -> None:
    """Every operation of an OpenAPI document answers its errors as problem+json: say so."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = _PROBLEM_SCHEMA
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status in PROBLEM_STATUSES:
                # FastAPI's own 422 says application/json; the answer is problem+json.
                entry = responses.setdefault(str(status), {})
                entry.setdefault("description", HTTPStatus(status).phrase)
                entry["content"] = content


def problem(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """An ``application/problem+json`` response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {})
    )


def status_for(exc: Exception) -> int:
    """The HTTP status of a reliefgis error."""
    for cls, status in STATUS_CODES:
        if isinstance(exc, cls):
            return status
    return 500


def _field(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def _validation_entry(error: Mapping[str, Any], body: object = None) -> dict[str, str]:
    """One validation error as ``{"field", "message"}``; broken JSON names the body and where."""
    if error.get("type") == "json_invalid":
        # FastAPI reports the character offset as the location ("body", 13): it is not a field.
        loc = error.get("loc", ())
        position = loc[-1] if loc and isinstance(loc[-1], int) else None
        reason = (error.get("ctx") or {}).get("error", "")
        where = ""
        if position is not None and isinstance(body, str):
            line = body.count("\n", 0, position) + 1
            column = position - (body.rfind("\n", 0, position) + 1) + 1
            where = f" at line {line} column {column}"
        message = f"request body is not valid JSON{where}: {reason}".rstrip(": ")
        return {"field": "body", "message": message}
    return {"field": _field(error.get("loc", ())), "message": str(error.get("msg", ""))}


def add_exception_handlers(app: FastAPI) -> None:
    """Answer every error as problem+json; bad input is a 4xx naming the field."""

    async def relief_error(request: Request, exc: Exception) -> JSONResponse:
        extra = {name: value for name in ("field", "limit") if (value := getattr(exc, name, None))}
        retry = getattr(exc, "retry_after_s", None)
        headers = {"Retry-After": str(retry)} if retry is not None else None
        return problem(
            status_for(exc), str(exc), instance=request.url.path, headers=headers, **extra
        )

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [_validation_entry(e, exc.body) for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, detail, instance=request.url.path, errors=errors)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        extra = {"field": field} if (field := getattr(exc, "field", None)) else {}
        response = problem(exc.status_code, str(exc.detail), instance=request.url.path, **extra)
        response.headers.update(exc.headers or {})  # 405 carries Allow, 401 WWW-Authenticate
        return response

    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the server log; the caller learns nothing of the internals.
        return problem(500, "internal error", instance=request.url.path)

    app.add_exception_handler(ReliefError, relief_error)
    app.add_exception_handler(Exception, internal_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
