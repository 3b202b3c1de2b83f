"""POST /hub: the WebSub hub's subscription endpoint.

Answers 202 Accepted for an acceptable request and verifies intent in the
background; refusals are 4xx with a plain-text reason, as the
specification has it, and 429 when a callback host or a client address
sends more than `[websub] requests_per_minute`."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ..delivery.websub import HubRefusal, parse_request, verify
from .site import Site

MAX_FORM_BYTES = 16 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"


class TooLarge(Exception):
    pass


async def read_form(request: Request) -> dict[str, str]:
    """The urlencoded body (the last value of a repeated name), at most
    MAX_FORM_BYTES whatever Content-Length says."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise TooLarge
    text = body.decode("utf-8", "replace")
    return dict(parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace"))


async def hub(request: Request) -> Response:
    site: Site = request.app.state.site
    if not site.config.websub.enabled:
        return PlainTextResponse("this hub is not enabled\n", status_code=404)
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        return PlainTextResponse("request too large\n", status_code=413)
    media_type = request.headers.get("content-type", FORM_TYPE).split(";")[0].strip().lower()
    if media_type != FORM_TYPE:
        return PlainTextResponse(f"the request must be {FORM_TYPE}\n", status_code=415)
    try:
        form = await read_form(request)
    except TooLarge:
        return PlainTextResponse("request too large\n", status_code=413)
    callback_host = urlsplit(form.get("hub.callback", "")).hostname or "-"
    client = request.client.host if request.client else "-"
    if not site.hub_limit.allow(f"callback:{callback_host}", f"client:{client}"):
        return PlainTextResponse(
            "too many subscription requests; try again in a minute\n",
            status_code=429,
            headers={"Retry-After": "60"},
        )
    try:
        intent = parse_request(form, site.public.feeds, site.config, site.transport)
    except HubRefusal as refusal:
        return PlainTextResponse(refusal.message + "\n", status_code=refusal.status)
    task = BackgroundTask(verify, intent, site.store, site.transport, site.now())
    return PlainTextResponse(
        "accepted; intent will be verified\n", status_code=202, background=task
    )


ROUTES = [Route("/hub", hub, methods=["POST"])]
