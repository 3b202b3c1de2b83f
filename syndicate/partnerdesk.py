"""Partners who may read partner-only feeds, as operators manage them: a
partner added with a new token (shown once, stored as its hash) or revoked.

The CLI and the admin API both call these, so each change is made and
audited alike, whichever edge it came through.
"""

from __future__ import annotations

from datetime import datetime

from .lifecycle import Actor
from .store import Store
from .store.partners import Partner
from .tokens import new_token, token_hash


def add_partner(store: Store, name: str, now: datetime, actor: Actor) -> tuple[Partner, str]:
    """The new partner and its token; ConflictError when the name is taken."""
    token = new_token()
    with store.transaction():
        partner = store.add_partner(name, token_hash(token), now)
        _audit(store, now, actor, "partner-add", name)
    return partner, token


def revoke_partner(store: Store, name: str, now: datetime, actor: Actor) -> None:
    """Its token answers 401 from then on; NotFoundError for no live partner."""
    with store.transaction():
        store.revoke_partner(name, now)
        _audit(store, now, actor, "partner-revoke", name)


def _audit(store: Store, now: datetime, actor: Actor, action: str, name: str) -> None:
    store.add_audit(
        at=now, actor=actor.name, host=actor.host, action=action, detail={"partner": name}
    )
