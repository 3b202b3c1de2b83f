"""The one error tree of syndicate.

Library code raises these with context; only the edges (cli, web, worker)
turn them into exit codes, HTTP statuses or log lines.

    SyndicateError
    ├── ConfigError            a config file or variable is wrong      (exit 2)
    ├── InputError             an article or definition is refused     (exit 1)
    │   ├── ReadError          a reader could not make an article
    │   └── RenderError        an output failed its schema (the gate)
    ├── NotFoundError          no such article, feed, subscriber...    (exit 1)
    ├── ConflictError          the request contradicts the stored state (exit 1)
    └── RuntimeFailure         the database or another service failed  (exit 3)
        └── SchemaOutOfDate    the database needs `syndicate db upgrade` (exit 2)
"""

from __future__ import annotations

from dataclasses import dataclass


class SyndicateError(Exception):
    """Base of every error syndicate raises on purpose."""

    exit_code = 3

    def __init__(self, message: str, *, file: str | None = None, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def located(self) -> str:
        """`file:line: reason`, or the bare reason when no file is known."""
        if self.file is None:
            return self.message
        return f"{self.file}:{self.line}: {self.message}"

    def __str__(self) -> str:
        return self.located()


class ConfigError(SyndicateError):
    exit_code = 2


class InputError(SyndicateError):
    exit_code = 1


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem; an InputError may carry several."""

    line: int
    message: str


class ReadError(InputError):
    """A reader refused the input. `problems` lists every problem found."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int = 0,
        problems: tuple[Problem, ...] = (),
    ) -> None:
        super().__init__(message, file=file, line=line)
        self.problems = problems or (Problem(line, message),)


class RenderError(InputError):
    """An output failed validation: the article is refused, never half-published."""

    def __init__(self, message: str, *, fmt: str, file: str | None = None) -> None:
        super().__init__(f"{fmt} output invalid: {message}", file=file)
        self.fmt = fmt


class NotFoundError(InputError):
    pass


class ConflictError(InputError):
    pass


class RuntimeFailure(SyndicateError):
    exit_code = 3


class SchemaOutOfDate(RuntimeFailure):
    exit_code = 2
