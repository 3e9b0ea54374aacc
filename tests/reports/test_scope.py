"""A Blue Book follows its reader: a regulator reads its jurisdiction, an association its
region, an agency itself — checked against counts taken straight from the tables."""

from __future__ import annotations

from sqlalchemy import select

from liveqc.complaints.models import Complaint
from liveqc.compliance.models import Finding
from liveqc.live_sessions.models import Alert, LiveSession
from liveqc.products.models import Product
from liveqc.reports import bluebook, collect
from liveqc.spot_checks.models import SpotCheck
from tests.reports.test_collect import acting, inside, this_year

AGENCIES = ("星河直播", "青禾优选")
PLATFORM = "快购平台"


def expected(session_factory, org_ids: set[int]) -> dict[str, int]:
    period = this_year()
    with acting(session_factory, None) as session:
        lives = [
            s
            for s in session.scalars(select(LiveSession))
            if s.organisation_id in org_ids and inside(s.started_at or s.scheduled_at, period)
        ]
        findings = [
            f
            for f in [*session.scalars(select(Finding)), *session.scalars(select(Alert))]
            if f.organisation_id in org_ids and inside(f.created_at, period)
        ]
        complaints = [
            c
            for c in session.scalars(select(Complaint))
            if c.organisation_id in org_ids and inside(c.received_at, period)
        ]
        products = [p for p in session.scalars(select(Product)) if p.organisation_id in org_ids]
    return {
        "sessions": len(lives),
        "findings": len(findings),
        "complaints": len(complaints),
        "products": len(products),
    }


def measured(figures) -> dict[str, int]:
    return {
        "sessions": figures.industry.sessions,
        "findings": figures.supervision.findings,
        "complaints": figures.after_sales.complaints,
        "products": figures.quality.products,
    }


def test_a_regulator_reads_the_agencies_of_its_jurisdiction(session_factory, demo) -> None:
    regulator = demo.organisations["滨江区市场监管局"]
    agencies = {demo.organisations[name].id for name in AGENCIES}
    with acting(session_factory, regulator.id) as session:
        figures = collect.collect(session, period=this_year(), organisation=regulator)
        own_checks = [
            c for c in session.scalars(select(SpotCheck)) if inside(c.created_at, this_year())
        ]
    assert figures.scope.kind == "jurisdiction"
    assert figures.scope.organisations == len(agencies)  # the platform's region is wider
    want = expected(session_factory, agencies | {regulator.id})
    assert measured(figures) == want
    assert want["sessions"] > 0 and want["complaints"] > 0 and want["findings"] > 0
    assert figures.spot_checks.spot_checks == len(own_checks) > 0


def test_the_platform_outside_the_jurisdiction_is_not_counted(session_factory, demo) -> None:
    regulator = demo.organisations["滨江区市场监管局"]
    platform = demo.organisations[PLATFORM]
    with acting(session_factory, regulator.id) as session:
        figures = collect.collect(session, period=this_year(), organisation=regulator)
    with acting(session_factory, platform.id) as session:
        alone = collect.collect(session, period=this_year(), organisation=platform)
    with acting(session_factory, None) as session:
        everyone = collect.collect(session, period=this_year(), organisation=None)
    for key, value in measured(figures).items():
        assert value + measured(alone)[key] <= measured(everyone)[key], key


def test_an_association_reads_its_region(session_factory, demo) -> None:
    association = demo.organisations["市消费者协会"]
    members = {demo.organisations[name].id for name in (*AGENCIES, PLATFORM)}
    with acting(session_factory, association.id) as session:
        figures = collect.collect(session, period=this_year(), organisation=association)
        checks = [
            c for c in session.scalars(select(SpotCheck)) if inside(c.created_at, this_year())
        ]
    assert figures.scope.kind == "region"
    assert figures.scope.organisations == len(members)
    assert measured(figures) == expected(session_factory, members | {association.id})
    with acting(session_factory, None) as session:
        subjects = [
            c
            for c in session.scalars(select(SpotCheck))
            if c.subject_organisation_id in members and inside(c.created_at, this_year())
        ]
    assert checks == []  # the association runs no checks itself …
    assert figures.spot_checks.spot_checks == len(subjects) > 0  # … it reads those of its region


def test_the_cover_names_the_scope_in_both_languages(session_factory, demo) -> None:
    regulator = demo.organisations["滨江区市场监管局"]
    with acting(session_factory, regulator.id) as session:
        figures = collect.collect(session, period=this_year(), organisation=regulator)
    assert bluebook.build(figures, "zh-CN").subtitle.endswith("滨江区市场监管局辖区（2 家机构）")
    assert "the jurisdiction of 滨江区市场监管局 (2 organisations)" in (
        bluebook.build(figures, "en").subtitle
    )
