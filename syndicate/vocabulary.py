"""The schema.org rules this project's JSON-LD follows, kept as a small table.

CLASSES names every type the profile uses (and the classes between them and
Thing), each with its parent class and the properties whose schema.org
`domainIncludes` names that class. A property is allowed on a node when it is
declared on the node's type or on one of its superclasses, as in schema.org.
RANGES gives, for each property, the value shapes the profile accepts:

    text   a string            url   an http(s) URL      bool   true or false
    date   YYYY-MM-DD, or a date and time with seconds and an offset (or Z)
    int    a non-negative integer
    Class  a node of that class or a subclass, or a bare {"@id": ...} reference

The table follows schema.org release 30.0 (pending terms included:
CorrectionComment, NewsMediaOrganization, DefinedTerm, correction, creditText,
copyrightNotice, termCode, inDefinedTermSet). Two choices follow Google's
structured-data documentation rather than the letter of schema.org's ranges:
ImageObject `width` and `height` are pixel integers (schema.org names Distance
or QuantitativeValue), and ListItem `item` may be the crumb's URL (schema.org
names Thing, and accepts a URL where a Thing is expected).

`vocabulary_problems` walks a document without recursion and lists what
breaks these rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class SchemaClass:
    parent: str | None
    properties: frozenset[str]


def _cls(parent: str | None, *properties: str) -> SchemaClass:
    return SchemaClass(parent, frozenset(properties))


CLASSES: Final[dict[str, SchemaClass]] = {
    "Thing": _cls(
        None, "name", "url", "sameAs", "description", "image", "identifier", "mainEntityOfPage"
    ),
    "CreativeWork": _cls(
        "Thing",
        "headline",
        "alternativeHeadline",
        "datePublished",
        "dateModified",
        "author",
        "publisher",
        "inLanguage",
        "keywords",
        "about",
        "isAccessibleForFree",
        "correction",
        "copyrightHolder",
        "copyrightNotice",
        "copyrightYear",
        "locationCreated",
        "text",
        "mainEntity",
        "creditText",
        "encodingFormat",
        "wordCount",
    ),
    "Article": _cls("CreativeWork", "articleSection"),
    "NewsArticle": _cls("Article", "dateline"),
    "MediaObject": _cls("CreativeWork", "contentUrl", "width", "height"),
    "ImageObject": _cls("MediaObject", "caption"),
    "Comment": _cls("CreativeWork"),
    "CorrectionComment": _cls("Comment"),
    "Question": _cls("Comment", "acceptedAnswer"),
    "Answer": _cls("Comment"),
    "WebPage": _cls("CreativeWork"),
    "FAQPage": _cls("WebPage"),
    "Intangible": _cls("Thing"),
    "ItemList": _cls("Intangible", "itemListElement", "numberOfItems"),
    "BreadcrumbList": _cls("ItemList"),
    "ListItem": _cls("Intangible", "item", "position"),
    "DefinedTerm": _cls("Intangible", "termCode", "inDefinedTermSet"),
    "Organization": _cls("Thing", "logo"),
    "NewsMediaOrganization": _cls("Organization"),
    "Person": _cls("Thing"),
    "Place": _cls("Thing"),
}

RANGES: Final[dict[str, tuple[str, ...]]] = {
    "name": ("text",),
    "url": ("url",),
    "sameAs": ("url",),
    "description": ("text",),
    "image": ("url", "ImageObject"),
    "identifier": ("text",),
    "mainEntityOfPage": ("url", "CreativeWork"),
    "headline": ("text",),
    "alternativeHeadline": ("text",),
    "datePublished": ("date",),
    "dateModified": ("date",),
    "author": ("Person", "Organization"),
    "publisher": ("Organization", "Person"),
    "inLanguage": ("text",),
    "keywords": ("text",),
    "about": ("Thing",),
    "isAccessibleForFree": ("bool",),
    "correction": ("CorrectionComment", "text", "url"),
    "copyrightHolder": ("Organization", "Person"),
    "copyrightNotice": ("text",),
    "copyrightYear": ("int",),
    "locationCreated": ("Place",),
    "text": ("text",),
    "mainEntity": ("Thing",),
    "creditText": ("text",),
    "encodingFormat": ("text",),
    "wordCount": ("int",),
    "articleSection": ("text",),
    "dateline": ("text",),
    "contentUrl": ("url",),
    "width": ("int",),
    "height": ("int",),
    "caption": ("text",),
    "acceptedAnswer": ("Answer",),
    "itemListElement": ("ListItem",),
    "numberOfItems": ("int",),
    "item": ("url", "Thing"),
    "position": ("int",),
    "termCode": ("text",),
    "inDefinedTermSet": ("url",),
    "logo": ("url", "ImageObject"),
}

LITERALS: Final = frozenset({"text", "url", "date", "bool", "int"})
KEYWORDS: Final = frozenset({"@context", "@graph", "@id", "@type"})

_DATE = re.compile(
    r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
    r"(T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d))?"
)
_URL = re.compile(r"https?://[^\s]+")


def ancestors(name: str) -> tuple[str, ...]:
    """The class and its superclasses up to Thing (empty for an unknown class)."""
    chain: list[str] = []
    current: str | None = name
    while current is not None and current in CLASSES:
        chain.append(current)
        current = CLASSES[current].parent
    return tuple(chain)


def _allowed() -> dict[str, frozenset[str]]:
    return {
        name: frozenset().union(*(CLASSES[c].properties for c in ancestors(name)))
        for name in CLASSES
    }


ALLOWED: Final[dict[str, frozenset[str]]] = _allowed()
"""Every property allowed on each class, inherited ones included."""
_ANCESTORS: Final[dict[str, frozenset[str]]] = {n: frozenset(ancestors(n)) for n in CLASSES}


def _literal_ok(kind: str, value: Any) -> bool:
    if kind == "text":
        return isinstance(value, str) and value != "" and not value.isspace()
    if kind == "url":
        return isinstance(value, str) and _URL.fullmatch(value) is not None
    if kind == "date":
        return isinstance(value, str) and _DATE.fullmatch(value) is not None
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return False


def _types_of(node: dict[str, Any]) -> list[str]:
    raw = node.get("@type")
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list) and all(isinstance(t, str) for t in raw):
        return list(raw)
    return []


def _node_ok(expected: tuple[str, ...], node: dict[str, Any]) -> bool:
    """A node fits when one of its types is (a subclass of) an expected class;
    a bare reference fits any class."""
    if "@type" not in node:
        return set(node) == {"@id"}
    if any(t not in CLASSES for t in _types_of(node)):
        return True  # reported once, as an unknown type, when the node is walked
    return any(cls in _ANCESTORS.get(t, frozenset()) for t in _types_of(node) for cls in expected)


def _value_problem(prop: str, value: Any, where: str) -> str | None:
    expected = RANGES[prop]
    if isinstance(value, dict):
        classes = tuple(k for k in expected if k not in LITERALS)
        if classes and _node_ok(classes, value):
            return None
    elif any(_literal_ok(kind, value) for kind in expected if kind in LITERALS):
        return None
    return f"{where}: {prop} expects {' or '.join(expected)}, got {_describe(value)}"


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return f"a node of type {value.get('@type', '(none)')!r}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def vocabulary_problems(doc: dict[str, Any]) -> list[str]:
    """Unknown types, properties not allowed on their node's type, and values
    of the wrong shape, each with its JSON path; an empty list when none."""
    problems: list[str] = []
    stack: list[tuple[Any, str]] = []
    if "@graph" in doc:
        graph = doc["@graph"]
        if not isinstance(graph, list):
            return ["@graph: not a list"]
        stack.extend((node, f"@graph/{i}") for i, node in reversed(list(enumerate(graph))))
    else:
        stack.append((doc, "(root)"))
    while stack:
        node, where = stack.pop()
        if not isinstance(node, dict):
            problems.append(f"{where}: expected a node, got {_describe(node)}")
            continue
        if "@id" in node and not _literal_ok("url", node["@id"]):
            problems.append(f"{where}/@id: expects an http(s) URL, got {_describe(node['@id'])}")
        types = _types_of(node)
        if not types:
            if set(node) - {"@id"} or "@type" in node:
                problems.append(f"{where}: a node needs a @type (or only an @id)")
            continue
        allowed: frozenset[str] = frozenset()
        for name in types:
            if name not in CLASSES:
                problems.append(f"{where}: unknown type {name!r}")
            else:
                allowed |= ALLOWED[name]
        for key, raw in node.items():
            if key in KEYWORDS:
                continue
            if key not in RANGES:
                problems.append(f"{where}: unknown property {key!r}")
                continue
            if key not in allowed:
                problems.append(f"{where}: {key!r} is not a property of {'/'.join(types)}")
                continue
            values = raw if isinstance(raw, list) else [raw]
            if not values:
                problems.append(f"{where}/{key}: an empty list")
            pending: list[tuple[Any, str]] = []
            for i, value in enumerate(values):
                at = f"{where}/{key}/{i}" if isinstance(raw, list) else f"{where}/{key}"
                problem = _value_problem(key, value, at)
                if problem is not None:
                    problems.append(problem)
                elif isinstance(value, dict):
                    pending.append((value, at))
            stack.extend(reversed(pending))
    return problems


def known_properties() -> frozenset[str]:
    """Every property the table names, on any class."""
    return frozenset().union(*(c.properties for c in CLASSES.values()))
