"""Terminal output: rich tables on stdout, progress bars on stderr.

User text is never read as rich markup."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

PROGRESS_THRESHOLD = 5


def console() -> Console:
    """stdout; off a terminal, wide enough that ids and headlines are not folded."""
    out = Console(highlight=False, soft_wrap=False)
    if not out.is_terminal:
        out = Console(highlight=False, soft_wrap=False, width=240)
    return out


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    out = Table(*headers, show_lines=False, header_style="bold")
    for row in rows:
        out.add_row(*(Text(cell) for cell in row))
    return out


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[], None]]:
    """Yields `advance()`; shows a bar on a terminal when there are more than a few items."""
    err = Console(stderr=True)
    if total <= PROGRESS_THRESHOLD or not err.is_terminal:
        yield lambda: None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)
