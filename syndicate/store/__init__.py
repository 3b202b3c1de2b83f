"""The store: versioned articles (later subscriptions, deliveries...) in SQL.

SQLAlchemy Core over SQLite (the default, a file in WAL mode) or PostgreSQL
(psycopg 3), with Alembic migrations shipped in `migrations/`:

    tables.py    the tables and the UTC timestamp type
    engine.py    engines per backend; driver errors -> RuntimeFailure
    migrate.py   upgrade / current_revision / check_schema
    base.py      StoreBase: opening, schema check, transactions
    articles.py  ArticleStore: save, get, versions, listings
    store.py     Store, combining the above
"""

from __future__ import annotations

from .articles import ArticleSummary, Saved, SaveItem, SaveStatus, VersionInfo
from .engine import make_engine
from .migrate import check_schema, current_revision, head_revision, upgrade
from .store import Store

__all__ = [
    "ArticleSummary",
    "SaveItem",
    "SaveStatus",
    "Saved",
    "Store",
    "VersionInfo",
    "check_schema",
    "current_revision",
    "head_revision",
    "make_engine",
    "upgrade",
]
