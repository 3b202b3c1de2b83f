"""What the endpoint modules share: the site, the clock, the newsroom, error
translation and the documented error answers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import HTTPException, Request

from ...errors import ConflictError, InputError, NotFoundError
from ...feeddefs import load_feeds
from ...lifecycle import Newsroom
from ...pushdesk import PushDesk
from ..site import Site
from .auth import CHALLENGE
from .models import ArticleRefused, ErrorBody

DESCRIPTIONS = {
    401: "No valid admin API token.",
    403: "The token lacks the scope this needs.",
    404: "No such resource.",
    409: "It conflicts with the stored state.",
    413: "The request body is over the limit.",
    422: "The request is not valid.",
    503: "The database cannot answer right now.",
}


def site_of(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def now() -> datetime:
    return datetime.now(UTC)


def newsroom(site: Site) -> Newsroom:
    return Newsroom(site.store, site.config, load_feeds(site.config))


def push_desk(site: Site) -> PushDesk:
    return PushDesk(site.store, site.config, load_feeds(site.config))


@contextmanager
def translated(missing: int = 404) -> Iterator[None]:
    """Library errors as HTTP errors: not found -> `missing` (404, or 422 for
    something a body names), conflict -> 409, other refusals -> 422."""
    try:
        yield
    except NotFoundError as exc:
        raise HTTPException(missing, exc.message) from None
    except ConflictError as exc:
        raise HTTPException(409, exc.message) from None
    except InputError as exc:
        raise HTTPException(422, exc.message) from None


def errors(*codes: int, refusal: bool = False) -> dict[int | str, dict[str, Any]]:
    """The documented error answers: 401, 403 and 503 always, plus `codes`;
    with `refusal`, 422 may also be an ArticleRefused."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in sorted({401, 403, 503, *codes}):
        entry: dict[str, Any] = {"model": ErrorBody, "description": DESCRIPTIONS[code]}
        if code == 422 and refusal:
            entry = {
                "model": ArticleRefused | ErrorBody,
                "description": "The request is not valid, or the article was refused "
                "(with its problems and warnings).",
            }
        if code == 401:
            entry["headers"] = {
                name: {"schema": {"type": "string"}, "description": "The bearer challenge."}
                for name in CHALLENGE
            }
        out[code] = entry
    return out
