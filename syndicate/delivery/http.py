"""The HTTP transport for pushes: webhooks, WebSub callbacks, IndexNow.

One requests Session per partner (host:port) keeps connections alive. Every
request passes the SSRF guard and is pinned to the address it checked
(ssrf.PinnedAdapter). Limits: connect and read timeouts per socket operation;
a total deadline per request, enforced by a watchdog thread that shuts the
socket down when it passes; a response size limit; no redirects; bounded
parallelism overall and per partner. Network and HTTP problems come back as a
`Result` with error text; only a refused URL raises (`UnsafeURL`).

Concurrency: `post` and `get` take a slot of the partner and one overall
themselves, waiting at most `deadline` seconds. A caller may instead hold
`slot(url)` around its calls (to wait before building a request); inside it,
calls to the same partner from the same thread take no second slot.
"""

from __future__ import annotations

import heapq
import http.client
import itertools
import logging
import socket
import ssl
import threading
import time
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

import requests
import urllib3.exceptions
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPConnection

from ..errors import ConfigError, RuntimeFailure
from .ssrf import (
    Guard,
    PartnerSession,
    PinnedRequest,
    Resolver,
    Target,
    UnresolvableHost,
    default_resolver,
    parse_networks,
    split_url,
)

log = logging.getLogger(__name__)
Clock = Callable[[], float]
NETWORK_ERRORS = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
    ValueError,  # reading a file whose socket the deadline shut
)


@dataclass(frozen=True, slots=True)
class TransportSettings:
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    deadline: float = 30.0
    max_response_bytes: int = 64 * 1024
    record_bytes: int = 1024
    concurrency: int = 16
    per_partner: int = 4
    allow_networks: tuple[str, ...] = ()
    user_agent: str = "syndicate/0.1"
    ca_bundle: str | None = None  # CA certificates to trust instead of certifi's

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "deadline"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"delivery.{name} must be more than 0")
        for name in ("max_response_bytes", "record_bytes", "concurrency", "per_partner"):
            if getattr(self, name) < 1:
                raise ConfigError(f"delivery.{name} must be at least 1")
        parse_networks(self.allow_networks)


@dataclass(frozen=True, slots=True)
class Result:
    """What one request came to. `error` is None when a response arrived whole."""

    status: int | None
    elapsed_ms: int
    error: str | None = None
    body_start: str = ""  # the first record_bytes, as text
    headers: Mapping[str, str] = field(default_factory=lambda: types.MappingProxyType({}))
    body: bytes = field(default=b"", repr=False)  # at most max_response_bytes
    address: str | None = None  # the address connected to

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


class _Watch:
    """One request's deadline: when it fires, the socket in use is shut down,
    which ends a blocked read or write at once."""

    def __init__(self) -> None:
        self.fired = False
        self._done = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()

    def attach(self, conn: HTTPConnection) -> None:
        with self._lock:
            if conn.sock is not None:  # kept: http.client drops it for close-delimited bodies
                self._sock = conn.sock
            if self.fired and not self._done:
                _shut(self._sock)

    def detach(self, conn: HTTPConnection) -> None:
        with self._lock:
            self._sock = None

    def fire(self) -> None:
        with self._lock:
            if not self._done:
                self.fired = True
                _shut(self._sock)

    def finish(self) -> None:
        with self._lock:
            self._done, self._sock = True, None


def _shut(sock: socket.socket | None) -> None:
    if sock is not None:
        try:  # the plain socket method: SSLSocket.shutdown would drop its TLS state
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass


class Watchdog:
    """One thread that fires each armed watch when its time comes."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._heap: list[tuple[float, int, _Watch]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def arm(self, due: float) -> _Watch:
        watch = _Watch()
        with self._wake:
            heapq.heappush(self._heap, (due, next(self._order), watch))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="deadlines", daemon=True)
                self._thread.start()
            self._wake.notify()
        return watch

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=5)

    def _run(self) -> None:
        with self._wake:
            while not self._stopped:
                now = self._clock()
                while self._heap and self._heap[0][0] <= now:
                    heapq.heappop(self._heap)[2].fire()
                self._wake.wait(min(self._heap[0][0] - now, 1.0) if self._heap else None)


def describe_failure(exc: BaseException, connect_timeout: float, read_timeout: float) -> str:
    """One line for the delivery record, from requests', urllib3's or a socket error."""
    root = _root_cause(exc)
    if isinstance(exc, requests.ConnectTimeout):
        return f"connect timeout after {connect_timeout:g} s"
    if isinstance(exc, requests.ReadTimeout | urllib3.exceptions.ReadTimeoutError):
        return f"read timeout after {read_timeout:g} s"
    if isinstance(root, TimeoutError):
        return f"timed out (connect timeout {connect_timeout:g} s, read timeout {read_timeout:g} s)"
    if isinstance(root, ssl.SSLCertVerificationError):
        return f"TLS error: certificate verify failed: {root.verify_message}"
    if isinstance(root, ssl.SSLError) or isinstance(
        exc, requests.exceptions.SSLError | urllib3.exceptions.SSLError
    ):
        return f"TLS error: {_short(root)}"
    if isinstance(root, http.client.RemoteDisconnected):
        return "connection closed without a response"
    if isinstance(root, ConnectionRefusedError):
        return "connection refused"
    if isinstance(root, ConnectionResetError):
        return "connection reset"
    return f"connection failed: {_short(root)}"


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost error under requests' and urllib3's wrapping."""
    seen = {id(exc)}
    while True:
        nested = (getattr(exc, "reason", None), *exc.args[:1], exc.__cause__, exc.__context__)
        inner = [e for e in nested if isinstance(e, BaseException) and id(e) not in seen]
        if not inner:
            return exc
        exc = inner[0]
        seen.add(id(exc))


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


class Transport:
    """Sends pushes; one per process (or worker), shared by its threads."""

    def __init__(
        self,
        settings: TransportSettings | None = None,
        resolver: Resolver | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.settings = s = settings or TransportSettings()
        self.guard = Guard(parse_networks(s.allow_networks), resolver or default_resolver)
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, PartnerSession] = {}
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._global = threading.BoundedSemaphore(s.concurrency)
        self._held = threading.local()
        self._watchdog = Watchdog(clock)
        self._closed = False

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check(self, url: str) -> Target:
        """Resolve and check `url` now; UnsafeURL when it is refused."""
        return self.guard.target(url)

    def post(self, url: str, body: bytes, headers: Mapping[str, str] | None = None) -> Result:
        return self._request("POST", url, body, headers or {})

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> Result:
        """GET `url` as given, query string included (WebSub verification)."""
        return self._request("GET", url, None, headers or {})

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Hold a slot of the partner (and one overall) until the block ends."""
        _, host, port = split_url(url)
        with self._slot(f"{host}:{port}", None):
            yield

    def close(self) -> None:
        with self._lock:
            self._closed = True
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            session.close()
        self._watchdog.stop()

    @contextmanager
    def _slot(self, key: str, wait: float | None) -> Iterator[bool]:
        held: set[str] = self._held.__dict__.setdefault("keys", set())
        if key in held:
            yield True
            return
        with self._lock:
            if key not in self._slots:
                self._slots[key] = threading.BoundedSemaphore(self.settings.per_partner)
            partner = self._slots[key]
        until = None if wait is None else time.monotonic() + wait
        with ExitStack() as stack:
            for semaphore in (partner, self._global):  # the partner's first: a hung one waits
                left = None if until is None else max(0.0, until - time.monotonic())
                if not semaphore.acquire(timeout=left):
                    yield False
                    return
                stack.callback(semaphore.release)
            held.add(key)
            try:
                yield True
            finally:
                held.discard(key)

    def _session(self, key: str) -> PartnerSession:
        with self._lock:
            if self._closed:
                raise RuntimeFailure("the delivery transport is closed")
            if key not in self._sessions:
                self._sessions[key] = PartnerSession(self.settings.per_partner)
            return self._sessions[key]

    def _request(
        self, method: str, url: str, body: bytes | None, headers: Mapping[str, str]
    ) -> Result:
        s = self.settings
        try:
            target = self.guard.target(url)
        except UnresolvableHost as exc:
            return Result(status=None, elapsed_ms=0, error=exc.reason)
        merged = {"User-Agent": s.user_agent, "Accept": "*/*", "Accept-Encoding": "identity"}
        request = PinnedRequest.build(method, target, body, {**merged, **headers})
        with self._slot(target.key, s.deadline) as acquired:
            if not acquired:
                error = f"no free slot for {target.key} within {s.deadline:g} s"
                return Result(status=None, elapsed_ms=0, error=error)
            result = self._send(request, target)
        log.debug(
            "%s %s status=%s ms=%d error=%s",
            method, target.key, result.status, result.elapsed_ms, result.error,
        )  # fmt: skip
        return result

    def _send(self, request: PinnedRequest, target: Target) -> Result:
        s = self.settings
        session = self._session(target.key)
        start = self._clock()
        request.watch = watch = self._watchdog.arm(start + s.deadline)
        status: int | None = None
        got: Mapping[str, str] = types.MappingProxyType({})
        data, error = b"", None
        try:
            response = session.send(
                request,
                stream=True,
                allow_redirects=False,
                timeout=(min(s.connect_timeout, s.deadline), min(s.read_timeout, s.deadline)),
                verify=s.ca_bundle or True,
            )
            with response:
                status = response.status_code
                got = types.MappingProxyType(CaseInsensitiveDict(response.headers))
                data, error = self._read(response, start + s.deadline)
        except NETWORK_ERRORS as exc:
            error = describe_failure(exc, s.connect_timeout, s.read_timeout)
        finally:
            watch.finish()
        if watch.fired:
            error = f"deadline of {s.deadline:g} s exceeded"
        elif error is None and status is not None and 300 <= status < 400:
            error = f"redirect not followed: {status} to {got.get('Location', '(no Location)')}"
        return Result(
            status=status,
            elapsed_ms=round((self._clock() - start) * 1000),
            error=error,
            body_start=_record(data, got, s.record_bytes),
            headers=got,
            body=data,
            address=target.address,
        )

    def _read(self, response: requests.Response, due: float) -> tuple[bytes, str | None]:
        """At most max_response_bytes of the body, and why reading stopped early."""
        s = self.settings
        chunks: list[bytes] = []
        size = 0
        try:
            while size <= s.max_response_bytes:
                if self._clock() >= due:
                    return b"".join(chunks), f"deadline of {s.deadline:g} s exceeded"
                want = min(65536, s.max_response_bytes + 1 - size)
                chunk = response.raw.read(want, decode_content=False)
                if not chunk:
                    return b"".join(chunks), None
                chunks.append(chunk)
                size += len(chunk)
        except NETWORK_ERRORS as exc:
            return b"".join(chunks), describe_failure(exc, s.connect_timeout, s.read_timeout)
        body = b"".join(chunks)[: s.max_response_bytes]
        return body, f"response body over {s.max_response_bytes} bytes; cut there"


def _record(data: bytes, headers: Mapping[str, str], size: int) -> str:
    """The first `size` bytes of the body as text, for the delivery record."""
    coding = headers.get("Content-Encoding", "identity").strip().lower()
    if coding != "identity":  # asked for identity; a partner may send something else
        return f"({coding}-encoded body, {len(data)} bytes)"
    charset = requests.utils.get_encoding_from_headers(dict(headers)) or "utf-8"
    try:
        return data[:size].decode(charset, errors="replace")
    except LookupError:
        return data[:size].decode("utf-8", errors="replace")
