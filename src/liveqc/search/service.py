"""Search across products, live sessions, complaints and findings (stored findings and live
alerts) of the organisation the session acts in.

Matching is a case-insensitive substring (LIKE with ``%``, ``_`` and ``\\`` escaped) on the
fields people quote, because Chinese has no word boundaries and both backends run LIKE. Rows
are scoped by the session's tenancy filter alone (``liveqc.db.tenancy``): the search adds no
organisation filter of its own, so it finds exactly what the organisation's list pages show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from liveqc.accounts.service import Principal
from liveqc.complaints.models import Complaint
from liveqc.complaints.service import PII_ROLES, is_escalation_target
from liveqc.compliance.models import Finding
from liveqc.db.tenancy import bypass_tenancy
from liveqc.errors import ValidationFailed
from liveqc.events.service import record
from liveqc.live_sessions.models import Alert, Host, LiveSession
from liveqc.products.models import Product, Supplier
from liveqc.web.i18n import LOCALES, catalogue
from liveqc.web.tables import contains

KINDS = ("products", "live_sessions", "complaints", "findings")
MAX_QUERY = 100
MAX_LIMIT = 50


@dataclass(frozen=True)
class Hit:
    """One result: what it is, how it is shown, and where its detail page lives."""

    kind: str
    id: int
    title: str
    detail: str
    url: str
    source: str = ""
    code: str = ""
    severity: str = ""


@dataclass
class Group:
    kind: str
    total: int
    hits: list[Hit] = field(default_factory=list)


def check_query(q: str | None) -> str:
    """The trimmed query.

    Raises:
        ValidationFailed: empty, or longer than ``MAX_QUERY`` characters.
    """
    text = (q or "").strip()
    if not text:
        raise ValidationFailed("q: type something to search for")
    if len(text) > MAX_QUERY:
        raise ValidationFailed(f"q: at most {MAX_QUERY} characters, got {len(text)}")
    return text


def _page(session: Session, query: Select[Any], limit: int, offset: int) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = list(session.scalars(query.limit(limit).offset(offset)).unique()) if limit else []
    return rows, total


def _products(session: Session, q: str, limit: int, offset: int) -> Group:
    query = (
        select(Product)
        .join(Supplier, Supplier.id == Product.supplier_id)
        .where(
            or_(
                *(
                    contains(e, q)
                    for e in (Product.name, Product.sku, Product.gtin, Product.brand, Supplier.name)
                )
            )
        )
        .order_by(Product.id.desc())
    )
    rows, total = _page(session, query, limit, offset)
    hits = [
        Hit(
            "products",
            p.id,
            p.name,
            " · ".join(x for x in (p.sku, p.brand, p.gtin or "", p.supplier.name) if x),
            f"/products/{p.id}",
        )
        for p in rows
    ]
    return Group("products", total, hits)


def _live_sessions(session: Session, q: str, limit: int, offset: int) -> Group:
    hosts = select(Host.live_session_id).where(contains(Host.name, q))
    query = (
        select(LiveSession)
        .where(
            or_(
                contains(LiveSession.title, q),
                contains(LiveSession.room, q),
                LiveSession.id.in_(hosts),
            )
        )
        .order_by(LiveSession.scheduled_at.desc(), LiveSession.id.desc())
    )
    rows, total = _page(session, query, limit, offset)
    hits = [
        Hit(
            "live_sessions",
            s.id,
            s.title,
            " · ".join([s.platform, s.room, *(h.name for h in s.hosts)]),
            f"/live-sessions/{s.id}",
        )
        for s in rows
    ]
    return Group("live_sessions", total, hits)


def _complaints(
    session: Session, q: str, limit: int, offset: int, reader: Principal | None
) -> Group:
    """The complaints the complaint pages show ``reader``: the organisation's own, or for a
    regulator or consumer association those escalated to it (that read is audited, as on its
    queue). Tracking codes are contact data: matched and shown only to after-sales and admins
    of the owning organisation."""
    escalated = reader is not None and is_escalation_target(reader)
    pii = reader is not None and not escalated and reader.has_any(*PII_ROLES)
    products = select(Product.id).where(contains(Product.name, q))
    fields = [contains(Complaint.description, q), Complaint.product_id.in_(products)]
    if pii:
        fields.append(contains(Complaint.tracking_code, q))
    query = (
        select(Complaint)
        .where(or_(*fields))
        .order_by(Complaint.received_at.desc(), Complaint.id.desc())
    )
    if reader is not None and escalated:
        org_id = reader.organisation.id
        reason = f"escalated complaints searched by organisation {org_id}"
        with bypass_tenancy(session, reason=reason, actor_user_id=reader.user.id):
            rows, total = _page(
                session, query.where(Complaint.escalated_to_id == org_id), limit, offset
            )
        if rows:
            ids = {"ids": [c.id for c in rows]}
            record(session, reader.user, org_id, ("complaints", "escalated"), "read", None, ids)
    else:
        rows, total = _page(session, query, limit, offset)
    hits = [
        Hit(
            "complaints",
            c.id,
            c.tracking_code if pii else f"#{c.id}",
            c.description[:80],
            f"/complaints/{c.id}",
        )
        for c in rows
    ]
    return Group("complaints", total, hits)


def codes_named(q: str) -> list[str]:
    """Violation codes whose console name (in any language) contains ``q``, so "绝对化" finds
    ``absolute_term``."""
    prefix = "compliance.code."
    needle = q.casefold()
    return sorted(
        {
            key.removeprefix(prefix)
            for locale in LOCALES
            for key, text in catalogue(locale).items()
            if key.startswith(prefix) and needle in text.casefold()
        }
    )


def _findings(session: Session, q: str, limit: int, offset: int) -> Group:
    """Stored findings and live alerts, newest first, paged as one list."""
    named = codes_named(q)
    stored = select(Finding).where(
        or_(
            contains(Finding.code, q),
            Finding.code.in_(named),
            contains(Finding.match, q),
            contains(Finding.message, q),
        )
    )
    alerts = select(Alert).where(
        or_(
            contains(Alert.code, q),
            Alert.code.in_(named),
            contains(Alert.match, q),
            contains(Alert.sentence, q),
        )
    )
    window = limit + offset
    found, found_total = _page(session, stored.order_by(Finding.id.desc()), window, 0)
    raised, raised_total = _page(session, alerts.order_by(Alert.id.desc()), window, 0)
    merged: list[tuple[Any, Hit]] = [
        (
            f.created_at,
            Hit(
                "findings",
                f.id,
                f.match,
                f.message[:80],
                f"/compliance/scans/{f.scan_id}#f-{f.id}",
                "finding",
                f.code,
                f.severity,
            ),
        )
        for f in found
    ] + [
        (
            a.created_at,
            Hit(
                "findings",
                a.id,
                a.match,
                a.sentence[:80],
                f"/live-sessions/{a.live_session_id}",
                "alert",
                a.code,
                a.severity,
            ),
        )
        for a in raised
    ]
    merged.sort(key=lambda pair: (pair[0], pair[1].id), reverse=True)
    hits = [hit for _, hit in merged[offset : offset + limit]]
    return Group("findings", found_total + raised_total, hits)


SEARCHERS: dict[str, Callable[[Session, str, int, int], Group]] = {
    "products": _products,
    "live_sessions": _live_sessions,
    "findings": _findings,
}


def search(
    session: Session,
    *,
    q: str,
    kind: str | None = None,
    limit: int = 10,
    offset: int = 0,
    reader: Principal | None = None,
) -> list[Group]:
    """Matches of ``q`` grouped by kind (every kind, or only ``kind``), each group counted.

    ``reader`` decides which complaints and which of their fields are searched, as the
    complaint pages do; without one, complaints are matched on text and product only.

    Raises:
        ValidationFailed: an empty or too long query, an unknown kind, a bad limit or offset.
    """
    text = check_query(q)
    if kind and kind not in KINDS:
        raise ValidationFailed(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    if not 0 <= limit <= MAX_LIMIT or offset < 0:
        raise ValidationFailed(f"limit: 0 to {MAX_LIMIT}; offset: 0 or more")
    kinds = [kind] if kind else list(KINDS)
    return [
        _complaints(session, text, limit, offset, reader)
        if k == "complaints"
        else SEARCHERS[k](session, text, limit, offset)
        for k in kinds
    ]
