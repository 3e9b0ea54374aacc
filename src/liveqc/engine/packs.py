"""Rule packs: the YAML model, discovery through entry points, and validation at load time.

A pack is a folder with ``pack.yaml`` (rules) and ``examples.yaml`` (hit/ok examples per rule).
Every problem is reported as :class:`liveqc.errors.RulePackError` naming the file, the rule id and
the field, so a pack author can fix it without reading engine code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import yaml

from liveqc.engine.facts import Facts, InvalidFacts
from liveqc.engine.taxonomy import CATEGORIES, CODES, SCENES, SEVERITIES
from liveqc.errors import RulePackError

ENTRY_POINT_GROUP = "liveqc.rule_packs"
PACK_FILE = "pack.yaml"
EXAMPLES_FILE = "examples.yaml"

_PACK_KEYS = {"pack", "title", "instrument", "allowlist", "rules", "description"}
_REQUIRED_RULE_KEYS = ("id", "code", "severity", "basis", "message", "suggestion")
_RULE_KEYS = set(_REQUIRED_RULE_KEYS) | {
    "verification",
    "keywords",
    "patterns",
    "categories",
    "not_categories",
    "scenes",
    "all_of",
    "none_of",
    "exemptions",
    "lifted_by",
    "check",
    "context",
}
_LIFT_KEYS = {"registrations", "efficacy_evidence", "categories"}
_CONTEXT_KEYS = {"negation", "quotation", "senses"}
_EXAMPLE_KEYS = {"text", "category", "facts", "scene"}
_ID_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")

try:  # the C loader is several times faster when libyaml is present
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


@dataclass(frozen=True, slots=True)
class LiftedBy:
    """Product facts that make a claim lawful; all listed must hold."""

    registrations: frozenset[str] = frozenset()
    efficacy_evidence: frozenset[str] = frozenset()
    categories: frozenset[str] | None = None

    def __bool__(self) -> bool:
        return bool(self.registrations or self.efficacy_evidence or self.categories)

    def holds(self, facts: Facts, category: str | None) -> bool:
        """True when the facts satisfy every listed condition."""
        if not self:
            return False
        if not self.registrations <= facts.registrations:
            return False
        if not self.efficacy_evidence <= facts.efficacy_evidence:
            return False
        return self.categories is None or category in self.categories


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a pack, as validated from YAML."""

    pack: str
    id: str
    code: str
    severity: str
    basis: str
    message: str
    suggestion: str
    keywords: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    verification: str | None = None
    categories: frozenset[str] | None = None
    not_categories: frozenset[str] = frozenset()
    scenes: frozenset[str] | None = None
    all_of: tuple[tuple[str, ...], ...] = ()
    none_of: tuple[str, ...] = ()
    exemptions: tuple[str, ...] = ()
    lifted_by: LiftedBy = LiftedBy()
    check: str | None = None
    negation: bool = True
    quotation: bool = True
    senses: bool = False

    @property
    def key(self) -> str:
        """``pack/id``: unique across the catalogue."""
        return f"{self.pack}/{self.id}"


@dataclass(frozen=True, slots=True)
class Example:
    """A hit or ok example of a rule."""

    text: str
    category: str | None = None
    facts: Facts = field(default_factory=Facts)
    scene: str = "transcript"


@dataclass(frozen=True, slots=True)
class RulePack:
    """A validated pack: its rules, allowlist and examples."""

    id: str
    title: str
    instrument: str
    path: str
    rules: tuple[Rule, ...]
    allowlist: tuple[str, ...] = ()
    hits: Mapping[str, tuple[Example, ...]] | None = None
    oks: Mapping[str, tuple[Example, ...]] | None = None


def _fail(path: Path | str, rule: str | None, field: str | None, problem: str) -> RulePackError:
    where = str(path)
    if rule:
        where += f": rule {rule}"
    if field:
        where += f": field {field}"
    return RulePackError(f"{where}: {problem}")


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, None, None, f"cannot read file ({exc.__class__.__name__})") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise _fail(path, None, None, f"invalid YAML{line}") from None


def _str_list(path: Path, rule: str | None, field: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise _fail(path, rule, field, "must be a list of strings")
    out = tuple(str(v).strip() for v in value)
    if any(not v for v in out):
        raise _fail(path, rule, field, "contains an empty string")
    return out


def _categories(path: Path, rule: str, field: str, value: Any) -> frozenset[str]:
    cats = _str_list(path, rule, field, value)
    for c in cats:
        if c not in CATEGORIES:
            raise _fail(path, rule, field, f"unknown category {c!r}")
    return frozenset(cats)


def _parse_rule(path: Path, pack: str, raw: Any, checks: Iterable[str]) -> Rule:
    if not isinstance(raw, dict):
        raise _fail(path, None, "rules", "each rule must be a mapping")
    rid = raw.get("id")
    if not isinstance(rid, str) or not _ID_RE.match(rid):
        raise _fail(path, str(rid), "id", "must look like <code>.<variant> (lower case)")
    for key in sorted(set(raw) - _RULE_KEYS):
        raise _fail(path, rid, key, "unknown field")
    for key in _REQUIRED_RULE_KEYS:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise _fail(path, rid, key, "required (a non-empty string)")
    if raw["code"] not in CODES:
        raise _fail(path, rid, "code", f"unknown code {raw['code']!r}")
    if raw["severity"] not in SEVERITIES:
        raise _fail(path, rid, "severity", "must be high, medium or low")
    verification = raw.get("verification")
    if verification is not None and verification not in ("V", "S", "U"):
        raise _fail(path, rid, "verification", "must be V, S or U")
    keywords = _str_list(path, rid, "keywords", raw.get("keywords"))
    patterns = _str_list(path, rid, "patterns", raw.get("patterns"))
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise _fail(path, rid, "patterns", f"regex {p!r} does not compile ({exc})") from None
    if not keywords and not patterns:
        raise _fail(path, rid, "keywords", "a rule needs keywords or patterns")
    scenes = None
    if "scenes" in raw:
        scenes = frozenset(_str_list(path, rid, "scenes", raw["scenes"]))
        bad = sorted(scenes - SCENES)
        if bad:
            raise _fail(path, rid, "scenes", f"unknown scene {bad[0]!r}")
    all_of_raw = raw.get("all_of") or []
    if not isinstance(all_of_raw, list):
        raise _fail(path, rid, "all_of", "must be a list of lists of strings")
    all_of = tuple(_str_list(path, rid, "all_of", g) for g in all_of_raw)
    if any(not g for g in all_of):
        raise _fail(path, rid, "all_of", "contains an empty group")
    lift_raw = raw.get("lifted_by") or {}
    if not isinstance(lift_raw, dict):
        raise _fail(path, rid, "lifted_by", "must be a mapping")
    for key in sorted(set(lift_raw) - _LIFT_KEYS):
        raise _fail(path, rid, f"lifted_by.{key}", "unknown field")
    lifted = LiftedBy(
        frozenset(_str_list(path, rid, "lifted_by.registrations", lift_raw.get("registrations"))),
        frozenset(
            _str_list(path, rid, "lifted_by.efficacy_evidence", lift_raw.get("efficacy_evidence"))
        ),
        _categories(path, rid, "lifted_by.categories", lift_raw["categories"])
        if "categories" in lift_raw
        else None,
    )
    check = raw.get("check")
    if check is not None and check not in set(checks):
        raise _fail(path, rid, "check", f"unknown check {check!r}")
    ctx = raw.get("context") or {}
    if not isinstance(ctx, dict):
        raise _fail(path, rid, "context", "must be a mapping")
    for key, value in ctx.items():
        if key not in _CONTEXT_KEYS:
            raise _fail(path, rid, f"context.{key}", "unknown field")
        if not isinstance(value, bool):
            raise _fail(path, rid, f"context.{key}", "must be true or false")
    return Rule(
        pack=pack,
        id=rid,
        code=raw["code"],
        severity=raw["severity"],
        basis=raw["basis"].strip(),
        message=raw["message"].strip(),
        suggestion=raw["suggestion"].strip(),
        keywords=keywords,
        patterns=patterns,
        verification=verification,
        categories=_categories(path, rid, "categories", raw["categories"])
        if "categories" in raw
        else None,
        not_categories=_categories(path, rid, "not_categories", raw.get("not_categories")),
        scenes=scenes,
        all_of=all_of,
        none_of=_str_list(path, rid, "none_of", raw.get("none_of")),
        exemptions=_str_list(path, rid, "exemptions", raw.get("exemptions")),
        lifted_by=lifted,
        check=check,
        negation=ctx.get("negation", True),
        quotation=ctx.get("quotation", True),
        senses=ctx.get("senses", raw["code"] == "absolute_term"),
    )


def _parse_example(path: Path, rid: str, raw: Any) -> Example:
    if isinstance(raw, str):
        return Example(raw)
    if not isinstance(raw, dict):
        raise _fail(path, rid, "examples", "an example is a string or a mapping with text")
    for key in sorted(set(raw) - _EXAMPLE_KEYS):
        raise _fail(path, rid, f"examples.{key}", "unknown field")
    text = raw.get("text")
    if not isinstance(text, str):
        raise _fail(path, rid, "examples.text", "required (a string)")
    category = raw.get("category")
    if category is not None and category not in CATEGORIES:
        raise _fail(path, rid, "examples.category", f"unknown category {category!r}")
    scene = raw.get("scene", "transcript")
    if scene not in SCENES:
        raise _fail(path, rid, "examples.scene", f"unknown scene {scene!r}")
    try:
        facts = Facts.from_dict(raw.get("facts"))
    except InvalidFacts as exc:
        raise _fail(path, rid, "examples.facts", str(exc)) from None
    return Example(text, category, facts, scene)


def load_pack(folder: Path | str, *, require_examples: bool = True) -> RulePack:
    """Load and validate one pack folder.

    Raises:
        RulePackError: naming the file, the rule id and the field of the first problem.
    """
    from liveqc.engine.checks import CHECKS

    folder = Path(folder)
    path = folder / PACK_FILE
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise _fail(path, None, None, "a pack file must be a mapping")
    for key in sorted(set(raw) - _PACK_KEYS):
        raise _fail(path, None, key, "unknown field")
    pack_id = raw.get("pack")
    if not isinstance(pack_id, str) or not re.match(r"^[a-z0-9_\-]+$", pack_id):
        raise _fail(path, None, "pack", "required (lower-case id)")
    rules_raw = raw.get("rules")
    if not isinstance(rules_raw, list) or not rules_raw:
        raise _fail(path, None, "rules", "required (a non-empty list)")
    rules: list[Rule] = []
    seen: set[str] = set()
    for item in rules_raw:
        rule = _parse_rule(path, pack_id, item, CHECKS)
        if rule.id in seen:
            raise _fail(path, rule.id, "id", "duplicate rule id in this pack")
        seen.add(rule.id)
        rules.append(rule)
    hits: dict[str, tuple[Example, ...]] = {}
    oks: dict[str, tuple[Example, ...]] = {}
    ex_path = folder / EXAMPLES_FILE
    if ex_path.exists():
        ex_raw = _read_yaml(ex_path) or {}
        if not isinstance(ex_raw, dict):
            raise _fail(ex_path, None, None, "an examples file must map rule ids to hit/ok lists")
        for rid, block in ex_raw.items():
            if rid not in seen:
                raise _fail(ex_path, str(rid), None, "examples for an unknown rule")
            if not isinstance(block, dict) or set(block) - {"hit", "ok"}:
                raise _fail(ex_path, rid, "examples", "must be a mapping with hit and ok lists")
            for kind, store in (("hit", hits), ("ok", oks)):
                items = block.get(kind) or []
                if not isinstance(items, list):
                    raise _fail(ex_path, rid, kind, "must be a list")
                store[rid] = tuple(_parse_example(ex_path, rid, e) for e in items)
    if require_examples:
        for rule in rules:
            for kind, store in (("hit", hits), ("ok", oks)):
                if not store.get(rule.id):
                    raise _fail(ex_path, rule.id, kind, "every rule needs hit and ok examples")
    return RulePack(
        id=pack_id,
        title=str(raw.get("title") or pack_id),
        instrument=str(raw.get("instrument") or ""),
        path=str(folder),
        rules=tuple(rules),
        allowlist=_str_list(path, None, "allowlist", raw.get("allowlist")),
        hits=hits,
        oks=oks,
    )


def pack_folders(directory: Path | str) -> list[Path]:
    """Pack folders in ``directory``: the folder itself when it holds pack.yaml, else children."""
    directory = Path(directory)
    if (directory / PACK_FILE).is_file():
        return [directory]
    if not directory.is_dir():
        raise RulePackError(f"{directory}: not a rule pack folder or a directory of packs")
    return sorted(p for p in directory.iterdir() if (p / PACK_FILE).is_file())


def builtin_dirs() -> list[Path]:
    """Pack directories published through the ``liveqc.rule_packs`` entry-point group."""
    dirs: list[Path] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dirs.append(Path(ep.load()))
    if not dirs:  # not installed as a distribution (e.g. run from a source tree)
        from liveqc.engine.builtin_packs import PACK_DIR

        dirs.append(PACK_DIR)
    return dirs


def load_packs(
    extra_dirs: Iterable[Path | str] = (),
    *,
    include_builtin: bool = True,
    require_examples: bool = True,
) -> list[RulePack]:
    """Load the built-in packs (entry points) and any extra directories, in a stable order.

    Raises:
        RulePackError: on any invalid pack, or two packs with the same id.
    """
    dirs = [*builtin_dirs()] if include_builtin else []
    dirs.extend(Path(d) for d in extra_dirs)
    packs: list[RulePack] = []
    seen: dict[str, str] = {}
    for d in dirs:
        for folder in pack_folders(d):
            pack = load_pack(folder, require_examples=require_examples)
            if pack.id in seen:
                raise RulePackError(
                    f"{folder / PACK_FILE}: field pack: duplicate pack id {pack.id!r} "
                    f"(also in {seen[pack.id]})"
                )
            seen[pack.id] = str(folder)
            packs.append(pack)
    return packs
