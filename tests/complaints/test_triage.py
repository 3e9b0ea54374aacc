from __future__ import annotations

from sqlalchemy.orm import Session

from liveqc.complaints import triage
from liveqc.complaints.classify import ComplaintCategory as C
from liveqc.db import tenancy
from tests.factories.complaints import build_world, file


def test_suggestion_from_claims_refines_only_vague_categories() -> None:
    price = [{"code": "price_fraud", "match": "原价"}]
    advert = [{"code": "medical_claim", "match": "治疗湿疹"}]
    assert triage.suggest_from_claims(C.OTHER, price)[0] is C.PRICE_DISPUTE
    category, reason = triage.suggest_from_claims(C.QUALITY_DEFECT, advert)
    assert category is C.FALSE_ADVERTISING and reason and "medical_claim" in reason
    assert triage.suggest_from_claims(C.QUALITY_DEFECT, price + advert)[0] is C.PRICE_DISPUTE
    for kept in (C.SAFETY_INCIDENT, C.COUNTERFEIT, C.DELIVERY):
        assert triage.suggest_from_claims(kept, price + advert) == (kept, None)
    assert triage.suggest_from_claims(C.OTHER, []) == (C.OTHER, None)
    unrelated = [{"code": "minors_protection", "match": "x"}]
    assert triage.suggest_from_claims(C.OTHER, unrelated) == (C.OTHER, None)


def test_triage_stores_the_claims_and_suggests_false_advertising(session: Session) -> None:
    world = build_world(session)
    text = "收到的东西质量很差，主播说是全网第一，用了两天就坏了"
    complaint = file(session, world, description=text, order_number="CL1")
    assert complaint.category == "false_advertising"
    assert {"code": "absolute_term", "match": "全网第一"} in complaint.claims
    assert any("false_advertising" in str(r) for r in complaint.classifier_reasons)


def test_triage_suggests_a_price_dispute_from_price_claims(session: Session) -> None:
    world = build_world(session)
    text = "收到的锅涂层掉了，直播间说是厂家直销最低价，限时秒杀"
    complaint = file(session, world, description=text, order_number="CL2")
    assert complaint.category == "price_dispute"
    assert "price_fraud" in {c["code"] for c in complaint.claims}


def test_triage_keeps_a_safety_incident_but_records_its_claims(session: Session) -> None:
    world = build_world(session)
    text = "主播说用了保证三天美白，无效退款，结果脸过敏起疹子了"
    complaint = file(session, world, description=text, order_number="CL3")
    assert complaint.category == "safety_incident" and complaint.is_urgent
    assert {c["code"] for c in complaint.claims} >= {"guarantee_claim"}


def test_a_complaint_without_claims_stores_an_empty_list(session: Session) -> None:
    world = build_world(session)
    complaint = file(session, world, description="快递一直没到，物流显示停在中转站五天了")
    assert complaint.claims == []
    assert complaint.category == "delivery"


def test_acting_for_restores_the_callers_tenancy_and_bypass(session: Session) -> None:
    world = build_world(session)
    tenancy.set_organisation(session, None)
    with tenancy.bypass_tenancy(session, reason="test", quiet=True):
        held = session.info.get(tenancy.BYPASS_KEY)
        with triage.acting_for(session, world.agency.id):
            assert tenancy.current_organisation(session) == world.agency.id
            assert tenancy.BYPASS_KEY not in session.info
        assert tenancy.current_organisation(session) is None
        assert session.info.get(tenancy.BYPASS_KEY) == held


def test_the_scan_uses_the_organisations_own_dictionary(session: Session) -> None:
    from liveqc.compliance import flows as compliance_flows
    from liveqc.compliance import service as compliance
    from liveqc.compliance.models import EntryKind

    world = build_world(session)
    tenancy.set_organisation(session, world.agency.id)
    compliance_flows.add_entry(
        session, kind=EntryKind.BANNED, phrase="甩同行几条街", code="absolute_term", actor=None
    )
    compliance.engine_for(session, world.agency.id, fresh=True)
    text = "收到的衣服线头到处都是，主播说质量甩同行几条街"
    own = file(session, world, description=text, order_number="D1")
    assert {"code": "absolute_term", "match": "甩同行几条街"} in own.claims
    assert own.category is C.FALSE_ADVERTISING
    tenancy.set_organisation(session, world.other.id)
    compliance.engine_for(session, world.other.id, fresh=True)
    other = file(
        session, world, description=text, order_number="D2", product_id=world.other_product.id
    )
    assert not [c for c in other.claims if c["match"] == "甩同行几条街"]
