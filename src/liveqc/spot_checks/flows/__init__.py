"""Spot-check workflows: draw → sample → lab results → verdict → follow-up → objection (复检).

Each flow checks ``TRANSITIONS``, changes state, records an audit entry (actor, before, after)
and raises ``InvalidTransition`` for an illegal step. Writes to another organisation's rows (the
agency's notice and objection decision, the product suspension) go through :func:`acting_for`,
which switches the session's organisation for the block only.

Objection period: 产品质量法 art. 15 lets the producer or seller apply for re-inspection
"自收到检验结果之日起十五日内" (within 15 days of receiving the result). liveqc reads it as 15
calendar days counted from the day after notification (民法典 art. 201: the first day is not
counted), ending at 24:00 China Standard Time on the last day. The period is stored per plan
(``objection_period_days``), so food and cosmetics checks can use their own periods.
"""

from liveqc.spot_checks.flows.checks import (
    add_custody,
    close,
    conclude,
    record_results,
    record_sample,
)
from liveqc.spot_checks.flows.common import CST, TRANSITIONS, acting_for, objection_deadline
from liveqc.spot_checks.flows.objections import decide_objection, file_objection, withdraw_objection
from liveqc.spot_checks.flows.planning import (
    HIGH_RISK_CATEGORIES,
    ON_SALE,
    draw_plan,
    risk_score,
    verify_draw,
)

__all__ = [
    "CST",
    "HIGH_RISK_CATEGORIES",
    "ON_SALE",
    "TRANSITIONS",
    "acting_for",
    "add_custody",
    "close",
    "conclude",
    "decide_objection",
    "draw_plan",
    "file_objection",
    "objection_deadline",
    "record_results",
    "record_sample",
    "risk_score",
    "verify_draw",
    "withdraw_objection",
]
