"""From a document to a stored version: read, check, store.

Shared by the CLI and the admin API so both apply the same validation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .config import Config
from .ingest import read
from .ingest.base import ReadRequest, ReadResult
from .store import Saved, Store


@dataclass(frozen=True, slots=True)
class Checked:
    """A document that passed every check and may be stored."""

    request: ReadRequest
    result: ReadResult


def check(request: ReadRequest, config: Config, now: datetime, fmt: str | None = None) -> Checked:
    """Read the document; raises ReadError when it is refused."""
    result = read(request, config, now, fmt)
    return Checked(request, result)


def store(db: Store, checked: Checked, now: datetime) -> Saved:
    result = checked.result
    return db.save(
        result.article,
        source_key=checked.request.source_key,
        id_explicit=result.id_explicit,
        date_inferred=result.date_inferred,
        now=now,
    )
