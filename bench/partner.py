"""A fast partner for the push benchmark: an ASGI app (run by uvicorn in its
own process) that answers 200 to every POST, counts them and notes when the
first one arrived. GET /stats -> {"count", "first"}; POST /reset clears."""

from __future__ import annotations

import json
import time
from typing import Any

STATE: dict[str, Any] = {"count": 0, "first": None}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    reply = b"ok"
    if scope["path"] == "/stats":
        reply = json.dumps(STATE).encode()
    elif scope["path"] == "/reset":
        STATE.update(count=0, first=None)
    else:
        STATE["count"] += 1
        if STATE["first"] is None:
            STATE["first"] = time.time()
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(reply)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": reply})
