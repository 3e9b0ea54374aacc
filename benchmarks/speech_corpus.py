"""A deterministic corpus of Chinese live-commerce host speech for benchmarks.

Utterances of 8-80 characters built from fillers, clean selling talk, violations and evasive
spellings of violations, in proportions close to real transcripts (most lines are clean).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

FILLERS = [
    "家人们",
    "宝宝们",
    "姐妹们",
    "那个",
    "就是说",
    "来来来",
    "好吧",
    "对吧",
    "我跟你们说",
    "真的",
    "大家看一下",
    "然后呢",
    "嗯",
    "哎",
    "来",
    "听我说",
    "咱们",
    "老铁们",
]
PRODUCTS = [
    "面霜",
    "精华",
    "口红",
    "洗发水",
    "牛肉干",
    "蜂蜜",
    "保温杯",
    "羽绒服",
    "电饭煲",
    "手串",
    "茶叶",
    "防晒霜",
    "纸巾",
    "猕猴桃",
    "蛋白粉",
    "儿童书包",
    "空气炸锅",
    "羊毛衫",
    "面膜",
]
CLEAN = [
    "今天给大家带来一款{p}",
    "这个{p}质地很清爽",
    "链接已经上好了",
    "点击下方小黄车",
    "库存不多了大家抓紧",
    "这个颜色很显白",
    "关注主播不迷路",
    "今天直播间有福利",
    "我们家发顺丰包邮",
    "支持七天无理由退换",
    "喜欢的可以拍一号链接",
    "这个价格真的很划算",
    "最近天气冷大家注意保暖",
    "第一次来直播间的朋友点个关注",
    "到手价九十九元",
    "质检报告在详情页",
    "规格是五十毫升",
    "一共有三个颜色",
    "{p}开封后最好冷藏",
    "这款{p}我自己也在用",
    "有问题联系平台客服",
    "这个{p}做工很细致",
    "给大家试一下上手效果",
    "下单备注颜色就可以",
    "今天的{p}买二送一",
    "我们再低一点给大家",
    "新来的宝宝点点关注",
    "主播身高一米六五穿S码",
    "这个是我们的第一步",
]
VIOLATIONS = [
    "全网最低价",
    "这是最好用的{p}",
    "用了保证有效",
    "无效退款",
    "加我微信私聊",
    "能治疗失眠",
    "原价二百九十九今天只要九十九",
    "最后三单",
    "大师开光转运",
    "一经售出概不退换",
    "医生都推荐这个{p}",
    "这款一段奶粉新生儿就能喝",
    "小朋友让爸爸妈妈下单",
    "国家级产品",
    "销量第一的{p}",
    "这个{p}能美白祛斑",
    "吃了能降血压",
    "一周见效永不反弹",
    "专柜价八百多",
    "电子烟水果味的",
    "最终解释权归商家所有",
    "效果顶级",
    "纯天然无副作用",
    "明天就涨价",
    "加群领福利",
]
EVASIONS = [
    "全网zui低价",
    "这是最*好*用的{p}",
    "加V信私聊",
    "醉好的{p}",
    "决对有效",
    "私 聊下单",
    "能zhi疗失眠",
    "全网最 低 价",
    "vx联系我",
    "這是最好用的{p}",
    "ZUI低价",
    "加薇信发你",
]


#: Share of sentence pieces that are violations and evasive violations. Most host speech is
#: clean selling talk; with 1-5 pieces an utterance, about one utterance in five gets a finding
#: (the benchmark prints the exact share).
VIOLATION_RATE = 0.04
EVASION_RATE = 0.015


def utterances(count: int, seed: int = 0) -> Iterator[str]:
    """Yield ``count`` utterances, the same ones for the same seed."""
    rng = random.Random(seed)
    for _ in range(count):
        parts: list[str] = []
        for _ in range(rng.choice((1, 1, 2, 2, 2, 3, 3, 4, 5))):
            roll = rng.random()
            if roll < VIOLATION_RATE:
                pool = VIOLATIONS
            elif roll < VIOLATION_RATE + EVASION_RATE:
                pool = EVASIONS
            else:
                pool = CLEAN
            piece = rng.choice(pool).format(p=rng.choice(PRODUCTS))
            if rng.random() < 0.5:
                piece = rng.choice(FILLERS) + piece
            parts.append(piece)
        sep = "，" if rng.random() < 0.3 else ""  # ASR output mostly has no punctuation
        text = sep.join(parts)
        while len(text) < 8:
            text = rng.choice(FILLERS) + text
        yield text[:80]


def corpus(megabytes: float, seed: int = 0) -> list[str]:
    """Enough utterances for ``megabytes`` of UTF-8 text."""
    target = int(megabytes * 1_000_000)
    out: list[str] = []
    size = 0
    for text in utterances(10**9, seed):
        out.append(text)
        size += len(text.encode("utf-8"))
        if size >= target:
            break
    return out
