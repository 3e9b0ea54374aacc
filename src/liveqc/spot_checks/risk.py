"""Risk-based supervision: a score per agency, product, supplier and host, with every input shown.

A score is the sum of (count × points) over the inputs below, counted over all time from the
tables that exist; nothing is hidden in the number. Reviewed-and-accepted findings and alerts
(false positives) and overturned spot checks do not count.

Inputs (points each; who they count for), see ``WEIGHTS`` and docs/spot-checks.md:

- ``spot_check_failed`` (30): a failed spot check of any regulator, not overturned; product,
  supplier, agency.
- ``complaint`` (2), plus ``complaint_safety`` (10) for a safety incident and
  ``complaint_escalated`` (5) when escalated; product, supplier, agency, host (by host name).
- ``alert_high/medium/low`` (5/2/1): a live-session alert from the host's words, a comment or the
  script; product (its lineup item), supplier, agency, host (the session's hosts).
- ``finding_high/medium/low`` (5/2/1): a stored compliance finding; agency.
- ``document_gap`` (3): a reason the product file cannot be approved today; product, supplier,
  agency.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

WEIGHTS: dict[str, float] = {
    "spot_check_failed": 30.0,
    "complaint": 2.0,
    "complaint_safety": 10.0,
    "complaint_escalated": 5.0,
    "alert_high": 5.0,
    "alert_medium": 2.0,
    "alert_low": 1.0,
    "finding_high": 5.0,
    "finding_medium": 2.0,
    "finding_low": 1.0,
    "document_gap": 3.0,
}


class Subject(StrEnum):
    AGENCIES = "agencies"
    PRODUCTS = "products"
    SUPPLIERS = "suppliers"
    HOSTS = "hosts"


#: The table a subject's id refers to (for the access log).
TABLES = {
    Subject.AGENCIES: "organisations",
    Subject.PRODUCTS: "products",
    Subject.SUPPLIERS: "suppliers",
    Subject.HOSTS: "live_session_hosts",
}


@dataclass(frozen=True)
class Contribution:
    input: str
    count: int
    points_each: float
    points: float


@dataclass
class Score:
    id: int
    name: str
    organisation_id: int
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def inputs(self) -> list[Contribution]:
        """Each counted input with its share of the score, largest first."""
        rows = [Contribution(k, n, WEIGHTS[k], n * WEIGHTS[k]) for k, n in self.counts.items() if n]
        return sorted(rows, key=lambda c: (-c.points, c.input))

    @property
    def score(self) -> float:
        return sum(c.points for c in self.inputs)


def ranked(scores: Iterable[Score]) -> list[Score]:
    """Highest score first; ties by id."""
    return sorted(scores, key=lambda s: (-s.score, s.id))


# -- gathering the inputs (the caller has opened the regulator scope) ---------------------------


def _complaint(category: Any, escalated_at: Any) -> Counter[str]:
    from liveqc.complaints.classify import ComplaintCategory

    return Counter(
        complaint=1,
        complaint_safety=int(category == ComplaintCategory.SAFETY_INCIDENT),
        complaint_escalated=int(escalated_at is not None),
    )


def _product_inputs(session: Session, product_ids: list[int]) -> dict[int, Counter[str]]:
    from liveqc.complaints.models import Complaint
    from liveqc.live_sessions.models import Alert, AlertSource, Disposition, LineupItem
    from liveqc.products import flows as product_flows
    from liveqc.products.models import Product
    from liveqc.spot_checks.models import CheckStatus, SpotCheck

    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for pid, n in session.execute(
        select(SpotCheck.product_id, func.count(SpotCheck.id))
        .where(SpotCheck.product_id.in_(product_ids), SpotCheck.verdict == "fail")
        .where(SpotCheck.status != CheckStatus.OVERTURNED)
        .group_by(SpotCheck.product_id)
    ):
        counts[pid]["spot_check_failed"] += n
    for pid, category, escalated in session.execute(
        select(Complaint.product_id, Complaint.category, Complaint.escalated_at).where(
            Complaint.product_id.in_(product_ids)
        )
    ):
        counts[pid].update(_complaint(category, escalated))
    for pid, severity, n in session.execute(
        select(LineupItem.product_id, Alert.severity, func.count(Alert.id))
        .join(LineupItem, LineupItem.id == Alert.lineup_item_id)
        .where(LineupItem.product_id.in_(product_ids), Alert.source != AlertSource.PRODUCT)
        .where(Alert.disposition != Disposition.ACCEPTED)
        .group_by(LineupItem.product_id, Alert.severity)
    ):
        counts[pid][f"alert_{severity}"] += n
    for product in session.scalars(select(Product).where(Product.id.in_(product_ids))):
        if str(product.status) not in ("withdrawn", "rejected", "draft"):
            counts[product.id]["document_gap"] += len(product_flows.approval_gaps(session, product))
    return counts


def _org_level(session: Session, org_ids: list[int]) -> dict[int, Counter[str]]:
    """Alerts and compliance findings of each organisation (agency score)."""
    from liveqc.compliance.models import Finding, FindingStatus
    from liveqc.live_sessions.models import Alert, AlertSource, Disposition

    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for org, severity, n in session.execute(
        select(Alert.organisation_id, Alert.severity, func.count(Alert.id))
        .where(Alert.organisation_id.in_(org_ids), Alert.source != AlertSource.PRODUCT)
        .where(Alert.disposition != Disposition.ACCEPTED)
        .group_by(Alert.organisation_id, Alert.severity)
    ):
        counts[org][f"alert_{severity}"] += n
    for org, severity, n in session.execute(
        select(Finding.organisation_id, Finding.severity, func.count(Finding.id))
        .where(Finding.organisation_id.in_(org_ids), Finding.status != FindingStatus.ACCEPTED)
        .group_by(Finding.organisation_id, Finding.severity)
    ):
        counts[org][f"finding_{severity}"] += n
    return counts


def _known(counts: Counter[str]) -> Counter[str]:
    return Counter({k: v for k, v in counts.items() if k in WEIGHTS})


def scores(session: Session, subject: Subject, org_ids: list[int]) -> list[Score]:
    """Every subject of the organisations ``org_ids``, ranked."""
    from liveqc.accounts.models import Organisation
    from liveqc.complaints.models import Complaint
    from liveqc.products.models import Product, Supplier

    if subject is Subject.HOSTS:
        return ranked(_hosts(session, org_ids))
    products = list(session.scalars(select(Product).where(Product.organisation_id.in_(org_ids))))
    per_product = _product_inputs(session, [p.id for p in products])
    if subject is Subject.PRODUCTS:
        return ranked(
            Score(p.id, p.name, p.organisation_id, _known(per_product[p.id])) for p in products
        )
    if subject is Subject.SUPPLIERS:
        result: dict[int, Score] = {}
        for s in session.scalars(select(Supplier).where(Supplier.organisation_id.in_(org_ids))):
            result[s.id] = Score(s.id, s.name, s.organisation_id)
        for p in products:
            result[p.supplier_id].counts.update(per_product[p.id])
        return ranked(
            Score(s.id, s.name, s.organisation_id, _known(s.counts)) for s in result.values()
        )
    org_level = _org_level(session, org_ids)
    orgs = session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))
    agencies = {o.id: Score(o.id, o.name, o.id) for o in orgs}
    for p in products:
        own = Counter({k: v for k, v in per_product[p.id].items() if not k.startswith("alert_")})
        agencies[p.organisation_id].counts.update(own)
    for org, category, escalated in session.execute(
        select(Complaint.organisation_id, Complaint.category, Complaint.escalated_at).where(
            Complaint.organisation_id.in_(org_ids), Complaint.product_id.is_(None)
        )
    ):
        agencies[org].counts.update(_complaint(category, escalated))
    for org, counts in org_level.items():
        agencies[org].counts.update(counts)
    return ranked(Score(a.id, a.name, a.id, _known(a.counts)) for a in agencies.values())


def _hosts(session: Session, org_ids: list[int]) -> list[Score]:
    """Hosts by (organisation, name): alerts of the sessions they hosted, complaints naming them."""
    from liveqc.complaints.models import Complaint
    from liveqc.live_sessions.models import Alert, AlertSource, Disposition, Host

    hosts: dict[tuple[int, str], Score] = {}
    sessions: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for host in session.scalars(
        select(Host).where(Host.organisation_id.in_(org_ids)).order_by(Host.id)
    ):
        key = (host.organisation_id, host.name)
        hosts.setdefault(key, Score(host.id, host.name, host.organisation_id))
        sessions[host.live_session_id].append(key)
    for live_id, severity, n in session.execute(
        select(Alert.live_session_id, Alert.severity, func.count(Alert.id))
        .where(Alert.live_session_id.in_(list(sessions)), Alert.source != AlertSource.PRODUCT)
        .where(Alert.disposition != Disposition.ACCEPTED)
        .group_by(Alert.live_session_id, Alert.severity)
    ):
        for key in set(sessions[live_id]):
            hosts[key].counts[f"alert_{severity}"] += n
    for org, name, n in session.execute(
        select(Complaint.organisation_id, Complaint.host_name, func.count(Complaint.id))
        .where(Complaint.organisation_id.in_(org_ids), Complaint.host_name != "")
        .group_by(Complaint.organisation_id, Complaint.host_name)
    ):
        if (org, name) in hosts:
            hosts[(org, name)].counts["complaint"] += n
    return [Score(h.id, h.name, h.organisation_id, _known(h.counts)) for h in hosts.values()]


def find(rows: list[Score], subject: Subject, subject_id: int) -> Score:
    from liveqc.errors import NotFound

    for row in rows:
        if row.id == subject_id:
            return row
    raise NotFound(f"{subject.value} {subject_id} does not exist")


def as_dict(score: Score, subject: Subject) -> dict[str, Any]:
    return {
        "id": score.id,
        "subject": subject.value,
        "name": score.name,
        "organisation_id": score.organisation_id,
        "score": score.score,
        "inputs": [c.__dict__ for c in score.inputs],
    }
