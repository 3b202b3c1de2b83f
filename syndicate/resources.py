"""Where the project's own schemas live: schemas/ beside the package in a
checkout, or syndicate/schemas/ inside an installed wheel."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent


@cache
def schemas_dir() -> Path:
    for candidate in (_HERE / "schemas", _HERE.parent / "schemas"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the schemas/ folder is missing from this installation")


def schema_path(name: str) -> Path:
    return schemas_dir() / name


@cache
def json_schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_path(name).read_text(encoding="utf-8"))
    return data
