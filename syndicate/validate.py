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

import jsonschema
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
def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = json_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator: jsonschema.protocols.Validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return validator


def parse_xml(data: bytes) -> etree._ElementTree:
    """Parse XML the safe way; a DOCTYPE is refused outright."""
    try:
        tree = etree.ElementTree(etree.fromstring(data, SAFE_XML))
    except etree.XMLSyntaxError as exc:
        raise RenderError(f"not well-formed: {exc}", fmt="newsml") from None
    if tree.docinfo.doctype:
        raise RenderError("a DOCTYPE is not allowed", fmt="newsml")
    return tree


def check_newsml(data: bytes) -> etree._ElementTree:
    tree = parse_xml(data)
    schema = newsml_schema()
    if not schema.validate(tree):
        problems = [f"line {e.line}: {e.message}" for e in list(schema.error_log)[:MAX_REPORTED]]
        raise RenderError("; ".join(problems), fmt="newsml")
    return tree


def check_json(doc: dict[str, Any], schema_name: str, fmt: str) -> None:
    errors = sorted(_validator(schema_name).iter_errors(doc), key=lambda e: list(map(str, e.path)))
    if errors:
        problems = [
            f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in errors[:MAX_REPORTED]
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
