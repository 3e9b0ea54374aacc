"""Live-session commands: ``liveqc prices parse`` lists the prices said in host speech.

Input follows ``liveqc scan`` (see ``liveqc.engine.scanio``): plain text is one utterance a line
with its line number as id; JSON Lines carry ``id`` and ``text``. Output is written only after
every input was read, so unreadable input leaves standard output empty.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from liveqc.engine.prices import KINDS, PriceMention, extract_prices
from liveqc.engine.scanio import Utterance, read_utterances
from liveqc.errors import InputError

prices_app = typer.Typer(
    name="prices",
    help="Prices said on air, from spoken Chinese and Arabic numerals.",
    no_args_is_help=True,
)


class PriceFormat(StrEnum):
    jsonl = "jsonl"
    text = "text"


def _open(path: str, stack: ExitStack) -> tuple[IO[bytes], str]:
    if path == "-":
        return sys.stdin.buffer, "<stdin>"
    try:
        return stack.enter_context(Path(path).open("rb")), path
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read file ({exc.strerror or type(exc).__name__})"
        ) from None


def _read(paths: list[str]) -> list[Utterance]:
    """Every utterance of every input, in order (JSON Lines: .jsonl, or a first line ``{``)."""
    utterances: list[Utterance] = []
    with ExitStack() as stack:
        for path in paths:
            stream, source = _open(path, stack)
            jsonl = True if path.endswith(".jsonl") else None
            utterances += read_utterances(stream, source=source, jsonl=jsonl)
    return utterances


def _describe(m: PriceMention) -> str:
    return f"{m.match} [{m.start}:{m.end}] {m.amount:g} {m.kind}"


@prices_app.command("parse")
def parse(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files to read; standard input when none or '-'.")
    ] = None,
    output_format: Annotated[
        PriceFormat,
        typer.Option("--format", help="jsonl: one object per utterance; text: for people."),
    ] = PriceFormat.jsonl,
) -> None:
    """Find every price said in each utterance: amount in yuan, kind, and where it was said.

    Kinds: original (原价, 日常价, 外面卖…), current (到手价, 只要, 今天…) and other (coupons,
    thresholds, savings, deposits, shipping, subsidies, red packets, gift values).

    Example: echo '原价两百九十九 今天只要九十九' | liveqc prices parse
    """
    sources = paths or ["-"]
    found = [(u, extract_prices(u.text)) for u in _read(sources)]
    lines: list[str] = []
    if output_format is PriceFormat.jsonl:
        for utterance, mentions in found:
            record: dict[str, Any] = {
                "id": utterance.id,
                "prices": [
                    {
                        "start": m.start,
                        "end": m.end,
                        "match": m.match,
                        "amount": m.amount,
                        "kind": m.kind,
                    }
                    for m in mentions
                ],
            }
            if len(sources) > 1:
                record["source"] = utterance.source
            lines.append(json.dumps(record, ensure_ascii=False))
    else:
        kinds: Counter[str] = Counter()
        for utterance, mentions in found:
            kinds.update(m.kind for m in mentions)
            said = "; ".join(_describe(m) for m in mentions) or "-"
            lines.append(f"{utterance.source}:{utterance.line}: {said}")
        counts = ", ".join(f"{kinds[k]} {k}" for k in KINDS)
        lines.append(f"{len(found)} utterances, {kinds.total()} prices ({counts})")
    if lines:
        typer.echo("\n".join(lines))


def register(root: typer.Typer) -> None:
    """Add the live-session commands (``liveqc prices ...``) to the root app."""
    root.add_typer(prices_app, name="prices")
