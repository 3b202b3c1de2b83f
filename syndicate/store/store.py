"""The Store: every part of the database seam in one object."""

from __future__ import annotations

from .articles import ArticleStore
from .journal import JournalStore
from .outbox import OutboxStore
from .partners import PartnerStore
from .publication import PublicationStore
from .subscriptions import SubscriptionStore


class Store(
    ArticleStore, PublicationStore, PartnerStore, SubscriptionStore, OutboxStore, JournalStore
):
    """Versioned articles (and, as they arrive, the other tables), on SQLite or PostgreSQL.

    `Store(url)` or `Store.open(config, auto_upgrade=...)`; close it, or use it
    as a context manager. See StoreBase for transactions and schema checks,
    ArticleStore for saving and reading articles.
    """
