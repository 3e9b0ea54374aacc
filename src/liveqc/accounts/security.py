"""Password hashing (argon2), API token generation and hashing (SHA-256), login rate limits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "lqc_"
_hasher = PasswordHasher()
#: Verified against when the account does not exist, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash("liveqc-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; always spends the same work, even without a hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A fresh bearer token: ``lqc_`` + 43 URL-safe characters (256 bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class SlidingWindowLimiter:
    """Counts events per key in a sliding time window (in-process, thread-safe)."""

    def __init__(
        self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may try again (0 when it may try now)."""
        with self._lock:
            now = self.clock()
            events = self._trim(key, now)
            if len(events) < self.limit:
                return 0.0
            return max(events[0] + self.window - now, 0.0)

    def hit(self, key: str) -> None:
        with self._lock:
            self._trim(key, self.clock()).append(self.clock())

    def reset(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)


class LoginThrottle:
    """Failed-login limits per account and per client address."""

    def __init__(
        self,
        *,
        per_account: int,
        per_address: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.accounts = SlidingWindowLimiter(per_account, window_seconds, clock)
        self.addresses = SlidingWindowLimiter(per_address, window_seconds, clock)

    def retry_after(self, email: str, address: str) -> float:
        return max(
            self.accounts.retry_after(email.strip().lower()), self.addresses.retry_after(address)
        )

    def failed(self, email: str, address: str) -> None:
        self.accounts.hit(email.strip().lower())
        self.addresses.hit(address)

    def succeeded(self, email: str) -> None:
        self.accounts.reset(email.strip().lower())
