"""The role home pages: which views a user gets, and their panels (one query each).

The panels live in ``agency`` (QC, compliance, after-sales) and ``oversight`` (regulator,
consumer association, summary); their shapes in ``figures``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from liveqc.accounts.models import OrganisationKind, Role
from liveqc.accounts.service import Principal
from liveqc.dashboards import agency, oversight
from liveqc.dashboards.figures import Home, Panel, PanelQuery
from liveqc.db.types import utcnow
from liveqc.errors import NotFound

# -- who sees what ---------------------------------------------------------------------------

AGENCY_KINDS = (OrganisationKind.AGENCY, OrganisationKind.PLATFORM, OrganisationKind.SUPPLIER)


def views_for(principal: Principal) -> tuple[str, ...]:
    """The home views of the principal's roles in the current organisation, in page order."""
    kind = principal.organisation.kind
    views = []
    if kind in AGENCY_KINDS:
        if principal.has_any(Role.QC_REVIEWER):
            views.append("qc")
        if principal.has_any(Role.COMPLIANCE_REVIEWER):
            views.append("compliance")
        if principal.has_any(Role.AFTER_SALES):
            views.append("after_sales")
    if kind is OrganisationKind.REGULATOR and principal.has_any(Role.INSPECTOR):
        views.append("regulator")
    if kind is OrganisationKind.CONSUMER_ASSOCIATION:
        views.append("association")
    if principal.has_any(Role.ADMIN) or not views:
        views.append("summary")
    return tuple(views)


# -- the page --------------------------------------------------------------------------------

#: Panel key → query, and the panels of each view in page order.
PANELS: dict[str, PanelQuery] = {
    "vetting": agency.qc_vetting,
    "documents": agency.qc_documents,
    "lots": agency.qc_lots,
    "live": agency.compliance_live,
    "risks": agency.compliance_risks,
    "queue": agency.after_sales_queue,
    "risk": oversight.regulator_risk,
    "checks": oversight.regulator_checks,
    "campaigns": oversight.regulator_campaigns,
    "escalated": oversight.escalated_complaints,
    "summary": oversight.summary,
}
VIEWS: dict[str, tuple[str, ...]] = {
    "qc": ("vetting", "documents", "lots"),
    "compliance": ("live", "risks"),
    "after_sales": ("queue",),
    "regulator": ("risk", "checks", "campaigns", "escalated"),
    "association": ("escalated",),
    "summary": ("summary",),
}


def panel_keys(principal: Principal) -> tuple[str, ...]:
    """The panels the principal's home page shows, without repeats."""
    keys = (key for view in views_for(principal) for key in VIEWS[view])
    return tuple(dict.fromkeys(keys))


def panel(
    session: Session, *, principal: Principal, key: str, now: dt.datetime | None = None
) -> Panel:
    """One panel of the principal's home page.

    Raises:
        NotFound: the panel is not one of the principal's.
    """
    if key not in panel_keys(principal):
        raise NotFound(f"home panel {key!r} does not exist for this user")
    return PANELS[key](session, principal=principal, now=now or utcnow())


def home(session: Session, *, principal: Principal, now: dt.datetime | None = None) -> Home:
    """Every panel of the principal's views."""
    now = now or utcnow()
    keys = panel_keys(principal)
    return Home(
        views_for(principal),
        tuple(PANELS[k](session, principal=principal, now=now) for k in keys),
    )
