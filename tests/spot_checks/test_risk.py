"""Risk scores: explained by their inputs, ranked, limited to the jurisdiction, logged."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from liveqc.spot_checks import jurisdiction, risk
from liveqc.spot_checks.risk import Score, Subject
from tests.spot_checks.conftest import principal

INSPECTOR = "inspector@binjiang.example"


def test_a_score_is_the_sum_of_its_explained_inputs() -> None:
    score = Score(1, "p", 1, Counter(spot_check_failed=1, complaint=3, alert_high=2))
    shares = {c.input: c.points for c in score.inputs}
    assert shares == {"spot_check_failed": 30.0, "complaint": 6.0, "alert_high": 10.0}
    assert score.score == 46.0
    assert [c.input for c in score.inputs] == ["spot_check_failed", "alert_high", "complaint"]


def test_ranking_is_highest_first_then_by_id() -> None:
    rows = [Score(3, "c", 1, Counter(complaint=1)), Score(1, "a", 1),
            Score(2, "b", 1, Counter(complaint=1))]  # fmt: skip
    assert [s.id for s in risk.ranked(rows)] == [2, 3, 1]


def test_failed_spot_checks_put_products_on_top(db: Session) -> None:
    who = principal(db, INSPECTOR)
    with jurisdiction.regulator_scope(db, who) as scope:
        org_ids = sorted(scope.coverage.organisations)
        products = risk.scores(db, Subject.PRODUCTS, org_ids)
        agencies = risk.scores(db, Subject.AGENCIES, org_ids)
        suppliers = risk.scores(db, Subject.SUPPLIERS, org_ids)
    top = products[:2]
    assert all(s.counts["spot_check_failed"] == 1 for s in top)
    assert all(s.score >= 30 for s in top)
    assert [s.score for s in products] == sorted((s.score for s in products), reverse=True)
    assert {a.name for a in agencies} == {"星河直播", "青禾优选"}
    assert sum(a.counts["spot_check_failed"] for a in agencies) == 2
    assert sum(s.counts["spot_check_failed"] for s in suppliers) == 2
    for s in products + agencies + suppliers:
        assert s.score == sum(c.points for c in s.inputs)


def test_risk_api_ranks_explains_and_logs(
    client: TestClient, login: Any, demo: Any, session_factory: Any
) -> None:
    regulator = login(INSPECTOR)
    for subject in ("agencies", "products", "suppliers", "hosts"):
        body = client.get(f"/api/v1/regulator/risk/{subject}", headers=regulator).json()
        assert body["total"] > 0, subject
        scores = [row["score"] for row in body["items"]]
        assert scores == sorted(scores, reverse=True)
        first = body["items"][0]
        assert first["score"] == sum(i["points"] for i in first["inputs"])
        again = client.get(f"/api/v1/regulator/risk/{subject}/{first['id']}", headers=regulator)
        assert again.status_code == 200 and again.json()["score"] == first["score"]
    missing = client.get("/api/v1/regulator/risk/products/987654", headers=regulator)
    assert missing.status_code == 404
    assert client.get("/api/v1/regulator/risk/planets", headers=regulator).status_code == 422
    xinghe = login("admin@xinghe.example")
    assert client.get("/api/v1/regulator/risk/products", headers=xinghe).status_code == 403
    log = client.get("/api/v1/access-log", headers=xinghe, params={"limit": 200}).json()
    assert any(e["action"] == "risk" for e in log["items"])


def test_hosts_collect_alerts_of_their_sessions(session_factory: Any, demo: Any) -> None:
    # the full demo: live sessions with hosts and alerts
    with session_factory() as db, db.begin():
        who = principal(db, INSPECTOR)
        with jurisdiction.regulator_scope(db, who) as scope:
            hosts = risk.scores(db, Subject.HOSTS, sorted(scope.coverage.organisations))
    assert hosts and any(h.score > 0 for h in hosts)
    assert all(k.startswith(("alert_", "complaint")) for h in hosts for k in h.counts)
