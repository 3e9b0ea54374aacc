"""Complaint triage: the contract's conventions, normalisation, and figures on the corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from liveqc.complaints.classify import (
    ComplaintCategory,
    _load,
    classify,
    evaluate,
    format_report,
    normalize,
)
from liveqc.errors import RulePackError

CORPUS = Path(__file__).parent / "corpus" / "complaints.jsonl"
C = ComplaintCategory


def _corpus() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]


def _check(cases: list[str], want: ComplaintCategory) -> None:
    wrong = {t: classify(t).category.value for t in cases if classify(t).category != want}
    assert not wrong, f"expected {want.value}: {wrong}"


# -- convention 1: harm first; hazards found before harm are not safety incidents -------------


def test_harm_first_even_when_fake_or_late() -> None:
    _check(
        [
            "买到的是假冒的大牌面霜，涂完脸又红又肿，去医院开了药",
            "快递拖了两个星期才到，里面的肉干吃完我们一家都拉肚子",
            "充电器插上没多久就冒烟起火了，把桌子烧黑了一块",
            "孩子玩这个玩具被边角划破了手，流了不少血",
            "电饭煲外壳带电，我摸了一下被电得手发麻",
            "吃了他们家的凉皮半夜上吐下泻，去急诊挂了水",
        ],
        C.SAFETY_INCIDENT,
    )


def test_hazard_found_before_harm_is_not_a_safety_incident() -> None:
    _check(
        [
            "打开饼干发现里面有一只虫子，还好没吃",
            "面包上面长了绿毛，吃之前发现的，没给孩子吃",
            "奶粉罐里有一块小铁片，幸亏冲之前看到了，宝宝没事",
        ],
        C.QUALITY_DEFECT,
    )


def test_negated_harm_does_not_count() -> None:
    _check(
        ["用了这个乳液没有过敏，就是一点保湿效果都没有，主播说能补水一整天"], C.FALSE_ADVERTISING
    )
    _check(["不是假货，专柜验过是正品，就是拉链用了两天就坏了"], C.QUALITY_DEFECT)


@pytest.mark.parametrize("text", ["脸上过敏起了一片红疹", "这是正常的快递，没发货", "假货"])
def test_urgent_exactly_for_safety_incidents(text: str) -> None:
    result = classify(text)
    assert result.urgent == (result.category is C.SAFETY_INCIDENT)


# -- convention 3: counterfeit over working badly; words alone are false advertising ----------


def test_fake_brand_or_forged_papers_are_counterfeit_even_if_it_also_works_badly() -> None:
    _check(
        [
            "这双所谓的正品耐克是假货，穿了两天就开胶了",
            "蓝牙耳机是山寨的，序列号官网查不到，音质也很差还断连",
            "附带的质检报告是伪造的，检测机构说从没出过这份报告",
            "包装上的地理标志是冒用的，这个厂根本不在产区",
        ],
        C.COUNTERFEIT,
    )


def test_claims_made_only_in_words_with_truthful_labels_are_false_advertising() -> None:
    _check(
        [
            "主播说是纯棉的，吊牌上写的是涤纶，直播的时候完全不是这么说的",
            "主播保证喝一个月就能降血压，喝了两个月一点用都没有",
            "直播间说这个面霜能去皱纹，用完没有任何变化，虚假宣传",
        ],
        C.FALSE_ADVERTISING,
    )


# -- convention 4: broken, expired, short weight, failing its own label --------------------


def test_broken_expired_short_weight_or_failing_label_are_quality_defects() -> None:
    _check(
        [
            "快递路上摔碎了，收到的时候盘子碎成三块",
            "收到的酸奶已经过期三天了",
            "标着两斤的车厘子称了一下只有一斤六两",
            "包装上写着续航8小时，实际用两个小时就没电了",
            "电水壶用了三次就不加热了",
        ],
        C.QUALITY_DEFECT,
    )


# -- convention 5: wrong item vs listing vs host's words; fewer units -----------------------


def test_wrong_item_or_fewer_units_is_delivery() -> None:
    _check(
        [
            "我下单的是蓝色M码，收到的是红色L码",
            "订了三盒面膜只收到两盒，少发了一盒",
            "发错货了，寄来的跟我买的根本不是一个东西",
            "物流一个星期没更新了，东西到现在还没到",
            "付款半个月了还没发货",
        ],
        C.DELIVERY,
    )


def test_item_matching_listing_but_not_hosts_words_is_false_advertising() -> None:
    _check(
        [
            "商品页写的是普通版，可主播在直播间一直说是升级版能连wifi，收到就是普通版，主播说的不一样"
        ],
        C.FALSE_ADVERTISING,
    )


# -- convention 6 and 2: refunds, repairs, price protection, gifts, "would not help" ---------


def test_refund_never_came_after_return_or_refused_repair_is_after_sales_refusal() -> None:
    _check(
        [
            "退货已经寄回去，商家签收十天了还没退款",
            "保修期内坏了，售后说是人为损坏不给修",
            "申请七天无理由退货，商家直接拒绝了",
        ],
        C.AFTER_SALES_REFUSAL,
    )


def test_refused_price_protection_or_gift_is_price_dispute() -> None:
    _check(
        [
            "买完第三天就降价了，说好的保价，申请补差价被拒绝",
            "主播说下单送的赠品一直没发，客服说赠品没有了",
            "直播间原价写的999，其实平时一直卖299",
        ],
        C.PRICE_DISPUTE,
    )


def test_seller_would_not_help_alone_is_not_after_sales_refusal() -> None:
    assert classify("收到的台灯不亮，客服一直不理我").category is C.QUALITY_DEFECT
    assert classify("两周了还没发货，客服也不回消息").category is C.DELIVERY
    assert classify("主播在直播间骂粉丝，客服也不管").category is C.OTHER


# -- normalisation and reasons ------------------------------------------------------------


def test_traditional_fullwidth_and_noise_are_normalised() -> None:
    assert normalize("過敏ＡＢＣ😀 了！") == "过敏abc了，"
    assert classify("臉上過敏，起了紅疹😭😭").category is C.SAFETY_INCIDENT
    assert classify("已經等了２０天了還沒發貨！！！").category is C.DELIVERY


def test_links_and_topics_are_dropped_without_eating_the_chinese_after_them() -> None:
    assert normalize("看https://v.douyin.com/abc/主播说能祛斑#好物#") == "看主播说能祛斑"


def test_common_typos_are_fixed() -> None:
    assert classify("收到的时候以经过了保值期").category is C.QUALITY_DEFECT


def test_reasons_name_the_cues_that_fired() -> None:
    result = classify("吃了以后拉肚子")
    assert any("illness_after_eating" in r and "拉肚子" in r for r in result.reasons)
    assert classify("").reasons == ()
    assert classify("").category is C.OTHER


def test_broken_cue_files_are_refused_when_loaded() -> None:
    base: dict[str, Any] = {
        "precedence": [c.value for c in C],
        "thresholds": {"safety_min": 4, "min_score": 2},
        "negation": {"negators": ["没"], "fillers": ["有"]},
    }
    with pytest.raises(RulePackError, match="nonsense"):
        _load({**base, "categories": {"nonsense": {"cues": []}}})
    with pytest.raises(RulePackError, match=r"x\.y"):
        _load({**base, "categories": {"other": {"cues": [{"id": "x.y", "weight": 1}]}}})
    with pytest.raises(RulePackError, match="re:"):
        _load(
            {**base, "categories": {"other": {"cues": [{"id": "z", "weight": 1, "any": ["re:("]}]}}}
        )


# -- figures on the labelled corpus -------------------------------------------------------


def test_corpus_is_large_labelled_and_has_a_holdout() -> None:
    rows = _corpus()
    assert len(rows) >= 300
    assert {r["category"] for r in rows} == {c.value for c in C}
    holdout = [r for r in rows if r["split"] == "holdout"]
    assert 0.25 <= len(holdout) / len(rows) <= 0.4
    assert len({r["id"] for r in rows}) == len(rows)


def test_tuning_split_precision_and_recall_per_category() -> None:
    result = evaluate([r for r in _corpus() if r["split"] == "tune"])
    low = {
        cat: m
        for cat, m in result["per_category"].items()
        if m["precision"] < 0.9 or m["recall"] < 0.9
    }
    assert not low, format_report("tune", result)
    assert result["accuracy"] >= 0.95


def test_holdout_figures_stay_above_floor() -> None:
    result = evaluate([r for r in _corpus() if r["split"] == "holdout"])
    print(format_report("holdout", result))
    assert result["accuracy"] >= 0.8, format_report("holdout", result)
    assert result["per_category"]["safety_incident"]["precision"] >= 0.9
