from pathlib import Path

import pytest
import yaml

from liveqc.engine.packs import builtin_dirs, load_pack, load_packs, pack_folders
from liveqc.errors import RulePackError

from .fixtures import PACKS

RULE = {
    "id": "absolute_term.best",
    "code": "absolute_term",
    "severity": "high",
    "basis": "Advertising Law art. 9(3)",
    "message": "绝对化用语",
    "suggestion": "改为客观描述",
    "keywords": ["最好"],
}
EXAMPLES = {"absolute_term.best": {"hit": ["最好用"], "ok": ["很好用"]}}


def write_pack(tmp_path: Path, rule: dict, examples: dict | None = None, **pack: object) -> Path:
    folder = tmp_path / "p"
    folder.mkdir(exist_ok=True)
    data = {"pack": "p", "title": "t", "instrument": "i", "rules": [rule], **pack}
    (folder / "pack.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    ex = EXAMPLES if examples is None else examples
    (folder / "examples.yaml").write_text(yaml.safe_dump(ex, allow_unicode=True), "utf-8")
    return folder


def test_a_valid_pack_loads(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, RULE))
    assert pack.id == "p"
    assert pack.rules[0].key == "p/absolute_term.best"
    assert pack.rules[0].senses  # absolute terms honour ordinal/time senses by default
    assert [e.text for e in pack.hits["absolute_term.best"]] == ["最好用"]


@pytest.mark.parametrize(
    ("change", "field", "needle"),
    [
        ({"colour": "red"}, "colour", "unknown field"),
        ({"code": "rudeness"}, "code", "unknown code"),
        ({"severity": "critical"}, "severity", "high, medium or low"),
        ({"patterns": ["全网最(.{1,4}"]}, "patterns", "does not compile"),
        ({"check": "no_such_check"}, "check", "unknown check"),
        ({"categories": ["spaceships"]}, "categories", "unknown category"),
        ({"not_categories": ["spaceships"]}, "not_categories", "unknown category"),
        ({"scenes": ["radio"]}, "scenes", "unknown scene"),
        ({"message": ""}, "message", "required"),
        ({"keywords": []}, "keywords", "keywords or patterns"),
        ({"lifted_by": {"registrations": ["x"], "moon": 1}}, "lifted_by.moon", "unknown field"),
        ({"context": {"negation": "yes"}}, "context.negation", "true or false"),
        ({"id": "Best"}, "id", "<code>.<variant>"),
    ],
)
def test_invalid_rules_name_file_rule_and_field(
    tmp_path: Path, change: dict, field: str, needle: str
) -> None:
    folder = write_pack(tmp_path, {**RULE, **change})
    with pytest.raises(RulePackError) as err:
        load_pack(folder)
    message = str(err.value)
    assert "pack.yaml" in message
    assert f"field {field}" in message
    assert needle in message
    if "id" not in change:
        assert "rule absolute_term.best" in message


def test_duplicate_rule_ids_are_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    data = {"pack": "p", "rules": [RULE, RULE]}
    (folder / "pack.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(RulePackError, match="duplicate rule id"):
        load_pack(folder)


def test_examples_for_an_unknown_rule_are_rejected(tmp_path: Path) -> None:
    examples = {**EXAMPLES, "absolute_term.ghost": {"hit": ["x"], "ok": ["y"]}}
    with pytest.raises(RulePackError, match=r"examples.yaml: rule absolute_term.ghost"):
        load_pack(write_pack(tmp_path, RULE, examples))


@pytest.mark.parametrize("missing", ["hit", "ok"])
def test_a_rule_without_hit_and_ok_examples_is_rejected(tmp_path: Path, missing: str) -> None:
    block = {k: v for k, v in EXAMPLES["absolute_term.best"].items() if k != missing}
    with pytest.raises(RulePackError, match=f"field {missing}: every rule needs"):
        load_pack(write_pack(tmp_path, RULE, {"absolute_term.best": block}))


def test_example_facts_are_validated(tmp_path: Path) -> None:
    examples = {"absolute_term.best": {"hit": ["最好"], "ok": [{"text": "好", "facts": {"x": 1}}]}}
    with pytest.raises(RulePackError, match=r"examples\.facts: unknown facts field"):
        load_pack(write_pack(tmp_path, RULE, examples))


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "pack.yaml").write_text("pack: p\nrules: [\n  - {id: x\n", "utf-8")
    with pytest.raises(RulePackError, match=r"pack.yaml: invalid YAML at line \d"):
        load_pack(folder)


def test_a_directory_of_packs_and_a_single_pack_folder_both_load() -> None:
    assert [p.name for p in pack_folders(PACKS)] == ["basic", "extra"]
    assert pack_folders(PACKS / "extra") == [PACKS / "extra"]
    packs = load_packs([PACKS], include_builtin=False)
    assert [p.id for p in packs] == ["basic", "extra"]


def test_the_same_pack_twice_is_rejected() -> None:
    with pytest.raises(RulePackError, match="duplicate pack id"):
        load_packs([PACKS, PACKS / "basic"], include_builtin=False)


def test_builtin_packs_are_discovered_through_entry_points() -> None:
    from liveqc.engine.builtin_packs import PACK_DIR

    assert PACK_DIR in builtin_dirs()


def test_a_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="not a rule pack folder"):
        load_packs([tmp_path / "nope"], include_builtin=False)
