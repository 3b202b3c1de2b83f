"""What every API route does before its body is parsed: the caller is
checked (401, 403), then the body's size (413: by Content-Length at once, and
by counting while it is read), so nobody unknown makes the service read a
large body. A JSON body that is not text at all is a 422 like any other
malformed JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from starlette.types import Message, Receive

from .auth import Requirement

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"the request body is over the {limit}-byte limit")


def declared_length(request: Request) -> int | None:
    text = request.headers.get("content-length")
    return int(text) if text is not None and text.isdigit() else None


def counting(receive: Receive, limit: int) -> Receive:
    """`receive`, raising 413 once more than `limit` body bytes came."""
    seen = 0

    async def limited() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise too_large(limit)
        return message

    return limited


def replaying(body: bytes, receive: Receive) -> Receive:
    """The body read already, then whatever else comes (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def check_text(body: bytes) -> None:
    """JSON is text (UTF-8, or UTF-16/32 with its marks); anything else is a 422."""
    if not body:
        return
    try:
        body.decode(json.detect_encoding(body))
    except UnicodeDecodeError:
        raise HTTPException(422, "body: the JSON body is not UTF-8 text") from None


def requirement_of(route: APIRoute) -> Requirement | None:
    """The scope requirement among the route's dependencies."""
    return next(
        (d.call for d in route.dependant.dependencies if isinstance(d.call, Requirement)), None
    )


def guarded_route(limit: int) -> type[APIRoute]:
    """An APIRoute class checking the caller, then a body limit of `limit` bytes."""

    class GuardedRoute(APIRoute):
        def get_route_handler(self) -> Handler:
            handler: Handler = super().get_route_handler()
            requirement = requirement_of(self)
            parses_body = self.body_field is not None

            async def guarded(request: Request) -> Response:
                if requirement is not None:
                    requirement.keyring.caller(request, requirement.scope)
                length = declared_length(request)
                if length is not None and length > limit:
                    raise too_large(limit)
                receive = counting(request.receive, limit)
                if parses_body:
                    body = await Request(request.scope, receive).body()
                    check_text(body)
                    receive = replaying(body, request.receive)
                return await handler(Request(request.scope, receive))

            return guarded

    return GuardedRoute
