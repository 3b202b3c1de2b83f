"""Slugs: made once from the first version's headline, never changed after."""

from __future__ import annotations

from collections.abc import Callable

from slugify import slugify

MAX_SLUG = 80


def make_slug(headline: str, taken: Callable[[str], bool] = lambda _: False) -> str:
    """Transliterated, lowercase, at most 80 characters, not `taken`."""
    base = slugify(headline, max_length=MAX_SLUG, word_boundary=True) or "article"
    if not taken(base):
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: MAX_SLUG - len(suffix)].rstrip("-") + suffix
        if not taken(candidate):
            return candidate
        n += 1
