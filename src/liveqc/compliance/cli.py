"""CLI: `liveqc scan`, `liveqc rules list|show|test`, `liveqc eval` (registered by ``register``).

Output is written to a spooled temporary file (memory first, disk past a few MB) and copied to
standard output only when every input line was read and scanned, so a bad line late in a huge
file leaves nothing half-written while memory stays constant.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from liveqc.engine import CATEGORIES, SCENES, ComplianceEngine, Facts, InvalidFacts
from liveqc.engine.evaluate import evaluate
from liveqc.engine.examples import all_misses
from liveqc.engine.packs import Rule, load_packs
from liveqc.engine.scanio import Utterance, read_utterances
from liveqc.errors import InputError, NotFound

_SPOOL_BYTES = 8 * 1024 * 1024
_encode = json.JSONEncoder(ensure_ascii=False).encode


class ScanFormat(StrEnum):
    text = "text"
    json = "json"
    jsonl = "jsonl"


class TableFormat(StrEnum):
    text = "text"
    json = "json"


RulesOpt = Annotated[
    list[Path] | None,
    typer.Option("--rules", help="Extra rule packs: a pack folder or a folder of packs."),
]


BuiltinOpt = Annotated[
    bool, typer.Option("--builtin/--no-builtin", help="Include the built-in rule packs.")
]


def _engine(
    rules: list[Path] | None, builtin: bool = True, disable: list[str] | None = None
) -> ComplianceEngine:
    packs = None if builtin else load_packs(rules or (), include_builtin=False)
    extra = (rules or ()) if builtin else ()
    return ComplianceEngine(packs=packs, extra_rule_dirs=extra, disabled_rules=disable or ())


def _load_facts(path: Path | None) -> Facts:
    if path is None:
        return Facts()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read facts file ({exc.__class__.__name__})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: malformed JSON ({exc.msg})") from None
    try:
        return Facts.from_dict(data)
    except InvalidFacts as exc:
        raise InputError(f"{path}: {exc}") from None


def _open(path: str, stack: ExitStack) -> tuple[IO[bytes], str, int | None]:
    if path == "-":
        return sys.stdin.buffer, "<stdin>", None
    try:
        fh = stack.enter_context(open(path, "rb"))  # noqa: SIM115 - closed by the stack
        size = Path(path).stat().st_size
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise InputError(f"{path}: cannot read file ({reason})") from None
    return fh, path, size


def _utterances(
    paths: list[str], category: str | None, facts: Facts, scene: str, stack: ExitStack
) -> Iterator[tuple[Utterance, bool]]:
    """Utterances of every input in order, with whether their source is JSON Lines."""
    progress = None
    sizes = [Path(p).stat().st_size if p != "-" and Path(p).is_file() else 0 for p in paths]
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        progress = stack.enter_context(Progress(console=Console(stderr=True), transient=True))
        task = progress.add_task("scanning", total=sum(sizes) or None)
    on_bytes = None
    if progress is not None:
        pending = [0]

        def on_bytes(n: int) -> None:
            pending[0] += n
            if pending[0] >= 1 << 20:  # redraw per MB, not per line
                progress.advance(task, pending[0])
                pending[0] = 0

    for path in paths:
        stream, source, _size = _open(path, stack)
        jsonl = None if source == "<stdin>" else path.endswith(".jsonl")

        for utt in read_utterances(
            stream,
            source=source,
            jsonl=jsonl,
            category=category,
            facts=facts,
            scene=scene,
            on_bytes=on_bytes,
        ):
            yield utt, utt.raw is not None


def _record(utt: Utterance, findings: list[dict[str, Any]], many: bool) -> dict[str, Any]:
    rec: dict[str, Any] = {"id": utt.id, "findings": findings}
    if many:
        rec["source"] = utt.source
    return rec


def _mark(text: str, start: int, end: int, color: bool) -> str:
    if color:
        return f"{text[:start]}\x1b[1;31m{text[start:end]}\x1b[0m{text[end:]}"
    return f"{text[:start]}«{text[start:end]}»{text[end:]}"


def _text_block(utt: Utterance, result: Any, color: bool) -> str:
    out = []
    for f in result.findings:
        out.append(
            f"{utt.source}:{utt.line}:{f.start + 1}: {f.code} [{f.severity}] "
            f"{_mark(utt.text, f.start, f.end, color)}\n"
            f"    {f.message}（{f.rule}; {f.basis}）\n"
            f"    建议: {f.suggestion}\n"
        )
    return "".join(out)


def scan(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files to scan; '-' or none: stdin.")
    ] = None,
    category: Annotated[str | None, typer.Option(help="Product category.")] = None,
    facts: Annotated[Path | None, typer.Option("--facts", help="Product facts (JSON).")] = None,
    fmt: Annotated[
        ScanFormat | None,
        typer.Option("--format", help="Output format (jsonl for JSON Lines input, else text)."),
    ] = None,
    rules: RulesOpt = None,
    disable: Annotated[
        list[str] | None, typer.Option("--disable", help="Rule id to leave out (repeatable).")
    ] = None,
    scene: Annotated[
        str, typer.Option(help="script, transcript, comment, title or ocr.")
    ] = "transcript",
    builtin: BuiltinOpt = True,
) -> None:
    """Scan scripts or transcripts for compliance findings (exit 1 when there are findings).

    Example: liveqc scan script.txt --category cosmetics --facts facts.json --format jsonl
    """
    if category is not None and category not in CATEGORIES:
        raise InputError(f"--category: unknown category {category!r}")
    if scene not in SCENES:
        raise InputError(f"--scene: unknown scene {scene!r}")
    base_facts = _load_facts(facts)
    engine = _engine(rules, builtin, disable)
    inputs = paths or ["-"]
    many = len(inputs) > 1
    color = sys.stdout.isatty()
    counts: Counter[str] = Counter()
    total = flagged = 0
    with ExitStack() as stack:
        out = stack.enter_context(
            tempfile.SpooledTemporaryFile(_SPOOL_BYTES, mode="w+", encoding="utf-8")
        )
        chosen: ScanFormat | None = fmt
        buf: list[str] = []  # written in chunks: a spooled file's write is slow per call
        for utt, is_jsonl in _utterances(inputs, category, base_facts, scene, stack):
            if chosen is None:
                chosen = ScanFormat.jsonl if is_jsonl else ScanFormat.text
            result = engine.check(utt.text, category=utt.category, facts=utt.facts, scene=utt.scene)
            if result.findings:
                flagged += 1
                counts.update(f.code for f in result.findings)
            if chosen is ScanFormat.text:
                if result.findings:
                    buf.append(_text_block(utt, result, color))
            else:
                if result.findings or many:
                    rec = _encode(_record(utt, [f.to_dict() for f in result.findings], many))
                else:
                    rec = '{"id": ' + _encode(utt.id) + ', "findings": []}'
                if chosen is ScanFormat.jsonl:
                    buf.append(rec + "\n")
                else:
                    buf.append(("[" if total == 0 else ",\n") + rec)
            total += 1
            if len(buf) >= 1024:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))
        if chosen is ScanFormat.json:
            out.write("]\n" if total else "[]\n")
        elif chosen in (None, ScanFormat.text):
            n = sum(counts.values())
            by_code = ", ".join(f"{c} {k}" for c, k in sorted(counts.items()))
            out.write(
                f"{n} finding{'s' * (n != 1)} in {flagged} of {total} utterances"
                + (f" ({by_code})" if by_code else "")
                + "\n"
            )
        out.seek(0)
        shutil.copyfileobj(out, sys.stdout)
        sys.stdout.flush()
    raise typer.Exit(1 if flagged else 0)


rules_app = typer.Typer(help="Browse and test the rule catalogue.", no_args_is_help=True)


@rules_app.command("list")
def rules_list(
    code: Annotated[str | None, typer.Option(help="Only rules of this violation code.")] = None,
    pack: Annotated[str | None, typer.Option(help="Only rules of this pack.")] = None,
    rules: RulesOpt = None,
    builtin: BuiltinOpt = True,
    fmt: Annotated[TableFormat, typer.Option("--format")] = TableFormat.text,
) -> None:
    """List rules: id, code, severity, basis.

    Example: liveqc rules list --code absolute_term
    """
    engine = _engine(rules, builtin)
    selected = [
        r for r in engine.rules if (code is None or r.code == code) and (pack in (None, r.pack))
    ]
    if fmt is TableFormat.json:
        rows = [
            {"pack": r.pack, "id": r.id, "code": r.code, "severity": r.severity, "basis": r.basis}
            for r in selected
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in selected:
        typer.echo(f"{r.pack}/{r.id}\t{r.code}\t{r.severity}\t{r.basis}")
    typer.echo(f"{len(selected)} rules (catalogue {engine.version})")


def _rule_dict(rule: Rule) -> dict[str, Any]:
    lifted = rule.lifted_by
    return {
        "pack": rule.pack,
        "id": rule.id,
        "code": rule.code,
        "severity": rule.severity,
        "basis": rule.basis,
        "message": rule.message,
        "suggestion": rule.suggestion,
        "verification": rule.verification,
        "keywords": list(rule.keywords),
        "patterns": list(rule.patterns),
        "categories": sorted(rule.categories) if rule.categories is not None else None,
        "not_categories": sorted(rule.not_categories),
        "scenes": sorted(rule.scenes) if rule.scenes is not None else None,
        "all_of": [list(g) for g in rule.all_of],
        "none_of": list(rule.none_of),
        "exemptions": list(rule.exemptions),
        "lifted_by": {
            "registrations": sorted(lifted.registrations),
            "efficacy_evidence": sorted(lifted.efficacy_evidence),
            "categories": sorted(lifted.categories) if lifted.categories is not None else None,
        },
        "check": rule.check,
        "context": {"negation": rule.negation, "quotation": rule.quotation, "senses": rule.senses},
    }


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(metavar="ID", help="Rule id or pack/id.")],
    rules: RulesOpt = None,
    builtin: BuiltinOpt = True,
) -> None:
    """Show every field of one rule and its examples.

    Example: liveqc rules show absolute_term.superlatives
    """
    engine = _engine(rules, builtin)
    try:
        rule = engine.rule(rule_id)
    except KeyError:
        raise NotFound(f"rule {rule_id!r} is not in the catalogue") from None
    data = _rule_dict(rule)
    pack = next((p for p in engine.packs if p.id == rule.pack), None)
    if pack is not None:
        data["examples"] = {
            kind: [e.text for e in (store or {}).get(rule.id, ())]
            for kind, store in (("hit", pack.hits), ("ok", pack.oks))
        }
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@rules_app.command("test")
def rules_test(rules: RulesOpt = None, builtin: BuiltinOpt = True) -> None:
    """Run every rule's hit/ok examples; print misses per rule (exit 1 on a miss).

    Example: liveqc rules test --rules ./my-packs
    """
    engine = _engine(rules, builtin)
    misses = all_misses(engine)
    for key, items in misses.items():
        typer.echo(f"{key}: {len(items)} miss{'es' * (len(items) != 1)}")
        for m in items:
            what = "not flagged" if m.kind == "hit" else "wrongly flagged"
            typer.echo(f"    {m.kind}: {m.text}  ({what})")
    n_rules = sum(1 for r in engine.rules if r.pack != "org")
    typer.echo(f"{n_rules - len(misses)} of {n_rules} rules pass their examples")
    raise typer.Exit(1 if misses else 0)


def eval_corpus(
    corpus: Annotated[Path, typer.Argument(help="Labelled JSON Lines corpus.")],
    rules: RulesOpt = None,
    builtin: BuiltinOpt = True,
    fmt: Annotated[TableFormat, typer.Option("--format")] = TableFormat.text,
    show_errors: Annotated[
        bool, typer.Option("--errors", help="List misclassified lines.")
    ] = False,
) -> None:
    """Per-code precision, recall, F1 and hard-negative false positives on a labelled corpus.

    Example: liveqc eval tests/engine/corpus/corpus.jsonl
    """
    engine = _engine(rules, builtin)
    with ExitStack() as stack:
        stream, source, _ = _open(str(corpus), stack)
        utts = read_utterances(stream, source=source, jsonl=True)
        report = evaluate(engine, utts)
    if fmt is TableFormat.json:
        data = report.to_dict()
        if show_errors:
            data["errors"] = report.errors
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{'code':<26}{'prec':>7}{'recall':>8}{'f1':>7}{'support':>9}{'fp':>5}{'hn_fp':>7}")
    for s in report.scores.values():
        typer.echo(
            f"{s.code:<26}{s.precision:>7.3f}{s.recall:>8.3f}{s.f1:>7.3f}{s.support:>9}"
            f"{s.fp:>5}{s.hard_negative_fp:>7}"
        )
    m, macro = report.micro, report.macro()
    typer.echo(
        f"{'micro':<26}{m.precision:>7.3f}{m.recall:>8.3f}{m.f1:>7.3f}{m.support:>9}"
        f"{m.fp:>5}{m.hard_negative_fp:>7}"
    )
    typer.echo(f"{'macro':<26}{macro['precision']:>7.3f}{macro['recall']:>8.3f}{macro['f1']:>7.3f}")
    typer.echo(
        f"{report.utterances} utterances, {report.hard_negatives} hard negatives, "
        f"catalogue {engine.version}"
    )
    if show_errors:
        for e in report.errors:
            typer.echo(f"  {e['id']}: gold={e['gold']} got={e['got']}  {e['text']}")


def register(root: typer.Typer) -> None:
    """Add `scan`, `rules` and `eval` to the root app."""
    root.command("scan")(scan)
    root.add_typer(rules_app, name="rules")
    root.command("eval")(eval_corpus)
