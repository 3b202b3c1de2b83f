"""What every reader takes and gives.

A reader is pure: a ReadRequest (bytes, file name, an optional sidecar's
bytes, the source key that identifies the story) and the config in; a
ReadResult or a ReadError out. `now` stands in for the ingest time of an
article that carries no date.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from ..model import Article, Block, Byline, Correction, Image, PubStatus, Subject, Timestamp
from .lints import Lint


@dataclass(frozen=True, slots=True)
class ReadRequest:
    name: str
    data: bytes
    sidecar: bytes | None = None
    sidecar_name: str | None = None
    source_key: str | None = None


@dataclass(frozen=True, slots=True)
class ReadResult:
    article: Article
    lints: tuple[Lint, ...] = ()
    date_inferred: bool = False
    """True when the article carried no date and `published` is the ingest time."""
    id_explicit: bool = False
    """True when the document named its id; else the id derives from the source key."""


@dataclass(frozen=True, slots=True)
class Meta:
    """Metadata given explicitly (front matter, a sidecar, a JSON document)."""

    id: str | None = None
    headline: str | None = None
    subheadline: str | None = None
    dateline: str | None = None
    bylines: tuple[Byline, ...] | None = None
    published: Timestamp | None = None
    updated: Timestamp | None = None
    section: str | None = None
    language: str | None = None
    keywords: tuple[str, ...] | None = None
    subjects: tuple[Subject, ...] | None = None
    summary: str | None = None
    images: tuple[Image, ...] | None = None
    embargo: datetime | None = None
    corrections: tuple[Correction, ...] | None = None
    pubstatus: PubStatus | None = None


@dataclass(slots=True)
class Extracted:
    """What a reader recovered from the document itself."""

    headline: str | None = None
    headline_line: int = 1
    bylines: list[Byline] = field(default_factory=list)
    published: Timestamp | None = None
    updated: Timestamp | None = None
    dateline: str | None = None
    body: list[Block] = field(default_factory=list)
    summary: str | None = None
    lints: list[Lint] = field(default_factory=list)


def story_id(base_url: str, source_key: str) -> str:
    """The stable id of a story known only by where it came from."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url}#source={source_key}"))
