"""The push transport against real HTTP servers on 127.0.0.1 (raw sockets, threads).

No packet leaves 127.0.0.0/8: host names are answered by a fake resolver and
the `network` fixture fails a test that connects or looks up anything else."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pytest

from syndicate.delivery.http import Result, Transport, TransportSettings
from syndicate.delivery.ssrf import UnsafeURL
from syndicate.errors import ConfigError

from .test_ssrf import FakeResolver, NetworkLog, network  # noqa: F401  (fixture)
from .waiting import poll

LOOPBACK = ("127.0.0.0/8",)
BIG = 10 * 1024 * 1024


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PartnerServer:
    """A small HTTP/1.1 server with one behaviour per path, counting connections."""

    tls: ssl.SSLContext | None = None
    greeting: bytes = b""  # sent as soon as a client connects, then the server hangs up
    requests: list[Seen] = field(default_factory=list)
    connections: int = 0
    active: int = 0
    most_active: int = 0
    sni: list[str | None] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    socks: list[socket.socket] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        if self.tls is not None:
            self.tls.sni_callback = self._note_sni
        self._spawn(self._accept)

    def url(self, path: str, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    def _note_sni(self, _sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        self.sni.append(name)

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self.threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self.lock:
                self.connections += 1
                self.socks.append(conn)
            self._spawn(self._serve, conn)

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        with self.lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            if self.greeting:
                conn.sendall(self.greeting)
                return
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            stream = conn.makefile("rb")
            while not self.stop.is_set() and self._one(conn, stream):
                pass
        except (OSError, ValueError):
            pass
        finally:
            with self.lock:
                self.active -= 1
            conn.close()

    def _one(self, conn: socket.socket, stream: BinaryIO) -> bool:
        """Answer one request; False when the connection is to end."""
        line = stream.readline(65536).decode("latin-1")
        if not line.strip():
            return False
        method, target, _ = line.split(" ", 2)
        headers: dict[str, str] = {}
        while raw := stream.readline(65536).decode("latin-1").strip():
            name, _, value = raw.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = stream.read(int(headers.get("content-length", "0")))
        with self.lock:
            self.requests.append(Seen(method, target, headers, body))
        path = target.split("?", 1)[0]
        if path == "/ok":
            return _answer(conn, "200 OK", b"accepted", "Content-Type: text/plain; charset=utf-8")
        if path == "/echo":
            return _answer(conn, "200 OK", target.encode())
        if path == "/fail":
            return _answer(conn, "500 Internal Server Error", b"boom")
        if path == "/busy":
            return _answer(conn, "503 Service Unavailable", b"later", "Retry-After: 120")
        if path == "/redirect":
            return _answer(conn, "302 Found", b"", "Location: http://10.0.0.1/internal")
        if path == "/hang":
            self.stop.wait(10)
            return False
        if path == "/trickle":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
            self._trickle(conn)
            return False
        if path == "/trickle-head":
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            self._trickle(conn)
            return False
        if path == "/big":
            conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {BIG}\r\n\r\n".encode())
            chunk = b"x" * 65536
            for _ in range(BIG // len(chunk)):
                conn.sendall(chunk)
            return False
        return False  # "/close" and anything else: hang up without answering

    def _trickle(self, conn: socket.socket) -> None:
        for _ in range(100):  # one byte per 0.2 s, for 20 s at most
            if self.stop.wait(0.2):
                return
            conn.sendall(b"a")

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        with self.lock:
            for sock in self.socks:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        for thread in self.threads:
            thread.join(timeout=5)


def _answer(conn: socket.socket, status: str, body: bytes, *extra: str) -> bool:
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *extra]
    conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    return True


@pytest.fixture
def partner(network: NetworkLog) -> Iterator[PartnerServer]:  # noqa: F811
    server = PartnerServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def other_partner(network: NetworkLog) -> Iterator[PartnerServer]:  # noqa: F811
    server = PartnerServer()
    try:
        yield server
    finally:
        server.close()


def transport(resolver: FakeResolver | None = None, **changes: object) -> Transport:
    settings = TransportSettings(
        **{"allow_networks": LOOPBACK, "connect_timeout": 2.0, "read_timeout": 3.0,
           "deadline": 5.0, **changes}  # type: ignore[arg-type]
    )  # fmt: skip
    return Transport(settings, resolver=resolver or FakeResolver({}))


def test_a_post_arrives_with_its_body_and_headers(partner: PartnerServer) -> None:
    with transport() as t:
        result = t.post(partner.url("/ok"), b'{"id": 1}', {"webhook-id": "msg_1"})
    assert result.ok and result.status == 200 and result.error is None
    assert result.body_start == "accepted" and result.body == b"accepted"
    assert result.headers["content-type"] == "text/plain; charset=utf-8"
    assert result.address == "127.0.0.1" and result.elapsed_ms >= 0
    seen = partner.requests[0]
    assert (seen.method, seen.target, seen.body) == ("POST", "/ok", b'{"id": 1}')
    assert seen.headers["host"] == f"127.0.0.1:{partner.port}"
    assert seen.headers["webhook-id"] == "msg_1"
    assert seen.headers["user-agent"] == "syndicate/0.1"
    assert seen.headers["content-length"] == "9"


def test_connections_are_kept_alive_per_partner(
    partner: PartnerServer, other_partner: PartnerServer
) -> None:
    with transport() as t:
        results = [t.post(partner.url("/ok"), b"%d" % n) for n in range(5)]
        results.append(t.post(other_partner.url("/ok"), b"x"))
    assert all(r.ok for r in results)
    assert len(partner.requests) == 5 and partner.connections == 1
    assert other_partner.connections == 1


def test_the_connection_goes_to_the_checked_address(
    partner: PartnerServer,
    network: NetworkLog,  # noqa: F811
) -> None:
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])
    calls: list[tuple[str, int]] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append((host, port))
        return next(answers)

    with Transport(TransportSettings(allow_networks=LOOPBACK), resolver=rebinding) as t:
        result = t.post(partner.url("/ok", host="partner.test"), b"first")
        assert result.ok and result.address == "127.0.0.1"
        assert calls == [("partner.test", partner.port)]
        assert partner.requests[0].headers["host"] == f"partner.test:{partner.port}"
        assert network.connects == [("127.0.0.1", partner.port)]
        assert "partner.test" not in network.lookups
        with pytest.raises(UnsafeURL, match="10.0.0.1 is private"):
            t.post(partner.url("/ok", host="partner.test"), b"second")
    assert len(partner.requests) == 1 and len(calls) == 2
    assert network.connects == [("127.0.0.1", partner.port)]


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:10.0.0.1]/",
        "http://[64:ff9b::a00:1]/",
        "http://private.test/hook",
        "http://mixed.test/hook",
        "ftp://partner.test/",
        "file:///etc/passwd",
    ],
)
def test_refused_urls_raise_before_any_socket_opens(
    url: str,
    network: NetworkLog,  # noqa: F811
) -> None:
    resolver = FakeResolver({"private.test": ["10.1.2.3"], "mixed.test": ["127.0.0.1", "10.0.0.1"]})
    with transport(resolver) as t:
        with pytest.raises(UnsafeURL):
            t.post(url, b"{}")
        with pytest.raises(UnsafeURL):
            t.get(url)
    assert network.connects == [] and network.lookups == []


def test_loopback_is_refused_unless_allowed(partner: PartnerServer) -> None:
    with Transport(TransportSettings(), resolver=FakeResolver({})) as t:
        with pytest.raises(UnsafeURL, match="loopback"):
            t.post(partner.url("/ok"), b"")
    assert partner.connections == 0


def test_an_error_status_is_a_result(partner: PartnerServer) -> None:
    with transport() as t:
        failed = t.post(partner.url("/fail"), b"")
        busy = t.post(partner.url("/busy"), b"")
    assert (failed.status, failed.ok, failed.error, failed.body_start) == (500, False, None, "boom")
    assert busy.status == 503 and busy.headers["Retry-After"] == "120"


def test_redirects_are_not_followed(partner: PartnerServer) -> None:
    with transport() as t:
        result = t.post(partner.url("/redirect"), b"")
    assert result.status == 302 and not result.ok
    assert result.error == "redirect not followed: 302 to http://10.0.0.1/internal"
    assert len(partner.requests) == 1


def test_get_keeps_the_query_string(partner: PartnerServer) -> None:
    with transport() as t:
        result = t.get(partner.url("/echo?hub.mode=subscribe&hub.challenge=c%20d"))
    assert result.ok and result.body == b"/echo?hub.mode=subscribe&hub.challenge=c%20d"
    assert partner.requests[0].method == "GET"


def test_a_hanging_partner_hits_the_read_timeout(partner: PartnerServer) -> None:
    with transport(read_timeout=0.3) as t:
        result = t.post(partner.url("/hang"), b"")
    assert result.status is None and result.error == "read timeout after 0.3 s"


def test_the_deadline_ends_a_trickling_body(partner: PartnerServer) -> None:
    started = time.monotonic()
    with transport(read_timeout=1.0, deadline=1.0) as t:
        result = t.post(partner.url("/trickle"), b"")
    assert result.error == "deadline of 1 s exceeded" and not result.ok
    assert result.status == 200 and result.body_start.startswith("a")
    assert time.monotonic() - started < 4.0


def test_the_deadline_ends_trickling_headers(partner: PartnerServer) -> None:
    with transport(read_timeout=1.0, deadline=1.0) as t:
        result = t.post(partner.url("/trickle-head"), b"")
        assert result.error == "deadline of 1 s exceeded" and not result.ok
        assert t.post(partner.url("/ok"), b"").ok  # the partner's next request is fine


def test_a_large_response_is_cut_at_the_limit(partner: PartnerServer) -> None:
    with transport(max_response_bytes=64 * 1024, record_bytes=100) as t:
        result = t.post(partner.url("/big"), b"")
    assert result.status == 200 and not result.ok
    assert result.error == "response body over 65536 bytes; cut there"
    assert len(result.body) == 64 * 1024 and result.body_start == "x" * 100


def test_a_connection_closed_without_an_answer(partner: PartnerServer) -> None:
    with transport() as t:
        result = t.post(partner.url("/close"), b"")
    assert result.status is None
    assert result.error == "connection closed without a response"


def test_a_refused_connection(network: NetworkLog) -> None:  # noqa: F811
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with transport() as t:
        result = t.post(f"http://127.0.0.1:{port}/", b"")
    assert result.status is None and result.error == "connection refused"


def test_tls_to_a_plain_server_is_a_tls_error(network: NetworkLog) -> None:  # noqa: F811
    plain = PartnerServer(greeting=b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
    try:
        with transport() as t:
            result = t.post(plain.url("/ok", scheme="https"), b"")
    finally:
        plain.close()
    assert result.status is None and result.error is not None
    assert result.error.startswith("TLS error: ")


def test_a_partner_that_does_not_accept_hits_the_connect_timeout(
    network: NetworkLog,  # noqa: F811
) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    queued: list[socket.socket] = []
    try:
        for _ in range(8):  # fill the accept queue: further connects get no answer
            probe = socket.socket()
            probe.settimeout(0.2)
            queued.append(probe)
            try:
                probe.connect(("127.0.0.1", port))
            except TimeoutError:
                break
        else:
            pytest.skip("this kernel answers every connect; no way to make one hang")
        with transport(connect_timeout=0.3) as t:
            result = t.post(f"http://127.0.0.1:{port}/", b"")
    finally:
        for probe in queued:
            probe.close()
        listener.close()
    assert result.status is None and result.error == "connect timeout after 0.3 s"


def test_a_dns_failure_is_a_result(network: NetworkLog) -> None:  # noqa: F811
    with transport(FakeResolver({})) as t:
        result = t.post("http://nowhere.test/hook", b"")
    assert result == Result(status=None, elapsed_ms=0, error=result.error)
    assert result.error is not None and "DNS lookup for nowhere.test failed" in result.error


def test_a_hanging_partner_does_not_hold_up_the_others(
    partner: PartnerServer, other_partner: PartnerServer
) -> None:
    results: list[Result] = []
    with transport(per_partner=2, read_timeout=3.0, deadline=4.0) as t:
        hung = [
            threading.Thread(target=lambda: results.append(t.post(partner.url("/hang"), b"")))
            for _ in range(3)
        ]
        for thread in hung:
            thread.start()
        poll(lambda: len(partner.requests) >= 2, 3, 0.01)
        fine = t.post(other_partner.url("/ok"), b"")
        assert fine.ok and fine.elapsed_ms < 1000
        time.sleep(0.2)
        assert len(partner.requests) == 2 and partner.most_active == 2  # the third waits
        assert all(thread.is_alive() for thread in hung)
        partner.close()  # the server hangs up: the waiting ones finish
        for thread in hung:
            thread.join(timeout=10)
    assert len(results) == 3 and not any(r.ok for r in results)


def test_holding_a_slot_does_not_block_your_own_request(partner: PartnerServer) -> None:
    with transport(per_partner=1, concurrency=1) as t:
        with t.slot(partner.url("/ok")):
            assert t.post(partner.url("/ok"), b"").ok


def test_the_overall_limit_is_respected(
    partner: PartnerServer, other_partner: PartnerServer
) -> None:
    results: list[Result] = []
    with transport(concurrency=1, deadline=0.3) as t:
        with t.slot(partner.url("/ok")):
            waiter = threading.Thread(
                target=lambda: results.append(t.post(other_partner.url("/ok"), b""))
            )
            waiter.start()
            waiter.join(timeout=5)
        assert results[0].error == f"no free slot for 127.0.0.1:{other_partner.port} within 0.3 s"
        assert other_partner.connections == 0
        assert t.post(other_partner.url("/ok"), b"").ok


def test_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="deadline"):
        TransportSettings(deadline=0)
    with pytest.raises(ConfigError, match="per_partner"):
        TransportSettings(per_partner=0)
    with pytest.raises(ConfigError, match="allow_networks"):
        TransportSettings(allow_networks=("localhost",))


# https: the connection is pinned to 127.0.0.1 while SNI and the certificate
# check use the partner's name.


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj",
         "/CN=partner.test", "-addext", "subjectAltName=DNS:partner.test"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_partner(
    certificate: tuple[Path, Path],
    network: NetworkLog,  # noqa: F811
) -> Iterator[PartnerServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    server = PartnerServer(tls=context)
    try:
        yield server
    finally:
        server.close()


def test_https_is_pinned_with_the_partner_name_for_sni_and_certificate(
    tls_partner: PartnerServer, certificate: tuple[Path, Path]
) -> None:
    resolver = FakeResolver({"partner.test": ["127.0.0.1"]})
    with transport(resolver, ca_bundle=str(certificate[0])) as t:
        result = t.post(tls_partner.url("/ok", host="partner.test", scheme="https"), b"x")
        again = t.post(tls_partner.url("/ok", host="partner.test", scheme="https"), b"y")
    assert result.ok and again.ok, (result.error, again.error)
    assert tls_partner.sni == ["partner.test"] and tls_partner.connections == 1
    assert tls_partner.requests[0].headers["host"] == f"partner.test:{tls_partner.port}"


def test_https_checks_the_certificate_against_the_partner_name(
    tls_partner: PartnerServer, certificate: tuple[Path, Path]
) -> None:
    resolver = FakeResolver({"other.test": ["127.0.0.1"], "partner.test": ["127.0.0.1"]})
    with transport(resolver, ca_bundle=str(certificate[0])) as t:
        wrong_name = t.post(tls_partner.url("/ok", host="other.test", scheme="https"), b"")
    with transport(resolver) as t:
        untrusted = t.post(tls_partner.url("/ok", host="partner.test", scheme="https"), b"")
    assert wrong_name.error is not None and wrong_name.error.startswith("TLS error: ")
    assert "other.test" in wrong_name.error
    assert untrusted.error is not None and "certificate verify failed" in untrusted.error
    assert tls_partner.requests == []
