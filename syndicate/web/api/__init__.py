"""The admin API under /api, described at /openapi.json.

    auth.py         bearer tokens and scopes (read < publish < admin)
    guard.py        the route class: caller first (401/403), then the body limit (413)
    models.py       request and response models
    common.py       error translation and the documented error answers
    articles.py     POST /articles (ingest), reading articles and versions
    lifecycle.py    publish, correct, embargo, retract, the audit list
    subscribers.py  webhook subscriptions
    deliveries.py   the outbox, retries, push
    partners.py     partners and their feed tokens

Every write goes through the library functions the CLI uses and leaves an
audit row naming the token and the client address.

The endpoint modules do without `from __future__ import annotations`:
FastAPI reads their route functions' annotations at runtime, and those name
the scope requirement held by a closure, which a string could not reach.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter
from fastapi.routing import APIRoute

from ...config import Config
from . import articles, deliveries, lifecycle, partners, subscribers
from .auth import Auth, Keyring
from .guard import guarded_route, requirement_of


def operation_id(route: APIRoute) -> str:
    return route.name


def router(config: Config, environ: Mapping[str, str] | None = None) -> APIRouter:
    """The API's routes, for `app.include_router(router(config), prefix="/api")`;
    tokens from `[api] tokens` and $SYNDICATE_API_TOKEN (read now)."""
    auth = Auth.of(Keyring.of(config, environ))
    api = APIRouter(
        route_class=guarded_route(config.api.max_request_bytes),
        generate_unique_id_function=operation_id,
    )
    for module in (articles, lifecycle, subscribers, deliveries, partners):
        module.add_routes(api, auth)
    for route in api.routes:
        if isinstance(route, APIRoute) and (needed := requirement_of(route)) is not None:
            route.description = f"{route.description}\n\nScope: `{needed.scope}`."
    return api


__all__ = ["router"]
