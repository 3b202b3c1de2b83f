"""Partners for tests: real HTTP servers on 127.0.0.1 that record every
request and answer as a test scripts them (statuses in turn, a hang until
released, an echo of the WebSub challenge or not)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float


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
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                got = [r for r in self.received if r.method == method]
            if len(got) >= count:
                return got
            time.sleep(0.02)
        with self.lock:
            return [r for r in self.received if r.method == method]

    def _answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        if len(body) < length:  # the sender died mid-request: nothing was received
            raise ConnectionError("request body cut short")
        query = parse_qs(parts.query)
        record = Received(
            method, parts.path, query, dict(handler.headers.items()), body, time.monotonic()
        )
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
