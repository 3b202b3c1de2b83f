"""Partners for tests: real HTTP servers on 127.0.0.1 that record every
request and answer as a test scripts them (statuses in turn, a hang until
released, an echo of the WebSub challenge or not).

Every webhook delivery (a POST carrying webhook-id) is verified on arrival
with the `standardwebhooks` package against the secret the test subscribed
with (`Receiver.signs`); a receiver that got one it could not verify fails
the test when it closes."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from .waiting import poll


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float
    verified: bool | None = None  # a webhook's signature checked on arrival


@dataclass
class Script:
    """How a path answers: statuses in turn (the last one repeats)."""

    statuses: list[int] = field(default_factory=lambda: [200])
    headers: dict[str, str] = field(default_factory=dict)
    hang: threading.Event | None = None  # hold the answer until set
    delay: float = 0.0
    echo: bool = True  # answer a WebSub verification with its challenge


class Receiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.scripts: dict[str, Script] = {}
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.secrets: dict[str, list[str]] = {}  # target (path?query) -> secrets

    def signs(self, url: str, secret: str) -> None:
        """Webhooks to `url` (a URL of this receiver, as subscribed) must verify
        with `secret`."""
        parts = urlsplit(url)
        self.secrets.setdefault(_target(parts.path, parts.query), []).append(secret)

    def unverified(self) -> list[Received]:
        """Webhook deliveries whose signature did not verify with a secret
        registered for their URL."""
        with self.lock:
            return [r for r in self.received if r.verified is False]

    def _verify(self, target: str, headers: dict[str, str], body: bytes) -> bool | None:
        if not any(key.lower() == "webhook-id" for key in headers):
            return None  # not a webhook (a WebSub delivery or a GET)
        for secret in self.secrets.get(target, []):
            try:
                Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            return True
        return False

    @property
    def base(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def script(self, path: str, script: Script) -> None:
        self.scripts[path] = script

    def requests_to(self, path: str, method: str = "POST") -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path and r.method == method]

    def wait_for(
        self, count: int, *, method: str = "POST", timeout: float = 20.0
    ) -> list[Received]:
        """At least `count` requests of `method` (or whatever came by the timeout)."""

        def got() -> list[Received]:
            with self.lock:
                return [r for r in self.received if r.method == method]

        poll(lambda: len(got()) >= count, timeout)
        return got()

    def _answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        if len(body) < length:  # the sender died mid-request: nothing was received
            raise ConnectionError("request body cut short")
        query = parse_qs(parts.query)
        headers = dict(handler.headers.items())
        record = Received(method, parts.path, query, headers, body, time.monotonic())
        if method == "POST":
            record.verified = self._verify(_target(parts.path, parts.query), headers, body)
        with self.lock:
            self.received.append(record)
            script = self.scripts.get(parts.path, Script())
            seen = sum(1 for r in self.received if r.path == parts.path and r.method == method)
            status = script.statuses[min(seen, len(script.statuses)) - 1]
        if script.hang is not None:
            script.hang.wait(30)
        if script.delay:
            time.sleep(script.delay)
        reply = b"ok"
        if method == "GET" and "hub.challenge" in query:
            reply = query["hub.challenge"][0].encode() if script.echo else b"nope"
        handler.send_response(status)
        for key, value in script.headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(reply)))
        handler.end_headers()
        handler.wfile.write(reply)


def _target(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


class QuietServer(ThreadingHTTPServer):
    """A sender hanging up (a killed worker) is not an error of the test."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def receiver() -> Iterator[Receiver]:
    partner = Receiver()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            self._guarded("POST")

        def do_GET(self) -> None:  # noqa: N802
            self._guarded("GET")

        def _guarded(self, method: str) -> None:
            try:
                partner._answer(self, method)
            except (ConnectionError, TimeoutError):
                self.close_connection = True  # the sender went away (a killed worker)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    server = QuietServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    partner.server = server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield partner
    finally:
        for script in partner.scripts.values():
            if script.hang is not None:
                script.hang.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    bad = partner.unverified()
    assert not bad, f"{len(bad)} webhook(s) failed verification, first to {bad[0].path}"
