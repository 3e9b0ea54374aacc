from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from liveqc.products import flows, service
from liveqc.products.documents import DocumentType
from liveqc.products.schemas import DocumentFields, TestItemIn
from tests.factories.products import act_as, make_product, passing_report

TODAY = date(2026, 6, 1)
QC = "qc@xinghe.example"


def test_facts_come_from_current_documents_and_passing_reports(session: Session, demo) -> None:
    act_as(session, demo, QC)
    product = make_product(
        session,
        demo,
        category="cosmetics",
        brand="美妍",
        conditions=["sunscreen"],
        stock_remaining=80,
        target_age_min_months=36,
    )
    now = datetime(2026, 6, 1, 4, tzinfo=UTC)
    service.add_document(
        session,
        product_id=product.id,
        fields=DocumentFields(
            type=DocumentType.SPECIAL_COSMETIC_REGISTRATION,
            number="国妆特字G20210123",
            valid_to=date(2030, 1, 1),
            claims=["sunscreen"],
        ),
        today=TODAY,
    )
    service.add_document(
        session,
        product_id=product.id,
        fields=DocumentFields(
            type=DocumentType.EFFICACY_EVALUATION_REPORT,
            number="E-1",
            valid_to=date(2026, 5, 1),
            claims=["whitening"],
        ),
        today=TODAY,
    )
    passing_report(
        session,
        product,
        efficacy_claims=["moisturizing"],
        items=[
            TestItemIn(name="SPF值", limit="≥50", result="52"),
            TestItemIn(name="PA值", limit="/", result="PA++++"),
        ],
    )
    service.record_price(
        session, product_id=product.id, price=Decimal("129"), charged_at=now - timedelta(days=3)
    )
    service.record_price(
        session, product_id=product.id, price=Decimal("99.5"), charged_at=now - timedelta(days=8)
    )
    facts = flows.product_facts(session, product.id, at=now)
    assert facts["category"] == "cosmetics" and facts["brand"] == "美妍"
    assert facts["registrations"] == ["special_cosmetic"]
    assert (facts["spf"], facts["pa"]) == (52, "++++")
    assert facts["efficacy_evidence"] == [
        "sunscreen",
        "moisturizing",
    ]  # the whitening report expired
    assert facts["lowest_price_7d"] == 129.0
    assert facts["stock_remaining"] == 80 and facts["target_age_months"] == [36, None]
    assert "health_functions" not in facts
    assert facts["made_to_order"] is False


def test_health_food_facts_list_the_approved_functions(session: Session, demo) -> None:
    act_as(session, demo, QC)
    product = make_product(session, demo, category="health_food")
    assert flows.product_facts(session, product.id)["health_functions"] == []
    service.add_document(
        session,
        product_id=product.id,
        fields=DocumentFields(
            type=DocumentType.HEALTH_FOOD_REGISTRATION,
            number="国食健注G20190123",
            claims=["增强免疫力"],
        ),
    )
    facts = flows.product_facts(session, product.id)
    assert facts["health_functions"] == ["增强免疫力"]
    assert facts["registrations"] == ["health_food"]
    assert "spf" not in facts and "lowest_price_7d" not in facts
