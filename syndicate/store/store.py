"""The Store: every part of the database seam in one object."""

from __future__ import annotations

from .articles import ArticleStore
from .partners import PartnerStore
from .publication import PublicationStore


class Store(ArticleStore, PublicationStore, PartnerStore):
    """Versioned articles (and, as they arrive, the other tables), on SQLite or PostgreSQL.

    `Store(url)` or `Store.open(config, auto_upgrade=...)`; close it, or use it
    as a context manager. See StoreBase for transactions and schema checks,
    ArticleStore for saving and reading articles.
    """
