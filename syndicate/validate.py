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
