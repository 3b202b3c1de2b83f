"""Lints: warnings with line numbers. They never edit the editor's words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Article

MAX_HEADLINE = 110

# "influence.Experts" but not "U.S.President": a lowercase letter, a full stop,
# then an uppercase letter followed by a lowercase one.
_MISSING_SPACE = re.compile(r"\.(?=[^\W\d_][^\W\d_])")


@dataclass(frozen=True, slots=True)
class Lint:
    code: str
    message: str
    line: int = 0
    file: str | None = None
    """Set when the lint is about another file than the article's (a sidecar)."""

    def located(self, file: str) -> str:
        return f"{self.file or file}:{self.line}: warning: {self.message} [{self.code}]"


def missing_spaces(text: str, line: int) -> list[Lint]:
    """One lint per full stop glued to the next sentence."""
    lints = []
    for match in _MISSING_SPACE.finditer(text, 1):
        before, after = text[match.start() - 1], text[match.end()]
        if before.islower() and after.isupper() and text[match.end() + 1].islower():
            start = max(0, match.start() - 12)
            snippet = text[start : match.end() + 12]
            lints.append(Lint("missing-space", f"no space after a full stop: …{snippet}…", line))
    return lints


def article_lints(article: Article, *, headline_line: int = 1) -> list[Lint]:
    """Lints every reader shares, judged on the finished article."""
    lints = []
    if len(article.headline) > MAX_HEADLINE:
        lints.append(
            Lint(
                "long-headline",
                f"headline is {len(article.headline)} characters (over {MAX_HEADLINE}); "
                "JSON-LD will cut it at a word boundary",
                headline_line,
            )
        )
    if not article.bylines:
        lints.append(Lint("no-byline", "no byline"))
    if not article.images:
        lints.append(Lint("no-image", "no image"))
    return lints


def unmatched_toc(entries: Iterable[tuple[str, int]]) -> list[Lint]:
    """One lint for every ToC entry with no heading, with their count and the first few."""
    missing = list(entries)
    if not missing:
        return []
    shown = "; ".join(f"{text!r} (line {line})" for text, line in missing[:3])
    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    return [
        Lint(
            "toc-unmatched",
            f"{len(missing)} table-of-contents entries have no heading: {shown}{more}",
            missing[0][1],
        )
    ]
