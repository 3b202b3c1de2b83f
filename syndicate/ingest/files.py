"""The file-system edge of ingest: which files, their bytes, their sidecars.

Sizes are checked against `[limits] max_article_bytes` before a byte is read.
"""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..errors import ReadError
from . import EXTENSIONS
from .base import ReadRequest

SIDECAR_SUFFIX = ".meta.toml"


def discover(paths: list[Path]) -> list[Path]:
    """Files named directly, and the article files under named folders (recursively)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and _is_article(p)
            )
        else:
            found.append(path)
    return found


def _is_article(path: Path) -> bool:
    name = path.name.lower()
    if name.endswith(SIDECAR_SUFFIX):
        return False
    return any(name.endswith(ext) for ext in EXTENSIONS)


def sidecar_of(path: Path) -> Path:
    """`story.txt` -> `story.meta.toml`."""
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def source_key(path: Path, root: Path) -> str:
    """What identifies a story by its file: the path relative to the config
    folder when inside it, else the absolute path."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def load_request(path: Path, config: Config) -> ReadRequest:
    name = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ReadError("no such file", file=name) from None
    except OSError as exc:
        raise ReadError(f"cannot read: {exc.strerror}", file=name) from None
    limit = config.limits.max_article_bytes
    if size > limit:
        raise ReadError(f"file is {size} bytes, over the {limit}-byte limit", file=name)
    try:
        data = path.read_bytes()
        side = sidecar_of(path)
        sidecar = side.read_bytes() if side.is_file() else None
    except OSError as exc:
        raise ReadError(f"cannot read: {exc.strerror}", file=name) from None
    return ReadRequest(
        name=name,
        data=data,
        sidecar=sidecar,
        sidecar_name=str(side) if sidecar is not None else None,
        source_key=source_key(path, config.root),
    )
