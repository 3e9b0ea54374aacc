"""The document checker's findings and a product's facts in the reader's language.

The checker (``documents.py``) speaks English for the API and logs; the console shows each
finding through the locale catalogues, keyed by requirement/block id or by an issue code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from liveqc.products import documents as docs

Translate = Callable[..., str]

#: Issue codes of invalid documents, recognised from the checker's explanation.
_INVALID_CODES = (
    ("is a domestic number on an imported product", "domestic_number_on_import"),
    ("is an import number; mark the product imported", "import_number_not_imported"),
)


def issue_code(kind: str, issue: docs.DocumentIssue) -> str:
    """A stable code for one expired, expiring or invalid document."""
    if kind != "invalid":
        return kind
    for ending, code in _INVALID_CODES:
        if issue.reason.endswith(ending):
            return code
    if issue.reason.startswith("valid_to ") and "is before valid_from" in issue.reason:
        return "dates_reversed"
    if issue.reason.startswith("not valid before "):
        return "not_yet_valid"
    return "bad_number"


def _text(t: Translate, key: str, default: str, **values: Any) -> str:
    """The catalogue text for ``key``, or ``default`` when no catalogue has it."""
    text = t(key, **values)
    return default if text == key else text


def explain_check(check: docs.DocumentCheck, t: Translate, locale: str) -> dict[str, Any]:
    """The check as lines to show: missing, expired, expiring, invalid and blocked."""

    def type_label(kind: docs.DocumentType) -> str:
        return kind.label_zh if locale == "zh-CN" else kind.label_en

    def issue(kind: str, i: docs.DocumentIssue) -> dict[str, Any]:
        code = issue_code(kind, i)
        values = {
            "type": type_label(i.type),
            "number": i.number,
            "date": i.valid_to or "",
            "days": abs(i.days_left) if i.days_left is not None else "",
        }
        return {
            "code": code,
            "text": _text(t, f"products.check.{code}", i.reason, **values),
            "superseded": i.superseded,
        }

    return {
        "ok": check.ok,
        "missing": [
            {
                "requirement": m.requirement,
                "types": " / ".join(type_label(d) for d in m.document_types),
                "text": _text(t, f"products.req.{m.requirement}.reason", m.reason),
                "basis": _text(t, f"products.req.{m.requirement}.basis", m.basis),
            }
            for m in check.missing
        ],
        "expired": [issue("expired", i) for i in check.expired],
        "expiring": [issue("expiring", i) for i in check.expiring],
        "invalid": [issue("invalid", i) for i in check.invalid],
        "blocked": [
            {
                "rule": b.rule,
                "text": _text(t, f"products.block.{b.rule}.reason", b.reason),
                "basis": _text(t, f"products.block.{b.rule}.basis", b.basis),
            }
            for b in check.blocked
        ],
    }


def approval_gaps(explained: dict[str, Any], *, evidence_missing: bool, t: Translate) -> list[str]:
    """Why the product cannot be approved yet, as lines in the reader's language."""
    gaps = [f"{m['types']}: {m['text']}" for m in explained["missing"]]
    issues = (*explained["expired"], *explained["invalid"])
    gaps += [i["text"] for i in issues if not i["superseded"]]
    gaps += [b["text"] for b in explained["blocked"]]
    if evidence_missing:
        gaps.append(t("products.gap.no_evidence"))
    return gaps


def _value(t: Translate, key: str, value: Any) -> str:
    if isinstance(value, bool):
        return t("products.yes") if value else t("products.no")
    if key == "category":
        return t(f"products.cat.{value}")
    if key == "efficacy_evidence" or key == "health_functions":
        return "、".join(_text(t, f"products.efficacy.{v}", str(v)) for v in value) or "—"
    if key == "target_age_months":
        lo, hi = value
        return f"{lo}–{hi if hi is not None else '∞'}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def explain_facts(facts: dict[str, Any], t: Translate) -> list[tuple[str, str]]:
    """The product facts as (label, value) pairs with translated labels and values."""
    return [(_text(t, f"products.fact.{k}", k), _value(t, k, v)) for k, v in facts.items()]
