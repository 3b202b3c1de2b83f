"""Errors as short pages: plain HTML on public routes, JSON under /api.
Never a traceback."""

from __future__ import annotations

import logging
from html import escape

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..errors import ConflictError, InputError, NotFoundError, SyndicateError
from ..public import Gone
from .routes import Unauthorized

log = logging.getLogger("syndicate.web")

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "Gone",
    413: "Request too large",
    422: "Unprocessable content",
    500: "Internal error",
    503: "Service unavailable",
}


def under_api(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith("/api/")


def error_response(request: Request, status: int, detail: str, **headers: str) -> Response:
    title = TITLES.get(status, "Error")
    if under_api(request):
        return JSONResponse({"error": title, "detail": detail}, status_code=status, headers=headers)
    page = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{status} {title}'
        f"</title></head><body><h1>{title}</h1><p>{escape(detail)}</p></body></html>\n"
    )
    return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store", **headers})


async def on_syndicate_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, Gone):
        return error_response(request, 410, exc.message)
    if isinstance(exc, NotFoundError):
        return error_response(request, 404, exc.message)
    if isinstance(exc, ConflictError):
        return error_response(request, 409, exc.message)
    if isinstance(exc, InputError):
        return error_response(request, 400, exc.message)
    assert isinstance(exc, SyndicateError)
    log.error("request %s %s failed: %s", request.method, request.url.path, exc.message)
    return error_response(request, 503, "the service cannot answer right now")


async def on_unauthorized(request: Request, exc: Exception) -> Response:
    return error_response(
        request,
        401,
        "this feed is for partners: send your partner token as a bearer token or ?key=",
        **{"WWW-Authenticate": 'Bearer realm="partner feeds"'},
    )


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
    return error_response(request, exc.status_code, detail, **(exc.headers or {}))


async def on_invalid_request(request: Request, exc: Exception) -> Response:
    """A request the admin API's models refuse: 422 with each problem's place."""
    assert isinstance(exc, RequestValidationError)
    problems = [
        f"{'.'.join(str(part) for part in error.get('loc', ()))}: {error.get('msg', 'invalid')}"
        for error in exc.errors()
    ]
    shown = "; ".join(problems[:10]) + ("; ..." if len(problems) > 10 else "")
    return error_response(request, 422, shown or "the request is not valid")


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("request %s %s failed", request.method, request.url.path)
    return error_response(request, 500, "something went wrong on our side")


HANDLERS = {
    SyndicateError: on_syndicate_error,
    Unauthorized: on_unauthorized,
    HTTPException: on_http_error,
    RequestValidationError: on_invalid_request,
    Exception: on_unexpected,
}
