"""What operators watch: /healthz and /metrics, and the request metrics
every answer feeds."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import SyndicateError
from ..metrics import LATENCY, REQUESTS, exposition
from .site import Site

PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"


def heartbeat_limit(site: Site) -> float:
    """A worker silent for longer than this is taken for dead."""
    return max(30.0, 6 * site.config.worker.heartbeat_seconds)


async def healthz(request: Request) -> Response:
    """200 when the database answers and a worker is alive; 503 otherwise."""
    site: Site = request.app.state.site
    body: dict[str, object] = {"status": "ok"}
    try:
        beat = await run_in_threadpool(site.store.last_heartbeat)
        body["database"] = "ok"
    except SyndicateError as exc:
        body.update(status="unhealthy", database=exc.message, worker="unknown")
        return JSONResponse(body, status_code=503, headers={"Cache-Control": "no-store"})
    if beat is None:
        body.update(
            status="unhealthy", worker="no worker has reported", worker_heartbeat_age_seconds=None
        )
    else:
        age = (datetime.now(UTC) - beat).total_seconds()
        body["worker_heartbeat_age_seconds"] = round(age, 1)
        if age > heartbeat_limit(site):
            body.update(status="unhealthy", worker=f"silent for {age:.0f} s")
        else:
            body["worker"] = "ok"
    status = 200 if body["status"] == "ok" else 503
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


async def metrics(request: Request) -> Response:
    site: Site = request.app.state.site
    data = await run_in_threadpool(exposition, site.store)
    return Response(data, media_type=PROMETHEUS, headers={"Cache-Control": "no-store"})


def route_name(scope: Scope) -> str:
    """The pattern of the route that answered (not the path, which would
    make a time series per article), or "unmatched"."""
    found = scope.get("route")
    if found is None:
        routes: list[BaseRoute] = getattr(scope.get("app"), "routes", [])
        found = next((r for r in routes if r.matches(scope)[0] is Match.FULL), None)
    return getattr(found, "path", None) or "unmatched"


class CountRequests:
    """ASGI middleware: requests by route and status, and latency."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            name = route_name(scope)
            REQUESTS.labels(name, scope["method"], str(status)).inc()
            LATENCY.labels(name).observe(time.perf_counter() - started)


ROUTES = [
    Route("/healthz", healthz, methods=["GET", "HEAD"]),
    Route("/metrics", metrics, methods=["GET"]),
]
