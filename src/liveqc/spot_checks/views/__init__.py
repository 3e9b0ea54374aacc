"""Regulatory co-governance API: jurisdictions, regulator reads, spot checks, objections,
notices, access log, publications and exports (thin: the domain decides)."""

from __future__ import annotations

from fastapi import APIRouter

from liveqc.spot_checks.views import campaigns, checks, publications, regulator

router = APIRouter()
for _module in (regulator, checks, publications, campaigns):
    router.include_router(_module.router)
