import io
import json

import pytest

from liveqc.engine.evaluate import evaluate
from liveqc.engine.scanio import read_utterances
from liveqc.errors import InputError

from .fixtures import fixture_engine


def corpus(*lines: dict) -> list:
    data = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines).encode()
    return list(read_utterances(io.BytesIO(data), source="c.jsonl", jsonl=True))


def test_per_code_counts_and_averages() -> None:
    report = evaluate(
        fixture_engine(),
        corpus(
            {"id": 1, "text": "这是最好的", "codes": ["absolute_term"]},
            {"id": 2, "text": "加微信", "codes": ["absolute_term"]},
            {"id": 3, "text": "最近很好", "codes": [], "hard_negative": True},
            {"id": 4, "text": "看黄片", "codes": [], "hard_negative": True},
        ),
    )
    ab = report.scores["absolute_term"]
    assert (ab.tp, ab.fp, ab.fn, ab.support) == (1, 0, 1, 2)
    assert ab.precision == 1.0 and ab.recall == 0.5
    pp = report.scores["prohibited_product"]
    assert (pp.fp, pp.hard_negative_fp) == (1, 1)
    assert report.hard_negatives == 2
    assert report.micro.tp == 1
    data = report.to_dict()
    assert data["macro"]["recall"] == 0.5  # only codes with support are averaged
    assert [e["id"] for e in report.errors] == [2, 4]


def test_unknown_or_missing_codes_are_input_errors() -> None:
    with pytest.raises(InputError, match=r"c\.jsonl:1: unknown code"):
        evaluate(fixture_engine(), corpus({"text": "x", "codes": ["rudeness"]}))
    with pytest.raises(InputError, match="field 'codes'"):
        evaluate(fixture_engine(), corpus({"text": "x"}))
