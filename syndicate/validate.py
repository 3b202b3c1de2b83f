"""The gate: every output is checked against the project's own schemas in
schemas/ before it is stored, served or sent.

    NewsML-G2   schemas/newsml-g2-profile.xsd   (lxml; entities, DTDs and network off)
    ninjs       schemas/ninjs-profile.schema.json
    JSON-LD     schemas/jsonld-profile.schema.json, then the schema.org rules
                the project encodes (syndicate.vocabulary)

A failure raises RenderError naming the format and the first problems.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema_rs
from lxml import etree

from .errors import RenderError
from .resources import json_schema, schema_path

MAX_REPORTED = 5

SAFE_XML = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


@cache
def newsml_schema() -> etree.XMLSchema:
    path = schema_path("newsml-g2-profile.xsd")
    return etree.XMLSchema(etree.parse(str(path), SAFE_XML))


@cache
def _validator(name: str) -> jsonschema_rs.Validator:
    """Compiled once; jsonschema-rs keeps the gate cheap on the publishing path."""
    return jsonschema_rs.validator_for(json_schema(name), validate_formats=True)


def parse_xml(data: bytes) -> etree._ElementTree:
    """Parse XML the safe way; a DOCTYPE is refused outright."""
    try:
        tree = etree.ElementTree(etree.fromstring(data, SAFE_XML))
    except etree.XMLSyntaxError as exc:
        raise RenderError(f"not well-formed: {exc}", fmt="newsml") from None
    if getattr(tree.docinfo, "doctype", ""):
        raise RenderError("a DOCTYPE is not allowed", fmt="newsml")
    return tree


def check_newsml(data: bytes) -> etree._ElementTree:
    tree = parse_xml(data)
    schema = newsml_schema()
    if not schema.validate(tree):
        problems = str(schema.error_log).splitlines()[:MAX_REPORTED]
        raise RenderError("; ".join(problems), fmt="newsml")
    return tree


def check_json(doc: dict[str, Any], schema_name: str, fmt: str) -> None:
    validator = _validator(schema_name)
    if validator.is_valid(doc):
        return
    problems = [
        f"{'/'.join(map(str, e.instance_path)) or '(root)'}: {e.message}"
        for _, e in zip(range(MAX_REPORTED), validator.iter_errors(doc), strict=False)
    ]
    raise RenderError("; ".join(problems), fmt=fmt)


def check_ninjs(doc: dict[str, Any]) -> None:
    check_json(doc, "ninjs-profile.schema.json", "ninjs")


def check_jsonld(doc: dict[str, Any]) -> None:
    from .vocabulary import vocabulary_problems

    check_json(doc, "jsonld-profile.schema.json", "jsonld")
    problems = vocabulary_problems(doc)
    if problems:
        raise RenderError("; ".join(problems[:MAX_REPORTED]), fmt="jsonld")


def check_article_json(doc: dict[str, Any]) -> None:
    check_json(doc, "article.schema.json", "json")


@cache
def xml_schema(name: str) -> etree.XMLSchema:
    """An XSD from schemas/, compiled once; imports resolve beside it, offline."""
    return etree.XMLSchema(etree.parse(str(schema_path(name)), SAFE_XML))


def check_xml(data: bytes, schema_name: str, fmt: str) -> etree._ElementTree:
    """Parse safely and validate against an XSD in schemas/; RenderError names `fmt`."""
    try:
        tree = parse_xml(data)
    except RenderError as exc:
        reason = exc.message.removeprefix(f"{exc.fmt} output invalid: ")
        raise RenderError(reason, fmt=fmt) from None
    schema = xml_schema(schema_name)
    if not schema.validate(tree):
        problems = str(schema.error_log).splitlines()[:MAX_REPORTED]
        raise RenderError("; ".join(problems), fmt=fmt)
    return tree


def check_sitemap(data: bytes) -> etree._ElementTree:
    return check_xml(data, "sitemap.xsd", "sitemap")


def check_sitemap_index(data: bytes) -> etree._ElementTree:
    return check_xml(data, "sitemap-index.xsd", "sitemap-index")


def check_news_sitemap(data: bytes) -> etree._ElementTree:
    return check_xml(data, "news-sitemap.xsd", "news-sitemap")


def check_jsonfeed(doc: dict[str, Any]) -> None:
    check_json(doc, "jsonfeed.schema.json", "jsonfeed")


def check_feed_xml(data: bytes, fmt: str) -> etree._ElementTree:
    """RSS and Atom: well-formed, no DOCTYPE, the expected root element."""
    try:
        tree = parse_xml(data)
    except RenderError as exc:
        raise RenderError(
            exc.message.removeprefix(f"{exc.fmt} output invalid: "), fmt=fmt
        ) from None
    expected = "rss" if fmt == "rss" else "{http://www.w3.org/2005/Atom}feed"
    if tree.getroot().tag != expected:
        raise RenderError(f"root element is {tree.getroot().tag}, not {expected}", fmt=fmt)
    return tree
