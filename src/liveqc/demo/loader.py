"""``load(session, settings)``: create the demo data set if missing, never duplicating or
overwriting rows.

Other domains add their own demo rows by providing ``liveqc.<domain>.demo`` with a function
``load(session, context)`` (and optionally ``ORDER``, default 100); they run after the core rows,
in (ORDER, module name) order, and must be idempotent too.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import liveqc
from liveqc.accounts import service as accounts
from liveqc.accounts.models import Organisation, Role, User
from liveqc.config import Settings
from liveqc.db import tenancy
from liveqc.demo import data
from liveqc.demo.credit_codes import credit_code
from liveqc.errors import ConfigurationError
from liveqc.products import service as products
from liveqc.products.models import Product, Supplier
from liveqc.products.schemas import ProductCreate, SupplierCreate

log = logging.getLogger("liveqc.demo")


@dataclass
class DemoContext:
    """What the core loader created, for domain loaders to build on."""

    settings: Settings
    organisations: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    suppliers: dict[tuple[str, str], Supplier] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1


def domain_loaders() -> list[Callable[[Session, DemoContext], Any]]:
    """Every ``liveqc.<domain>.demo.load``, in (ORDER, name) order."""
    found = []
    for module in pkgutil.iter_modules(liveqc.__path__):
        name = f"liveqc.{module.name}.demo"
        if module.ispkg and module.name != "demo" and importlib.util.find_spec(name):
            mod = importlib.import_module(name)
            found.append((getattr(mod, "ORDER", 100), name, mod.load))
    return [loader for _, _, loader in sorted(found, key=lambda item: item[:2])]


def load(session: Session, settings: Settings) -> DemoContext:
    """Create whatever demo rows are missing. Refused when LIVEQC_ENV=production."""
    if settings.is_production:
        raise ConfigurationError(
            "demo data is refused when LIVEQC_ENV=production (it has known passwords); "
            "create real users with `liveqc user create`"
        )
    ctx = DemoContext(settings)
    _load_accounts(session, ctx)
    for org_name in data.SUPPLIERS:
        _load_catalogue(session, ctx, org_name)
    tenancy.set_organisation(session, None)
    for loader in domain_loaders():
        loader(session, ctx)
        tenancy.set_organisation(session, None)
    return ctx


def _load_accounts(session: Session, ctx: DemoContext) -> None:
    for name, kind, region in data.ORGANISATIONS:
        org = accounts.get_organisation_by_name(session, name)
        if org is None:
            org = accounts.create_organisation(session, name=name, kind=kind, region=region)
            ctx.count("organisations")
        ctx.organisations[name] = org
    for email, display_name, org_name, roles in data.USERS:
        user = accounts.get_user_by_email(session, email)
        if user is None:
            user = accounts.create_user(
                session, email=email, password=data.DEMO_PASSWORD, display_name=display_name
            )
            ctx.count("users")
        for role in roles:
            before = len(user.memberships)
            accounts.add_membership(
                session, user=user, organisation=ctx.organisations[org_name], role=role
            )
            if len(user.memberships) > before:
                ctx.count("memberships")
        ctx.users[email] = user


def _load_catalogue(session: Session, ctx: DemoContext, org_name: str) -> None:
    org = ctx.organisations[org_name]
    tenancy.set_organisation(session, org.id)
    admin = next(
        ctx.users[email]
        for email, _, name, roles in data.USERS
        if name == org_name and Role.ADMIN in roles
    )
    for key, name, region_code, base8, region, contact in data.SUPPLIERS[org_name]:
        code = credit_code(region_code, base8)
        supplier = session.scalars(select(Supplier).where(Supplier.credit_code == code)).first()
        if supplier is None:
            supplier = products.create_supplier(
                session,
                data=SupplierCreate(
                    name=name, credit_code=code, contact_name=contact, region=region
                ),
                actor=admin,
            )
            ctx.count("suppliers")
        ctx.suppliers[(org_name, key)] = supplier
    for sku, supplier_key, name, brand, category, spec, status in data.PRODUCTS[org_name]:
        product = session.scalars(select(Product).where(Product.sku == sku)).first()
        if product is None:
            product = products.create_product(
                session,
                data=ProductCreate(
                    supplier_id=ctx.suppliers[(org_name, supplier_key)].id,
                    sku=sku,
                    name=name,
                    brand=brand,
                    category=category,
                    specification=spec,
                ),
                actor=admin,
                status=status,
            )
            ctx.count("products")
        ctx.products[sku] = product
