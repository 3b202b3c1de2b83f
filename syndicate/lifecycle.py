"""The editorial lifecycle: every action is a new version, stored with its
public state, feed items, deliveries and an audit row in one transaction.

    ingest [--hold]   a new version from a document (held: withheld)
    publish           the held version becomes usable (an embargo is lifted)
    correct           a corrected version carrying a visible note
    embargo           usable, but public only from a given time
    retract           canceled: gone from feeds and pages, partners told
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from . import fanout, publish
from .config import Config
from .errors import ConflictError, InputError
from .feeddefs import FeedDef
from .model import Article, Correction, PubStatus
from .publish import Change
from .store import Saved, Store


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it, from where: an operator at a terminal, an API token, the worker."""

    name: str
    host: str

    @classmethod
    def here(cls) -> Actor:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "unknown"
        return cls(user, socket.gethostname())


@dataclass(frozen=True, slots=True)
class Committed:
    saved: Saved
    change: Change | None
    deliveries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Newsroom:
    """The store, the settings and the feeds an action needs."""

    store: Store
    config: Config
    feeds: Sequence[FeedDef]

    def commit(
        self,
        article: Article,
        now: datetime,
        actor: Actor,
        action: str,
        *,
        source_key: str | None = None,
        id_explicit: bool = True,
        date_inferred: bool = False,
        detail: dict[str, Any] | None = None,
    ) -> Committed:
        store = self.store
        with store.transaction():
            saved = store.save(
                article,
                source_key=source_key,
                id_explicit=id_explicit,
                date_inferred=date_inferred,
                now=now,
            )
            if saved.status == "unchanged":
                return Committed(saved, None, ())
            change = publish.refresh(store, saved.article.id, self.feeds, now)
            if change is not None:
                ids = fanout.on_change(store, change, self.feeds, now, self.config)
            else:
                ids = fanout.on_embargoed(store, saved.article, self.feeds, now)
            store.add_audit(
                at=now,
                actor=actor.name,
                host=actor.host,
                action=action,
                article_id=saved.article.id,
                version=saved.article.version,
                detail=detail,
            )
        return Committed(saved, change, tuple(ids))

    def latest(self, article_id: str) -> Article:
        return self.store.get(article_id)

    def publish(self, article_id: str, now: datetime, actor: Actor) -> Committed:
        latest = self.latest(article_id)
        if latest.pubstatus is PubStatus.CANCELED:
            raise ConflictError(f"article {article_id} is retracted; ingest a new version instead")
        if latest.pubstatus is PubStatus.USABLE and (
            latest.embargo is None or latest.embargo <= now
        ):
            raise ConflictError(f"article {article_id} is already published")
        return self.commit(
            replace(latest, pubstatus=PubStatus.USABLE, embargo=None), now, actor, "publish"
        )

    def correct(
        self,
        article_id: str,
        note: str,
        now: datetime,
        actor: Actor,
        content: Article | None = None,
    ) -> Committed:
        latest = self.latest(article_id)
        if latest.pubstatus is PubStatus.CANCELED:
            raise ConflictError(f"article {article_id} is retracted and cannot be corrected")
        if not note.strip():
            raise InputError("a correction needs a note")
        base = latest if content is None else replace(content, id=latest.id, slug=latest.slug)
        corrected = replace(
            base,
            pubstatus=PubStatus.USABLE,
            embargo=None,
            corrections=(*latest.corrections, Correction(note.strip(), now)),
        )
        return self.commit(corrected, now, actor, "correct", detail={"note": note.strip()})

    def embargo(self, article_id: str, until: datetime, now: datetime, actor: Actor) -> Committed:
        if until <= now:
            raise InputError(f"the embargo time {until.isoformat()} has already passed")
        latest = self.latest(article_id)
        if latest.pubstatus is PubStatus.CANCELED:
            raise ConflictError(f"article {article_id} is retracted")
        return self.commit(
            replace(latest, pubstatus=PubStatus.USABLE, embargo=until),
            now,
            actor,
            "embargo",
            detail={"until": until.isoformat()},
        )

    def retract(self, article_id: str, reason: str, now: datetime, actor: Actor) -> Committed:
        latest = self.latest(article_id)
        if latest.pubstatus is PubStatus.CANCELED:
            raise ConflictError(f"article {article_id} is already retracted")
        if not reason.strip():
            raise InputError("a retraction needs a reason")
        retracted = replace(
            latest,
            pubstatus=PubStatus.CANCELED,
            embargo=None,
            corrections=(*latest.corrections, Correction(f"Retracted: {reason.strip()}", now)),
        )
        return self.commit(retracted, now, actor, "retract", detail={"reason": reason.strip()})

    def release_embargoes(self, now: datetime) -> list[str]:
        """What the worker does when embargoes come due."""
        ids: list[str] = []
        for change in publish.release_embargoes(self.store, self.feeds, now):
            with self.store.transaction():
                ids += fanout.on_change(self.store, change, self.feeds, now, self.config)
                self.store.add_audit(
                    at=now,
                    actor="worker",
                    host=socket.gethostname(),
                    action="embargo-release",
                    article_id=change.article_id,
                    version=change.version,
                )
        return ids
