"""IndexNow: tell search engines of new, changed and retracted URLs.

URLs are queued as changes happen (syndicate.fanout) and sent in batches of
at most 10,000 to `[indexnow] endpoint`: {host, key, keyLocation, urlList}.
The key file is served at /KEY.txt. A batch that is not accepted (anything
but 200/202) stays queued for the next round.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from urllib.parse import urlsplit

from ..config import Config
from ..store import Store
from ..urls import Urls
from .http import Transport

log = logging.getLogger("syndicate.indexnow")
BATCH = 10_000


def submit_pending(store: Store, config: Config, transport: Transport, now: datetime) -> int:
    """Send every queued URL (in batches); how many were accepted."""
    urls = Urls(config.site.base_url)
    key = config.indexnow.key
    sent = 0
    while True:
        pending = store.unsent_urls(BATCH)
        if not pending:
            return sent
        unique = list(dict.fromkeys(url for _, url in pending))
        body = json.dumps(
            {
                "host": urlsplit(config.site.base_url).hostname,
                "key": key,
                "keyLocation": urls.indexnow_key(key),
                "urlList": unique,
            }
        ).encode("utf-8")
        result = transport.post(
            config.indexnow.endpoint, body, {"Content-Type": "application/json; charset=utf-8"}
        )
        if result.status not in (200, 202):
            log.warning(
                "indexnow batch of %d URLs not accepted: %s",
                len(unique),
                result.status or result.error,
            )
            return sent
        store.mark_urls_sent([i for i, _ in pending], now)
        sent += len(unique)
        log.info("indexnow accepted %d URLs", len(unique))
