"""The words that tell what kind of price an amount is, and what is not a price at all.

Data for ``liveqc.engine.prices``: cues before and after an amount with their kind and
strength, the words that may follow a price, and the counting, time and size words that turn a
number into something else. Extend the tables here; the reading logic stays in prices.py.
"""

from __future__ import annotations


def _w(text: str) -> list[str]:
    return text.split()


def _words(kind: str | None, strength: int, text: str) -> dict[str, tuple[str | None, int]]:
    return dict.fromkeys(text.split(), (kind, strength))


# Cues read before an amount. Strength 3 (deposits, balances, shipping…) decides alone; otherwise
# a strong cue (2) beats a weak one (1) and, at equal strength, the nearest wins. Kind None is a
# word that only masks a shorter cue inside it (运费险 is not 运费).
CUES: dict[str, tuple[str | None, int]] = {
    **_words(
        "original",
        2,
        "原价 原来 原本 本来 划线价 划线 日常价 日常 平时 平常 平日 往常 专柜价 专柜 吊牌价 吊牌 "
        "标价 标签价 市场价 市面上 市面 市价 外面 外边 外头 官网 官方价 官方旗舰店 旗舰店 线下 "
        "实体店 门店 超市 商场 药店 专卖店 别人家 别家 人家 别的直播间 其他直播间 别的主播 "
        "其他主播 以前 之前 先前 此前 上次 去年 往年 昨天 零售价 建议零售价 指导价 参考价 正价 "
        "正常价 正常 一般 定价 官方 同款 恢复 恢复到 涨回 涨到 回到 明天 过了今天 单买 单独买 "
        "单拍 单拿 单独拿 别的平台 其他平台 其它平台 别家平台 别的店 其他店 某音 某书 出厂价 "
        "原售价 不要 不是 不用 别说 何止 天猫 京东 "
        "淘宝 拼多多 某宝 某东 某猫 价值",
    ),
    **_words(
        "current",
        2,
        "现价 现在 今天 今晚 今儿 此刻 目前 直播间价 直播价 专享价 到手价 到手 秒杀价 秒杀 活动价 "
        "福利价 福利 宠粉价 宠粉 粉丝价 新人价 首发价 预售价 团购价 拼团价 开团价 抢购价 返场价 "
        "特价 优惠价 一口价 破价 底价 最低价 券后价 券后 折后价 折后 打完折 用券后 领券后 补贴后 "
        "优惠后 减完 减到 降到 降至 变成 砍到 打到 只要 只需要 只需 只卖 只收 仅需 仅要 仅售 仅 "
        "均价 单价 算下来 以后 之后 用完 领完 叠完 算完 一共 总共 合计 总价 "
        "平均下来 平均 相当于 折合 合下来 收你们 收大家 卖你们 卖大家 "
        "拿下 带走 入手 拍下",
    ),
    **_words(
        "current",
        1,
        "才 直接 统统 通通 全部 一律 卖 价格 价钱 售价 价 就 是 要 给到 给你们 给大家 给家人们 "
        "给你 直播间 本店 拍 抢 下单 开价 报价 收 多少钱 我这 这个 这款 这件 我们 咱们 我们家 咱家 "
        "这套 这条 这双 这瓶 这盒 这一款 这一套 差不多 大概 大约 将近 接近 至少 起码 也就",
    ),
    **_words(
        "other",
        2,
        "券 优惠券 无门槛券 无门槛 满减 红包 现金红包 补贴 平台补贴 国补 国家补贴 政府补贴 返现 "
        "返利 返还 差价 抵扣 抵用 膨胀 积分 赠品 礼品 佣金 提成 退款 罚款 加价 打赏 "
        "礼物 充值 直降 立减 立省",
    ),
    **_words(
        "other",
        3,
        "定金 订金 尾款 押金 保证金 运费 邮费 快递费 配送费 预算 成本 进价 工资 月薪 年薪 收入 "
        "余额 手续费 服务费 包装费 税费 分期 每期 月供",
    ),
    **_words(
        None,
        0,
        "运费险 是不是 不要犹豫 不是吧 满意 满满 年满 满月 满分 降温 减肥 减脂 返场 送货 送达",
    ),
    **_words(
        "none",
        2,
        "销量 已售 卖出 售出 库存 粉丝 点赞 身高 体重 净含量 容量 尺码 编号 型号 号码 尾号 电话 "
        "卖了 订单 人数 人气 在线 观看 播放 浏览 访客 破 突破 超过 达到",
    ),
}
#: Cues that govern only an amount right after them (满三百, 减五十, 省了两百, 送你五十).
ADJACENT: dict[str, str] = {
    **dict.fromkeys(
        _w("满 每满 减 再减 减了 降 降了 省 省了 省下 能省 便宜 便宜了 优惠 优惠了 低了 少了 少花"),
        "other",
    ),
    **dict.fromkeys(
        _w("送 赠 加赠 再送 还送 赚 亏 赔 退 加 再加 补 返 抵 多花 少花 花了"), "other"
    ),
    **dict.fromkeys(_w("从"), "original"),
}
#: Cues read right after an amount (五十元优惠券, 三百的门槛, 两百九十九的原价, 九十九到手).
AFTER: dict[str, str] = {
    **dict.fromkeys(
        _w(
            "券 优惠券 无门槛 红包 运费 邮费 定金 订金 押金 尾款 补贴 返现 门槛 抵 膨胀 赠品 差价 "
            "的券 的红包 的赠品 的礼品 的小样 的门槛"
        ),
        "other",
    ),
    **dict.fromkeys(
        _w("原价 的原价 都不止 不止 都不要 也不要 变 直接变 降到 直降到 砍到"), "original"
    ),
    **dict.fromkeys(_w("到手 包邮 拿走 带走 带回家 入手 秒杀"), "current"),
    **dict.fromkeys(_w("的价格 这个价 的价位 之间 以内"), "support"),
}
#: Cues of a unit price worked out aloud: never the price another one is compared with.
PER_UNIT_WORDS = frozenset(_w("算下来 平均下来 平均 相当于 折合 合下来 单价 均价"))
#: Weak cues that still name the seller's own price (so an earlier bare price is compared).
SELLER_WORDS = frozenset(_w("我们 咱们 我们家 咱家 直播间 我这 本店"))
GIFT_WORDS = ("送", "赠", "礼", "小样", "福袋", "额外", "免费")
MAX_CUE = max(len(w) for w in (*CUES, *ADJACENT))

# What may follow a bare number that is a price (a particle, a filler, another cue or amount).
FOLLOW_WORDS = _w(
    "包邮 到手 拿走 带走 带回家 入手 秒杀 家人 大家 宝宝 宝贝 姐妹 老铁 朋友 亲们 兄弟 左右 上下 "
    "出头 以内 以下 以上 之间 之内 不到 起 的价格 这个价 划算 便宜 值 贵"
)
FOLLOW_CHARS = frozenset(
    "多上明恢涨了啦啊呀吧哦哈呢嘛哇噢喔哟么吗嘞咯哒的就都也还再又才直到拿带给买拍抢你我他她咱这那真太很超可能会是没别而但减抵满送返省"
)
#: What follows a quantity, a time, a size or a rank rather than a price (under a strong cue,
#: anything else may follow a price).
NOT_PRICE_AFTER = frozenset(
    "小公毫千平厘英年月日号点分秒天周岁折成倍度%名位人次楼层级代集期届寸码米克斤两种款样色星口字步下后遍趟场回轮份批"
)
BOUNDARY = frozenset(" ,，.。!！?？;；:：、~～…\"'“”‘’()（）[]【】《》\n\t-—")
#: Counting words that turn a following or preceding number into a quantity.
CLASSIFIERS = frozenset(
    "个件瓶盒支袋包箱套条双片颗粒只罐桶杯斤两克吨升码寸尺单份台部本张把根枚对组副盏顶束提听板贴管"
)
RANGE_SEP = frozenset("到至-~～—－")
#: Words before N米 that make it a length (跑八百米), not slang for yuan (两百米).
LENGTH_BEFORE = tuple("跑走游跳飞骑爬长宽高深远离距")
NOT_YUAN = frozenset("旦宵素宇气件老首帅年朝代音组化")
IDIOM_AFTER = ("一分货", "都不赚", "不赚", "都不挣", "不挣", "都没赚", "也不赚", "都不收", "不收")

#: Words that show an utterance is counting or describing, so a bare number there is no price.
NOT_SELLING = _w(
    "剩 限量 突破 超过 今年 岁 倒计时 排名 库存 销量 粉丝 观看 在线 点赞 关注 评论 好评 已售 卖了 "
    "卖出 第 编号 型号 号码 电话 尾号"
) + [w for w, (kind, _) in CUES.items() if kind == "none"]

#: What may surround a bare number that is the whole utterance (九十九啊, 一百出头).
ALONE_REST = BOUNDARY | set(
    "啊呀吧哦哈呢嘛哇噢喔哟么吗嘞咯哒了啦的多左右出头上下来起家人们宝贝姐妹儿"
)
