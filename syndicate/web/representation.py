"""HTTP representations: ETag, Last-Modified, conditional GET and compression.

A representation's ETag is a hash of its bytes, so every web process
answering from the same database names the same bytes with the same ETag.
Compressed variants are made once per (ETag, encoding) and cached; each has
an ETag of its own (`"<hash>-gzip"`, `"<hash>-br"`) and every answer says
`Vary: Accept-Encoding`.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

import brotli
from starlette.requests import Request
from starlette.responses import Response

COMPRESSIBLE = ("text/", "application/")
MIN_COMPRESS = 512
ENCODINGS = ("br", "gzip")


@dataclass(frozen=True, slots=True)
class Representation:
    data: bytes
    media_type: str
    etag: str  # the hash, without quotes or encoding suffix
    modified: datetime | None = None
    cache_control: str = "public, max-age=60"
    links: tuple[tuple[str, str], ...] = ()  # (url, rel) for the Link header

    @classmethod
    def of(
        cls,
        data: bytes,
        media_type: str,
        modified: datetime | None = None,
        *,
        cache_control: str = "public, max-age=60",
        links: tuple[tuple[str, str], ...] = (),
    ) -> Representation:
        digest = hashlib.sha256(data).hexdigest()[:32]
        return cls(data, media_type, digest, modified, cache_control, links)

    @property
    def compressible(self) -> bool:
        return len(self.data) >= MIN_COMPRESS and self.media_type.startswith(COMPRESSIBLE)


@dataclass
class Compressed:
    """Compressed bytes per (ETag, encoding), least recently used dropped first."""

    budget: int = 128 * 1024 * 1024
    _items: OrderedDict[tuple[str, str], bytes] = field(default_factory=OrderedDict)
    _size: int = 0

    def get(self, rep: Representation, encoding: str) -> bytes:
        key = (rep.etag, encoding)
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
            return found
        data = compress(rep.data, encoding)
        self._items[key] = data
        self._size += len(data)
        while self._size > self.budget and self._items:
            _, dropped = self._items.popitem(last=False)
            self._size -= len(dropped)
        return data


def compress(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        out: bytes = brotli.compress(data, quality=5)
        return out
    return gzip.compress(data, compresslevel=6, mtime=0)


def choose_encoding(accept: str | None) -> str | None:
    """The best encoding the client accepts (br, then gzip), or None."""
    if not accept:
        return None
    weights: dict[str, float] = {}
    for part in accept.split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        weights[name.strip().lower()] = quality
    for encoding in ENCODINGS:
        quality = weights.get(encoding, weights.get("*", 0.0))
        if quality > 0:
            return encoding
    return None


def etag_for(rep: Representation, encoding: str | None) -> str:
    return f'"{rep.etag}-{encoding}"' if encoding else f'"{rep.etag}"'


def _matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


def not_modified(request: Request, rep: Representation, etag: str) -> bool:
    """RFC 9110: If-None-Match wins; If-Modified-Since only without it."""
    none_match = request.headers.get("if-none-match")
    if none_match is not None:
        return _matches(none_match, etag)
    since = request.headers.get("if-modified-since")
    if since and rep.modified is not None:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return rep.modified.replace(microsecond=0) <= when
    return False


def respond(
    request: Request, rep: Representation, cache: Compressed, status: int = 200
) -> Response:
    encoding = choose_encoding(request.headers.get("accept-encoding")) if rep.compressible else None
    etag = etag_for(rep, encoding)
    headers = {
        "ETag": etag,
        "Vary": "Accept-Encoding",
        "Cache-Control": rep.cache_control,
    }
    if rep.modified is not None:
        headers["Last-Modified"] = format_datetime(rep.modified.astimezone(UTC), usegmt=True)
    if rep.links:
        headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for url, rel in rep.links)
    if status == 200 and not_modified(request, rep, etag):
        return Response(status_code=304, headers=headers)
    body = cache.get(rep, encoding) if encoding else rep.data
    if encoding:
        headers["Content-Encoding"] = encoding
    headers["Content-Length"] = str(len(body))
    content = b"" if request.method == "HEAD" else body
    response = Response(content, status_code=status, media_type=rep.media_type, headers=headers)
    response.headers["Content-Length"] = str(len(body))
    return response
