"""Typed, frozen settings.

Every setting is declared once, below, as a field of a section dataclass with
its default, type and help. Precedence: a command-line flag > the environment
(`SYNDICATE_<SECTION>_<KEY>`) > config.toml > the default. The file is found by
`--config`, else `$SYNDICATE_CONFIG`, else ./config.toml, else defaults only;
relative paths in it are relative to its own folder.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

RESERVED_ENV = frozenset({"SYNDICATE_CONFIG", "SYNDICATE_TEST_PG_URL", "SYNDICATE_API_TOKEN"})


def setting(
    default: Any,
    help: str,
    *,
    kind: str = "",
    low: float | None = None,
    high: float | None = None,
) -> Any:
    """Declare one setting: its default, its help text, an optional kind
    ("path" and "db_url" are resolved against the config file's folder) and,
    for numbers, the range it must fall in."""
    metadata = {"help": help, "kind": kind, "low": low, "high": high}
    if isinstance(default, list | dict | tuple):
        frozen = tuple(default) if isinstance(default, list | tuple) else dict(default)
        return field(default_factory=lambda: frozen, metadata=metadata)
    return field(default=default, metadata=metadata)


DEFAULT_BOILERPLATE = (
    r"(?i)^(please\s+)?(share|tell us|let us know|leave)\b.*\bcomments?\b.*$",
    r"(?i)^follow us on\b.*$",
    r"(?i)^(sign up|subscribe) (for|to) our newsletter\b.*$",
)

DEFAULT_ZONES = {
    "UTC": "+00:00",
    "GMT": "+00:00",
    "Z": "+00:00",
    "WET": "+00:00",
    "WEST": "+01:00",
    "CET": "+01:00",
    "CEST": "+02:00",
    "EET": "+02:00",
    "EEST": "+03:00",
    "MSK": "+03:00",
    "HKT": "+08:00",
    "SGT": "+08:00",
    "KST": "+09:00",
    "JST": "+09:00",
    "AEST": "+10:00",
    "AEDT": "+11:00",
    "EST": "-05:00",
    "EDT": "-04:00",
    "MST": "-07:00",
    "MDT": "-06:00",
    "PST": "-08:00",
    "PDT": "-07:00",
}


@dataclass(frozen=True, slots=True)
class SiteConfig:
    name: str = setting("Syndicate Example News", "The site's name, shown in pages and feeds.")
    base_url: str = setting(
        "http://127.0.0.1:8080",
        "Public URL every absolute link starts from (name the proxy's URL here).",
    )
    language: str = setting("en", "Default language (BCP 47) for articles that name none.")
    timezone: str = setting(
        "UTC", "IANA time zone for times written without an offset (e.g. Europe/Berlin)."
    )


@dataclass(frozen=True, slots=True)
class PublisherConfig:
    name: str = setting("Syndicate Example Media", "Publisher name; also the copyright holder.")
    url: str = setting("https://example.org/", "Publisher home page.")
    logo: str = setting("https://example.org/logo.png", "URL of the publisher's logo image.")


@dataclass(frozen=True, slots=True)
class RenderConfig:
    catalog: str = setting(
        "http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_40.xml",
        "IPTC standards catalog referenced by NewsML-G2 items.",
    )
    copyright_notice: str = setting(
        "Copyright the publisher. All rights reserved.", "Copyright notice carried by every item."
    )
    usage_terms: str = setting(
        "For use by licensed partners only.", "Usage terms carried by every item."
    )


@dataclass(frozen=True, slots=True)
class DatabaseConfig:
    url: str = setting(
        "sqlite:///var/syndicate.db",
        "SQLAlchemy URL: sqlite:///PATH (relative to the config folder) or "
        "postgresql+psycopg://user@host/db.",
        kind="db_url",
    )


@dataclass(frozen=True, slots=True)
class LimitsConfig:
    max_article_bytes: int = setting(
        5_000_000,
        "Largest article file accepted; larger ones are refused before parsing.",
        low=1,
    )
    max_list_depth: int = setting(
        8,
        "Deepest list nesting kept; deeper items are flattened into this level, with a lint.",
        low=1,
        high=32,
    )


@dataclass(frozen=True, slots=True)
class IngestConfig:
    boilerplate: tuple[str, ...] = setting(
        DEFAULT_BOILERPLATE,
        "Regular expressions; a body line matching one is boilerplate and removed.",
    )
    zone_abbreviations: dict[str, str] = setting(
        DEFAULT_ZONES,
        "Time zone abbreviation -> UTC offset, for dates like `March 3, 2026 08:15 KST`. "
        "Ambiguous ones (CST, IST) only when you add them.",
    )
    default_section: str = setting("News", "Section of articles that name none.")
    examples: Path = setting(
        Path("examples"),
        "Sample articles `syndicate run` ingests into an empty database.",
        kind="path",
    )


@dataclass(frozen=True, slots=True)
class FeedsConfig:
    dir: Path = setting(
        Path("feeds"), "Folder of feed definitions (one TOML file per feed).", kind="path"
    )
    tombstone_days: int = setting(
        30,
        "Days a retracted article stays in Atom subscription documents as an at:deleted-entry.",
        low=0,
    )


@dataclass(frozen=True, slots=True)
class WebsubConfig:
    enabled: bool = setting(
        True, "Advertise the WebSub hub (rel=hub) in feeds and take subscriptions at /hub."
    )
    lease_seconds: int = setting(
        864_000, "Lease of a WebSub subscription that asks for none (10 days).", low=60
    )
    min_lease_seconds: int = setting(3600, "Shortest lease granted.", low=1)
    max_lease_seconds: int = setting(
        2_592_000, "Longest lease granted (30 days); no lease is perpetual.", low=60
    )
    requests_per_minute: int = setting(
        30,
        "Subscription requests taken per minute for one callback host, and for one client "
        "address; more answer 429.",
        low=1,
    )


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    connect_timeout: float = setting(5.0, "Seconds to connect to a partner.", low=0.1)
    read_timeout: float = setting(
        10.0, "Seconds a partner may stay silent while answering.", low=0.1
    )
    deadline: float = setting(
        30.0, "Seconds one delivery may take in all; a trickling answer is cut off.", low=0.5
    )
    max_response_bytes: int = setting(
        65_536, "Bytes of a partner's answer read at most (the first kilobyte is kept).", low=1024
    )
    concurrency: int = setting(16, "Deliveries in flight at once, per worker.", low=1, high=512)
    per_partner: int = setting(
        4, "Deliveries in flight at once to one partner (host and port).", low=1, high=128
    )
    allow_networks: tuple[str, ...] = setting(
        (),
        "CIDR blocks partners may resolve to although they are private, loopback or "
        "link-local (refused by default), e.g. 10.20.0.0/16.",
    )
    retry_schedule: tuple[str, ...] = setting(
        ("5s", "5m", "30m", "2h", "5h", "10h", "10h"),
        "Waits before each retry; after the last one a delivery is dead.",
    )
    jitter: float = setting(0.2, "Random spread of each wait (0.2: +-20%).", low=0, high=0.9)
    max_retry_after: int = setting(86_400, "Longest Retry-After honoured, in seconds.", low=1)
    disable_after_days: float = setting(
        5.0, "A subscription failing without a success for this long is disabled.", low=0
    )
    retention_days: float = setting(
        30.0, "Delivered and dead deliveries older than this are pruned.", low=0
    )
    rotation_grace_hours: float = setting(
        24.0, "Hours the previous secret still signs after `subscribers rotate-secret`.", low=0
    )


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    poll_ms: int = setting(
        50, "How often an idle worker looks for new deliveries, in milliseconds.", low=5
    )
    lease_seconds: int = setting(
        120,
        "How long a claimed delivery stays with its worker before others may take it "
        "(at least the delivery deadline plus a margin).",
        low=1,
    )
    batch: int = setting(100, "Deliveries claimed at once.", low=1, high=10_000)
    heartbeat_seconds: float = setting(5.0, "How often a worker says it is alive.", low=0.1)
    embargo_seconds: float = setting(1.0, "How often due embargoes are released.", low=0.1)
    housekeeping_minutes: float = setting(
        60.0, "How often leases, retention and failing subscriptions are looked at.", low=0.01
    )


@dataclass(frozen=True, slots=True)
class IndexnowConfig:
    enabled: bool = setting(False, "Tell search engines of new, changed and retracted URLs.")
    endpoint: str = setting("https://api.indexnow.org/indexnow", "Where IndexNow batches go.")
    key: str = setting(
        "", "Your IndexNow key (8-128 letters, digits or dashes), served at /KEY.txt."
    )
    interval_seconds: float = setting(60.0, "How often queued URLs are sent.", low=1)


@dataclass(frozen=True, slots=True)
class ServerConfig:
    host: str = setting("127.0.0.1", "Address `syndicate serve` and `syndicate run` listen on.")
    port: int = setting(
        8080, "Port `syndicate serve` and `syndicate run` listen on.", low=1, high=65535
    )
    workers: int = setting(1, "Web processes `syndicate serve` starts.", low=1, high=64)
    cache_seconds: float = setting(
        1.0,
        "How long a web process serves a cached document before checking the "
        "database for a newer one (0: check on every request).",
        low=0,
    )


API_SCOPES = ("read", "publish", "admin")


@dataclass(frozen=True, slots=True)
class ApiToken:
    """One admin API token: who holds it, the sha256 of the token, what it may do."""

    name: str
    sha256: str
    scopes: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("name must not be empty")
        if len(self.sha256) != 64 or any(c not in "0123456789abcdefABCDEF" for c in self.sha256):
            raise ValueError("sha256 must be 64 hexadecimal characters")
        if not self.scopes:
            raise ValueError("scopes must name at least one of " + ", ".join(API_SCOPES))
        unknown = [s for s in self.scopes if s not in API_SCOPES]
        if unknown:
            raise ValueError(f"unknown scope {unknown[0]!r} (scopes: {', '.join(API_SCOPES)})")


@dataclass(frozen=True, slots=True)
class ApiConfig:
    tokens: tuple[ApiToken, ...] = setting(
        (),
        "Admin API tokens: a list of tables {name, sha256, scopes}; sha256 is the hex sha256 "
        "of the token, scopes any of read, publish, admin (admin implies publish, publish "
        "implies read). File only: no environment override.",
    )
    max_request_bytes: int = setting(
        5_000_000, "Largest admin API request body accepted; larger ones answer 413.", low=1
    )


SECTIONS: dict[str, type] = {
    "site": SiteConfig,
    "publisher": PublisherConfig,
    "render": RenderConfig,
    "database": DatabaseConfig,
    "limits": LimitsConfig,
    "ingest": IngestConfig,
    "feeds": FeedsConfig,
    "websub": WebsubConfig,
    "server": ServerConfig,
    "delivery": DeliveryConfig,
    "worker": WorkerConfig,
    "indexnow": IndexnowConfig,
    "api": ApiConfig,
}


@dataclass(frozen=True, slots=True)
class Config:
    """All settings, plus where they came from."""

    root: Path
    source: Path | None = None
    site: SiteConfig = field(default_factory=SiteConfig)
    publisher: PublisherConfig = field(default_factory=PublisherConfig)
    render: RenderConfig = field(default_factory=RenderConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    feeds: FeedsConfig = field(default_factory=FeedsConfig)
    websub: WebsubConfig = field(default_factory=WebsubConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    worker: WorkerConfig = field(default_factory=WorkerConfig)
    indexnow: IndexnowConfig = field(default_factory=IndexnowConfig)
    api: ApiConfig = field(default_factory=ApiConfig)
    warnings: tuple[str, ...] = ()

    def with_database(self, url: str) -> Config:
        return dataclasses.replace(self, database=DatabaseConfig(url=url))


_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """`5s`, `5m`, `2h`, `1d`, `250ms` or a bare number of seconds -> seconds."""
    raw = text.strip().lower()
    for unit in ("ms", "s", "m", "h", "d"):
        if raw.endswith(unit) and raw[: -len(unit)].replace(".", "", 1).isdigit():
            return float(raw[: -len(unit)]) * _UNITS[unit]
    if raw.replace(".", "", 1).isdigit():
        return float(raw)
    raise ValueError(f"not a duration: {text!r} (like 5s, 5m, 2h, 1d)")


def _check_meaning(config: Config, where: str) -> None:
    """What a type alone cannot say: durations, networks, the IndexNow key."""
    import ipaddress
    import re

    try:
        for step in config.delivery.retry_schedule:
            parse_duration(step)
    except ValueError as exc:
        raise ConfigError(f"delivery.retry_schedule: {exc}", file=where) from None
    for network in config.delivery.allow_networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ConfigError(
                f"delivery.allow_networks: not a network: {network!r}", file=where
            ) from None
    if config.indexnow.enabled and not re.fullmatch(r"[A-Za-z0-9-]{8,128}", config.indexnow.key):
        raise ConfigError(
            "indexnow.key: 8-128 letters, digits or dashes are needed when IndexNow is enabled",
            file=where,
        )
    if config.websub.min_lease_seconds > config.websub.max_lease_seconds:
        raise ConfigError("websub.min_lease_seconds is above websub.max_lease_seconds", file=where)


def all_settings() -> list[tuple[str, str, Any, str]]:
    """(section, key, default, help) for every setting: the README lists them all."""
    out = []
    for name, cls in SECTIONS.items():
        defaults = cls()
        for f in dataclasses.fields(cls):
            out.append((name, f.name, getattr(defaults, f.name), f.metadata["help"]))
    return out


def find_config_file(explicit: str | Path | None) -> Path | None:
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}")
        return path
    env = os.environ.get("SYNDICATE_CONFIG")
    if env:
        path = Path(env)
        if not path.is_file():
            raise ConfigError(f"SYNDICATE_CONFIG names a missing file: {path}")
        return path
    local = Path("config.toml")
    return local if local.is_file() else None


def load_config(
    explicit: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Config:
    """Load settings by the precedence above; ConfigError names the file and key."""
    env = os.environ if environ is None else environ
    path = find_config_file(explicit)
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"not valid TOML: {exc}", file=str(path)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read: {exc}", file=str(path)) from None
    root = path.resolve().parent if path is not None else Path.cwd()
    where = str(path) if path is not None else "<defaults>"
    warnings: list[str] = []
    for key in data:
        if key not in SECTIONS:
            raise ConfigError(f"unknown section [{key}]", file=where)
    sections: dict[str, Any] = {}
    for name, cls in SECTIONS.items():
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"[{name}] must be a table", file=where)
        sections[name] = _build_section(name, cls, table, env, root, where)
    known_env = {
        f"SYNDICATE_{s.upper()}_{f.name.upper()}"
        for s, cls in SECTIONS.items()
        for f in dataclasses.fields(cls)
    }
    for var in sorted(env):
        if var.startswith("SYNDICATE_") and var not in known_env and var not in RESERVED_ENV:
            warnings.append(f"unknown environment variable {var} ignored")
    config = Config(root=root, source=path, warnings=tuple(warnings), **sections)
    _check_meaning(config, where)
    return config


def _build_section(
    name: str, cls: type, table: dict[str, Any], env: Mapping[str, str], root: Path, where: str
) -> Any:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    defaults = cls()
    for key in table:
        if key not in fields:
            raise ConfigError(f"unknown key {name}.{key}", file=where)
    values: dict[str, Any] = {}
    for key, f in fields.items():
        var = f"SYNDICATE_{name.upper()}_{key.upper()}"
        if var in env:
            value = _from_env(hints[key], env[var], var)
        elif key in table:
            value = _check_type(hints[key], table[key], f"{name}.{key}", where)
        else:
            value = getattr(defaults, key)
        low, high = f.metadata.get("low"), f.metadata.get("high")
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"at least {low}" if high is None else f"between {low} and {high}"
            source = var if var in env else where
            raise ConfigError(f"{name}.{key} must be {span}, got {value}", file=source)
        kind = f.metadata.get("kind", "")
        if kind == "path":
            value = _resolve(root, Path(value))
        elif kind == "db_url":
            value = resolve_db_url(str(value), root)
        values[key] = value
    return cls(**values)


def _resolve(root: Path, path: Path) -> Path:
    return path if path.is_absolute() else (root / path)


def resolve_db_url(url: str, root: Path) -> str:
    """Make a relative sqlite:/// path absolute against the config folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        rest = url[len(prefix) :]
        if rest and rest != ":memory:":
            return prefix + str(root / rest)
    return url


def _check_type(hint: Any, value: Any, key: str, where: str) -> Any:
    origin = typing.get_origin(hint)
    bad = ConfigError(f"{key}: expected {_describe(hint)}, got {type(value).__name__}", file=where)
    if hint is bool:
        if not isinstance(value, bool):
            raise bad
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad
        return float(value)
    if hint is str or hint is Path:
        if not isinstance(value, str):
            raise bad
        return value
    if origin is tuple and _table_type(hint) is not None:
        return _tables(_table_type(hint), value, key, where)
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad
        return tuple(value)
    if origin is dict:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise bad
        return dict(value)
    raise bad  # pragma: no cover - every declared type is handled above


def _table_type(hint: Any) -> Any:
    """The dataclass of a `tuple[SomeDataclass, ...]` setting (a list of tables), else None."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and args and dataclasses.is_dataclass(args[0]):
        return args[0]
    return None


def _tables(cls: Any, value: Any, key: str, where: str) -> tuple[Any, ...]:
    """A TOML list of tables, each checked key by key and built into `cls`."""
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"{key}: expected {_describe(tuple[cls, ...])}", file=where)
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    built = []
    for i, table in enumerate(value):
        at = f"{key}[{i}]"
        for name in table:
            if name not in names:
                raise ConfigError(f"unknown key {at}.{name}", file=where)
        missing = [name for name in names if name not in table]
        if missing:
            raise ConfigError(f"{at}: missing key {missing[0]}", file=where)
        fields = {n: _check_type(hints[n], table[n], f"{at}.{n}", where) for n in names}
        try:
            built.append(cls(**fields))
        except ValueError as exc:
            raise ConfigError(f"{at}: {exc}", file=where) from None
    return tuple(built)


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if _table_type(hint) is not None:
        return "a list of tables"
    if origin is tuple:
        return "a list of strings"
    if origin is dict:
        return "a table of strings"
    if hint is Path:
        return "a path string"
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(
        hint, str(hint)
    )


def _from_env(hint: Any, raw: str, var: str) -> Any:
    origin = typing.get_origin(hint)
    if _table_type(hint) is not None:
        raise ConfigError(
            f"{var}: {_describe(hint)} cannot be given in the environment; "
            "set it in the config file"
        )
    try:
        if hint is bool:
            lowered = raw.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(raw)
        if hint is int:
            return int(raw)
        if hint is float:
            return float(raw)
        if origin is tuple:
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if origin is dict:
            pairs = [p for p in raw.split(",") if p.strip()]
            return dict(_pair(p) for p in pairs)
    except ValueError:
        raise ConfigError(f"{var}: expected {_describe(hint)}, got {raw!r}") from None
    return raw


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep:
        raise ValueError(text)
    return key.strip(), value.strip()
