from __future__ import annotations

from liveqc.accounts.security import (
    LoginThrottle,
    SlidingWindowLimiter,
    hash_password,
    hash_token,
    new_token,
    verify_password,
)


def test_passwords_hash_with_argon2_and_verify() -> None:
    hashed = hash_password("correct horse")
    assert hashed.startswith("$argon2")
    assert verify_password(hashed, "correct horse")
    assert not verify_password(hashed, "wrong horse")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_tokens_are_random_and_stored_as_sha256() -> None:
    a, b = new_token(), new_token()
    assert a != b and a.startswith("lqc_") and len(a) > 40
    assert len(hash_token(a)) == 64 and hash_token(a) == hash_token(a) != hash_token(b)


def test_sliding_window_forgets_old_events() -> None:
    now = [0.0]
    limiter = SlidingWindowLimiter(2, 10, clock=lambda: now[0])
    limiter.hit("k")
    limiter.hit("k")
    assert limiter.retry_after("k") == 10
    now[0] = 4
    assert limiter.retry_after("k") == 6
    now[0] = 10.5
    assert limiter.retry_after("k") == 0


def test_throttle_counts_accounts_case_insensitively_and_resets_on_success() -> None:
    throttle = LoginThrottle(per_account=2, per_address=100, window_seconds=60)
    throttle.failed("QC@x.example", "1.2.3.4")
    throttle.failed("qc@x.example ", "5.6.7.8")
    assert throttle.retry_after("qc@x.example", "9.9.9.9") > 0
    throttle.succeeded("qc@x.example")
    assert throttle.retry_after("qc@x.example", "9.9.9.9") == 0


def test_throttle_limits_one_address_across_accounts() -> None:
    throttle = LoginThrottle(per_account=100, per_address=3, window_seconds=60)
    for n in range(3):
        throttle.failed(f"user{n}@x.example", "1.2.3.4")
    assert throttle.retry_after("fresh@x.example", "1.2.3.4") > 0
    assert throttle.retry_after("fresh@x.example", "4.3.2.1") == 0
