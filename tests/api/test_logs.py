from __future__ import annotations

import logging

from fastapi.testclient import TestClient

from liveqc.api.logs import RequestIdFilter, request_id_var


def test_records_carry_the_current_request_id() -> None:
    record = logging.LogRecord("liveqc", logging.INFO, __file__, 1, "hello", None, None)
    token = request_id_var.set("req-42")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    assert record.request_id == "req-42"
    RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_each_request_is_logged_with_its_id(client: TestClient, caplog) -> None:
    caplog.set_level("INFO", logger="liveqc.api")
    logger = logging.getLogger("liveqc")
    logger.addHandler(caplog.handler)
    try:
        client.get("/healthz", headers={"X-Request-ID": "trace-7"})
    finally:
        logger.removeHandler(caplog.handler)
    assert any(
        "GET /healthz -> 200" in r.getMessage() and request_id_var.get() == "-"
        for r in caplog.records
    )
