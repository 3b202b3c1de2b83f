"""Renders per second for each output format on the seed article, each
including its validation against schemas/ (the gate).

    .venv/bin/python bench/render.py [--seconds 2]

Targets: at least 300 articles per second on one core for NewsML-G2 and for
JSON-LD. Uses ../shared/seeds when present, else examples/harbour-bridge-reopens.txt.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from syndicate.config import load_config
from syndicate.ingest import read
from syndicate.ingest.files import load_request
from syndicate.render import FORMATS, render

REPO = Path(__file__).resolve().parent.parent
SEED = REPO.parent / "shared" / "seeds" / "000_78b82998d6f40e3e.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="time per format")
    args = parser.parse_args()
    config = load_config(REPO / "config.toml", environ={})
    source = SEED if SEED.is_file() else REPO / "examples" / "harbour-bridge-reopens.txt"
    article = read(load_request(source, config), config, datetime.now(UTC)).article
    print(f"render: {source.name}, {len(article.body)} blocks; one core, validation included")
    for fmt in FORMATS:
        render(article, fmt, config)  # warm: schemas parsed, templates compiled
        count, start = 0, time.process_time()
        while time.process_time() - start < args.seconds:
            render(article, fmt, config)
            count += 1
        rate = count / (time.process_time() - start)
        print(f"render: {fmt:7} {rate:8.0f} articles per second")


if __name__ == "__main__":
    main()
