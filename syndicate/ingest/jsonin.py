"""JSON articles: the canonical article JSON, IPTC ninjs 3.x and ninjs 2.x.

Which one is told by the content: a ninjs `standard` object when present, else
the property names (canonical: `slug`, `body`; ninjs 3.x: camelCase such as
`versionCreated`; ninjs 2.x: lowercase such as `versioncreated`).

The canonical JSON is checked against schemas/article.schema.json and read
back exactly as codec.to_dict wrote it. ninjs is checked loosely (the official
schema is not shipped): only the properties that are used must have the right
shape, and every problem is reported with its JSON path.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import jsonschema

from .. import codec
from ..config import Config
from ..errors import Problem, ReadError
from ..resources import json_schema
from .base import ReadRequest, ReadResult
from .lints import Lint, article_lints
from .ninjs import _kind, path_text, read_ninjs
from .normalize import clean, clean_tree, decode

MAX_JSON_DEPTH = 100
_V3_MARKERS = frozenset(
    "versionCreated firstCreated contentCreated pubStatus embargoedUntil copyrightHolder"
    " copyrightNotice usageTerms edNote representationType altIds infoSources"
    " trustIndicators rightsInfo digitalSourceType eventDetails".split()
)
_V1_MARKERS = frozenset(
    "$standard headline byline body_text body_xhtml body_html description_text"
    " description_xhtml subject person place organisation".split()
)
_DATE_FIELDS = frozenset({"published", "updated", "embargo", "time"})
_EXPECTED = (
    "expected the canonical article JSON (id, slug, headline, body, ...) "
    "or a ninjs 2.x/3.x document (uri, headlines, bodies, ...)"
)


def read_json(request: ReadRequest, config: Config, now: datetime) -> ReadResult:
    """Read a canonical article or a ninjs 2.x/3.x document."""
    name = request.name
    text = decode(request.data, name)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            file=name,
            line=exc.lineno,
        ) from None
    except RecursionError:
        raise ReadError("JSON nested too deeply to be read", file=name) from None
    if not isinstance(data, dict):
        raise ReadError(f"expected a JSON object, not {_kind(data)}: {_EXPECTED}", file=name)
    if _depth(data) > MAX_JSON_DEPTH:
        raise ReadError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", file=name)
    kind = detect(data)
    if kind == "canonical":
        return read_canonical(data, name, config)
    if kind in ("ninjs2", "ninjs3"):
        return read_ninjs(data, 2 if kind == "ninjs2" else 3, request, config, now)
    if kind == "ninjs1":
        raise ReadError(f"ninjs 1.x is not read: {_EXPECTED}", file=name)
    raise ReadError(f"not an article: {_EXPECTED}", file=name)


def detect(data: dict[str, Any]) -> str:
    """Which JSON this is: canonical, ninjs3, ninjs2, ninjs1, or "" for none of these."""
    standard = data.get("standard", data.get("$standard"))
    if isinstance(standard, dict) and "ninjs" in str(standard.get("name", "ninjs")).lower():
        major = str(standard.get("version", "")).split(".", 1)[0]
        if major in ("1", "2", "3"):
            return f"ninjs{major}"
    if "slug" in data or ("body" in data and "headline" in data and "uri" not in data):
        return "canonical"
    keys = set(data)
    if keys & _V3_MARKERS:
        return "ninjs3"
    if keys & _V1_MARKERS or any(k.startswith(("body_", "headline_")) for k in keys):
        return "ninjs1"
    if {k.lower() for k in _V3_MARKERS} & keys or "embargoed" in keys:
        return "ninjs2"
    if "uri" in keys and keys & {"headlines", "bodies"}:
        return "ninjs3"
    return ""


# -- the canonical article JSON --------------------------------------------------


def read_canonical(data: dict[str, Any], name: str, config: Config) -> ReadResult:
    """Check against the schema, then what it cannot say; every problem with its path."""
    validator = jsonschema.Draft202012Validator(
        json_schema("article.schema.json"),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    problems = [f"{path_text(e.absolute_path)}: {_say(e)}" for e in errors]
    problems = problems or _semantic_problems(data, config.limits.max_list_depth)
    if problems:
        raise ReadError(problems[0], file=name, problems=tuple(Problem(0, p) for p in problems))
    stored_hash = data.get("content_hash")
    _clean_canonical(data)
    try:
        article = codec.from_dict(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise ReadError(f"not a valid article: {exc}", file=name) from None
    lints = article_lints(article)
    if stored_hash is not None and stored_hash != article.content_hash:
        lints.append(Lint("content-hash", "content_hash does not match the content; recomputed"))
    return ReadResult(article, tuple(lints), False, id_explicit=True)


def _say(error: jsonschema.ValidationError) -> str:
    last = error.absolute_path[-1] if error.absolute_path else ""
    if last in _DATE_FIELDS and error.validator in ("oneOf", "pattern", "format"):
        return f"{error.instance!r} is not an ISO 8601 date or date-time with a UTC offset"
    if error.validator in ("oneOf", "anyOf"):
        return f"{error.instance!r} is not an accepted value"
    return error.message


def _walk(root: Any, start: list[Any]) -> list[tuple[list[Any], dict[str, Any]]]:
    """Every object under `root` with its path, iteratively, in document order."""
    out: list[tuple[list[Any], dict[str, Any]]] = []
    stack: list[tuple[list[Any], Any]] = [(start, root)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            out.append((path, node))
            stack.extend((path + [k], v) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((path + [i], v) for i, v in reversed(list(enumerate(node))))
    return out


def _semantic_problems(data: dict[str, Any], max_list_depth: int) -> list[str]:
    """What the schema cannot say: dates that exist, lists no deeper than the
    limit, table rows as wide as their header, marks inside their text."""
    problems = []
    for path, node in _walk(data, []):
        if not path or path[0] == "corrections":
            for key in sorted(_DATE_FIELDS & node.keys()):
                try:
                    if isinstance(node[key], str):
                        codec.parse_timestamp(node[key])
                except ValueError as exc:
                    problems.append(f"{path_text([*path, key])}: not a valid date: {exc}")
        kind, text = node.get("type"), node.get("text")
        if kind == "list" and path.count("children") == max_list_depth:
            problems.append(f"{path_text(path)}: list nested deeper than {max_list_depth} levels")
        if kind == "table":
            width = len(node["header"])
            for r, row in enumerate(node["rows"]):
                if len(row) != width:
                    where = path_text([*path, "rows", r])
                    problems.append(f"{where}: {len(row)} cells under {width} columns")
        if not isinstance(text, str):
            continue
        for m, mark in enumerate(node.get("marks", ())):
            where = path_text([*path, "marks", m])
            if mark["start"] >= mark["end"]:
                problems.append(f"{where}: empty range [{mark['start']}, {mark['end']})")
            elif mark["end"] > len(text):
                problems.append(f"{where}: ends at {mark['end']}, beyond the text's {len(text)}")
    return problems


def _clean_canonical(data: dict[str, Any]) -> None:
    """Text hygiene for every string; marks follow their text when cleaning
    changes its length (NFC composition, characters XML cannot carry)."""
    for _, node in _walk(data["body"], []):
        text, marks = node.get("text"), node.get("marks")
        if isinstance(text, str) and isinstance(marks, list):
            cleaned = clean(text)
            if cleaned != text:
                for mark in marks:
                    mark["start"] = len(clean(text[: mark["start"]]))
                    mark["end"] = len(clean(text[: mark["end"]]))
                kept = [m for m in marks if m["start"] < m["end"]]
                if kept:
                    node["marks"] = kept
                else:
                    del node["marks"]
    clean_tree(data)


def _depth(data: Any) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            break
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node if isinstance(v, dict | list))
    return deepest
