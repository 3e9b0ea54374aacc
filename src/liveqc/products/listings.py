"""The catalogue and supplier lists: their table declarations and the two list pages.

Kept apart from the product file's forms in ``pages.py``, whose router takes these pages first
(:func:`add_routes`) so ``/products/suppliers`` is matched before ``/products/{product_id}``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from liveqc.api.deps import SessionDep
from liveqc.products.models import Product, ProductCategory, ProductStatus, Supplier
from liveqc.web import tables
from liveqc.web.tables import Column, Table
from liveqc.web.views import ConsolePrincipal, render

PRODUCTS = Table(
    "products",
    (
        Column("sku", "search.col.sku", Product.sku, "text"),
        Column("name", "search.col.name", Product.name, "text", (Product.name, Product.sku)),
        Column("brand", "search.col.brand", Product.brand, "text"),
        Column("category", "search.col.category", Product.category, "exact",
               choices=tuple(ProductCategory),
               value=lambda p, t: t(f"products.cat.{p.category.value}")),
        Column("supplier", "search.col.supplier", Supplier.name, "text",
               value=lambda p, t: p.supplier.name),
        Column("status", "search.col.status", Product.status, "exact",
               choices=tuple(ProductStatus),
               value=lambda p, t: t(f"products.state.{p.status.value}")),
        Column("gtin", "search.col.gtin", Product.gtin, "text"),
    ),
    default_order=(Product.id,),
    tiebreak=Product.id,
    aliases={"status": "status", "category": "category", "q": "name"},
)  # fmt: skip

SUPPLIERS = Table(
    "suppliers",
    (
        Column("name", "search.col.supplier", Supplier.name, "text"),
        Column("credit_code", "search.col.credit_code", Supplier.credit_code, "text"),
        Column("licence_valid_to", "search.col.licence_valid_to", Supplier.licence_valid_to),
        Column("region", "search.col.region", Supplier.region, "text"),
        Column("contact_name", "search.col.contact", Supplier.contact_name, "text"),
        Column("contact_phone", "search.col.phone"),
    ),
    default_order=(Supplier.id,),
    tiebreak=Supplier.id,
)


def catalogue(
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    status: str = "",
    category: str = "",
    q: str = "",
) -> Response:
    stmt = select(Product).join(Supplier, Supplier.id == Product.supplier_id)
    listing = tables.serve(request, session, PRODUCTS, stmt)
    if isinstance(listing, Response):
        return listing
    return render(
        request,
        "products/list.html",
        principal,
        active="products",
        flash=request.session.pop("flash", None),
        products=listing.rows,
        total=listing.total,
        listing=listing,
        statuses=list(dict.fromkeys(ProductStatus)),
        categories=list(ProductCategory),
        selected={"status": status, "category": category, "q": q[:100]},
    )


def suppliers(request: Request, principal: ConsolePrincipal, session: SessionDep) -> Response:
    """The supplier list; onboarding posts to ``pages.onboard_supplier`` and lands back here."""
    listing = tables.serve(request, session, SUPPLIERS, select(Supplier))
    if isinstance(listing, Response):
        return listing
    return render(
        request,
        "products/suppliers.html",
        principal,
        active="products",
        flash=request.session.pop("flash", None),
        suppliers=listing.rows,
        listing=listing,
    )


def add_routes(router: APIRouter) -> None:
    """Put the list pages on the products console ``router``, as plain routes of its own."""
    router.add_api_route("/products", catalogue, methods=["GET"], response_model=None)
    router.add_api_route("/products/suppliers", suppliers, methods=["GET"], response_model=None)
