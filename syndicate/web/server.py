"""Running the app with uvicorn."""

from __future__ import annotations

import os

import uvicorn

from ..config import Config
from ..store import Store
from .app import create_app


def serve(config: Config, host: str, port: int, workers: int = 1) -> None:
    """Serve until interrupted. The schema is checked first, so a web process
    on an out-of-date database stops at once with the command to run."""
    Store.open(config).close()
    if workers > 1:
        if config.source is not None:
            os.environ["SYNDICATE_CONFIG"] = str(config.source)
        uvicorn.run(
            "syndicate.web.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            access_log=False,
        )
        return
    uvicorn.run(create_app(config), host=host, port=port, log_level="info", access_log=False)
