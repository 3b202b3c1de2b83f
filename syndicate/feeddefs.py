"""Feed definitions: one TOML file per feed in `[feeds] dir`, checked against
schemas/feed.schema.json (an unknown key is an error naming file and key).

    id = "front-page"             # optional; the file name without .toml
    title = "Front page"
    description = "..."
    language = "en"               # default [site] language
    formats = ["rss", "atom", "jsonfeed"]
    items = 100                   # entries per subscription document / archive page
    content = "summary"           # or "full"
    access = "public"             # or "partners"
    push = "immediate"            # or a crontab schedule, e.g. "0 6 * * 1-5"

    [filters]                     # all optional; an empty filter takes every article
    sections = ["World"]          # any of them (case-insensitive)
    keywords = ["budget"]         # any of them (case-insensitive)
    subjects = ["medtop:11000000"]
    languages = ["en"]            # `en` takes `en-GB` too
    include = ["urn:uuid:..."]    # always in the feed
    exclude = ["urn:uuid:..."]    # never in the feed
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jsonschema

from .config import Config
from .cron import CronError, trigger
from .errors import InputError, Problem, ReadError
from .ingest.dates import site_zone
from .ingest.frontmatter import key_line
from .ingest.normalize import first_illegal
from .model import Article
from .resources import json_schema
from .urls import FeedFormat

FORMATS: tuple[FeedFormat, ...] = ("rss", "atom", "jsonfeed")


@dataclass(frozen=True, slots=True)
class Filters:
    sections: frozenset[str] = frozenset()
    keywords: frozenset[str] = frozenset()
    subjects: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    include: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()

    def matches(self, article: Article) -> bool:
        if article.id in self.exclude:
            return False
        if article.id in self.include:
            return True
        if self.sections and article.section.casefold() not in self.sections:
            return False
        if self.keywords and not {k.casefold() for k in article.keywords} & self.keywords:
            return False
        if self.subjects and not {s.qcode for s in article.subjects} & self.subjects:
            return False
        language = article.language.casefold()
        return not self.languages or any(
            language == tag or language.startswith(tag + "-") for tag in self.languages
        )


@dataclass(frozen=True, slots=True)
class FeedDef:
    id: str
    title: str
    description: str
    language: str
    formats: tuple[FeedFormat, ...] = FORMATS
    items: int = 100
    content: Literal["full", "summary"] = "summary"
    access: Literal["public", "partners"] = "public"
    push: str = "immediate"
    filters: Filters = field(default_factory=Filters)
    source: str = ""

    @property
    def partners_only(self) -> bool:
        return self.access == "partners"

    def carries(self, article: Article) -> bool:
        return self.filters.matches(article)


def parse_feed(text: str, name: str, config: Config) -> FeedDef:
    """One definition from TOML text; ReadError names the file, line and key."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", 0) or 0
        raise ReadError(f"not valid TOML: {exc}", file=name, line=line) from None
    _check(data, text, name)
    push = data.get("push", "immediate")
    if push != "immediate":
        try:
            trigger(push, site_zone(config.site.timezone))
        except CronError as exc:
            raise ReadError(f"push: {exc}", file=name, line=key_line(text, "push", 1)) from None
    filters = data.get("filters", {})
    return FeedDef(
        id=data.get("id") or Path(name).stem,
        title=data["title"],
        description=data.get("description") or data["title"],
        language=data.get("language") or config.site.language,
        formats=tuple(data.get("formats", FORMATS)),
        items=data.get("items", 100),
        content=data.get("content", "summary"),
        access=data.get("access", "public"),
        push=push,
        filters=Filters(
            sections=frozenset(s.casefold() for s in filters.get("sections", ())),
            keywords=frozenset(k.casefold() for k in filters.get("keywords", ())),
            subjects=frozenset(filters.get("subjects", ())),
            languages=frozenset(t.casefold() for t in filters.get("languages", ())),
            include=frozenset(filters.get("include", ())),
            exclude=frozenset(filters.get("exclude", ())),
        ),
        source=name,
    )


def _check(data: dict[str, Any], text: str, name: str) -> None:
    validator = jsonschema.Draft202012Validator(json_schema("feed.schema.json"))
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        path = [str(p) for p in error.path]
        if error.validator == "additionalProperties":
            known = set(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - known):
                where = ".".join([*path, key])
                problems.append(Problem(key_line(text, key, 1), f"unknown key {where!r}"))
            continue
        where = ".".join(path) or "definition"
        line = key_line(text, path[-1], 1) if path and not path[-1].isdigit() else 0
        if not line and path:
            line = key_line(text, path[0], 1)
        problems.append(Problem(line, f"{where}: {error.message}"))
    for key, value in _texts(data):
        bad = first_illegal(value)
        if bad is not None:
            line = key_line(text, key.split(".")[-1], 1)
            problems.append(Problem(line, f"{key}: U+{ord(bad):04X} cannot appear in a feed"))
    if problems:
        raise ReadError(
            problems[0].message, file=name, line=problems[0].line, problems=tuple(problems)
        )


def _texts(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, text) of every string a feed document would carry."""
    found = [(k, v) for k, v in data.items() if isinstance(v, str)]
    filters = data.get("filters")
    if isinstance(filters, dict):
        for key, values in filters.items():
            if isinstance(values, list):
                found += [(f"filters.{key}", v) for v in values if isinstance(v, str)]
    return found


_LOADED: dict[tuple[object, ...], tuple[FeedDef, ...]] = {}


def load_feeds(config: Config) -> list[FeedDef]:
    """Every definition in `[feeds] dir`, sorted by id; ids must be unique.
    Parsed again only when a file in the folder changes."""
    folder = config.feeds.dir
    key = (folder, _stamp(folder), config.site.language, config.site.timezone)
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = _load(folder, key[1], config)
    return list(_LOADED[key])


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    if not folder.is_dir():
        return ()
    return tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.toml"))
    )


def _load(
    folder: Path, stamp: tuple[tuple[str, int, int], ...], config: Config
) -> tuple[FeedDef, ...]:
    feeds: dict[str, FeedDef] = {}
    for entry in stamp:
        path = folder / entry[0]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ReadError(f"cannot read: {exc}", file=str(path)) from None
        feed = parse_feed(text, str(path), config)
        if feed.id in feeds:
            raise ReadError(
                f"feed id {feed.id!r} is also defined in {feeds[feed.id].source}", file=str(path)
            )
        feeds[feed.id] = feed
    return tuple(sorted(feeds.values(), key=lambda f: f.id))


def find_feed(feeds: list[FeedDef], feed_id: str) -> FeedDef:
    for feed in feeds:
        if feed.id == feed_id:
            return feed
    raise InputError(f"no feed {feed_id!r} (feeds: {', '.join(f.id for f in feeds)})")
