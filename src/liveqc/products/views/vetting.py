"""Vetting: the product's history, its facts, and one POST route per step of the transition
table."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from liveqc.api.deps import CurrentPrincipal, IdPath, SessionDep
from liveqc.products import flows
from liveqc.products.schemas import ProductRead, VettingAction, VettingEventRead, VettingPage

router = APIRouter(tags=["products"])


@router.get("/products/{product_id}/vetting-events", response_model=VettingPage)
def vetting_events(product_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> VettingPage:
    rows = flows.history(session, product_id)
    return VettingPage(items=[VettingEventRead.model_validate(r) for r in rows], total=len(rows))


@router.get("/products/{product_id}/facts")
def facts(product_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """The product's facts in the compliance contract's shape."""
    return flows.product_facts(session, product_id)


def _vetting_route(action: str) -> Any:
    def run(
        product_id: IdPath,
        principal: CurrentPrincipal,
        session: SessionDep,
        body: VettingAction | None = None,
    ) -> ProductRead:
        reason = body.reason if body is not None else ""
        product = flows.transition(
            session, product_id=product_id, action=action, actor=principal, reason=reason
        )
        return ProductRead.model_validate(product)

    run.__name__ = f"vetting_{action}"
    run.__doc__ = f"Vetting step `{action}` (see the transition table in docs/products.md)."
    return run


for _action in flows.ACTIONS:
    router.add_api_route(
        f"/products/{{product_id}}/{_action.replace('_', '-')}",
        _vetting_route(_action),
        methods=["POST"],
        response_model=ProductRead,
    )
