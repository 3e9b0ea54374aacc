"""Public disclosure of spot-check results and notices, and the Atom feed.

A regulator drafts a publication (a result snapshot is taken from the check), edits the draft,
then publishes it; publishing is audited. A published row is never changed or deleted: a
correction is a new published row whose ``corrects_id`` names the one it corrects, and the public
view of the original links to it. Reading published rows needs no login and crosses
organisations through one logged bypass (:func:`public_view`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from liveqc.accounts.models import Organisation
from liveqc.accounts.service import Principal
from liveqc.db import tenancy
from liveqc.db.types import utcnow
from liveqc.errors import Conflict, NotFound, ValidationFailed
from liveqc.events.service import record
from liveqc.spot_checks import service
from liveqc.spot_checks.models import CheckStatus as C
from liveqc.spot_checks.models import Publication, PublicationKind, PublicationStatus, SpotCheck
from liveqc.spot_checks.schemas import (
    CorrectionIn,
    PublicationCreate,
    PublicationUpdate,
    PublicEntry,
)

CONCLUDED = frozenset({C.PASSED, C.NOTIFIED, C.OBJECTED, C.CONFIRMED, C.OVERTURNED, C.CLOSED})


def result_snapshot(
    session: Session, check: SpotCheck, *, reader: Principal | None = None
) -> dict[str, Any]:
    """What the public sees of a check: product, brand, supplier, batch, failed items, date."""
    details = service.product_snapshot(session, check, reader=reader, action="publish")
    failed = [
        {"name": i.name, "limit": i.limit_text, "result": i.result_text, "unit": i.unit}
        for i in check.items
        if i.verdict == "fail"
    ]
    when = check.concluded_at or check.tested_at
    return {
        "spot_check_id": check.id,
        "product": details.get("product", ""),
        "brand": details.get("brand", ""),
        "specification": details.get("specification", ""),
        "supplier": details.get("supplier", ""),
        "seller": details.get("agency", ""),
        "batch": check.batch,
        "verdict": check.verdict,
        "failed_items": failed,
        "lab": check.lab_name,
        "date": when.date().isoformat() if when else "",
    }


def _refuse_if_published(row: Publication, action: str) -> None:
    if row.status is PublicationStatus.PUBLISHED:
        raise Conflict(
            f"publication {row.id} is published and cannot be {action}; "
            f"publish a correction (POST /api/v1/publications/{row.id}/corrections)"
        )


def create_draft(session: Session, *, data: PublicationCreate, principal: Principal) -> Publication:
    """A draft result (snapshot taken from a concluded check) or notice."""
    snapshot: dict[str, Any] = {}
    title = data.title
    if data.kind is PublicationKind.RESULT:
        if data.spot_check_id is None:
            raise ValidationFailed("spot_check_id: a result publication needs a spot check")
        check = service.get_check_or_raise(session, data.spot_check_id, principal=principal)
        if check.status not in CONCLUDED:
            raise ValidationFailed(f"spot_check_id: spot check {check.id} is not concluded yet")
        snapshot = result_snapshot(session, check, reader=principal)
        if not title:
            verdict = "不合格" if check.verdict == "fail" else "合格"
            title = f"{snapshot['product']}（{snapshot['brand']}）抽检{verdict}"
    elif data.spot_check_id is not None:
        raise ValidationFailed("spot_check_id: only a result publication names a spot check")
    if not title.strip():
        raise ValidationFailed("title: a notice needs a title")
    row = Publication(
        kind=data.kind,
        spot_check_id=data.spot_check_id,
        title=title[:300],
        body=data.body,
        data=snapshot,
    )
    session.add(row)
    session.flush()
    record(session, principal.user, row.organisation_id, row, "create", None, {"title": row.title})
    return row


def update_draft(
    session: Session, *, row: Publication, data: PublicationUpdate, actor: Any
) -> Publication:
    _refuse_if_published(row, "edited")
    before = {"title": row.title, "body": row.body}
    changes = data.model_dump(exclude_none=True)
    for key, value in changes.items():
        setattr(row, key, value)
    session.flush()
    record(session, actor, row.organisation_id, row, "update", before, changes)
    return row


def delete_draft(session: Session, *, row: Publication, actor: Any) -> None:
    _refuse_if_published(row, "deleted")
    record(session, actor, row.organisation_id, row, "delete", {"title": row.title}, None)
    session.delete(row)
    session.flush()


def publish(
    session: Session, *, row: Publication, actor: Any, now: datetime | None = None
) -> Publication:
    """Make a draft public; audited; from then on the row is frozen."""
    _refuse_if_published(row, "published again")
    row.status = PublicationStatus.PUBLISHED
    row.published_at = now or utcnow()
    session.flush()
    record(
        session,
        actor,
        row.organisation_id,
        row,
        "publish",
        {"status": PublicationStatus.DRAFT},
        {"status": row.status, "title": row.title, "corrects_id": row.corrects_id},
    )
    return row


def correct(session: Session, *, row: Publication, data: CorrectionIn, actor: Any) -> Publication:
    """Publish a correction of a published row as a new row linked to it."""
    if row.status is not PublicationStatus.PUBLISHED:
        raise Conflict(f"publication {row.id} is a draft; edit it instead of correcting it")
    corrected = dict(row.data)
    if data.data:
        corrected.update(data.data)
    corrected["corrects"] = row.id
    new = Publication(
        kind=row.kind,
        spot_check_id=row.spot_check_id,
        title=data.title or f"更正 / Correction: {row.title}"[:300],
        body=data.body,
        data=corrected,
        corrects_id=row.id,
    )
    session.add(new)
    session.flush()
    record(session, actor, new.organisation_id, new, "correct", None, {"corrects_id": row.id})
    return publish(session, row=new, actor=actor)


# -- the public side -------------------------------------------------------------------------


@contextmanager
def public_view(session: Session) -> Iterator[None]:
    """Read published rows of every regulator (public records: no access log)."""
    with tenancy.bypass_tenancy(session, reason="public disclosure", quiet=True):
        yield


def _entry(
    row: Publication, regulators: dict[int, str], corrections: dict[int, int]
) -> PublicEntry:
    assert row.published_at is not None
    return PublicEntry(
        id=row.id,
        kind=row.kind,
        title=row.title,
        body=row.body,
        regulator=regulators.get(row.organisation_id, ""),
        published_at=row.published_at,
        data=row.data,
        corrects_id=row.corrects_id,
        corrected_by_id=corrections.get(row.id),
    )


def _published() -> Select[tuple[Publication]]:
    return select(Publication).where(Publication.status == PublicationStatus.PUBLISHED)


def _context(session: Session, rows: list[Publication]) -> list[PublicEntry]:
    ids = [r.id for r in rows]
    corrections = dict(
        session.execute(
            _published()
            .with_only_columns(Publication.corrects_id, func.max(Publication.id))
            .where(Publication.corrects_id.in_(ids))
            .group_by(Publication.corrects_id)
        ).all()
    )
    org_ids = {r.organisation_id for r in rows}
    regulators = dict(
        session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
        ).all()
    )
    return [_entry(r, regulators, corrections) for r in rows]


def list_public(
    session: Session, *, limit: int = 50, offset: int = 0, kind: PublicationKind | None = None
) -> tuple[list[PublicEntry], int]:
    """Published rows of every regulator, newest first."""
    with public_view(session):
        query = _published()
        if kind is not None:
            query = query.where(Publication.kind == kind)
        total = session.scalar(query.with_only_columns(func.count(Publication.id))) or 0
        rows = list(
            session.scalars(
                query.order_by(Publication.published_at.desc(), Publication.id.desc())
                .limit(limit)
                .offset(offset)
            )
        )
        return _context(session, rows), total


def get_public(session: Session, publication_id: int) -> PublicEntry:
    with public_view(session):
        row = session.scalars(_published().where(Publication.id == publication_id)).first()
        if row is None:
            raise NotFound(f"published record {publication_id} does not exist")
        return _context(session, [row])[0]


def atom_feed(entries: list[PublicEntry], *, base_url: str, title: str) -> str:
    """An Atom 1.0 document (RFC 4287) of published entries."""
    base = base_url.rstrip("/")
    updated = max((e.published_at for e in entries), default=utcnow()).isoformat()
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"<title>{escape(title)}</title>",
        f"<id>{escape(base)}/public/spot-checks</id>",
        f'<link rel="self" href="{escape(base)}/public/spot-checks.atom"/>',
        f'<link rel="alternate" href="{escape(base)}/public/spot-checks"/>',
        f"<updated>{updated}</updated>",
    ]
    for e in entries:
        link = f"{base}/public/spot-checks/{e.id}"
        summary = e.body or _summary(e)
        parts += [
            "<entry>",
            f"<title>{escape(e.title)}</title>",
            f"<id>{escape(link)}</id>",
            f'<link rel="alternate" href="{escape(link)}"/>',
            f"<published>{e.published_at.isoformat()}</published>",
            f"<updated>{e.published_at.isoformat()}</updated>",
            f"<author><name>{escape(e.regulator or 'liveqc')}</name></author>",
            f'<category term="{e.kind.value}"/>',
            f"<summary>{escape(summary)}</summary>",
            "</entry>",
        ]
    parts.append("</feed>")
    return "\n".join(parts) + "\n"


def _summary(e: PublicEntry) -> str:
    data = e.data
    failed = "、".join(i.get("name", "") for i in data.get("failed_items", []))
    bits = [
        f"产品 {data.get('product', '')}",
        f"品牌 {data.get('brand', '')}",
        f"供应商 {data.get('supplier', '')}",
        f"批次 {data.get('batch', '')}",
    ]
    if failed:
        bits.append(f"不合格项目 {failed}")
    return "；".join(bits)
