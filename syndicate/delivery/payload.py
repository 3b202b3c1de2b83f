"""What a delivery sends: the request body and headers of one attempt.

Webhooks: a JSON body

    {"type": "article.published" | "article.updated" | "article.corrected" | "article.retracted",
     "timestamp": "<ISO 8601, when the change happened>",
     "data": {"id", "version", "url", "format", "content_type", "content",
              "embargoed_until" (only for an early, embargoed delivery)}}

where `content` is the JSON object for ninjs and JSON-LD and a string for
NewsML-G2 and Atom entries, signed per Standard Webhooks. Every output passes
the gate (syndicate.render) before it is sent.

WebSub: the topic's full content (the feed document) with its Content-Type,
a Link header naming the hub and the topic, and X-Hub-Signature when the
subscriber gave a secret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from .. import validate
from ..config import Config
from ..feeddefs import FeedDef
from ..ingest.dates import as_instant
from ..model import Article
from ..public import Public
from ..render import MEDIA_TYPES, render
from ..render.feeds import Document, Entry, FeedWriter
from ..store.outbox import Delivery
from ..store.subscriptions import Subscription
from ..urls import Urls
from .signing import hub_signature, webhook_headers

WEBHOOK_FORMATS: dict[str, str] = {
    "newsml": MEDIA_TYPES["newsml"],
    "ninjs": MEDIA_TYPES["ninjs"],
    "jsonld": MEDIA_TYPES["jsonld"],
    "atom-entry": "application/atom+xml;type=entry",
}


@dataclass(frozen=True, slots=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


def content_for(article: Article, fmt: str, config: Config) -> tuple[str, Any]:
    """(content type, content) of an article in a webhook format."""
    if fmt == "atom-entry":
        return WEBHOOK_FORMATS[fmt], atom_entry(article, config)
    output = render(article, fmt, config)
    if fmt == "newsml":
        return output.media_type, output.text
    return output.media_type, json.loads(output.data)


def atom_entry(article: Article, config: Config) -> str:
    """A standalone Atom <entry> (its own namespace declarations)."""
    tz = config.site.timezone
    published = as_instant(article.published, tz)
    updated = max(published, as_instant(article.updated or article.published, tz))
    feed = FeedDef("entry", article.headline, article.headline, article.language, content="full")
    doc = Document(feed, "atom", Urls(config.site.base_url).article(article.slug), updated)
    data = FeedWriter(config).cold(doc, [Entry(article, published, updated)])
    validate.check_feed_xml(data, "atom")
    entry = etree.fromstring(data).find("{http://www.w3.org/2005/Atom}entry")
    assert entry is not None
    return etree.tostring(entry, encoding="unicode")


def webhook_body(
    event: str,
    event_at: datetime,
    sub: Subscription,
    article: Article,
    config: Config,
    now: datetime,
) -> bytes:
    content_type, content = content_for(article, sub.format, config)
    data: dict[str, Any] = {
        "id": article.id,
        "version": article.version,
        "url": Urls(config.site.base_url).article(article.slug),
        "format": sub.format,
        "content_type": content_type,
        "content": content,
    }
    if article.embargo is not None and article.embargo > now:
        data["embargoed_until"] = article.embargo.isoformat()
    body = {"type": event, "timestamp": event_at.isoformat(), "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def webhook_request(
    delivery: Delivery, sub: Subscription, article: Article, config: Config, now: datetime
) -> Request:
    body = webhook_body(delivery.event, delivery.event_at, sub, article, config, now)
    signed_at = datetime.now(UTC)  # signatures use real time, whatever the scheduling clock says
    headers = {
        "Content-Type": "application/json",
        **webhook_headers(delivery.id, signed_at, body, sub.secrets(signed_at)),
    }
    return Request(sub.url, body, headers)


def websub_request(sub: Subscription, public: Public, now: datetime) -> Request:
    """The topic's current full content, as content distribution sends it."""
    fmt = sub.format
    body = public.feed_document(sub.feed_id, fmt, now)  # type: ignore[arg-type]
    urls = public.urls
    headers = {
        "Content-Type": body.media_type,
        "Link": f'<{urls.hub()}>; rel="hub", <{urls.feed(sub.feed_id, fmt)}>; rel="self"',  # type: ignore[arg-type]
    }
    if sub.secret:
        headers["X-Hub-Signature"] = hub_signature(sub.secret, body.data)
    return Request(sub.url, body.data, headers)
