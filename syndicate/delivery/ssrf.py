"""The SSRF guard: which URLs the service may call, and at which address.

A URL is acceptable when its scheme is http or https and every address its
host resolves to is public, or falls in the operator's allow list
(`allow_networks`). IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64,
6to4) are judged by the IPv4 address they carry. The hub and the CLI call
`check_url` when a partner subscribes; the transport (delivery.http) checks
again before every request and connects to exactly the address it checked:
`PinnedAdapter` sends a `PinnedRequest` to the checked IP while the Host
header, TLS SNI and certificate name stay the original host name.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from typing import Any, Protocol
from urllib.parse import urlsplit

import idna
import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from ..errors import ConfigError, InputError

Resolver = Callable[[str, int], list[str]]  # (host, port) -> IP addresses

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SCHEMES = {"http": 80, "https": 443}


class UnsafeURL(InputError):
    """A URL the service refuses to call; `reason` says why."""

    def __init__(self, reason: str, *, url: str) -> None:
        super().__init__(f"refused {url}: {reason}")
        self.url = url
        self.reason = reason


class UnresolvableHost(UnsafeURL):
    """The host name did not resolve (a transient failure at delivery time)."""


def _nets(*pairs: tuple[str, str]) -> tuple[tuple[IPNetwork, str], ...]:
    return tuple((ipaddress.ip_network(net), why) for net, why in pairs)


IPV4_REFUSED = _nets(
    ("0.0.0.0/8", "unspecified"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "shared (carrier-grade NAT)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "reserved (IETF protocol assignments)"),
    ("192.0.2.0/24", "reserved (documentation)"),
    ("192.88.99.0/24", "reserved (6to4 relay)"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "reserved (benchmarking)"),
    ("198.51.100.0/24", "reserved (documentation)"),
    ("203.0.113.0/24", "reserved (documentation)"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved (and broadcast)"),
)

IPV6_REFUSED = _nets(
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("64:ff9b:1::/48", "private (local-use NAT64)"),
    ("100::/64", "reserved (discard-only)"),
    ("2001::/23", "reserved (IETF protocol assignments)"),
    ("2001:db8::/32", "reserved (documentation)"),
    ("3fff::/20", "reserved (documentation)"),
    ("fc00::/7", "unique-local"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local"),
    ("ff00::/8", "multicast"),
)

GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv4-mapped, NAT64 or 6to4 IPv6 address carries."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def refusal(address: IPAddress) -> str | None:
    """Why `address` may not be called (None: it is public)."""
    inner = embedded_ipv4(address)
    if inner is not None:
        why = refusal(inner)
        return None if why is None else f"{why} (IPv4 {inner} inside IPv6)"
    if address.version == 4:
        for net, why in IPV4_REFUSED:
            if address in net:
                return why
    else:
        for net, why in IPV6_REFUSED:
            if address in net:
                return why
        if address not in GLOBAL_UNICAST_V6:
            return "reserved (not global unicast)"
    if not address.is_global:
        return "not globally routable"
    return None


def parse_networks(specs: Iterable[str]) -> tuple[IPNetwork, ...]:
    """The allow list from CIDR strings; ConfigError names a bad one."""
    nets: list[IPNetwork] = []
    for spec in specs:
        try:
            nets.append(ipaddress.ip_network(spec.strip(), strict=False))
        except ValueError as exc:
            raise ConfigError(f"allow_networks: {exc}") from None
    return tuple(nets)


def default_resolver(host: str, port: int) -> list[str]:
    """Every address socket.getaddrinfo gives for host, in its order, once each."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    seen: dict[str, None] = {}
    for *_, sockaddr in infos:
        seen.setdefault(str(sockaddr[0]), None)
    return list(seen)


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL: where to connect, and which name to present."""

    url: str
    scheme: str
    host: str  # IDNA-encoded, lower case, no IPv6 brackets
    port: int
    addresses: tuple[str, ...]

    @property
    def address(self) -> str:
        """The checked address the connection goes to."""
        return self.addresses[0]

    @property
    def key(self) -> str:
        """The partner: host:port (keep-alive and concurrency are per partner)."""
        return f"{self.host}:{self.port}"

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if SCHEMES[self.scheme] == self.port else f"{name}:{self.port}"


def split_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; UnsafeURL for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(f"not a valid URL ({exc})", url=url) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise UnsafeURL(f"scheme {scheme or '(none)'!r} is not http or https", url=url)
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURL("no host name", url=url)
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise UnsafeURL(f"invalid host name ({exc})", url=url) from None
    if port is None:
        port = SCHEMES[scheme]
    elif not 0 < port < 65536:
        raise UnsafeURL(f"port {port} out of range", url=url)
    return scheme, host, port


@dataclass(frozen=True, slots=True)
class Guard:
    """The policy plus the resolver: turns a URL into a checked Target."""

    allow: tuple[IPNetwork, ...] = ()
    resolver: Resolver = field(default=default_resolver)

    def allowed(self, address: IPAddress) -> bool:
        inner = embedded_ipv4(address)
        return any(address in net or (inner is not None and inner in net) for net in self.allow)

    def judge(self, address: str, url: str) -> str:
        """The normalized address if it may be called; UnsafeURL otherwise."""
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            raise UnsafeURL(f"resolver gave {address!r}, not an IP address", url=url) from None
        if not self.allowed(ip):
            why = refusal(ip)
            if why is not None:
                raise UnsafeURL(f"{ip} is {why}", url=url)
        return str(ip)

    def target(self, url: str) -> Target:
        scheme, host, port = split_url(url)
        try:
            found = [str(ipaddress.ip_address(host))]  # a literal: nothing to look up
        except ValueError:
            try:
                found = self.resolver(host, port)
            except (OSError, UnicodeError) as exc:
                raise UnresolvableHost(f"DNS lookup for {host} failed ({exc})", url=url) from None
            if not found:
                raise UnresolvableHost(f"DNS lookup for {host} gave no address", url=url) from None
        addresses = tuple(dict.fromkeys(self.judge(a, url) for a in found))
        return Target(url=url, scheme=scheme, host=host, port=port, addresses=addresses)


def check_url(
    url: str, allow_networks: Iterable[str] = (), resolver: Resolver | None = None
) -> list[str]:
    """The addresses `url` resolves to, all acceptable; UnsafeURL otherwise.

    For subscribe time (hub, CLI); the transport checks again when it sends."""
    guard = Guard(parse_networks(allow_networks), resolver or default_resolver)
    return list(guard.target(url).addresses)


class ConnectionWatch(Protocol):
    """Told which connection a request uses (the transport's deadline)."""

    def attach(self, conn: HTTPConnection) -> None: ...

    def detach(self, conn: HTTPConnection) -> None: ...


_WATCH: ContextVar[ConnectionWatch | None] = ContextVar("syndicate_watch", default=None)


class _WatchedHTTPConnection(HTTPConnection):
    watch: ConnectionWatch | None = None

    def _take_watch(self) -> None:
        watch = _WATCH.get()
        if watch is not None:
            self.watch = watch
            watch.attach(self)

    def release_watch(self) -> None:
        if self.watch is not None:
            self.watch.detach(self)
            self.watch = None

    def connect(self) -> None:
        self._take_watch()
        super().connect()
        self._take_watch()  # again, now that there is a socket

    def request(self, *args: Any, **kwargs: Any) -> None:
        self._take_watch()
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(_WatchedHTTPConnection, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection

    def _put_conn(self, conn: Any) -> None:
        if isinstance(conn, _WatchedHTTPConnection):
            conn.release_watch()
        super()._put_conn(conn)


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection

    def _put_conn(self, conn: Any) -> None:
        if isinstance(conn, _WatchedHTTPConnection):
            conn.release_watch()
        super()._put_conn(conn)


class PinnedRequest(requests.PreparedRequest):
    """A prepared request carrying its checked Target (and the watch on it)."""

    target: Target
    watch: ConnectionWatch | None = None

    @classmethod
    def build(
        cls, method: str, target: Target, body: bytes | None, headers: Mapping[str, str]
    ) -> PinnedRequest:
        request = cls()
        try:
            request.prepare(method=method, url=target.url, headers=dict(headers), data=body)
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema) as exc:
            raise UnsafeURL(f"not a valid URL ({exc})", url=target.url) from None
        request.target = target
        return request


def _pinned(request: requests.PreparedRequest) -> PinnedRequest:
    if not isinstance(request, PinnedRequest):
        raise UnsafeURL("not checked by the SSRF guard", url=str(request.url))
    return request


class PinnedAdapter(HTTPAdapter):
    """Connects to the address the guard checked, never to a fresh lookup.

    The urllib3 pool is keyed by that IP; the Host header is the original
    host name, and for https so are SNI (`server_hostname`) and the name the
    certificate must match (`assert_hostname`). Proxies are never used."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[Any, Any]:
        target = _pinned(request).target
        _, found = super().build_connection_pool_key_attributes(request, verify, cert)
        pool_kwargs: dict[str, Any] = dict(found)
        if target.scheme == "https":
            pool_kwargs.update(server_hostname=target.host, assert_hostname=target.host)
        return {"scheme": target.scheme, "host": target.address, "port": target.port}, pool_kwargs

    def add_headers(self, request: requests.PreparedRequest, **kwargs: Any) -> None:
        request.headers["Host"] = _pinned(request).target.host_header

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        token = _WATCH.set(_pinned(request).watch)
        try:
            return super().send(request, stream, timeout, verify, cert, proxies=None)
        finally:
            _WATCH.reset(token)


class PartnerSession(requests.Session):
    """The session for one partner: pinned, no proxies or cookies, and a
    redirect is never resolved (requests would read its whole body to do so)."""

    def __init__(self, pool_size: int) -> None:
        super().__init__()
        self.trust_env = False
        self.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        adapter = PinnedAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        return None
