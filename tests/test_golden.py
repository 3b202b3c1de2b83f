"""Golden files: the exact output of two sample articles in every format.

A difference fails the test. To accept a deliberate change of the output,
regenerate them and review the diff:

    .venv/bin/pytest tests/test_golden.py --update-golden && git diff tests/golden
"""

from __future__ import annotations

from pathlib import Path

import pytest

from syndicate.config import load_config
from syndicate.ingest import read
from syndicate.ingest.files import load_request
from syndicate.render import FORMATS, render

from .conftest import EXAMPLES, NOW, REPO

GOLDEN = REPO / "tests" / "golden"
SAMPLES = ["harbour-bridge-reopens.txt", "city-council-budget.md"]
SUFFIX = {
    "json": ".json",
    "newsml": ".xml",
    "ninjs": ".ninjs.json",
    "jsonld": ".jsonld",
    "html": ".html",
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("sample", SAMPLES)
def test_golden(sample: str, fmt: str, request: pytest.FixtureRequest) -> None:
    config = load_config(REPO / "tests" / "data" / "config.toml", environ={})
    article = read(load_request(EXAMPLES / sample, config), config, NOW).article
    data = render(article, fmt, config).data
    golden: Path = GOLDEN / (Path(sample).stem + SUFFIX[fmt])
    if request.config.getoption("--update-golden"):
        golden.write_bytes(data)
        return
    assert golden.is_file(), f"{golden} is missing: run with --update-golden and review it"
    assert data == golden.read_bytes(), f"{golden.name} differs: see the module docstring"
