"""The HTTP app: FastAPI (Starlette underneath), served by uvicorn.

Public routes are plain Starlette routes; the admin API under /api is
described by FastAPI at /openapi.json.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ..config import Config, load_config
from ..store import Store
from .api import router as api_router
from .errors import HANDLERS
from .hub import ROUTES as HUB_ROUTES
from .ops import ROUTES as OPS_ROUTES
from .ops import CountRequests
from .routes import ROUTES
from .site import Site


def create_app(config: Config, store: Store | None = None) -> FastAPI:
    """The app for `config`; it opens (and closes) its own store unless given one."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = store or Store.open(config)
        app.state.site = Site(opened, config)
        try:
            yield
        finally:
            app.state.site.close()
            if store is None:
                opened.close()

    app = FastAPI(
        title="syndicate",
        summary="News syndication: feeds, article formats and the admin API.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.config = config
    for exception, handler in HANDLERS.items():
        app.add_exception_handler(exception, handler)
    app.add_middleware(CountRequests)
    app.include_router(api_router(config), prefix="/api")
    app.router.routes.extend(OPS_ROUTES)
    app.router.routes.extend(HUB_ROUTES)
    app.router.routes.extend(ROUTES)
    return app


def app_from_environment() -> FastAPI:
    """The factory `syndicate serve --workers N` hands to uvicorn: settings
    from $SYNDICATE_CONFIG (or ./config.toml), as the parent process had them."""
    return create_app(load_config())
