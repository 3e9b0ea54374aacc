from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveqc.db import tenancy
from liveqc.demo.loader import load
from liveqc.products import flows, service
from liveqc.products.models import (
    Brand,
    BrandAuthorization,
    InspectionLot,
    LotDecisionStatus,
    Product,
    ProductStatus,
    QualificationDocument,
    TestReport,
    VettingEvent,
)

AGENCIES = ("星河直播", "青禾优选")
TABLES = (Brand, BrandAuthorization, QualificationDocument, TestReport, InspectionLot, Product)


def test_each_agency_has_products_in_every_state(session: Session, demo) -> None:
    for name in AGENCIES:
        tenancy.set_organisation(session, demo.organisations[name].id)
        # other domains' demos may move products on (a spot check suspends, a complaint
        # re-vets); every state is still either current or in the vetting history
        statuses = set(session.scalars(select(Product.status)))
        reached = set(session.scalars(select(VettingEvent.to_status)))
        assert statuses | reached == set(ProductStatus), name
        assert {ProductStatus.APPROVED, ProductStatus.DRAFT} <= statuses
        assert session.scalars(select(Brand)).first() is not None, name
        assert session.scalars(select(TestReport)).first() is not None, name
        lots = session.scalars(select(InspectionLot)).all()
        assert {lot.decision for lot in lots} == {
            LotDecisionStatus.ACCEPTED,
            LotDecisionStatus.PENDING,
        }, name


def test_documents_include_expiring_and_expired_ones(session: Session, demo) -> None:
    today = service.today_in_china()
    expiring = expired = 0
    for name in AGENCIES:
        tenancy.set_organisation(session, demo.organisations[name].id)
        for product in session.scalars(select(Product)):
            check = service.check_product_documents(session, product, today=today)
            expiring += len(check.expiring)
            expired += len(check.expired)
    assert expiring >= 2 and expired == 1


def test_demo_facts_show_registrations_and_evidence(session: Session, demo) -> None:
    tenancy.set_organisation(session, demo.organisations["星河直播"].id)
    facts = flows.product_facts(session, demo.products["XH-003"].id)
    assert facts["registrations"] == ["special_cosmetic"]
    assert facts["efficacy_evidence"] == ["sunscreen"]
    assert facts["spf"] == 52.6 and facts["pa"] == "++++"
    chain = service.authorization_chain(
        session,
        brand_id=demo.products["XH-101"].brand_id,
        supplier_id=demo.products["XH-101"].supplier_id,
    )
    assert [link.grantee for link in chain][-1] == "杭州美妍生物科技有限公司"
    assert len(chain) == 2


def test_loading_again_adds_no_product_rows(session: Session, settings, demo) -> None:
    def counts() -> dict[str, int]:
        with tenancy.bypass_tenancy(session, reason="test counts"):
            return {
                t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0
                for t in TABLES
            }

    before = counts()
    assert all(before.values()), before
    again = load(session, settings)
    assert counts() == before
    assert not {"products", "documents", "brands", "test_reports"} & set(again.created)
