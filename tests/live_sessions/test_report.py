"""The session report: contents in HTML, and a real multi-page PDF."""

from __future__ import annotations

import re

from liveqc.live_sessions import flows, report, service
from liveqc.live_sessions.ingest.process import process_segments
from liveqc.live_sessions.models import Alert
from liveqc.live_sessions.schemas import DispositionIn, HostCreate
from tests.factories.live_sessions import make_live, seg, use_org


def reported(session, demo, *, lines: int = 0):
    live = make_live(session, demo, live=True)
    admin = use_org(session, demo)
    service.add_host(session, live, data=HostCreate(name="AI 星星", is_virtual=True), actor=admin)
    item = live.lineup[0].id
    acks = process_segments(
        session,
        live,
        [
            seg(1, "原价两百九十九，今天只要九十九", item=item),
            seg(2, "这是全网最低价", item=item),
            seg(3, "加微信私聊", kind="comment"),
            *(seg(4 + n, f"第{n}句介绍，质地清爽。") for n in range(lines)),
        ],
    )
    accepted = acks[1].alerts[0]
    flows.dispose(
        session,
        session.get(Alert, accepted.id),
        data=DispositionIn(disposition="accepted", reason="品牌方提供了第三方比价报告"),
        actor=admin,
    )
    return live, report.build(session, live)


def test_report_html_has_every_section(session, demo) -> None:
    _, data = reported(session, demo)
    html = report.render_html(data, "zh-CN")
    assert "本场直播使用 AI 生成的虚拟主播" in html
    for heading in ("时间线", "按违规类型与严重程度统计", "口播价格与历史价格对比", "评论告警"):
        assert heading in html
    assert "品牌方提供了第三方比价报告" in html  # accepted with its reason
    assert "off_platform_transaction" in html and "加微信私聊" in html
    assert "299" in html and "99" in html
    assert data.by_code["price_fraud"]["high"] >= 1
    assert next(alerts for _, alerts in data.timeline if alerts)[0].code == "price_fraud"
    english = report.render_html(data, "en")
    assert "AI-generated virtual host" in english and "Prices said versus price history" in english
    assert "<script" not in html


def test_report_html_escapes_what_was_said(session, demo) -> None:
    live = make_live(session, demo, live=True)
    process_segments(session, live, [seg(1, "<script>alert(1)</script> 全网最低价")])
    html = report.render_html(report.build(session, live))
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_report_pdf_is_a_pdf_with_pages(session, demo) -> None:
    _, data = reported(session, demo, lines=120)
    pdf = report.render_pdf(data, "zh-CN")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    assert len(pages) >= 2
    assert b"STSong-Light" in pdf
    count = re.search(rb"/Count (\d+)", pdf)
    assert count and int(count.group(1)) == len(pages)


def test_clock_formats_stream_time() -> None:
    assert report.clock(3_725_000) == "1:02:05"
    assert report.clock(None) == "—"
