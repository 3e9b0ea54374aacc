"""Dependencies the spot-check API modules share: who may do what."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, status

from liveqc.accounts.models import Role
from liveqc.accounts.service import Principal
from liveqc.api.deps import CurrentPrincipal
from liveqc.spot_checks import jurisdiction

Created = {"status_code": status.HTTP_201_CREATED}


def regulator(principal: CurrentPrincipal) -> Principal:
    """A regulator's inspector or admin."""
    jurisdiction.require_regulator(principal)
    principal.require(Role.ADMIN, Role.INSPECTOR)
    return principal


def reader(principal: CurrentPrincipal) -> Principal:
    """Any member of a regulator (read-only views)."""
    jurisdiction.require_regulator(principal)
    return principal


def agency_reviewer(principal: CurrentPrincipal) -> Principal:
    principal.require(Role.ADMIN, Role.QC_REVIEWER, Role.COMPLIANCE_REVIEWER)
    return principal


Regulator = Annotated[Principal, Depends(regulator)]
RegulatorReader = Annotated[Principal, Depends(reader)]
AgencyReviewer = Annotated[Principal, Depends(agency_reviewer)]
