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
    ComputeUnavailable,
    FontNotFound,
    GeometryError,
    InputError,
    LayerError,
    LayerNotFound,
    NotFound,
    PlanError,
    PlanNotFound,
    ReliefError,
    StoreError,
    TooBusy,
)

PROBLEM_JSON = "application/problem+json"

#: Most specific first: the first matching class decides the status.
STATUS_CODES: tuple[tuple[type[Exception], int], ...] = (
    (GeometryError, 422),
    (InputError, 400),
    (PlanNotFound, 404),
    (LayerNotFound, 404),
    (NotFound, 404),
    (TooBusy, 429),
    (StoreError, 503),
    (ComputeUnavailable, 503),
    (PlanError, 500),
    (LayerError, 500),
    (FontNotFound, 503),
)


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


def _validation_entry(error: Mapping[str, Any]) -> dict[str, str]:
    """One validation error as ``{"field", "message"}``; broken JSON names the body."""
    if error.get("type") == "json_invalid":
        # FastAPI reports the character offset as the location ("body", 13): it is not a field.
        loc = error.get("loc", ())
        position = loc[-1] if loc and isinstance(loc[-1], int) else None
        reason = (error.get("ctx") or {}).get("error", "")
        where = f" at character {position}" if position is not None else ""
        return {"field": "body", "message": f"not valid JSON{where}: {reason}".rstrip(": ")}
    return {"field": _field(error.get("loc", ())), "message": str(error.get("msg", ""))}


def add_exception_handlers(app: FastAPI) -> None:
    """Answer every error as problem+json; bad input is a 4xx naming the field."""

    async def relief_error(request: Request, exc: Exception) -> JSONResponse:
        field = getattr(exc, "field", None)
        extra = {"field": field} if field else {}
        retry = getattr(exc, "retry_after_s", None)
        headers = {"Retry-After": str(retry)} if retry is not None else None
        return problem(
            status_for(exc), str(exc), instance=request.url.path, headers=headers, **extra
        )

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [_validation_entry(e) for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, detail, instance=request.url.path, errors=errors)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return problem(exc.status_code, str(exc.detail), instance=request.url.path)

    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the server log; the caller learns nothing of the internals.
        return problem(500, "internal error", instance=request.url.path)

    app.add_exception_handler(ReliefError, relief_error)
    app.add_exception_handler(Exception, internal_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
