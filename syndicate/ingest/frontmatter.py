"""Article metadata given as YAML or TOML: Markdown front matter and
ARTICLE.meta.toml sidecars. Checked against schemas/frontmatter.schema.json."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import jsonschema
import yaml

from ..config import Config
from ..errors import Problem, ReadError
from ..model import Byline, Correction, Image, PubStatus, Subject, Timestamp
from ..resources import json_schema
from .base import Meta
from .dates import DateError, parse_date_info
from .lints import Lint
from .normalize import clean_tree

_YAML_FENCE = re.compile(r"^---[ \t]*$")
_YAML_END = re.compile(r"^(---|\.\.\.)[ \t]*$")
_TOML_FENCE = re.compile(r"^\+\+\+[ \t]*$")


@dataclass(frozen=True, slots=True)
class Split:
    kind: str  # "yaml", "toml" or "" when there is no front matter
    front: str
    body: str
    body_first_line: int  # 1-based line number of the body's first line


def split_front_matter(text: str, name: str) -> Split:
    lines = text.split("\n")
    if not lines:
        return Split("", "", text, 1)
    if _YAML_FENCE.match(lines[0]):
        kind, end = "yaml", _YAML_END
    elif _TOML_FENCE.match(lines[0]):
        kind, end = "toml", _TOML_FENCE
    else:
        return Split("", "", text, 1)
    for i in range(1, len(lines)):
        if end.match(lines[i]):
            return Split(kind, "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2)
    raise ReadError(
        f"{kind.upper()} front matter opened on line 1 is never closed", file=name, line=1
    )


def parse_meta(
    front: str, kind: str, name: str, config: Config, *, first_line: int = 2
) -> tuple[Meta, list[Lint]]:
    """Parse, check and convert metadata. `first_line` is the file line of `front`'s line 1."""
    data = _load(front, kind, name, first_line)
    if data is None:
        return Meta(), []
    if not isinstance(data, dict):
        raise ReadError(
            "front matter must be a mapping of keys to values", file=name, line=first_line
        )
    naive_keys: set[str] = set()
    data = clean_tree(_dates_to_text(data, naive_keys))
    _check(data, front, name, first_line)
    return _convert(data, front, name, first_line, config, naive_keys)


def _load(front: str, kind: str, name: str, first_line: int) -> Any:
    if kind == "toml":
        try:
            return tomllib.loads(front)
        except tomllib.TOMLDecodeError as exc:
            line = first_line + (getattr(exc, "lineno", 1) or 1) - 1
            raise ReadError(f"TOML front matter: {exc}", file=name, line=line) from None
    try:
        for event in yaml.parse(front, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                line = first_line + event.start_mark.line if event.start_mark else first_line
                raise ReadError(
                    "YAML aliases are not accepted in front matter", file=name, line=line
                )
        return yaml.safe_load(front)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        raise ReadError(f"YAML front matter: {exc.problem or exc}", file=name, line=line) from None
    except yaml.YAMLError as exc:
        raise ReadError(f"YAML front matter: {exc}", file=name, line=first_line) from None


def _dates_to_text(data: dict[str, Any], naive: set[str]) -> dict[str, Any]:
    """YAML/TOML give dates as objects; the schema and the parser take text."""

    def convert(value: Any, key: str) -> Any:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                naive.add(key)
            return value.isoformat()
        if isinstance(value, date):
            return value.isoformat()
        return value

    out = {k: convert(v, k) for k, v in data.items()}
    if isinstance(out.get("corrections"), list):
        out["corrections"] = [
            {k: convert(v, "corrections") for k, v in c.items()} if isinstance(c, dict) else c
            for c in out["corrections"]
        ]
    return out


def key_line(front: str, key: str, first_line: int) -> int:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[:=]")
    for i, line in enumerate(front.split("\n")):
        if pattern.match(line):
            return first_line + i
    return first_line


def _check(data: dict[str, Any], front: str, name: str, first_line: int) -> None:
    schema = json_schema("frontmatter.schema.json")
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        path = list(error.path)
        if error.validator == "additionalProperties" and not path:
            unknown = sorted(set(data) - set(schema["properties"]))
            for key in unknown:
                problems.append(Problem(key_line(front, key, first_line), f"unknown key {key!r}"))
            continue
        key = str(path[0]) if path else ""
        where = ".".join(str(p) for p in path) or "front matter"
        problems.append(Problem(key_line(front, key, first_line), f"{where}: {_say(error)}"))
    if problems:
        raise ReadError(
            problems[0].message, file=name, line=problems[0].line, problems=tuple(problems)
        )


def _say(error: jsonschema.ValidationError) -> str:
    if error.validator == "oneOf" or error.validator == "anyOf":
        return f"{error.instance!r} is not an accepted form"
    return error.message


def _convert(
    data: dict[str, Any], front: str, name: str, first_line: int, config: Config, naive: set[str]
) -> tuple[Meta, list[Lint]]:
    lints: list[Lint] = []

    def when(key: str, text: str | None) -> Timestamp | None:
        if text is None:
            return None
        try:
            value, assumed = parse_date_info(
                text, config.ingest.zone_abbreviations, config.site.timezone
            )
        except DateError as exc:
            raise ReadError(
                f"{key}: {exc}", file=name, line=key_line(front, key, first_line)
            ) from None
        if assumed or key in naive:
            lints.append(
                Lint(
                    "naive-time",
                    f"{key} has no UTC offset; read in {config.site.timezone}",
                    key_line(front, key, first_line),
                )
            )
        return value

    def instant(key: str, text: str | None) -> datetime | None:
        value = when(key, text)
        if value is not None and not isinstance(value, datetime):
            raise ReadError(
                f"{key} needs a time of day, not only a date",
                file=name,
                line=key_line(front, key, first_line),
            )
        return value

    keywords = data.get("keywords")
    if isinstance(keywords, str):
        keywords = [k.strip() for k in keywords.split(",") if k.strip()]
    corrections = None
    if "corrections" in data:
        corrections = []
        for c in data["corrections"]:
            time = instant("corrections", c["time"])
            assert time is not None
            corrections.append(Correction(c["note"].strip(), time))
    meta = Meta(
        id=data.get("id"),
        headline=_line(data.get("headline")),
        subheadline=_line(data.get("subheadline")),
        dateline=_line(data.get("dateline")),
        bylines=tuple(_byline(b) for b in data["bylines"]) if "bylines" in data else None,
        published=when("published", data.get("published")),
        updated=when("updated", data.get("updated")),
        section=_line(data.get("section")),
        language=data.get("language"),
        keywords=tuple(keywords) if keywords is not None else None,
        subjects=tuple(Subject(s["qcode"], s["name"].strip()) for s in data["subjects"])
        if "subjects" in data
        else None,
        summary=_line(data.get("summary")),
        images=tuple(_image(i) for i in data["images"]) if "images" in data else None,
        embargo=instant("embargo", data.get("embargo")),
        corrections=tuple(corrections) if corrections is not None else None,
        pubstatus=PubStatus(data["pubstatus"]) if "pubstatus" in data else None,
    )
    return meta, lints


def _line(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    return text or None


def _byline(value: str | dict[str, Any]) -> Byline:
    if isinstance(value, str):
        name, _, role = value.partition(",")
        return Byline(" ".join(name.split()), _line(role) if role else None)
    return Byline(
        " ".join(value["name"].split()),
        _line(value.get("role")),
        value.get("kind", "person"),
        value.get("url"),
    )


def _image(value: dict[str, Any]) -> Image:
    return Image(
        url=value["url"],
        media_type=value.get("type") or guess_image_type(value["url"]),
        length=value.get("length"),
        caption=_line(value.get("caption")),
        credit=_line(value.get("credit")),
        width=value.get("width"),
        height=value.get("height"),
        alt=_line(value.get("alt")),
    )


def guess_image_type(url: str) -> str:
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    for ext, media_type in (
        (".png", "image/png"),
        (".gif", "image/gif"),
        (".webp", "image/webp"),
        (".avif", "image/avif"),
        (".svg", "image/svg+xml"),
    ):
        if path.endswith(ext):
            return media_type
    return "image/jpeg"
