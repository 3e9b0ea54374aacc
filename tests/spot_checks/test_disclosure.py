"""Publication rules (audited, frozen once published, corrections linked) and the Atom feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.db import tenancy
from liveqc.errors import Conflict, ValidationFailed
from liveqc.events.models import AuditEvent
from liveqc.spot_checks import disclosure, service
from liveqc.spot_checks.models import PublicationKind, PublicationStatus
from liveqc.spot_checks.schemas import CorrectionIn, PublicationCreate, PublicationUpdate
from tests.spot_checks.conftest import principal

ATOM = "{http://www.w3.org/2005/Atom}"


def test_published_rows_are_frozen_and_corrections_link(db: Session) -> None:
    reg = principal(db, "inspector@binjiang.example")
    rows, _ = service.list_publications(db, limit=10, offset=0, status=PublicationStatus.PUBLISHED)
    original = next(r for r in rows if r.kind is PublicationKind.RESULT)
    with pytest.raises(Conflict):
        disclosure.update_draft(db, row=original, data=PublicationUpdate(title="x"), actor=reg.user)
    with pytest.raises(Conflict):
        disclosure.delete_draft(db, row=original, actor=reg.user)
    with pytest.raises(Conflict):
        disclosure.publish(db, row=original, actor=reg.user)
    before = dict(original.data)
    fix = disclosure.correct(
        db, row=original, data=CorrectionIn(body="批次更正", data={"batch": "X1"}), actor=reg.user
    )
    assert fix.status is PublicationStatus.PUBLISHED and fix.corrects_id == original.id
    assert fix.data["batch"] == "X1" and original.data == before
    entry = disclosure.get_public(db, original.id)
    assert entry.corrected_by_id == fix.id
    assert disclosure.get_public(db, fix.id).corrects_id == original.id


def test_publishing_is_audited(db: Session) -> None:
    reg = principal(db, "inspector@binjiang.example")
    draft = disclosure.create_draft(
        db, data=PublicationCreate(kind="notice", title="通告", body="内容"), principal=reg
    )
    disclosure.publish(db, row=draft, actor=reg.user, now=datetime(2026, 7, 1, tzinfo=UTC))
    events = db.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "spot_check_publications",
            AuditEvent.object_id == str(draft.id),
        )
    ).all()
    assert [e.action for e in events] == ["create", "publish"]
    assert events[-1].actor_user_id == reg.user.id


def test_drafts_are_not_public_and_can_be_deleted(db: Session) -> None:
    reg = principal(db, "inspector@binjiang.example")
    draft = disclosure.create_draft(
        db, data=PublicationCreate(kind="notice", title="草稿"), principal=reg
    )
    _, total = disclosure.list_public(db)
    assert all(e.id != draft.id for e in disclosure.list_public(db, limit=200)[0])
    disclosure.delete_draft(db, row=draft, actor=reg.user)
    assert disclosure.list_public(db)[1] == total


def test_result_needs_a_concluded_check(db: Session) -> None:
    reg = principal(db, "inspector@binjiang.example")
    with pytest.raises(ValidationFailed, match="spot_check_id"):
        disclosure.create_draft(db, data=PublicationCreate(kind="result"), principal=reg)
    open_checks, _ = service.list_checks(db, principal=reg, status="sampled")
    with pytest.raises(ValidationFailed, match="not concluded"):
        disclosure.create_draft(
            db,
            data=PublicationCreate(kind="result", spot_check_id=open_checks[0].id),
            principal=reg,
        )


def test_public_list_crosses_organisations_without_a_session_organisation(db: Session) -> None:
    tenancy.set_organisation(db, None)
    entries, total = disclosure.list_public(db)
    assert total == 3 and entries[0].published_at >= entries[-1].published_at


def test_atom_feed_is_well_formed(db: Session) -> None:
    entries, _ = disclosure.list_public(db)
    xml = disclosure.atom_feed(entries, base_url="https://example.gov/", title="抽检 & 公示")
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text == "抽检 & 公示"
    items = root.findall(f"{ATOM}entry")
    assert len(items) == 3
    link = items[0].find(f"{ATOM}link").attrib["href"]
    assert link.startswith("https://example.gov/public/spot-checks/")
    summaries = [i.find(f"{ATOM}summary").text for i in items]
    assert any("不合格项目" in s for s in summaries)


def test_public_pages_need_no_login(client, sc_demo) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/public/spot-checks")
    assert page.status_code == 200 and "抽检结果公示" in page.text
    assert "不合格" in page.text
    english = client.get("/public/spot-checks", params={"lang": "en"})
    assert "Product quality spot-check results" in english.text
    first = client.get("/api/v1/public/spot-checks").json()["items"][-1]["id"]
    detail = client.get(f"/public/spot-checks/{first}", params={"lang": "en"})
    assert detail.status_code == 200
    feed = client.get("/public/spot-checks.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert ET.fromstring(feed.content).tag == f"{ATOM}feed"
