"""Product quality-control API (thin: tenancy comes from the session, errors from the handlers).

One router made of the modules below, in route order.
"""

from __future__ import annotations

from fastapi import APIRouter

from liveqc.products.views import catalogue, evidence, vetting

router = APIRouter()
for _module in (catalogue, evidence, vetting):
    router.include_router(_module.router)
