"""From a document to a stored version: read, check, store.

Shared by the CLI and the admin API so both apply the same validation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .config import Config
from .errors import RenderError
from .feeddefs import FeedDef
from .ingest import read
from .ingest.base import ReadRequest, ReadResult
from .publish import Change, refresh
from .render import Output, render_all
from .store import Saved, Store


@dataclass(frozen=True, slots=True)
class Checked:
    """A document that was read and whose every output passed the gate."""

    request: ReadRequest
    result: ReadResult
    outputs: dict[str, Output]


def check(request: ReadRequest, config: Config, now: datetime, fmt: str | None = None) -> Checked:
    """Read the document and render every format through the gate; raises
    ReadError or RenderError (naming the file) when it is refused."""
    result = read(request, config, now, fmt)
    try:
        outputs = render_all(result.article, config)
    except RenderError as exc:
        exc.file = request.name
        raise
    return Checked(request, result, outputs)


def store(
    db: Store, checked: Checked, now: datetime, feeds: Sequence[FeedDef]
) -> tuple[Saved, Change | None]:
    """Save the version and bring the story's public state and feeds up to
    date, in one transaction."""
    result = checked.result
    with db.transaction():
        saved = db.save(
            result.article,
            source_key=checked.request.source_key,
            id_explicit=result.id_explicit,
            date_inferred=result.date_inferred,
            now=now,
        )
        change = None
        if saved.status != "unchanged":
            change = refresh(db, saved.article.id, feeds, now)
    return saved, change
