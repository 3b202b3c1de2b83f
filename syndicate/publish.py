"""What changed, and where it goes: the public state of a story and the
feeds that carry it. Decisions are pure functions; the store keeps the rows.

A story is public with its newest version that is usable and whose embargo
(if any) has passed, unless its newest version is canceled (retracted): a
held draft or an embargoed update therefore leaves the previous public
version in place until it is published or its time comes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from .feeddefs import FeedDef
from .model import Article, PubStatus
from .store import Store
from .store.publication import PublicState, VersionState

Event = Literal["published", "updated", "corrected", "retracted", "withdrawn"]


@dataclass(frozen=True, slots=True)
class Change:
    """A story's public state moved. `version` is the version the event is
    about: the new public one, or the canceled one of a retraction."""

    article_id: str
    event: Event
    version: int
    previous: int | None
    feeds: tuple[str, ...] = field(default=())


def public_version(states: Sequence[VersionState], now: datetime) -> int | None:
    """The version the public sees at `now` (None: nothing public)."""
    if not states or states[-1].pubstatus is PubStatus.CANCELED:
        return None
    visible = [
        s.version
        for s in states
        if s.pubstatus is PubStatus.USABLE and (s.embargo_until is None or s.embargo_until <= now)
    ]
    return visible[-1] if visible else None


def refresh(
    store: Store, article_id: str, feeds: Sequence[FeedDef], now: datetime
) -> Change | None:
    """Bring a story's public state and feed items up to date; the Change, if any."""
    states = store.version_states(article_id)
    old = store.public_state(article_id)
    retracted = bool(states) and states[-1].pubstatus is PubStatus.CANCELED
    target = public_version(states, now)
    if retracted:
        if old.retracted_at is not None:
            return None
        new = PublicState(None, old.first_public_version, old.first_public_at, old.public_at, now)
        store.set_public_state(article_id, new)
        feed_ids = _sync_article(store, article_id, None, feeds, now, old.public_version)
        return Change(article_id, "retracted", states[-1].version, old.public_version, feed_ids)
    if target == old.public_version and old.retracted_at is None:
        return None
    event: Event
    if target is None:
        if old.public_version is None:
            return None
        event, version = "withdrawn", old.public_version
        new = PublicState(None, old.first_public_version, old.first_public_at, old.public_at)
    else:
        version = target
        if old.public_version is None:
            event = "published"
        else:
            event = (
                "corrected"
                if _corrected(store, article_id, old.public_version, target)
                else "updated"
            )
        new = PublicState(
            target,
            old.first_public_version or target,
            old.first_public_at or now,
            now,
        )
    store.set_public_state(article_id, new)
    article = store.documents([(article_id, target)])[(article_id, target)] if target else None
    feed_ids = _sync_article(store, article_id, article, feeds, now, old.public_version)
    return Change(article_id, event, version, old.public_version, feed_ids)


def _corrected(store: Store, article_id: str, old_version: int, new_version: int) -> bool:
    docs = store.documents([(article_id, old_version), (article_id, new_version)])
    return len(docs[(article_id, new_version)].corrections) > len(
        docs[(article_id, old_version)].corrections
    )


def _sync_article(
    store: Store,
    article_id: str,
    article: Article | None,
    feeds: Sequence[FeedDef],
    now: datetime,
    previous: int | None,
) -> tuple[str, ...]:
    """Join, leave or refresh every feed for one story; the feeds touched."""
    items = store.item_states(article_id)
    touched: list[str] = []
    for feed in feeds:
        carries = article is not None and feed.carries(article)
        state = items.get(feed.id)
        if carries and state is None:
            store.add_feed_items(feed.id, [article_id], now)
        elif carries and state is not None and state[1] is not None:
            store.set_feed_items_removed(feed.id, [article_id], None, now)
        elif carries and article is not None and article.version != previous:
            store.touch_feeds([feed.id], now)
        elif not carries and state is not None and state[1] is None:
            store.set_feed_items_removed(feed.id, [article_id], now, now)
        else:
            continue
        touched.append(feed.id)
    return tuple(touched)


def sync_feed(store: Store, feed: FeedDef, now: datetime) -> bool:
    """Make a feed's items match its definition over every public story (after
    a definition changed): new matches join at the end, in the order they
    first became public; items that no longer match leave but keep their
    place. True when anything changed."""
    members = store.feed_membership(feed.id)
    ids = store.public_ids()
    public = {row.article_id: row.version for row in store.public_articles()}
    docs = store.documents((i, public[i]) for i in ids if i in public)
    matching = [i for i in ids if i in public and feed.carries(docs[(i, public[i])])]
    wanted = set(matching)
    new = [i for i in matching if i not in members]
    back = [i for i in matching if i in members and members[i][1] is not None]
    gone = [i for i, (_, removed) in members.items() if removed is None and i not in wanted]
    store.add_feed_items(feed.id, new, now)
    store.set_feed_items_removed(feed.id, back, None, now)
    store.set_feed_items_removed(feed.id, gone, now, now)
    return bool(new or back or gone)


def sync_all(store: Store, feeds: Sequence[FeedDef], now: datetime) -> list[str]:
    """sync_feed for every feed, in one transaction; the feeds that changed."""
    with store.transaction():
        return [feed.id for feed in feeds if sync_feed(store, feed, now)]


def release_embargoes(store: Store, feeds: Sequence[FeedDef], now: datetime) -> list[Change]:
    """Make public what was waiting for its embargo time."""
    changes = []
    for article_id in store.due_embargoes(now):
        with store.transaction():
            change = refresh(store, article_id, feeds, now)
        if change is not None:
            changes.append(change)
    return changes
