"""Format and check-character validators for the identifiers on a product file.

Every validator comes as a pair: ``parse_x(value)`` returns a :class:`NumberCheck` that says
whether the value is valid, its normalised form, the parts it is made of and, when it is not
valid, why; ``is_valid_x(value)`` is the boolean shortcut. Parsers never raise on bad input;
``NumberCheck.require(field)`` turns a failed check into ``ValidationFailed`` naming the field.
Sources and the readings taken are listed in docs/product-documents.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from liveqc.errors import ValidationFailed


@dataclass(frozen=True)
class NumberCheck:
    """The outcome of checking one identifier."""

    ok: bool
    kind: str
    value: str
    reason: str = ""
    parts: Mapping[str, str] = field(default_factory=dict)
    legacy: bool = False
    notes: tuple[str, ...] = ()

    def require(self, field_name: str) -> str:
        """Return the normalised value, or raise ``ValidationFailed`` naming the field."""
        if not self.ok:
            raise ValidationFailed(f"{field_name}: {self.reason}", field=field_name)
        return self.value


def normalise(value: str) -> str:
    """Full-width to half-width, drop all whitespace, upper-case Latin letters."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(text.split()).upper()


def _fail(kind: str, value: str, reason: str) -> NumberCheck:
    return NumberCheck(ok=False, kind=kind, value=value, reason=f"{kind} {value!r}: {reason}")


def _year_problem(year: int, first: int, today: date | None) -> str:
    if year < first:
        return f"year {year} is before {first}, when this number format started"
    if today is not None and year > today.year:
        return f"year {year} is in the future"
    return ""


# Provinces (GB/T 2260 codes) and their one-character abbreviations, alternates included.
_PROVINCE_CODE_RANGES = ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65))
PROVINCE_CODES = frozenset(str(c) for lo, hi in _PROVINCE_CODE_RANGES for c in range(lo, hi + 1))
PROVINCE_ABBREVIATIONS = frozenset(
    "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀贵黔云滇藏陕秦甘陇青宁新"
)
_PROV = "[" + "".join(sorted(PROVINCE_ABBREVIATIONS)) + "]"
_CJK = "[\u4e00-\u9fff]"

# --- Unified social credit code (GB 32100-2015) -------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_AUTHORITIES = {"1": "机构编制", "2": "外交", "3": "司法行政", "4": "文化", "5": "民政",
                    "6": "旅游", "7": "宗教", "8": "工会", "9": "工商",
                    "A": "中央军委改革和编制办公室", "N": "农业", "Y": "其他"}  # fmt: skip
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def organization_code_check_character(first8: str) -> str:
    """The GB 11714-1997 check character of a 9-character organisation code."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def parse_uscc(value: str) -> NumberCheck:
    """Check a unified social credit code (统一社会信用代码): 18 characters, check last."""
    kind = "unified social credit code"
    code = normalise(value)
    if len(code) != 18:
        return _fail(kind, code, f"must be 18 characters, got {len(code)}")
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        return _fail(
            kind, code, f"characters {''.join(bad)} are not allowed (I, O, Z, S, V never are)"
        )
    if code[0] not in USCC_AUTHORITIES:
        return _fail(kind, code, f"registration authority code {code[0]} is not defined")
    if not code[2:8].isdigit():
        return _fail(kind, code, "characters 3-8 must be the administrative division code (digits)")
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        return _fail(kind, code, f"check character is {code[17]}, expected {expected}")
    notes: tuple[str, ...] = ()
    if organization_code_check_character(code[8:16]) != code[16]:
        notes = ("the embedded organisation code fails its GB 11714 check (accepted, as issued)",)
    parts = {
        "authority": code[0],
        "authority_name": USCC_AUTHORITIES[code[0]],
        "entity_type": code[1],
        "division_code": code[2:8],
        "organization_code": code[8:17],
    }
    return NumberCheck(True, kind, code, parts=parts, notes=notes)


# --- GS1 GTIN ---------------------------------------------------------------------------------

GTIN_LENGTHS = {8: "GTIN-8", 12: "GTIN-12", 13: "GTIN-13", 14: "GTIN-14"}


def gtin_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit: weights 3,1,3,… from the rightmost body digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def parse_gtin(value: str) -> NumberCheck:
    """Check a GTIN-8/12/13/14 (EAN/UPC barcode number) and its check digit."""
    kind = "GTIN"
    code = normalise(value).replace("-", "")
    if not code.isdigit():
        return _fail(kind, code, "must contain digits only")
    if len(code) not in GTIN_LENGTHS:
        return _fail(kind, code, f"must be 8, 12, 13 or 14 digits, got {len(code)}")
    if set(code) == {"0"}:
        return _fail(kind, code, "all zeros is not a trade item number")
    expected = gtin_check_digit(code[:-1])
    if code[-1] != expected:
        return _fail(kind, code, f"check digit is {code[-1]}, expected {expected}")
    gtin13 = code.zfill(14)[1:] if len(code) != 8 else ""
    notes = []
    if gtin13[:1] == "2" or gtin13[:2] in {"02", "04"} or (len(code) == 8 and code[0] in "02"):
        notes.append("restricted-circulation number (in-store use), not a global trade item")
    parts = {"format": GTIN_LENGTHS[len(code)], "gtin14": code.zfill(14)}
    if gtin13[:2] == "69":
        parts["registered_in"] = "CN"
    return NumberCheck(True, kind, code, parts=parts, notes=tuple(notes))


# --- Document numbers -------------------------------------------------------------------------


def _match(kind: str, code: str, patterns: list[tuple[str, dict[str, str], bool]]) -> NumberCheck:
    """Try each (regex, fixed parts, legacy) in turn; named groups become parts."""
    for pattern, fixed, legacy in patterns:
        m = re.fullmatch(pattern, code)
        if m:
            parts = {**fixed, **{k: v for k, v in m.groupdict().items() if v is not None}}
            notes = ("legacy number format; check it is still current",) if legacy else ()
            return NumberCheck(True, kind, code, parts=parts, legacy=legacy, notes=notes)
    return _fail(kind, code, "does not match the number format")


def _dated(check: NumberCheck, first_year: int, today: date | None) -> NumberCheck:
    if check.ok and "year" in check.parts:
        problem = _year_problem(int(check.parts["year"]), first_year, today)
        if problem:
            return _fail(check.kind, check.value, problem)
    return check


def parse_ccc_certificate(value: str, *, today: date | None = None) -> NumberCheck:
    """CCC certificate: 16 digits = year + certification body + product code + serial."""
    code = normalise(value)
    pattern = r"(?P<year>\d{4})(?P<body>\d{2})(?P<product_code>\d{4})(?P<serial>\d{6})"
    check = _match("CCC certificate number", code, [(pattern, {}, False)])
    if check.ok and check.parts["body"] == "00":
        return _fail(check.kind, code, "certification body code 00 is not assigned")
    return _dated(check, 2001, today)


def parse_special_cosmetic_registration(value: str, *, today: date | None = None) -> NumberCheck:
    """Special cosmetic registration: 国妆特字G/国妆特进字J + year + 4-digit serial."""
    code = normalise(value)
    legacy = r"卫妆特(?P<imp>进)?字\((?P<year>\d{4})\)第(?P<serial>\d{3,5})号"
    check = _match(
        "special cosmetic registration number",
        code,
        [
            (r"国妆特字G(?P<year>\d{4})(?P<serial>\d{4})", {"origin": "domestic"}, False),
            (r"国妆特进字J(?P<year>\d{4})(?P<serial>\d{4})", {"origin": "imported"}, False),
            (legacy, {}, True),
        ],
    )
    return _dated(_origin_from_group(check), 1990, today)


def parse_cosmetic_filing(value: str, *, today: date | None = None) -> NumberCheck:
    """Ordinary cosmetic filing: 粤G妆网备字 / 国妆网备进字(粤) + year + 6-digit serial."""
    code = normalise(value)
    check = _match(
        "cosmetic filing number",
        code,
        [
            (
                rf"(?P<province>{_PROV})G妆网备字(?P<year>\d{{4}})(?P<serial>\d{{6}})",
                {"origin": "domestic"},
                False,
            ),
            (
                rf"国妆网备进字\(?(?P<province>{_PROV})\)?(?P<year>\d{{4}})(?P<serial>\d{{6}})",
                {"origin": "imported"},
                False,
            ),
            (r"国妆备进字J(?P<year>\d{4})(?P<serial>\d{4})", {"origin": "imported"}, True),
            (r"卫妆备进字\((?P<year>\d{4})\)第(?P<serial>\d{3,5})号", {"origin": "imported"}, True),
        ],
    )
    return _dated(check, 1990, today)


def parse_sc_license(value: str) -> NumberCheck:
    """Food production licence: SC + 14 digits (category, province, city, county, serial, check)."""
    kind = "food production licence number"
    code = normalise(value)
    if code.startswith("QS"):
        return _fail(
            kind, code, "QS numbers were replaced by SC and are not usable after 2018-09-30"
        )
    pattern = (
        r"SC(?P<category>[12]\d{2})(?P<province>\d{2})(?P<city>\d{2})(?P<county>\d{2})"
        r"(?P<serial>\d{4})(?P<check_digit>\d)"
    )
    check = _match(kind, code, [(pattern, {}, False)])
    if not check.ok:
        return _fail(kind, code, "must be SC followed by 14 digits, the first being 1 or 2")
    if check.parts["province"] not in PROVINCE_CODES:
        return _fail(kind, code, f"province code {check.parts['province']} does not exist")
    product = "food" if check.parts["category"][0] == "1" else "food_additive"
    return NumberCheck(True, kind, code, parts={**check.parts, "product": product})


def parse_food_business_license(value: str) -> NumberCheck:
    """Food business licence: JY + 14 digits (business type, region codes, serial, check)."""
    kind = "food business licence number"
    code = normalise(value)
    pattern = (
        r"JY(?P<business_type>[1-9])(?P<province>\d{2})(?P<city>\d{2})(?P<county>\d{2})"
        r"(?P<serial>\d{6})(?P<check_digit>\d)"
    )
    check = _match(kind, code, [(pattern, {}, False)])
    if check.ok and check.parts["province"] not in PROVINCE_CODES:
        return _fail(kind, code, f"province code {check.parts['province']} does not exist")
    return check


def _origin_from_group(check: NumberCheck) -> NumberCheck:
    """Turn a G/J (or 进) marker into ``origin`` = domestic/imported."""
    if not check.ok:
        return check
    parts = dict(check.parts)
    marker = parts.pop("marker", None) or ("J" if parts.pop("imp", None) else None)
    if "origin" not in parts:
        parts["origin"] = "imported" if marker == "J" else "domestic"
    return NumberCheck(
        True, check.kind, check.value, parts=parts, legacy=check.legacy, notes=check.notes
    )


def parse_health_food_registration(value: str, *, today: date | None = None) -> NumberCheck:
    """Health food registration: 国食健注G/J + year + 4-digit serial (legacy 国食健字, 卫食健字)."""
    code = normalise(value)
    check = _match(
        "health food registration number",
        code,
        [
            (r"国食健注(?P<marker>[GJ])(?P<year>\d{4})(?P<serial>\d{4})", {}, False),
            (r"国食健字(?P<marker>[GJ])(?P<year>\d{4})(?P<serial>\d{4})", {}, True),
            (r"卫食健(?P<imp>进)?字\((?P<year>\d{4})\)第(?P<serial>\d{3,5})号", {}, True),
        ],
    )
    return _dated(_origin_from_group(check), 1996, today)


def parse_health_food_filing(value: str, *, today: date | None = None) -> NumberCheck:
    """Health food filing: 食健备G/J + year + province code (00 if imported) + 6 digits."""
    kind = "health food filing number"
    code = normalise(value)
    pattern = r"食健备(?P<marker>[GJ])(?P<year>\d{4})(?P<province>\d{2})(?P<serial>\d{6})"
    check = _origin_from_group(_match(kind, code, [(pattern, {}, False)]))
    if check.ok:
        province = check.parts["province"]
        if check.parts["origin"] == "imported" and province != "00":
            return _fail(kind, code, f"imported filings carry 00 as province code, not {province}")
        if check.parts["origin"] == "domestic" and province not in PROVINCE_CODES:
            return _fail(kind, code, f"province code {province} does not exist")
    return _dated(check, 2016, today)


_DEVICE_ORIGIN = {"准": "domestic", "进": "imported", "许": "hk_macao_taiwan"}


def parse_device_registration(value: str, *, today: date | None = None) -> NumberCheck:
    """Medical device registration: ×械注准/进/许 + year + class + category + 4-digit serial."""
    kind = "medical device registration number"
    code = normalise(value).removesuffix("号")
    pattern = (
        rf"(?P<issuer>国|{_PROV})械注(?P<route>[准进许])(?P<year>\d{{4}})(?P<device_class>[23])"
        r"(?P<category_code>\d{2})(?P<serial>\d{4})"
    )
    check = _match(kind, code, [(pattern, {}, False)])
    if not check.ok:
        return check
    issuer, route, cls = (check.parts[k] for k in ("issuer", "route", "device_class"))
    if issuer != "国" and route != "准":
        return _fail(
            kind, code, "imported and Hong Kong/Macao/Taiwan devices are registered by NMPA (国)"
        )
    if issuer != "国" and cls != "2":
        return _fail(kind, code, "provinces register class II devices only")
    if issuer == "国" and route == "准" and cls != "3":
        return _fail(kind, code, "domestic class II devices are registered by a province, not NMPA")
    parts = {**check.parts, "origin": _DEVICE_ORIGIN[route]}
    return _dated(NumberCheck(True, kind, code, parts=parts), 2014, today)


def parse_device_filing(value: str, *, today: date | None = None) -> NumberCheck:
    """Class I medical device filing: 国械备 (imports) or province + city 械备 + year + serial."""
    kind = "medical device filing number"
    code = normalise(value).removesuffix("号")
    check = _match(
        kind,
        code,
        [
            (r"国械备(?P<year>\d{4})(?P<serial>\d{4})", {"origin": "imported"}, False),
            (
                rf"(?P<issuer>{_PROV}{_CJK}?)械备(?P<year>\d{{4}})(?P<serial>\d{{4}})",
                {"origin": "domestic"},
                False,
            ),
        ],
    )
    return _dated(check, 2014, today)


def parse_drug_approval(value: str, *, today: date | None = None) -> NumberCheck:
    """Drug approval 国药准字 + type letter (H, Z, S, J…) + optional C/J + 8 digits."""
    code = normalise(value)
    pattern = r"国药准字(?P<drug_type>[HZSBTFJ])(?P<source>[CJ])?(?P<digits>\d{8})"
    check = _match("drug approval number", code, [(pattern, {}, False)])
    if not check.ok:
        return check
    source = check.parts.get("source")
    origin = {"C": "hk_macao_taiwan", "J": "imported"}.get(source or "", "domestic")
    return NumberCheck(True, check.kind, code, parts={**check.parts, "origin": origin})


def parse_customs_declaration(value: str) -> NumberCheck:
    """Import customs declaration: 18 digits = customs code, year, import flag 1, serial."""
    kind = "customs declaration number"
    code = normalise(value)
    pattern = r"(?P<customs_code>\d{4})(?P<year>\d{4})(?P<direction>\d)(?P<serial>\d{9})"
    check = _match(kind, code, [(pattern, {}, False)])
    if check.ok and check.parts["direction"] != "1":
        return _fail(
            kind, code, "the 9th digit must be 1 (import); this is not an import declaration"
        )
    return check


def parse_free_text(value: str, kind: str = "document number", max_length: int = 64) -> NumberCheck:
    """Numbers without a public format (inspection reports, certificates): non-empty, bounded."""
    text = " ".join(unicodedata.normalize("NFKC", value or "").split())
    if not text:
        return _fail(kind, text, "is empty")
    if len(text) > max_length:
        return _fail(kind, text, f"is longer than {max_length} characters")
    if any(unicodedata.category(c).startswith("C") for c in text):
        return _fail(kind, text, "contains control characters")
    return NumberCheck(True, kind, text)


def _boolean(parser: Callable[[str], NumberCheck]) -> Callable[[str], bool]:
    def is_valid(value: str) -> bool:
        return parser(value).ok

    is_valid.__doc__ = f"True when {parser.__name__} accepts the value."
    return is_valid


is_valid_uscc = _boolean(parse_uscc)
is_valid_gtin = _boolean(parse_gtin)
is_valid_ccc_certificate = _boolean(parse_ccc_certificate)
is_valid_special_cosmetic_registration = _boolean(parse_special_cosmetic_registration)
is_valid_cosmetic_filing = _boolean(parse_cosmetic_filing)
is_valid_sc_license = _boolean(parse_sc_license)
is_valid_food_business_license = _boolean(parse_food_business_license)
is_valid_health_food_registration = _boolean(parse_health_food_registration)
is_valid_health_food_filing = _boolean(parse_health_food_filing)
is_valid_device_registration = _boolean(parse_device_registration)
is_valid_device_filing = _boolean(parse_device_filing)
is_valid_drug_approval = _boolean(parse_drug_approval)
is_valid_customs_declaration = _boolean(parse_customs_declaration)
