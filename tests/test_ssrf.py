"""The SSRF guard: refusals are proved at the resolver seam, no packet leaves 127.0.0.0/8."""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from syndicate.delivery.ssrf import (
    Guard,
    UnresolvableHost,
    UnsafeURL,
    check_url,
    default_resolver,
    embedded_ipv4,
    parse_networks,
    refusal,
)
from syndicate.errors import ConfigError, InputError

LOOPBACK = ipaddress.ip_network("127.0.0.0/8")


@dataclass
class NetworkLog:
    """Every socket connect and getaddrinfo in this process while a test runs."""

    connects: list[tuple[str, int]] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def foreign(self) -> list[str]:
        out = [f"connect {h}:{p}" for h, p in self.connects if not _loopback(h)]
        return out + [f"getaddrinfo {h}" for h in self.lookups if not _loopback(h)]


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host) in LOOPBACK
    except ValueError:
        return False


_ACTIVE: list[NetworkLog] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _ACTIVE or event not in ("socket.connect", "socket.getaddrinfo"):
        return
    log = _ACTIVE[-1]
    with log.lock:
        if event == "socket.connect" and isinstance(args[1], tuple):
            log.connects.append((str(args[1][0]), int(args[1][1])))
        elif event == "socket.getaddrinfo":
            host = args[0]
            log.lookups.append(host.decode() if isinstance(host, bytes) else str(host))


sys.addaudithook(_audit)


@pytest.fixture
def network() -> Iterator[NetworkLog]:
    """Records connects and lookups; the test fails if one leaves 127.0.0.0/8."""
    log = NetworkLog()
    _ACTIVE.append(log)
    try:
        yield log
    finally:
        _ACTIVE.remove(log)
    assert log.foreign() == []


@dataclass
class FakeResolver:
    """Answers from a table and records every question."""

    table: dict[str, list[str]]
    calls: list[tuple[str, int]] = field(default_factory=list)

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(self.table[host])


REFUSED_LITERALS = [
    ("http://127.0.0.1/", "loopback"),
    ("http://10.0.0.1/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[::1]/", "loopback"),
    ("http://[::ffff:10.0.0.1]/", "private (IPv4 10.0.0.1 inside IPv6)"),
    ("http://[64:ff9b::a00:1]/", "private (IPv4 10.0.0.1 inside IPv6)"),
    ("http://[2002:a00:1::]/", "private (IPv4 10.0.0.1 inside IPv6)"),
    ("http://100.64.0.1/", "shared"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://[fc00::1]/", "unique-local"),
    ("https://192.168.1.1:8443/hook", "private"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[ff02::1]/", "multicast"),
    ("http://[::]/", "unspecified"),
    ("http://255.255.255.255/", "broadcast"),
    ("http://240.0.0.1/", "reserved"),
]


@pytest.mark.parametrize(("url", "why"), REFUSED_LITERALS)
def test_special_addresses_are_refused_without_a_lookup(
    url: str, why: str, network: NetworkLog
) -> None:
    resolver = FakeResolver({})
    with pytest.raises(UnsafeURL) as caught:
        check_url(url, resolver=resolver)
    assert why in caught.value.reason
    assert isinstance(caught.value, InputError)
    assert caught.value.url == url
    assert resolver.calls == []
    assert network.connects == [] and network.lookups == []


def test_loopback_is_allowed_only_through_the_allow_list(network: NetworkLog) -> None:
    with pytest.raises(UnsafeURL):
        check_url("http://127.0.0.1:8080/hook")
    assert check_url("http://127.0.0.1:8080/hook", ["127.0.0.0/8"]) == ["127.0.0.1"]
    assert check_url("http://[::ffff:127.0.0.1]/", ["127.0.0.0/8"]) == ["::ffff:7f00:1"]
    with pytest.raises(UnsafeURL, match="10.0.0.1 is private"):
        check_url("http://10.0.0.1/", ["127.0.0.0/8"])
    assert network.connects == []


def test_a_name_resolving_to_a_private_address_is_refused(network: NetworkLog) -> None:
    resolver = FakeResolver({"partner.test": ["10.1.2.3"]})
    with pytest.raises(UnsafeURL, match="10.1.2.3 is private"):
        check_url("https://partner.test/hook", resolver=resolver)
    assert resolver.calls == [("partner.test", 443)]
    assert network.connects == [] and network.lookups == []


def test_one_private_address_among_public_ones_refuses_the_name(network: NetworkLog) -> None:
    resolver = FakeResolver({"mixed.test": ["8.8.8.8", "10.0.0.7"]})
    with pytest.raises(UnsafeURL, match="10.0.0.7 is private"):
        check_url("http://mixed.test:8080/", resolver=resolver)
    assert resolver.calls == [("mixed.test", 8080)]
    assert network.connects == []


def test_every_resolved_address_is_returned_once(network: NetworkLog) -> None:
    resolver = FakeResolver({"twice.test": ["127.0.0.2", "127.0.0.3", "127.0.0.2"]})
    found = check_url("http://twice.test/", ["127.0.0.0/8"], resolver=resolver)
    assert found == ["127.0.0.2", "127.0.0.3"]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://partner.test/file",
        "file:///etc/passwd",
        "gopher://partner.test/",
        "javascript:alert(1)",
        "partner.test/hook",
        "http:///no-host",
        "http://partner.test:99999/",
        "http://partner.test:0/",
        "http://[::1/",
    ],
)
def test_other_schemes_and_broken_urls_are_refused(url: str, network: NetworkLog) -> None:
    resolver = FakeResolver({"partner.test": ["127.0.0.1"]})
    with pytest.raises(UnsafeURL):
        check_url(url, ["127.0.0.0/8"], resolver=resolver)
    assert resolver.calls == []
    assert network.connects == []


def test_unresolvable_names_are_refused_with_their_own_error(network: NetworkLog) -> None:
    with pytest.raises(UnresolvableHost, match="DNS lookup for nowhere.test failed"):
        check_url("http://nowhere.test/", resolver=FakeResolver({}))
    with pytest.raises(UnresolvableHost, match="gave no address"):
        check_url("http://empty.test/", resolver=FakeResolver({"empty.test": []}))
    with pytest.raises(UnsafeURL, match="not an IP address"):
        check_url("http://odd.test/", resolver=FakeResolver({"odd.test": ["not-an-ip"]}))


def test_international_names_are_looked_up_in_their_ascii_form(network: NetworkLog) -> None:
    resolver = FakeResolver({"xn--bcher-kva.test": ["127.0.0.1"]})
    assert check_url("http://Bücher.test/", ["127.0.0.0/8"], resolver) == ["127.0.0.1"]
    assert resolver.calls == [("xn--bcher-kva.test", 80)]


def test_guard_targets_carry_the_partner_and_host_header() -> None:
    resolver = FakeResolver({"partner.test": ["127.0.0.9"]})
    guard = Guard(parse_networks(["127.0.0.0/8"]), resolver)
    target = guard.target("https://Partner.Test./hook?x=1")
    assert (target.scheme, target.host, target.port) == ("https", "partner.test", 443)
    assert target.address == "127.0.0.9"
    assert target.key == "partner.test:443"
    assert target.host_header == "partner.test"
    assert guard.target("http://partner.test:8080/").host_header == "partner.test:8080"
    assert guard.target("http://[::ffff:127.0.0.1]:81/").host_header == "[::ffff:127.0.0.1]:81"


def test_bad_allow_networks_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="allow_networks"):
        parse_networks(["127.0.0.0/33"])
    assert parse_networks([" 10.0.0.1/8 "]) == (ipaddress.ip_network("10.0.0.0/8"),)


def test_the_default_resolver_answers_numeric_hosts_without_dns(network: NetworkLog) -> None:
    assert default_resolver("127.0.0.1", 80) == ["127.0.0.1"]


# The classification function alone: public addresses appear here, and no
# connection is made to any of them.


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("10.255.0.1", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "shared"),
        ("100.127.255.254", "shared"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "reserved"),
        ("192.0.0.9", "reserved"),
        ("192.0.2.1", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fc00::1", "unique-local"),
        ("fd12:3456::1", "unique-local"),
        ("fe80::1", "link-local"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "documentation"),
        ("::ffff:10.0.0.1", "private (IPv4 10.0.0.1 inside IPv6)"),
        ("::ffff:127.0.0.1", "loopback (IPv4 127.0.0.1 inside IPv6)"),
        ("64:ff9b::a00:1", "private (IPv4 10.0.0.1 inside IPv6)"),
        ("64:ff9b::7f00:1", "loopback (IPv4 127.0.0.1 inside IPv6)"),
        ("64:ff9b::a9fe:a9fe", "link-local (IPv4 169.254.169.254 inside IPv6)"),
        ("2002:a00:1::", "private (IPv4 10.0.0.1 inside IPv6)"),
        ("2002:7f00:1::1", "loopback (IPv4 127.0.0.1 inside IPv6)"),
        ("64:ff9b:1::1", "local-use NAT64"),
        ("::a00:1", "reserved"),
        ("100::1", "discard"),
    ],
)
def test_refusal_names_the_kind_of_address(address: str, why: str) -> None:
    reason = refusal(ipaddress.ip_address(address))
    assert reason is not None and why in reason


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::1",
    ],
)
def test_public_addresses_are_acceptable(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_embedded_ipv4_is_unwrapped() -> None:
    expected = ipaddress.IPv4Address("10.0.0.1")
    for wrapped in ("::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::5"):
        assert embedded_ipv4(ipaddress.ip_address(wrapped)) == expected
    assert embedded_ipv4(ipaddress.ip_address("2606:4700::1")) is None
    assert embedded_ipv4(ipaddress.ip_address("10.0.0.1")) is None


def test_allow_list_covers_embedded_ipv4() -> None:
    guard = Guard(parse_networks(["127.0.0.0/8"]), FakeResolver({}))
    assert guard.allowed(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert guard.allowed(ipaddress.ip_address("64:ff9b::7f00:1"))
    assert not guard.allowed(ipaddress.ip_address("::ffff:10.0.0.1"))
