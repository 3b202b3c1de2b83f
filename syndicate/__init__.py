"""syndicate: news syndication and feed publishing.

Articles in (plain-text exports, Markdown, JSON, HTML), one canonical model,
rendered to NewsML-G2, ninjs, JSON-LD and feeds, pushed to partners.
"""

from __future__ import annotations

from .config import Config, load_config
from .errors import SyndicateError
from .model import Article, PubStatus

__all__ = ["Article", "Config", "PubStatus", "SyndicateError", "load_config"]
