"""The liveqc error hierarchy.

Errors carry a stable ``code`` (kebab-case, documented in docs/problems.md), a short ``title``
and a ``detail``. They know nothing about HTTP: ``liveqc.api.problems`` maps them to status codes
and the CLI maps them to exit codes.
"""

from __future__ import annotations

from typing import Any


class LiveQCError(Exception):
    """Base class of every error liveqc raises on purpose."""

    code: str = "liveqc-error"
    title: str = "liveqc error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def __str__(self) -> str:
        return self.detail


class NotFound(LiveQCError):
    """The row does not exist, or belongs to another organisation (no existence leak)."""

    code = "not-found"
    title = "Not found"


class Conflict(LiveQCError):
    """The change clashes with existing data (a duplicate, a stale version)."""

    code = "conflict"
    title = "Conflict"


class InvalidTransition(LiveQCError):
    """A workflow step that the transition table does not allow from the current state."""

    code = "invalid-transition"
    title = "Invalid transition"


class ValidationFailed(LiveQCError):
    """Input that is well-formed but breaks a business rule."""

    code = "validation-failed"
    title = "Validation failed"


class AuthenticationRequired(LiveQCError):
    """No valid credentials were presented."""

    code = "authentication-required"
    title = "Authentication required"


class PermissionDenied(LiveQCError):
    """Authenticated, but the role or organisation does not allow the action."""

    code = "permission-denied"
    title = "Permission denied"


class RateLimited(LiveQCError):
    """Too many attempts in the window; try again later."""

    code = "rate-limited"
    title = "Too many requests"


class RulePackError(LiveQCError):
    """A rule pack failed validation when it was loaded (names pack, rule and field)."""

    code = "rule-pack-error"
    title = "Invalid rule pack"


class InputError(LiveQCError):
    """Unreadable or malformed input to a command (names the file and line)."""

    code = "input-error"
    title = "Unreadable input"


class ConfigurationError(LiveQCError):
    """Settings that cannot work (names the setting and the fix)."""

    code = "configuration-error"
    title = "Invalid configuration"
