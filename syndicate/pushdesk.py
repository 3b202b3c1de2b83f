"""The push side as operators run it: webhook subscriptions registered,
changed, paused, resumed and ended, secrets rotated, deliveries replayed,
feeds pushed now.

The CLI and the admin API both call these, so a subscription is checked the
same way (feed, SSRF guard, secret, filters) whichever edge it came through,
and every write leaves an audit row naming who made it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import fanout
from .config import Config
from .delivery.payload import webhook_body
from .delivery.signing import check_secret, new_secret
from .errors import ConflictError, InputError
from .fanout import Planned
from .feeddefs import FeedDef, Filters, find_feed
from .lifecycle import Actor
from .store import Store
from .store.subscriptions import State, Subscription

if TYPE_CHECKING:
    from .delivery.http import Transport

UNSET: Any = object()
"""For `PushDesk.change`: this field stays as it is."""


def filters_of(
    sections: Iterable[str] = (),
    keywords: Iterable[str] = (),
    subjects: Iterable[str] = (),
    languages: Iterable[str] = (),
) -> Filters | None:
    """A subscription's own filters (None when all are empty): sections,
    keywords and languages compare case-insensitively, subjects are qcodes."""
    made = Filters(
        sections=frozenset(s.casefold() for s in sections),
        keywords=frozenset(k.casefold() for k in keywords),
        subjects=frozenset(subjects),
        languages=frozenset(lang.casefold() for lang in languages),
    )
    return made if made.sections or made.keywords or made.subjects or made.languages else None


def secret_or_new(given: str | None, label: str = "secret") -> str:
    """`given`, if it is a valid whsec_ secret (else InputError naming
    `label`, the option or field it came from), or a new one."""
    try:
        return new_secret() if given is None else check_secret(given)
    except ValueError as exc:
        raise InputError(f"{label}: {exc}") from None


@dataclass(frozen=True, slots=True)
class Rotated:
    secret: str
    previous_until: datetime
    """The previous secret keeps signing until then."""


@dataclass(frozen=True, slots=True)
class PushDesk:
    """The store, the settings and the feeds the push side's operations need."""

    store: Store
    config: Config
    feeds: Sequence[FeedDef]

    def _audit(
        self,
        now: datetime,
        actor: Actor,
        action: str,
        article_id: str | None = None,
        **detail: Any,
    ) -> None:
        self.store.add_audit(
            at=now,
            actor=actor.name,
            host=actor.host,
            action=action,
            article_id=article_id,
            detail=detail,
        )

    # -- subscriptions ---------------------------------------------------------------

    def subscribe(
        self,
        transport: Transport,
        *,
        feed_id: str,
        url: str,
        fmt: str,
        secret: str,
        now: datetime,
        actor: Actor,
        name: str | None = None,
        embargoed: bool = False,
        filters: Filters | None = None,
    ) -> Subscription:
        """Register a webhook endpoint for a feed; the URL must pass the SSRF
        guard of `transport` (UnsafeURL otherwise)."""
        find_feed(list(self.feeds), feed_id)
        transport.check(url)
        with self.store.transaction():
            sub = self.store.add_subscription(
                kind="webhook",
                feed_id=feed_id,
                url=url,
                format=fmt,
                now=now,
                name=name,
                secret=secret,
                embargoed=embargoed,
                filters=filters,
            )
            self._audit(now, actor, "subscriber-add", subscriber=sub.id, feed=feed_id)
        return sub

    def live(self, sub_id: str) -> Subscription:
        """The subscription (NotFoundError), unless it has ended (ConflictError)."""
        sub = self.store.subscription(sub_id)
        if sub.state == "ended":
            raise ConflictError(f"subscription {sub_id} has ended")
        return sub

    def change(
        self,
        sub_id: str,
        now: datetime,
        actor: Actor,
        *,
        state: State | None = None,
        name: str | None = UNSET,
        embargoed: bool | None = None,
        filters: Filters | None = UNSET,
    ) -> Subscription:
        """Pause (`paused`) or resume (`active`, a disabled one too) a live
        subscription, rename it, change its filters or whether it receives
        embargoed items early. Nothing given, or nothing different: no write."""
        sub = self.live(sub_id)
        values: dict[str, Any] = {}
        if name is not UNSET and name != sub.name:
            values["name"] = name
        if embargoed is not None and embargoed != sub.embargoed:
            values["embargoed"] = embargoed
        if filters is not UNSET and filters != sub.filters:
            values["filters"] = filters
        if state is not None and state not in ("paused", "active"):
            raise InputError(f"a subscription is paused or resumed (active), not {state!r}")
        new_state = state if state is not None and state != sub.state else None
        if not values and new_state is None:
            return sub
        with self.store.transaction():
            if values:
                sub = self.store.update_subscription(sub_id, now, **values)
            if new_state is not None:
                reason = "paused by an operator" if new_state == "paused" else None
                sub = self.store.set_subscription_state(sub_id, new_state, now, reason)
            changed = sorted(values) + (["state"] if new_state else [])
            extra = {"state": new_state} if new_state else {}
            self._audit(
                now, actor, "subscriber-update", subscriber=sub_id, changed=changed, **extra
            )
        return sub

    def end(self, sub_id: str, now: datetime, actor: Actor) -> Subscription:
        """End a subscription: its history stays, its pending deliveries die,
        nothing more is sent. Ending an ended one changes nothing."""
        sub = self.store.subscription(sub_id)
        if sub.state == "ended":
            return sub
        with self.store.transaction():
            sub = self.store.set_subscription_state(sub_id, "ended", now, "removed by an operator")
            self.store.dead_subscription_deliveries(sub_id, now, "subscription removed")
            self._audit(now, actor, "subscriber-remove", subscriber=sub_id)
        return sub

    def rotate_secret(self, sub_id: str, secret: str, now: datetime, actor: Actor) -> Rotated:
        """A new secret; the old one still signs for `delivery.rotation_grace_hours`,
        so partners can switch without losing a delivery."""
        old = self.live(sub_id)
        until = now + timedelta(hours=self.config.delivery.rotation_grace_hours)
        with self.store.transaction():
            self.store.update_subscription(
                sub_id, now, secret=secret, previous_secret=old.secret, previous_secret_until=until
            )
            self._audit(now, actor, "subscriber-rotate-secret", subscriber=sub_id)
        return Rotated(secret, until)

    # -- deliveries ------------------------------------------------------------------

    def replay(self, delivery_id: str, now: datetime, actor: Actor) -> int:
        """Replay a delivery from its first attempt, with the same webhook-id:
        NotFoundError for an unknown id, ConflictError while it is pending."""
        self.store.delivery(delivery_id)
        with self.store.transaction():
            count = self.store.retry([delivery_id], now)
            if count == 0:
                raise ConflictError(f"delivery {delivery_id} is still pending")
            self._audit(now, actor, "delivery-retry", delivery=delivery_id)
        return count

    def replay_dead(self, now: datetime, actor: Actor) -> int:
        """Replay every dead delivery; how many were queued again."""
        with self.store.transaction():
            count = self.store.retry(None, now)
            self._audit(now, actor, "deliveries-retry-dead", queued=count)
        return count

    # -- pushing now -----------------------------------------------------------------

    def plan(
        self, feed_id: str, *, article_id: str | None = None, subscriber_id: str | None = None
    ) -> list[Planned]:
        """What a push of the feed (or of one article, to one subscription)
        sends. An unknown article or subscription is NotFoundError; one the
        feed does not carry, or a subscription not active, says so."""
        feed = find_feed(list(self.feeds), feed_id)
        if subscriber_id is not None:
            sub = self.store.subscription(subscriber_id)
            if sub.kind != "webhook" or sub.feed_id != feed.id:
                raise InputError(
                    f"subscription {subscriber_id} is not a webhook subscription "
                    f"of feed {feed.id!r}"
                )
            if sub.state != "active":
                raise ConflictError(f"subscription {subscriber_id} is {sub.state}, not active")
        planned = fanout.plan_push(
            self.store, feed, article_id=article_id, subscriber_id=subscriber_id
        )
        if article_id is not None and not planned:
            self.store.get(article_id)  # NotFoundError when there is no such article
            rows = self.store.feed_rows(feed.id, active_only=True, limit=feed.items)
            if all(r.article_id != article_id for r in rows):
                raise InputError(f"article {article_id} is not among feed {feed.id!r}'s items")
        return planned

    def sizes(self, planned: Sequence[Planned], now: datetime) -> list[int]:
        """The body size of each planned delivery, as it would be sent now."""
        return [
            len(webhook_body(p.event, now, p.subscription, p.article, self.config, now))
            for p in planned
        ]

    def push(
        self,
        feed_id: str,
        planned: Sequence[Planned],
        now: datetime,
        actor: Actor,
        *,
        article_id: str | None = None,
        force: bool = False,
    ) -> list[str]:
        """Queue the planned deliveries (those not queued already, unless
        `force`); the ids of the new ones."""
        with self.store.transaction():
            ids = fanout.push(self.store, planned, now, force=force)
            self._audit(now, actor, "push", article_id, feed=feed_id, queued=len(ids), force=force)
        return ids
