"""Which organisations a regulator covers, and the one audited way regulators read them.

A jurisdiction row says "organisations whose region starts with this prefix, for this product
category (or all)". :func:`regulator_scope` is the only place where a regulator's request lifts
tenancy: it opens a logged bypass, limits every query to the covered organisations and writes an
access-log row (owned by the organisation that was read) for every non-public record returned.
Changes made to another organisation's rows inside the scope are refused at the next flush, so
regulator access stays read-only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from liveqc.accounts.models import Organisation, OrganisationKind
from liveqc.accounts.service import Principal
from liveqc.db import tenancy
from liveqc.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from liveqc.events.service import record
from liveqc.products.models import Product, ProductCategory
from liveqc.spot_checks.models import AccessLog, Jurisdiction

#: Organisations a regulator may cover (never another regulator or association).
COVERED_KINDS = (OrganisationKind.AGENCY, OrganisationKind.PLATFORM, OrganisationKind.SUPPLIER)
#: Characters that end an administrative level in a Chinese region name.
_LEVEL_ENDS = "省市区县盟旗"


def _ends_level(text: str, i: int) -> bool:
    """True when ``text[i]`` closes an administrative level (自治州 included, 杭州 not)."""
    return text[i] in _LEVEL_ENDS or (text[i] == "州" and text[max(0, i - 2) : i] == "自治")


def normalise_region(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def region_matches(region: str, prefix: str) -> bool:
    """True when ``prefix`` names ``region`` or an area containing it.

    The prefix may leave out higher levels and the level suffix: "杭州市滨江区" and "杭州" match
    "浙江省杭州市滨江区", but "杭州" does not match "浙江省宁波市杭州湾新区".
    """
    region, prefix = normalise_region(region), normalise_region(prefix)
    if not prefix or not region:
        return False
    starts = [0] + [i + 1 for i in range(len(region)) if _ends_level(region, i)]
    for start in starts:
        if region.startswith(prefix, start):
            end = start + len(prefix)
            at_boundary = end == len(region) or _ends_level(region, end)
            if at_boundary or _ends_level(prefix, len(prefix) - 1):
                return True
    return False


def require_regulator(principal: Principal, *kinds: OrganisationKind) -> None:
    allowed = kinds or (OrganisationKind.REGULATOR,)
    if principal.organisation.kind not in allowed:
        names = ", ".join(kind.value for kind in allowed)
        raise PermissionDenied(f"only organisations of kind {names} may do this")


# -- jurisdiction rows -----------------------------------------------------------------------


def add_jurisdiction(
    session: Session,
    *,
    regulator: Organisation,
    region_prefix: str,
    category: ProductCategory | str | None = None,
    actor: Any = None,
) -> Jurisdiction:
    """Let ``regulator`` cover organisations in ``region_prefix`` (one category or all)."""
    if regulator.kind is not OrganisationKind.REGULATOR:
        raise ValidationFailed(f"regulator: {regulator.name!r} is not a regulator")
    prefix = normalise_region(region_prefix)
    if not prefix:
        raise ValidationFailed("region: must not be empty")
    cat = ProductCategory(category).value if category else ""
    with _as_owner(session, regulator.id, "configure jurisdiction"):
        exists = session.scalars(
            select(Jurisdiction).where(
                Jurisdiction.organisation_id == regulator.id,
                Jurisdiction.region_prefix == prefix,
                Jurisdiction.category == cat,
            )
        ).first()
        if exists is not None:
            raise Conflict(f"{regulator.name} already covers {prefix} {cat or '(all)'}")
        row = Jurisdiction(organisation_id=regulator.id, region_prefix=prefix, category=cat)
        session.add(row)
        session.flush()
        record(session, actor, regulator.id, row, "create", None, {"region": prefix, "cat": cat})
    return row


def get_jurisdiction_or_raise(session: Session, jurisdiction_id: int) -> Jurisdiction:
    """One of the current organisation's jurisdiction rows."""
    row = session.scalars(select(Jurisdiction).where(Jurisdiction.id == jurisdiction_id)).first()
    if row is None:
        raise NotFound(f"jurisdiction {jurisdiction_id} does not exist")
    return row


def remove_jurisdiction(session: Session, *, jurisdiction_id: int, actor: Any = None) -> None:
    """Delete one of the current organisation's jurisdiction rows."""
    row = get_jurisdiction_or_raise(session, jurisdiction_id)
    before = {"region": row.region_prefix, "category": row.category}
    session.delete(row)
    session.flush()
    record(session, actor, row.organisation_id, row, "delete", before, None)


def list_jurisdictions(session: Session, *, regulator_id: int | None = None) -> list[Jurisdiction]:
    """The session organisation's rows, or (system use) one regulator's."""
    query = select(Jurisdiction).order_by(Jurisdiction.id)
    if regulator_id is None:
        return list(session.scalars(query))
    with _as_owner(session, regulator_id, "list jurisdictions"):
        return list(session.scalars(query.where(Jurisdiction.organisation_id == regulator_id)))


@contextmanager
def _as_owner(session: Session, org_id: int, reason: str) -> Iterator[None]:
    if tenancy.current_organisation(session) == org_id or tenancy.is_bypassed(session):
        yield
        return
    with tenancy.bypass_tenancy(session, reason=reason):
        yield


# -- coverage --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """Organisation id → covered categories (None: every category)."""

    regulator_id: int
    organisations: dict[int, frozenset[str] | None] = field(default_factory=dict)

    def covers(self, organisation_id: int, category: str | None = None) -> bool:
        if organisation_id not in self.organisations:
            return False
        cats = self.organisations[organisation_id]
        return cats is None or category is None or str(category) in cats

    def product_filter(self) -> ColumnElement[bool]:
        """A WHERE clause selecting the covered products."""
        clauses: list[ColumnElement[bool]] = []
        for org_id, cats in sorted(self.organisations.items()):
            if cats is None:
                clauses.append(Product.organisation_id == org_id)
            else:
                clauses.append(
                    and_(Product.organisation_id == org_id, Product.category.in_(sorted(cats)))
                )
        return or_(*clauses) if clauses else false()


def coverage(session: Session, regulator_id: int) -> Coverage:
    """What the regulator's jurisdiction rows cover today."""
    with tenancy.bypass_tenancy(session, reason="regulator coverage", quiet=True):
        rows = list(
            session.scalars(
                select(Jurisdiction).where(Jurisdiction.organisation_id == regulator_id)
            )
        )
    orgs = session.scalars(
        select(Organisation).where(Organisation.kind.in_(COVERED_KINDS)).order_by(Organisation.id)
    ).all()
    covered: dict[int, frozenset[str] | None] = {}
    for org in orgs:
        for row in rows:
            if not region_matches(org.region, row.region_prefix):
                continue
            if not row.category:
                covered[org.id] = None
            elif covered.get(org.id, frozenset()) is not None:
                covered[org.id] = (covered.get(org.id) or frozenset()) | {row.category}
    return Coverage(regulator_id, covered)


# -- the regulator read scope ----------------------------------------------------------------


class RegulatorScope:
    """Reads across organisations for one regulator request; every record read is logged."""

    def __init__(self, session: Session, principal: Principal, cover: Coverage, path: str):
        self.session = session
        self.principal = principal
        self.coverage = cover
        self.path = path[:300]

    def log(self, obj: Any, *, owner_id: int, action: str = "read") -> None:
        table = getattr(obj, "__tablename__", type(obj).__name__.lower())
        self.log_ref(table, obj.id, owner_id=owner_id, action=action)

    def log_ref(self, table: str, row_id: int, *, owner_id: int, action: str = "read") -> None:
        """Write one access-log row for a record of ``owner_id``."""
        self.session.add(
            AccessLog(
                organisation_id=owner_id,
                reader_user_id=self.principal.user.id,
                reader_organisation_id=self.principal.organisation.id,
                object_type=table,
                object_id=str(row_id),
                action=action,
                path=self.path,
            )
        )

    def products(
        self,
        *,
        limit: int = 50,
        offset: int = 0,
        organisation_id: int | None = None,
        category: ProductCategory | None = None,
    ) -> tuple[list[Product], int]:
        query = select(Product).where(self.coverage.product_filter())
        if organisation_id is not None:
            query = query.where(Product.organisation_id == organisation_id)
        if category is not None:
            query = query.where(Product.category == category)
        total = self.session.scalar(query.with_only_columns(func.count(Product.id))) or 0
        rows = list(self.session.scalars(query.order_by(Product.id).limit(limit).offset(offset)))
        for row in rows:
            self.log(row, owner_id=row.organisation_id, action="list")
        return rows, total

    def product(self, product_id: int) -> Product:
        row = self.session.scalars(
            select(Product).where(Product.id == product_id, self.coverage.product_filter())
        ).first()
        if row is None:
            raise NotFound(f"product {product_id} does not exist")
        self.log(row, owner_id=row.organisation_id)
        return row

    def rows(self, model: Any, *, limit: int = 50, offset: int = 0) -> tuple[list[Any], int]:
        """Rows of an organisation-owned ``model`` (sessions, findings) of covered organisations."""
        query = select(model).where(model.organisation_id.in_(sorted(self.coverage.organisations)))
        total = self.session.scalar(query.with_only_columns(func.count(model.id))) or 0
        rows = list(self.session.scalars(query.order_by(model.id).limit(limit).offset(offset)))
        for row in rows:
            self.log(row, owner_id=row.organisation_id, action="list")
        return rows, total

    def row(self, model: Any, row_id: int) -> Any:
        covered = model.organisation_id.in_(sorted(self.coverage.organisations))
        row = self.session.scalars(select(model).where(model.id == row_id, covered)).first()
        if row is None:
            raise NotFound(f"{model.__tablename__} {row_id} does not exist")
        self.log(row, owner_id=row.organisation_id)
        return row

    def complaint_filter(self) -> Any:
        from liveqc.complaints.models import Complaint

        mine = Complaint.escalated_to_id == self.principal.organisation.id
        if self.principal.organisation.kind is not OrganisationKind.REGULATOR:
            return mine
        covered = Complaint.organisation_id.in_(sorted(self.coverage.organisations))
        return or_(mine, and_(Complaint.escalated_at.is_not(None), covered))

    def complaints(self, *, limit: int = 50, offset: int = 0) -> tuple[Sequence[Any], int]:
        """Escalated complaints of covered organisations, and any escalated to this one."""
        from liveqc.complaints.models import Complaint

        query = select(Complaint).where(self.complaint_filter())
        total = self.session.scalar(query.with_only_columns(func.count(Complaint.id))) or 0
        rows = list(self.session.scalars(query.order_by(Complaint.id).limit(limit).offset(offset)))
        for row in rows:
            self.log(row, owner_id=row.organisation_id, action="list")
        return rows, total

    def complaint(self, complaint_id: int) -> Any:
        from liveqc.complaints.models import Complaint

        row = self.session.scalars(
            select(Complaint).where(Complaint.id == complaint_id, self.complaint_filter())
        ).first()
        if row is None:
            raise NotFound(f"complaint {complaint_id} does not exist")
        self.log(row, owner_id=row.organisation_id)
        return row


@contextmanager
def regulator_scope(
    session: Session,
    principal: Principal,
    *,
    path: str = "",
    kinds: tuple[OrganisationKind, ...] = (OrganisationKind.REGULATOR,),
) -> Iterator[RegulatorScope]:
    """Open an audited, read-only view of the organisations under the principal's jurisdiction.

    Raises:
        PermissionDenied: the principal's organisation is not of one of ``kinds``.
    """
    require_regulator(principal, *kinds)
    cover = coverage(session, principal.organisation.id)
    reason = f"regulator read by user {principal.user.id} of {principal.organisation.id}"
    with tenancy.bypass_tenancy(session, reason=reason, actor_user_id=principal.user.id):
        yield RegulatorScope(session, principal, cover, path)
        for obj in [*session.new, *session.dirty, *session.deleted]:
            if not isinstance(obj, AccessLog) and getattr(obj, "organisation_id", None) not in (
                None,
                principal.organisation.id,
            ):
                raise PermissionDenied("regulator access to other organisations is read-only")
        session.flush()
