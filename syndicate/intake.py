"""From a document to a stored version: read, check, store.

Shared by the CLI and the admin API so both apply the same validation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from .config import Config
from .errors import InputError, Problem, ReadError, RenderError
from .ingest import read
from .ingest.base import ReadRequest, ReadResult
from .lifecycle import Actor, Committed, Newsroom
from .model import PubStatus
from .render import Output, render_all


@dataclass(frozen=True, slots=True)
class Checked:
    """A document that was read and whose every output passed the gate."""

    request: ReadRequest
    result: ReadResult
    outputs: dict[str, Output]


def problems(refusal: InputError) -> tuple[Problem, ...]:
    """Every located problem of a refused document: a reader lists all it
    found; any other refusal (the gate, a size limit) is one problem."""
    if isinstance(refusal, ReadError):
        return refusal.problems
    return (Problem(refusal.line, refusal.message),)


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
    newsroom: Newsroom,
    checked: Checked,
    now: datetime,
    actor: Actor,
    *,
    hold: bool = False,
) -> Committed:
    """Store a checked document as a new version (held, with `hold`), with
    its public state, feeds, deliveries and audit row, in one transaction."""
    result = checked.result
    article = result.article
    if hold:
        article = replace(article, pubstatus=PubStatus.WITHHELD)
    return newsroom.commit(
        article,
        now,
        actor,
        "ingest",
        source_key=checked.request.source_key,
        id_explicit=result.id_explicit,
        date_inferred=result.date_inferred,
        detail={"file": checked.request.name, "hold": hold}
        if hold
        else {"file": checked.request.name},
    )
