"""Articles per second for reading and normalizing the text export (no store).

    .venv/bin/python bench/normalize.py [--count 1000]

Target: at least 500 articles per second on one core.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import article  # noqa: E402

from syndicate.config import load_config  # noqa: E402
from syndicate.ingest.base import ReadRequest  # noqa: E402
from syndicate.ingest.text import read_text_export  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    config = load_config(Path(__file__).resolve().parent.parent / "config.toml", environ={})
    corpus = [article(n).encode("utf-8") for n in range(args.count)]
    size = sum(len(c) for c in corpus)
    now = datetime.now(UTC)
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for i, data in enumerate(corpus):
            read_text_export(ReadRequest(f"bench-{i}.txt", data, source_key=str(i)), config, now)
        best = min(best, time.process_time() - start)
    print(f"normalize: {args.count} seed-like articles ({size / 1e6:.1f} MB) in {best:.3f} s CPU")
    print(f"normalize: {args.count / best:.0f} articles per second (best of 3, one core)")


if __name__ == "__main__":
    main()
