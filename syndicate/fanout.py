"""Who must hear of a change: delivery rows in the outbox.

- A public change (published, updated, corrected, retracted) reaches the
  active webhook subscriptions of every feed with `push = "immediate"` it
  touched (their own filters permitting), and every WebSub subscriber of
  those feeds (whatever the push schedule: the topic changed).
- A retraction also reaches every subscription that received any earlier
  version, even if filters or feeds changed since.
- An embargoed version reaches, early, the webhook subscriptions that opted
  in (`embargoed`); when the embargo lifts, the publish is the same version
  and event, so they do not get it twice.
- A feed with a cron push sends, when its schedule fires, what changed since
  its previous run (once per scheduled time across all workers).
- `syndicate push` sends a feed's current items now; `--force` gives the
  rows a new push id (new rows, new webhook-ids).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .config import Config
from .feeddefs import FeedDef
from .model import Article
from .publish import Change
from .store import Store
from .store.journal import AlreadyRun
from .store.outbox import NewDelivery
from .store.subscriptions import Subscription
from .urls import Urls

EVENTS = {
    "published": "article.published",
    "updated": "article.updated",
    "corrected": "article.corrected",
    "retracted": "article.retracted",
}
FEED_CHANGED = "feed.updated"
FIRST_RUN_WINDOW = timedelta(hours=24)


def _live(sub: Subscription, now: datetime) -> bool:
    return sub.state == "active" and (sub.lease_until is None or sub.lease_until > now)


def on_change(
    store: Store, change: Change, feeds: Sequence[FeedDef], now: datetime, config: Config
) -> list[str]:
    """Journal the change and enqueue its deliveries; the new delivery ids."""
    store.add_change(change.article_id, change.version, change.event, now)
    event = EVENTS.get(change.event)
    if event is None:  # withdrawn: feeds already dropped it, nobody is told
        return []
    article = store.documents([(change.article_id, change.version)])[
        (change.article_id, change.version)
    ]
    rows: list[NewDelivery] = []
    touched = set(change.feeds)
    for feed in feeds:
        if feed.id not in touched:
            continue
        for sub in store.subscriptions(feed_id=feed.id, states=["active"]):
            if not _live(sub, now):
                continue
            if sub.kind == "websub":
                rows.append(NewDelivery(sub.id, article.id, article.version, FEED_CHANGED, now))
            elif feed.push == "immediate" and (event == EVENTS["retracted"] or sub.wants(article)):
                rows.append(NewDelivery(sub.id, article.id, article.version, event, now))
    if change.event == "retracted":
        for sub_id in store.recipients(change.article_id):
            sub = store.subscription(sub_id)
            if sub.kind == "webhook" and _live(sub, now):
                rows.append(NewDelivery(sub.id, article.id, article.version, event, now))
    ids = store.enqueue(rows, now)
    if config.indexnow.enabled:
        store.queue_urls([Urls(config.site.base_url).article(article.slug)], now)
    return ids


def on_embargoed(
    store: Store, article: Article, feeds: Sequence[FeedDef], now: datetime
) -> list[str]:
    """An embargoed version was stored: tell the partners who opted in, early."""
    if article.embargo is None or article.embargo <= now:
        return []
    rows = [
        NewDelivery(sub.id, article.id, article.version, EVENTS["published"], now)
        for feed in feeds
        if feed.carries(article)
        for sub in store.subscriptions(feed_id=feed.id, kind="webhook", states=["active"])
        if sub.embargoed and sub.wants(article)
    ]
    return store.enqueue(rows, now)


@dataclass(frozen=True, slots=True)
class Planned:
    """One delivery `push` would enqueue (for --dry-run)."""

    subscription: Subscription
    article: Article
    event: str


def plan_push(
    store: Store,
    feed: FeedDef,
    *,
    article_id: str | None = None,
    subscriber_id: str | None = None,
) -> list[Planned]:
    """What `syndicate push` sends: the feed's current items (or one), to its
    active webhook subscriptions (or one)."""
    subs = [
        s
        for s in store.subscriptions(feed_id=feed.id, kind="webhook", states=["active"])
        if subscriber_id is None or s.id == subscriber_id
    ]
    rows = store.feed_rows(feed.id, active_only=True, limit=feed.items)
    if article_id is not None:
        rows = [r for r in rows if r.article_id == article_id]
    docs = store.documents((r.article_id, r.version) for r in rows if r.version is not None)
    planned = []
    for row in rows:
        if row.version is None:
            continue
        article = docs[(row.article_id, row.version)]
        event = (
            EVENTS["published"] if row.version == row.first_public_version else EVENTS["updated"]
        )
        planned += [Planned(sub, article, event) for sub in subs if sub.wants(article)]
    return planned


def push(
    store: Store, planned: Sequence[Planned], now: datetime, *, force: bool = False
) -> list[str]:
    push_id = f"force:{uuid.uuid4().hex[:12]}" if force else ""
    rows = [
        NewDelivery(p.subscription.id, p.article.id, p.article.version, p.event, now, push_id)
        for p in planned
    ]
    return store.enqueue(rows, now)


def run_cron(
    store: Store, feed: FeedDef, scheduled_at: datetime, now: datetime
) -> list[str] | None:
    """The scheduled push of a cron feed; None when another worker ran it."""
    try:
        previous = store.claim_run(feed.id, scheduled_at, now)
    except AlreadyRun:
        return None
    since = previous if previous is not None else scheduled_at - FIRST_RUN_WINDOW
    latest: dict[str, tuple[int, str]] = {}
    for change in store.changes_between(since, scheduled_at):
        latest[change.article_id] = (change.version, change.event)
    members = store.feed_membership(feed.id)
    subs = store.subscriptions(feed_id=feed.id, kind="webhook", states=["active"])
    docs = store.documents(
        (article_id, version)
        for article_id, (version, _) in latest.items()
        if article_id in members
    )
    rows = []
    for (article_id, version), article in docs.items():
        event = EVENTS.get(latest[article_id][1])
        if event is None:
            continue
        rows += [
            NewDelivery(sub.id, article_id, version, event, scheduled_at)
            for sub in subs
            if event == EVENTS["retracted"] or sub.wants(article)
        ]
    ids = store.enqueue(rows, now)
    store.finish_run(feed.id, scheduled_at, len(ids))
    return ids
