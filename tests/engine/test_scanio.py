import io

import pytest

from liveqc.engine.facts import Facts
from liveqc.engine.scanio import read_utterances
from liveqc.errors import InputError


def read(data: bytes, jsonl: bool | None = None, **kw: object) -> list:
    return list(read_utterances(io.BytesIO(data), source="in.txt", jsonl=jsonl, **kw))


def test_plain_text_is_one_utterance_a_line_numbered_from_one() -> None:
    utts = read("最好\n\n第三行\r\n最后一行无换行".encode())
    assert [(u.id, u.line, u.text) for u in utts] == [
        (1, 1, "最好"),
        (2, 2, ""),
        (3, 3, "第三行"),
        (4, 4, "最后一行无换行"),
    ]


def test_standard_input_is_detected_as_json_lines_by_its_first_non_blank_line() -> None:
    data = '\n  {"id": "u1", "text": "最好"}\n\n{"id": "u2", "text": "好"}\n'.encode()
    utts = read(data)
    assert [(u.id, u.line) for u in utts] == [("u1", 2), ("u2", 4)]
    assert [u.text for u in read(b"hello {\n")] == ["hello {"]


def test_json_lines_override_category_and_facts_per_line() -> None:
    data = (
        b'{"id": 1, "text": "a"}\n'
        b'{"id": 2, "text": "b", "category": "food", "facts": {"spf": 30}, "scene": "comment"}\n'
    )
    base = Facts(spf=50)
    one, two = read(data, jsonl=True, category="cosmetics", facts=base)
    assert (one.category, one.facts.spf, one.scene) == ("cosmetics", 50, "transcript")
    assert (two.category, two.facts.spf, two.scene) == ("food", 30, "comment")


def test_a_missing_id_is_the_line_number_and_a_bom_is_ignored() -> None:
    (u,) = read(b'\xef\xbb\xbf{"text": "x"}\n', jsonl=True)
    assert u.id == 1


@pytest.mark.parametrize(
    ("data", "jsonl", "needle"),
    [
        (b"ok\n\xff\xfe bad\n", False, "in.txt:2: invalid UTF-8"),
        (b'{"text": "a"}\n{"text": \n', True, "in.txt:2: malformed JSON"),
        (b'{"text": "a", "category": "spaceship"}\n', True, "in.txt:1: unknown category"),
        (b'{"text": "a", "facts": {"colour": 1}}\n', True, "in.txt:1: unknown facts field"),
        (b'{"text": 3}\n', True, "in.txt:1: field 'text'"),
        (b"[1, 2]\n", True, "in.txt:1: a JSON line must be an object"),
        (b'{"text": "a", "scene": "radio"}\n', True, "in.txt:1: unknown scene"),
    ],
)
def test_bad_input_names_the_source_and_line(data: bytes, jsonl: bool, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        read(data, jsonl=jsonl)


def test_progress_callback_sees_every_byte() -> None:
    seen: list[int] = []
    data = "一\n二\n".encode()
    read(data, on_bytes=seen.append)
    assert sum(seen) == len(data)
