"""The ``progress(done, total, message)`` callback that long work reports through, and its
terminal form for the CLI (a Rich bar on stderr, only when the user watches a terminal)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Progress(Protocol):
    def __call__(self, done: int, total: int | None = None, message: str = "") -> None: ...


def no_progress(done: int, total: int | None = None, message: str = "") -> None:
    """The default ``progress`` of every long work function: report nothing."""


def watching_terminal() -> bool:
    """Both output streams are a terminal: a person is watching, no script reads the output."""
    return sys.stdout.isatty() and sys.stderr.isatty()


@contextmanager
def terminal_bar(label: str, *, show: bool | None = None) -> Iterator[Progress]:
    """A Rich progress bar on stderr fed by the yielded ``progress``; a no-op when nobody
    watches (``show`` overrides the terminal check)."""
    if not (watching_terminal() if show is None else show):
        yield no_progress
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None, note="")

        def progress(done: int, total: int | None = None, message: str = "") -> None:
            bar.update(task, completed=done, total=total, note=message[:60])

        yield progress
