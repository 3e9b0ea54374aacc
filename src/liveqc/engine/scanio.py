"""Reading utterances for batch scans: plain text or JSON Lines, streamed line by line.

Plain text is one utterance a line, numbered from 1 (an empty line is an utterance with no
findings, so numbering never shifts). JSON Lines carry ``{"id", "text", "category"?, "facts"?,
"scene"?}``; blank lines between objects are skipped and other keys are ignored. Every problem
raises :class:`liveqc.errors.InputError` naming the source and the line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from liveqc.engine.facts import Facts, InvalidFacts
from liveqc.engine.taxonomy import CATEGORIES, SCENES
from liveqc.errors import InputError


@dataclass(frozen=True, slots=True)
class Utterance:
    """One utterance to scan, with where it came from and what applies to it."""

    source: str
    line: int
    id: Any
    text: str
    category: str | None
    facts: Facts
    scene: str
    raw: dict[str, Any] | None = None


def _lines(
    stream: IO[bytes], source: str, on_bytes: Callable[[int], None] | None
) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(stream, start=1):
        if on_bytes is not None:
            on_bytes(len(raw))
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{source}:{number}: invalid UTF-8 (byte {exc.start + 1} of the line)"
            ) from None
        yield number, line.rstrip("\r\n")


def read_utterances(
    stream: IO[bytes],
    *,
    source: str,
    jsonl: bool | None,
    category: str | None = None,
    facts: Facts | None = None,
    scene: str = "transcript",
    on_bytes: Callable[[int], None] | None = None,
    with_context: bool = True,
) -> Iterator[Utterance]:
    """Yield the utterances of ``stream`` in order.

    Args:
        jsonl: True/False to force the format; None decides from the first non-blank line
            (JSON Lines when it starts with ``{``), as for standard input.
        with_context: read each line's ``category``, ``facts`` and ``scene``; commands that
            only need the text (price extraction, complaint triage) pass False so that other
            meanings of those keys (a complaint's own ``category``) are ignored, not refused.
        on_bytes: called with the size of each line read (for progress bars).

    Raises:
        InputError: invalid UTF-8, a malformed JSON line, an unknown category, scene or facts
            field; the message names the source and the line.
    """
    facts = facts or Facts()
    lines = _lines(stream, source, on_bytes)
    if jsonl is None:
        pending: list[tuple[int, str]] = []
        for number, line in lines:
            pending.append((number, line))
            if line.strip():
                break
        jsonl = bool(pending) and pending[-1][1].lstrip().startswith("{")
        lines = _chain(pending, lines)
    if not jsonl:
        for number, line in lines:
            yield Utterance(source, number, number, line, category, facts, scene)
        return
    for number, line in lines:
        if not line.strip():
            continue
        yield _json_utterance(line, source, number, category, facts, scene, with_context)


def _chain(
    first: list[tuple[int, str]], rest: Iterator[tuple[int, str]]
) -> Iterator[tuple[int, str]]:
    yield from first
    yield from rest


def _json_utterance(
    line: str,
    source: str,
    number: int,
    category: str | None,
    facts: Facts,
    scene: str,
    with_context: bool = True,
) -> Utterance:
    where = f"{source}:{number}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: malformed JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise InputError(f"{where}: a JSON line must be an object")
    text = obj.get("text")
    if not isinstance(text, str):
        raise InputError(f"{where}: field 'text' is required and must be a string")
    if not with_context:
        return Utterance(
            source, number, _ident(obj, where, number), text, category, facts, scene, obj
        )
    if "category" in obj and obj["category"] is not None:
        category = obj["category"]
        if category not in CATEGORIES:
            raise InputError(f"{where}: unknown category {category!r}")
    if "facts" in obj and obj["facts"] is not None:
        try:
            facts = Facts.from_dict(obj["facts"])
        except InvalidFacts as exc:
            raise InputError(f"{where}: {exc}") from None
    if "scene" in obj and obj["scene"] is not None:
        scene = obj["scene"]
        if scene not in SCENES:
            raise InputError(f"{where}: unknown scene {scene!r}")
    return Utterance(source, number, _ident(obj, where, number), text, category, facts, scene, obj)


def _ident(obj: dict[str, Any], where: str, number: int) -> Any:
    ident = obj.get("id", number)
    if isinstance(ident, dict | list):
        raise InputError(f"{where}: field 'id' must be a string or a number")
    return ident
