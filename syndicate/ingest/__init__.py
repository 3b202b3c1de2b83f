"""Readers: bytes + file name + config in, an Article (ReadResult) or a ReadError out.

The reader is chosen by the file's extension, else by sniffing the content;
`fmt` forces one (the CLI's --from; over HTTP, `format` or the Content-Type).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Final

from ..config import Config
from ..errors import ReadError
from .base import ReadRequest, ReadResult

FORMATS: Final = ("text", "markdown", "json", "html")
EXTENSIONS: Final = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}

MEDIA_TYPES: Final = {
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/json": "json",
}
"""Media types that name an input format. text/plain does not: tools label
Markdown and text exports alike with it, so the name or the content decides."""

Reader = Callable[[ReadRequest, Config, datetime], ReadResult]


def reader_for(fmt: str) -> Reader:
    if fmt == "text":
        from .text import read_text_export

        return read_text_export
    if fmt == "markdown":
        from .markdown import read_markdown

        return read_markdown
    if fmt == "json":
        from .jsonin import read_json

        return read_json
    if fmt == "html":
        from .html import read_html

        return read_html
    raise ReadError(f"unknown input format {fmt!r} (one of {', '.join(FORMATS)})")


def format_of_media_type(content_type: str | None) -> str | None:
    """The input format a Content-Type names, if it names one."""
    if not content_type:
        return None
    return MEDIA_TYPES.get(content_type.partition(";")[0].strip().lower())


def detect_format(name: str, data: bytes) -> str:
    """By extension, else by a look at the first bytes."""
    lowered = name.lower()
    for ext, fmt in EXTENSIONS.items():
        if lowered.endswith(ext):
            return fmt
    return sniff(data)


def sniff(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"{", b"[")):
        return "json"
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body", b"<article")):
        return "html"
    if head.startswith((b"---\n", b"---\r\n", b"+++\n", b"+++\r\n", b"# ")):
        return "markdown"
    return "text"


def read(request: ReadRequest, config: Config, now: datetime, fmt: str | None = None) -> ReadResult:
    """Read one document with the reader its name, its content or `fmt` selects."""
    limit = config.limits.max_article_bytes
    if len(request.data) > limit:
        raise ReadError(
            f"document is {len(request.data)} bytes, over the {limit}-byte limit", file=request.name
        )
    chosen = fmt or detect_format(request.name, request.data)
    return reader_for(chosen)(request, config, now)


__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "MEDIA_TYPES",
    "ReadRequest",
    "ReadResult",
    "detect_format",
    "format_of_media_type",
    "read",
]
