"""Pages per second for the HTML reader over the shared corpus of real news pages.

    .venv/bin/python bench/html_reader.py [--rounds 3] [--slowest 5]

Reads every page of ../shared/corpus/html (20 pages, 3.4 MB) `--rounds` times on
one core and prints the rate, the megabytes per second, and the slowest pages.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from syndicate.config import load_config
from syndicate.ingest.base import ReadRequest
from syndicate.ingest.html import read_html

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "html"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--slowest", type=int, default=5)
    args = parser.parse_args()
    pages = sorted(CORPUS.glob("*.html"))
    if not pages:
        sys.exit(f"html: no pages in {CORPUS} (the ../shared folder is needed)")
    config = load_config(REPO / "config.toml", environ={})
    now = datetime.now(UTC)
    corpus = [(page.name, page.read_bytes()) for page in pages]
    size = sum(len(data) for _, data in corpus)
    read_html(ReadRequest(*corpus[0]), config, now)  # warm: imports, trafilatura's setup
    times = {name: float("inf") for name, _ in corpus}
    total = 0.0
    for _ in range(args.rounds):
        start_round = time.process_time()
        for name, data in corpus:
            start = time.process_time()
            read_html(ReadRequest(name, data), config, now)
            times[name] = min(times[name], time.process_time() - start)
        total += time.process_time() - start_round
    per_round = total / args.rounds
    print(f"html: {len(corpus)} pages ({size / 1e6:.1f} MB) in {per_round:.2f} s CPU per round")
    print(
        f"html: {len(corpus) / per_round:.1f} pages per second, "
        f"{size / 1e6 / per_round:.2f} MB per second (mean of {args.rounds}, one core)"
    )
    for name, seconds in sorted(times.items(), key=lambda t: -t[1])[: args.slowest]:
        print(f"html:   {name} {seconds * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
