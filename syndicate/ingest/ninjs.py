"""IPTC ninjs 3.x (camelCase) and 2.x (lowercase names) documents -> Article.

Checked loosely (the official schema is not shipped): only the properties that
are used must have the right shape; every problem names its JSON path.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from typing import Any, Literal

from ..config import Config
from ..errors import Problem, ReadError
from ..model import Block, Byline, Heading, Image, Inline, Paragraph, PubStatus, Subject
from .assemble import assemble
from .base import Extracted, Meta, ReadRequest, ReadResult
from .dates import DateError, as_instant, fixed, localize, site_zone
from .frontmatter import guess_image_type
from .lints import Lint
from .normalize import clean_tree
from .xhtml import (
    MarkupError,
    blocks_from_element,
    blocks_from_xhtml,
    name_of,
    parse_markup,
    plain,
    text_of_markup,
)


def path_text(path: Any) -> str:
    """`$.body[3].items[0].text` from a sequence of keys and indexes."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _kind(value: Any) -> str:
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    return "null" if value is None else kinds.get(type(value), "a number")


_V2_NAMES = {"embargoedUntil": "embargoed"}
_TYPE_NAMES = {str: "a string", list: "an array", dict: "an object", int: "an integer"}
_MEDIATOPIC = re.compile(r"^(?:https?://cv\.iptc\.org/newscodes/mediatopic/|medtop:)(\d{8})$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_BY_PREFIX = re.compile(r"^(?:by|von|par|por|av|af|di|door)\s+", re.IGNORECASE)
_BY_AND = re.compile(r"\s+(?:and|&|und|och|og|et)\s+")
_AUTHOR_RELS = frozenset({"author", "creator", "byline"})
_SUB_ROLES = frozenset({"sub", "subheadline", "subtitle"})
_IMAGE_TYPE = re.compile(r"^image/[A-Za-z0-9.+-]+$")
_Value = tuple[list[Any], str, str, str]


def read_ninjs(
    data: dict[str, Any], generation: int, request: ReadRequest, config: Config, now: datetime
) -> ReadResult:
    """ninjs 3.x (camelCase) or 2.x (lowercase names) -> an Article, through assemble."""
    doc = _Ninjs(clean_tree(data), generation, config)
    meta, found, version = doc.convert()
    if doc.problems:
        raise ReadError(
            doc.problems[0], file=request.name, problems=tuple(Problem(0, p) for p in doc.problems)
        )
    result = assemble(request, config, now, meta, found)
    if version != result.article.version:
        article = dataclasses.replace(result.article, version=version)
        result = dataclasses.replace(result, article=article)
    return result


class _Ninjs:
    def __init__(self, data: dict[str, Any], generation: int, config: Config) -> None:
        self.data = data
        self.generation = generation
        self.config = config
        self.problems: list[str] = []
        self.lints: list[Lint] = []

    def key(self, camel: str) -> str:
        return camel if self.generation == 3 else _V2_NAMES.get(camel, camel.lower())

    def get(self, obj: dict[str, Any], camel: str, path: list[Any], kind: type) -> Any:
        key = self.key(camel)
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            where = path_text([*path, key])
            self.problems.append(f"{where}: expected {_TYPE_NAMES[kind]}, not {_kind(value)}")
            return None
        return value

    def objects(
        self, obj: dict[str, Any], camel: str, path: list[Any]
    ) -> list[tuple[list[Any], dict[str, Any]]]:
        out = []
        for i, item in enumerate(self.get(obj, camel, path, list) or ()):
            where = [*path, self.key(camel), i]
            if isinstance(item, dict):
                out.append((where, item))
            else:
                self.problems.append(f"{path_text(where)}: expected an object, not {_kind(item)}")
        return out

    def texts(self, obj: dict[str, Any], camel: str, path: list[Any]) -> list[_Value]:
        """(path, role, content type, value) of each headline, body or description."""
        out = []
        for where, item in self.objects(obj, camel, path):
            value = self.get(item, "value", where, str)
            role = (self.get(item, "role", where, str) or "").lower()
            content_type = (self.get(item, "contentType", where, str) or "").lower()
            if value is not None:
                out.append((where, role, content_type, value))
        return out

    def convert(self) -> tuple[Meta, Extracted, int]:
        data = self.data
        uri = self.get(data, "uri", [], str)
        if uri is None or not _URI.match(uri.strip()) or len(uri) > 400:
            self.problems.append(
                f"$.uri: {'missing' if uri is None else repr(uri)}: a URI is needed"
            )
        headlines = self.texts(data, "headlines", [])
        main = _pick(headlines, ("main",))
        sub = next((h for h in headlines if h[1] in _SUB_ROLES and h is not main), None)
        headline = _text(main) or plain(self.get(data, "title", [], str)) or None
        pubstatus = self.get(data, "pubStatus", [], str)
        if pubstatus is not None and pubstatus not in {s.value for s in PubStatus}:
            self.problems.append(f"$.{self.key('pubStatus')}: {pubstatus!r} is not a pubStatus")
            pubstatus = None
        first, latest = self.instant("firstCreated"), self.instant("versionCreated")
        published = first or latest
        subjects, keywords = self.subjects()
        meta = Meta(
            id=uri.strip() if uri else None,
            headline=headline,
            subheadline=_text(sub) or None,
            dateline=plain(self.get(data, "located", [], str)) or None,
            bylines=self.bylines() or None,
            published=published,
            updated=latest if latest is not None and latest != published else None,
            language=self.language(),
            keywords=keywords or None,
            subjects=subjects or None,
            summary=_text(_pick(self.texts(data, "descriptions", []), ("summary",))) or None,
            images=self.images() or None,
            embargo=self.instant("embargoedUntil"),
            pubstatus=PubStatus(pubstatus) if pubstatus else None,
        )
        body = self.body()
        if body and isinstance(body[0], Heading) and headline and _same(body[0].text, headline):
            body = body[1:]
        return meta, Extracted(headline=headline, body=body, lints=self.lints), self.version()

    def version(self) -> int:
        value = self.data.get("version")
        text = str(value).strip() if isinstance(value, str | int) else ""
        if value is None or (text.isdigit() and int(text) >= 1):
            return int(text) if value is not None else 1
        self.lints.append(Lint("ninjs-version", f"version {value!r} is not a number; 1 is used"))
        return 1

    def language(self) -> str | None:
        value = self.get(self.data, "language", [], str)
        if value is None or _LANGUAGE.match(value.strip()):
            return value.strip() if value else None
        self.lints.append(Lint("bad-language", f"language {value!r} is not a BCP 47 tag; ignored"))
        return None

    def instant(self, camel: str) -> datetime | None:
        value = self.get(self.data, camel, [], str)
        if value is None:
            return None
        raw, where = value.strip(), f"$.{self.key(camel)}"
        try:
            if len(raw) == 10:
                return as_instant(date.fromisoformat(raw), self.config.site.timezone)
            parsed = datetime.fromisoformat(raw)
            if parsed.tzinfo is not None:
                return fixed(parsed)
            zone = self.config.site.timezone
            self.lints.append(Lint("naive-time", f"{where} has no UTC offset; read in {zone}"))
            return localize(parsed, site_zone(zone))
        except (ValueError, DateError):
            self.problems.append(f"{where}: {value!r} is not an ISO 8601 date-time")
            return None

    def bylines(self) -> tuple[Byline, ...]:
        by = _parse_by(self.get(self.data, "by", [], str) or "")
        roles = {b.name.casefold(): b.role for b in by}
        found = []
        parties: tuple[tuple[str, Literal["person", "organization"]], ...] = (
            ("people", "person"),
            ("organisations", "organization"),
        )
        for camel, kind in parties:
            for where, party in self.objects(self.data, camel, []):
                rel = (self.get(party, "rel", where, str) or "").rstrip("/")
                name = plain(self.get(party, "name", where, str))
                if not name or re.split(r"[/:#]", rel)[-1].lower() not in _AUTHOR_RELS:
                    continue
                role = plain(party["role"]) if isinstance(party.get("role"), str) else ""
                uri = self.get(party, "uri", where, str) or ""
                url = uri if uri.startswith(("http://", "https://")) else None
                found.append(Byline(name, role or roles.get(name.casefold()), kind, url))
        return tuple(found) or tuple(by)

    def subjects(self) -> tuple[tuple[Subject, ...], tuple[str, ...]]:
        subjects: dict[str, Subject] = {}
        keywords: dict[str, None] = {}
        for where, item in self.objects(self.data, "subjects", []):
            name = plain(self.get(item, "name", where, str))
            match = _MEDIATOPIC.match((self.get(item, "uri", where, str) or "").strip())
            if match and name:
                subjects.setdefault(match[1], Subject(f"medtop:{match[1]}", name))
            elif match:
                self.lints.append(Lint("subject-unnamed", f"{path_text(where)} has no name"))
            elif name:
                keywords.setdefault(name)
        return tuple(subjects.values()), tuple(keywords)

    def images(self) -> tuple[Image, ...]:
        images = []
        for where, item in self.objects(self.data, "associations", []):
            if self.get(item, "type", where, str) not in ("picture", "graphic"):
                continue
            renditions = [r for _, r in self.objects(item, "renditions", where)]
            renditions = [r for r in renditions if isinstance(r.get("href"), str)]
            best = max(renditions, key=_area, default=None)
            url = (best["href"] if best else self.get(item, "uri", where, str) or "").strip()
            if not url.startswith(("http://", "https://")):
                self.lints.append(Lint("image-skipped", f"{path_text(where)} has no http(s) URL"))
                continue
            best = best or {}
            media = str(best.get(self.key("contentType")) or "").lower().replace("/jpg", "/jpeg")
            caption = _pick(self.texts(item, "descriptions", where), ("caption", "summary"))
            headline = _pick(self.texts(item, "headlines", where), ("main",))
            title = plain(self.get(item, "title", where, str))
            images.append(
                Image(
                    url=url,
                    media_type=media if _IMAGE_TYPE.match(media) else guess_image_type(url),
                    length=_count(best.get(self.key("sizeInBytes")), 0),
                    caption=_text(caption) or _text(headline) or title or None,
                    credit=plain(self.get(item, "by", where, str)) or None,
                    width=_count(best.get("width"), 1),
                    height=_count(best.get("height"), 1),
                )
            )
        return tuple(images)

    def body(self) -> list[Block]:
        ranked = []
        for where, _, content_type, value in self.texts(self.data, "bodies", []):
            rank = _body_rank(content_type, value)
            if rank is not None:
                ranked.append((rank, where, value))
        ranked.sort(key=lambda r: r[0])
        depth = self.config.limits.max_list_depth
        for rank, where, value in ranked:
            try:
                if rank <= 1:
                    blocks, lints = blocks_from_xhtml(value, max_list_depth=depth)
                elif rank == 2:
                    root = parse_markup(value)
                    content = next((e for e in root.iter() if name_of(e) == "body.content"), root)
                    blocks, lints = blocks_from_element(content, max_list_depth=depth)
                else:
                    lines = (plain(line) for line in value.split("\n"))
                    blocks, lints = [Paragraph(Inline(t)) for t in lines if t], []
            except MarkupError as exc:
                self.problems.append(f"{path_text([*where, 'value'])}: {exc}")
                return []
            if blocks:
                at = path_text(where)
                self.lints.extend(Lint(i.code, f"{at}: {i.message}") for i in lints)
                return blocks
        return []


def _pick(texts: list[_Value], roles: tuple[str, ...]) -> _Value | None:
    for role in roles:
        for text in texts:
            if text[1] == role:
                return text
    return texts[0] if texts else None


def _text(item: _Value | None) -> str:
    """Plain text of a headline or description, markup removed when it has some."""
    if item is None:
        return ""
    _, _, content_type, value = item
    if "html" in content_type or "xml" in content_type:
        try:
            return text_of_markup(value)
        except MarkupError:
            pass
    return plain(value)


def _body_rank(content_type: str, value: str) -> int | None:
    """Which body to prefer: XHTML, HTML, NITF, plain text; None for other kinds."""
    if not content_type:
        return 1 if value.lstrip().startswith("<") else 3
    if "xhtml" in content_type:
        return 0
    if "html" in content_type:
        return 1
    if "nitf" in content_type:
        return 2
    return 3 if content_type.startswith("text/plain") else None


def _parse_by(text: str) -> list[Byline]:
    """`By Jane Roe and John Doe, Seoul correspondent` -> two bylines with that role."""
    names, _, role = _BY_PREFIX.sub("", plain(text)).partition(",")
    return [Byline(n.strip(), plain(role) or None) for n in _BY_AND.split(names) if n.strip()]


def _area(rendition: dict[str, Any]) -> int:
    return (_count(rendition.get("width"), 1) or 0) * (_count(rendition.get("height"), 1) or 0)


def _count(value: Any, minimum: int) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    return None


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
