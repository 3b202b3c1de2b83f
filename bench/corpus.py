"""Seed-like articles in the plain-text export format, generated for benchmarks."""

from __future__ import annotations

import random

WORDS = (
    "minister summit talks regional security economic cooperation delegation parade "
    "analysts sanctions alliance border infrastructure investment agricultural trade "
    "negotiations relations strategy officials media reports visit historic capital "
    "leaders agreement tensions stability diplomacy conference assistance programme"
).split()


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    sentences = [sentence(rng, rng.randint(8, 22)) for _ in range(rng.randint(3, 6))]
    if rng.random() < 0.3:  # the export's missing space after a full stop
        sentences[1] = sentences[1].rstrip() + sentences.pop(2)
    return " ".join(sentences)


def title(rng: random.Random) -> str:
    return " ".join(w.capitalize() for w in (rng.choice(WORDS) for _ in range(rng.randint(3, 8))))


def article(n: int) -> str:
    """One article shaped like the seed export: ToC, dateline, sections, a
    table, a FAQ run, a list, label lines, a call to action, a cut SEO tail."""
    rng = random.Random(n)
    headline = f"{title(rng)} {n}"
    sections = [f"{title(rng)} {n}-{i}" for i in range(12)]
    lines = [headline, "Table of Contents", f"- 1. {headline}"]
    lines += [f"- {i + 2}. {s}" for i, s in enumerate(sections)]
    lines.append(f"Beijing – {paragraph(rng)}")
    for i, section in enumerate(sections):
        lines.append(section)
        lines.append(paragraph(rng))
        if i == 2:
            lines += ["| Leader | Country | Date |", "|---|---|---|"]
            lines += [f"| {title(rng)} | {title(rng)} | September {d} |" for d in range(1, 4)]
        if i == 5:
            lines += [f"- What is {title(rng)}? {sentence(rng, 12)}" for _ in range(7)]
            lines.append("Share your thoughts in the comments below!")
        if i == 8:
            lines += [f"- {title(rng)}: {sentence(rng, 10)}" for _ in range(3)]
        if i == 9:
            lines += [f"{title(rng)}: {sentence(rng, 14)}" for _ in range(3)]
    lines[-1] += " Key search terms related to this event include: *"
    return "\n".join(lines)
