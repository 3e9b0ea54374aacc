"""Test-report items judged from their limit and result, never from a typed-in verdict.

A limit ("≤ 10", "10~20", "不得检出", "符合", "—") and a result ("8.3", "<0.01", "未检出") are
each read into an interval or a qualitative kind. An item passes when every value the result
allows lies within the limit, fails when none does, and needs review otherwise, or whenever units
disagree: liveqc never converts units or guesses. Pure; standard codes and accreditation numbers
(CMA, CNAS) are parsed here too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from liveqc.products.validators import NumberCheck, normalise


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NEEDS_REVIEW = "needs_review"
    NOT_JUDGED = "not_judged"  # the limit is "—" or "/": reported for information only


class LimitKind(StrEnum):
    NUMERIC = "numeric"
    ABSENT = "absent"  # 不得检出 / 未检出 / ND / 阴性
    QUALITATIVE = "qualitative"  # 符合, or a described requirement
    NONE = "none"  # — or /: no requirement
    MISSING = "missing"  # nothing entered
    UNPARSED = "unparsed"


class ResultKind(StrEnum):
    VALUE = "value"  # a number or a numeric range
    NOT_DETECTED = "not_detected"  # 未检出 / ND / 阴性 / <LOD (``upper`` holds the LOD if given)
    DETECTED = "detected"  # 检出 / 阳性, not quantified
    CONFORM = "conform"
    NONCONFORM = "nonconform"
    MISSING = "missing"
    UNPARSED = "unparsed"


@dataclass(frozen=True)
class Bound:
    value: Decimal
    inclusive: bool


@dataclass(frozen=True)
class Limit:
    kind: LimitKind
    text: str
    lower: Bound | None = None
    upper: Bound | None = None
    unit: str = ""


@dataclass(frozen=True)
class Result:
    kind: ResultKind
    text: str
    lower: Bound | None = None
    upper: Bound | None = None
    unit: str = ""


@dataclass(frozen=True)
class TestItem:
    __test__ = False  # not a pytest class

    name: str
    limit: str = ""
    result: str = ""
    unit: str = ""
    method: str = ""


@dataclass(frozen=True)
class ItemVerdict:
    item: TestItem
    verdict: Verdict
    reason: str
    limit: Limit
    result: Result


@dataclass(frozen=True)
class ReportVerdict:
    verdict: Verdict
    items: tuple[ItemVerdict, ...]
    reasons: tuple[str, ...]


# --- text and numbers ---------------------------------------------------------------------

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_COMPARATORS = [
    (r"<=|=<|≦|⩽|不大于|不超过|不高于|不多于|小于或等于|小于等于|最大|≤", "≤"),
    (r">=|=>|≧|⩾|不小于|不低于|不少于|大于或等于|大于等于|最小|≥", "≥"),
    (r"小于|低于|少于|﹤|<", "<"),
    (r"大于|高于|超过|多于|﹥|>", ">"),
]
_NUM = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\^[+-]?\d+)?(?:[x×*]10\^[+-]?\d+|E[+-]?\d+)?"
_PAREN_RE = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")


def _clean(text: str) -> str:
    """Superscripts to ^n, NFKC, unify comparators and range marks, collapse spaces."""
    out = []
    for chunk in re.split(r"([⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+)", text or ""):
        if chunk and all(c in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺" for c in chunk):
            out.append("^" + chunk.translate(_SUPERSCRIPT))
        else:
            out.append(chunk)
    s = unicodedata.normalize("NFKC", "".join(out))
    s = s.replace("【", "[").replace("】", "]").replace("〜", "~").replace("—", "~")
    for pattern, symbol in _COMPARATORS:
        s = re.sub(pattern, symbol, s)
    return " ".join(s.split())


def _number(token: str) -> Decimal | None:
    token = token.replace(",", "").replace(" ", "")
    m = re.fullmatch(
        r"([+-]?[\d.]+)(?:\^([+-]?\d+))?(?:[x×*]10\^([+-]?\d+)|[eE]([+-]?\d+))?", token
    )
    if not m:
        return None
    try:
        base = Decimal(m[1])
    except InvalidOperation:
        return None
    if m[2] is not None:  # "10^4" written without a mantissa
        base = base ** int(m[2])
    exp = m[3] or m[4]
    return base * (Decimal(10) ** int(exp)) if exp else base


def normalise_unit(unit: str) -> str:
    """Compare units by spelling only: case, µ/μ/u, ％, ℃ and spaces are folded."""
    u = unicodedata.normalize("NFKC", unit or "").strip().lower()
    u = u.replace("μ", "u").replace("µ", "u").replace("°c", "℃").replace(" ", "")
    return u.strip("()[]")


_NO_LIMIT = {"~", "-", "--", "~~", "/", "//", "*", "无", "n/a", "na", "不作要求", "不要求",
             "不判定"}  # fmt: skip
_ABSENT_WORDS = ("不得检出", "不应检出", "不得使用", "不得添加", "不得含有", "禁用", "禁止使用")
_ND_WORDS = ("未检出", "未检测到", "低于检出限", "小于检出限", "<检出限", "未发现")
_ND_TOKENS = {"ND", "N.D.", "N.D", "NOTDETECTED", "<LOD", "<DL", "<LOQ", "阴性", "-VE", "NEGATIVE"}
_DETECTED = {"检出", "阳性", "POSITIVE", "+VE", "DETECTED"}
_CONFORM = {"符合", "合格", "符合要求", "符合标准", "正常", "通过", "PASS", "CONFORM", "CONFORMS",
            "OK", "未见异常", "符合规定"}  # fmt: skip
_NONCONFORM = {"不符合", "不合格", "不符合要求", "不符合标准", "异常", "不通过", "FAIL",
               "NONCONFORM", "不符合规定"}  # fmt: skip


_CJK_UNITS = "级|个|倍|次|天|小时|分钟|秒|克|千克|毫克|毫升|升|米|厘米|毫米|粒|片|只|件|袋|瓶|盒|度"


def _split_unit(rest: str) -> tuple[str, str]:
    """Split what follows a number into (unit, leftover)."""
    rest = rest.strip()
    if rest[:1].isdigit() or not re.fullmatch(rf"(?:[A-Za-z%℃‰/μµ0-9.^·*\s]|{_CJK_UNITS})+", rest):
        return "", rest
    return rest, ""


def _strip_notes(s: str) -> tuple[str, list[str]]:
    """Drop bracketed notes and "以Pb计"-style bases of calculation; keep the notes."""
    notes = [a or b for a, b in _PAREN_RE.findall(s)]
    return re.sub(r"以\S{1,12}?计", " ", _PAREN_RE.sub(" ", s)).strip(), notes


def _one_sided(s: str) -> tuple[Bound | None, Bound | None, str] | None:
    """Parse "≤10 mg/kg", "10以下", ">5"; returns (lower, upper, unit)."""
    m = re.fullmatch(rf"([≤≥<>])\s*({_NUM})\s*(.*)", s, re.IGNORECASE)
    if m:
        op, value, rest = m[1], _number(m[2]), m[3]
    else:
        m = re.fullmatch(rf"({_NUM})\s*(.*?)\s*(以下|以上|以内)", s, re.IGNORECASE)
        if not m:
            return None
        op = "≥" if m[3] == "以上" else "≤"
        value, rest = _number(m[1]), m[2]
    unit, leftover = _split_unit(rest)
    if value is None or leftover:
        return None
    bound = Bound(value, op in "≤≥")
    return (bound, None, unit) if op in "≥>" else (None, bound, unit)


def _interval(s: str) -> tuple[Bound | None, Bound | None, str] | None:
    """A single number, a range "a~b"/"a-b"/"a至b", "a±b", or one-sided bounds joined by 且."""
    m = re.fullmatch(rf"({_NUM})\s*(.*?)\s*(?:~|-|至|到)\s*({_NUM})\s*(.*)", s, re.IGNORECASE)
    if m:
        lo, hi = _number(m[1]), _number(m[3])
        unit, leftover = _split_unit(m[4] or m[2])
        if lo is not None and hi is not None and not leftover and lo <= hi:
            return Bound(lo, True), Bound(hi, True), unit
        return None
    m = re.fullmatch(rf"({_NUM})\s*±\s*({_NUM})\s*(.*)", s, re.IGNORECASE)
    if m:
        mid, tol = _number(m[1]), _number(m[2])
        unit, leftover = _split_unit(m[3])
        if mid is None or tol is None or leftover or "%" in unit:
            return None
        return Bound(mid - tol, True), Bound(mid + tol, True), unit
    parts = [p.strip() for p in re.split(r"且|并且|\band\b|;|,(?=\s*[≤≥<>])", s) if p.strip()]
    if len(parts) > 1:
        lower = upper = None
        units = set()
        for part in parts:
            one = _one_sided(part)
            if one is None:
                return None
            lower, upper = one[0] or lower, one[1] or upper
            units.add(one[2])
        units.discard("")
        return (lower, upper, next(iter(units), "")) if len(units) <= 1 else None
    return _one_sided(s)


def parse_limit(text: str) -> Limit:
    """Read a limit expression (限量/标准要求) into bounds or a qualitative kind."""
    raw = (text or "").strip()
    s = _clean(raw)
    if not s:
        return Limit(LimitKind.MISSING, raw)
    if s.lower() in _NO_LIMIT:
        return Limit(LimitKind.NONE, raw)
    bare, _notes = _strip_notes(s)
    upper = normalise(bare)
    absent = re.fullmatch(r"0\s*/\s*\d+\s*[a-zA-Z]+", bare)  # "0/25g": none in 25 g
    if any(w in bare for w in _ABSENT_WORDS) or upper in _ND_TOKENS or bare in _ND_WORDS or absent:
        return Limit(LimitKind.ABSENT, raw)
    if bare.startswith("符合") or bare.startswith("应符合") or not re.search(r"\d", bare):
        return Limit(LimitKind.QUALITATIVE, raw)
    parsed = _interval(bare)
    if parsed is None:
        return Limit(LimitKind.UNPARSED, raw)
    lower, upper_bound, unit = parsed
    return Limit(LimitKind.NUMERIC, raw, lower, upper_bound, unit)


def parse_result(text: str) -> Result:
    """Read a measured result (检测结果) into an interval or a qualitative kind."""
    raw = (text or "").strip()
    s = _clean(raw)
    if not s or s in {"~", "-", "/"}:
        return Result(ResultKind.MISSING, raw)
    bare, notes = _strip_notes(s)
    token = normalise(bare)
    if any(w in bare for w in _ND_WORDS) or token in _ND_TOKENS or token.startswith("ND"):
        marked = [f"<{n}" if re.match(r"\s*[\d.]", n) else n for n in notes]
        for note in [*marked, bare]:  # a detection limit, if the lab wrote one
            m = re.search(
                rf"(?:([≤<])|(?:检出限|LOD|LOQ|MDL|DL)\s*[:=]?)\s*({_NUM})\s*(.*)",
                note,
                re.IGNORECASE,
            )
            lod = _number(m[2]) if m else None
            if m and lod is not None:
                unit = _split_unit(m[3])[0]
                return Result(ResultKind.NOT_DETECTED, raw, None, Bound(lod, m[1] == "≤"), unit)
        return Result(ResultKind.NOT_DETECTED, raw)
    if token in _NONCONFORM:
        return Result(ResultKind.NONCONFORM, raw)
    if token in _CONFORM:
        return Result(ResultKind.CONFORM, raw)
    if token in _DETECTED:
        return Result(ResultKind.DETECTED, raw)
    m = re.fullmatch(rf"({_NUM})\s*(.*)", bare, re.IGNORECASE)
    if m:
        unit, leftover = _split_unit(m[2])
        value = _number(m[1])
        if value is not None and not leftover:
            return Result(ResultKind.VALUE, raw, Bound(value, True), Bound(value, True), unit)
    parsed = _interval(bare)
    if parsed is None:
        return Result(ResultKind.UNPARSED, raw)
    lower, upper, unit = parsed
    return Result(ResultKind.VALUE, raw, lower, upper, unit)


# --- judging --------------------------------------------------------------------------------


def _inside(a: Bound | None, b: Bound | None, *, upper: bool) -> bool:
    """Every value on the inner side of bound ``a`` also satisfies bound ``b`` (None = open)."""
    if b is None or a is None:
        return b is None
    stricter = a.value < b.value if upper else a.value > b.value
    return stricter or (a.value == b.value and (b.inclusive or not a.inclusive))


def _disjoint(
    lo: Bound | None, hi: Bound | None, other_lo: Bound | None, other_hi: Bound | None
) -> bool:
    def apart(upper: Bound | None, lower: Bound | None) -> bool:
        if upper is None or lower is None:
            return False
        both = upper.inclusive and lower.inclusive
        return upper.value < lower.value or (upper.value == lower.value and not both)

    return apart(hi, other_lo) or apart(other_hi, lo)


def _units(item: TestItem, limit: Limit, result: Result) -> str:
    named = {"item": item.unit, "limit": limit.unit, "result": result.unit}
    given = {k: normalise_unit(u) for k, u in named.items() if normalise_unit(u)}
    if len(set(given.values())) > 1:
        detail = ", ".join(f"{k} in {named[k]}" for k in given)
        return f"unit mismatch ({detail}); not converted"
    return ""


def judge(item: TestItem) -> ItemVerdict:
    """Compute one item's verdict from its limit and result."""
    limit, result = parse_limit(item.limit), parse_result(item.result)

    def verdict(v: Verdict, reason: str) -> ItemVerdict:
        return ItemVerdict(item, v, reason, limit, result)

    if limit.kind is LimitKind.NONE:
        return verdict(Verdict.NOT_JUDGED, "no limit applies (reported for information)")
    if limit.kind is LimitKind.MISSING:
        return verdict(Verdict.NEEDS_REVIEW, "no limit given")
    if limit.kind is LimitKind.UNPARSED:
        return verdict(Verdict.NEEDS_REVIEW, f"limit {limit.text!r} could not be read")
    if result.kind is ResultKind.MISSING:
        return verdict(Verdict.NEEDS_REVIEW, "no result given")
    if limit.kind is LimitKind.QUALITATIVE and normalise(result.text) == normalise(limit.text):
        return verdict(Verdict.PASS, "the result restates the requirement")
    if result.kind is ResultKind.UNPARSED:
        return verdict(Verdict.NEEDS_REVIEW, f"result {result.text!r} could not be read")
    if result.kind is ResultKind.NONCONFORM:
        return verdict(Verdict.FAIL, "the result states non-conformity")
    mismatch = _units(item, limit, result)
    if mismatch:
        return verdict(Verdict.NEEDS_REVIEW, mismatch)

    if limit.kind is LimitKind.ABSENT:
        if result.kind in (ResultKind.NOT_DETECTED, ResultKind.CONFORM):
            return verdict(Verdict.PASS, "not detected, as required")
        if result.kind is ResultKind.DETECTED:
            return verdict(Verdict.FAIL, "detected where the limit requires absence")
        if result.lower is None and result.upper is not None:
            return verdict(Verdict.PASS, f"below the detection limit ({result.text}), as required")
        if result.upper is not None and result.upper.value == 0:
            return verdict(Verdict.PASS, "measured 0, as required")
        return verdict(Verdict.FAIL, f"{result.text} detected where the limit requires absence")

    if limit.kind is LimitKind.QUALITATIVE:
        if result.kind is ResultKind.CONFORM:
            return verdict(Verdict.PASS, "conforms to the stated requirement")
        return verdict(Verdict.NEEDS_REVIEW, "a qualitative limit needs a reviewer for this result")

    # numeric limit
    if result.kind is ResultKind.CONFORM:
        return verdict(Verdict.NEEDS_REVIEW, "the result is a verdict, not a measured value")
    if result.kind is ResultKind.DETECTED:
        return verdict(Verdict.NEEDS_REVIEW, "detected but not quantified")
    lo, hi = result.lower, result.upper
    note = ""
    if result.kind is ResultKind.NOT_DETECTED and hi is None:
        zero = Bound(Decimal(0), True)
        lo, hi = zero, zero
        note = " (not detected, read as 0)"
    if _inside(lo, limit.lower, upper=False) and _inside(hi, limit.upper, upper=True):
        return verdict(Verdict.PASS, f"{result.text} is within {limit.text}{note}")
    if _disjoint(lo, hi, limit.lower, limit.upper):
        return verdict(Verdict.FAIL, f"{result.text} is outside {limit.text}{note}")
    return verdict(Verdict.NEEDS_REVIEW, f"{result.text} cannot be decided against {limit.text}")


def overall_verdict(verdicts: Iterable[Verdict]) -> Verdict:
    """Any fail → fail; else any needs review → needs review; pass only if something passed."""
    seen = set(verdicts)
    if Verdict.FAIL in seen:
        return Verdict.FAIL
    if Verdict.NEEDS_REVIEW in seen or Verdict.PASS not in seen:
        return Verdict.NEEDS_REVIEW
    return Verdict.PASS


def evaluate(
    items: Iterable[TestItem], *, cma_number: str = "", cnas_number: str = ""
) -> ReportVerdict:
    """Judge every item and the report as a whole; malformed accreditation numbers need review."""
    judged = tuple(judge(i) for i in items)
    reasons = [f"{j.item.name}: {j.verdict}: {j.reason}" for j in judged if j.verdict in
               (Verdict.FAIL, Verdict.NEEDS_REVIEW)]  # fmt: skip
    verdict = overall_verdict(j.verdict for j in judged)
    if not judged:
        reasons.append("the report has no test items")
    for number, parser in ((cma_number, parse_cma_number), (cnas_number, parse_cnas_number)):
        check = parser(number) if number.strip() else None
        if check is not None and not check.ok:
            reasons.append(check.reason)
            if verdict is Verdict.PASS:
                verdict = Verdict.NEEDS_REVIEW
    return ReportVerdict(verdict, judged, tuple(reasons))


# --- accreditation marks and standard codes ---------------------------------------------------


def parse_cma_number(value: str) -> NumberCheck:
    """CMA (资质认定) certificate number: 12 digits (year, authority, field, department, serial)."""
    kind = "CMA certificate number"
    code = normalise(value).removeprefix("CMA")
    m = re.fullmatch(r"(\d{2})(\d{2})(\d{2})(\d{2})(\d{4})", code)
    if m:
        names = ("year", "authority", "field", "department", "serial")
        return NumberCheck(True, kind, code, parts=dict(zip(names, m.groups(), strict=True)))
    if "量认" in code:
        return NumberCheck(True, kind, code, legacy=True, notes=("pre-2015 CMA number format",))
    return NumberCheck(False, kind, code, reason=f"{kind} {code!r}: must be 12 digits")


_CNAS_SCHEMES = {"L": "laboratory", "IB": "inspection body", "ML": "medical laboratory",
                 "MT": "medical laboratory", "RM": "reference material producer",
                 "PT": "proficiency testing provider", "C": "certification body"}  # fmt: skip


def parse_cnas_number(value: str) -> NumberCheck:
    """CNAS accreditation number: CNAS + scheme (L, IB, ML…) + serial, e.g. CNAS L0123."""
    kind = "CNAS accreditation number"
    code = normalise(value)
    m = re.fullmatch(r"CNAS(IB|ML|MT|RM|PT|L|C)(\d{3,5})(-[A-Z]+)?", code)
    if not m:
        return NumberCheck(False, kind, code, reason=f"{kind} {code!r}: expected e.g. CNAS L0123")
    scheme = _CNAS_SCHEMES[m[1]]
    notes = () if m[1] in {"L", "IB", "ML", "MT"} else (f"a {scheme} does not issue test reports",)
    parts = {"scheme": m[1], "scheme_name": scheme, "serial": m[2]}
    return NumberCheck(True, kind, f"CNAS {m[1]}{m[2]}{m[3] or ''}", parts=parts, notes=notes)


@dataclass(frozen=True)
class StandardCode:
    """A standard reference such as ``GB/T 2828.1-2012``."""

    code: str
    prefix: str
    level: str  # national, industry, local, group, enterprise, international
    mandatory: bool
    number: str
    year: str = ""


_INTERNATIONAL = "ISO|IEC|EN|ASTM|BS|DIN|JIS|ANSI|UL|AOAC|USP|CAC|OECD|EPA|FDA"
_STANDARD_RE = re.compile(
    rf"(?P<prefix>GB(?:/[TZ])?|DBS\s*\d{{2}}/?|DB\s*\d{{2}}(?:/T)?/?|T/[A-Z0-9]+|Q/[A-Z0-9]+|"
    rf"(?:{_INTERNATIONAL})(?:/[A-Z]+)?|[A-Z]{{2}}(?:/[TZ])?)\s*"
    r"(?P<number>\d+(?:\.\d+)*(?:-\d+)?[A-Z]?)"
    r"(?:\s*(?:[-~:]|—)\s*(?P<year>(?:19|20)\d{2}))?(?!\d)"
)


def find_standard_codes(text: str) -> list[StandardCode]:
    """Every standard code in ``text`` (a method or basis column often cites several)."""
    s = unicodedata.normalize("NFKC", text or "").upper().replace("—", "-").replace("–", "-")
    found = []
    for m in _STANDARD_RE.finditer(s):
        prefix = re.sub(r"\s+", "", m["prefix"]).rstrip("/")
        number, year = m["number"], m["year"] or ""
        if not year and re.fullmatch(r"\d+(?:\.\d+)*-(?:19|20)\d{2}", number):
            number, year = number.rsplit("-", 1)
        level, mandatory = _standard_level(prefix)
        head = f"{prefix}/" if prefix.startswith("DB") and "/" not in prefix else prefix
        sep = ":" if level == "international" else "-"
        code = f"{head} {number}" + (f"{sep}{year}" if year else "")
        found.append(StandardCode(code, prefix, level, mandatory, number, year))
    return found


def _standard_level(prefix: str) -> tuple[str, bool]:
    voluntary = prefix.endswith(("/T", "/Z"))
    if prefix.startswith("GB"):
        return "national", not voluntary
    if prefix.startswith("DB"):
        return "local", not voluntary
    if prefix.startswith("T/"):
        return "group", False
    if prefix.startswith("Q/"):
        return "enterprise", False
    if re.match(rf"(?:{_INTERNATIONAL})\b", prefix):
        return "international", False
    return "industry", not voluntary


def parse_standard_code(text: str) -> StandardCode | None:
    """The first standard code in ``text``, or None."""
    codes = find_standard_codes(text)
    return codes[0] if codes else None
