"""Excel import of suppliers' product lists (with one document per row), and catalogue export.

Every row is checked before anything is written. By default the import is all-or-nothing: one
rejected row and nothing is imported. With ``valid_only`` the accepted rows are imported and the
rejected ones reported. Either way the report says, per row, what was accepted and why a row
was rejected.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.errors import ValidationFailed
from liveqc.jobs.progress import Progress, no_progress
from liveqc.products import documents as docs
from liveqc.products import service
from liveqc.products.models import Product, ProductCategory
from liveqc.products.schemas import DocumentFields, ProductCreate, SupplierCreate
from liveqc.products.validators import parse_gtin

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

#: Column key → accepted header texts (English key, Chinese header), in export order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "sku": ("sku", "商品编码", "货号"),
    "name": ("name", "商品名称"),
    "category": ("category", "类目"),
    "supplier_credit_code": ("supplier_credit_code", "统一社会信用代码"),
    "supplier_name": ("supplier_name", "供应商名称"),
    "licence_valid_to": ("licence_valid_to", "营业执照有效期至"),
    "brand": ("brand", "品牌"),
    "gtin": ("gtin", "条码", "商品条码"),
    "specification": ("specification", "规格"),
    "shelf_life_days": ("shelf_life_days", "保质期(天)", "保质期（天）"),
    "list_price": ("list_price", "价格"),
    "imported": ("imported", "是否进口"),
    "conditions": ("conditions", "特殊条件"),
    "document_type": ("document_type", "资质类型"),
    "document_number": ("document_number", "资质编号"),
    "document_issuer": ("document_issuer", "发证机关"),
    "document_valid_from": ("document_valid_from", "有效期起"),
    "document_valid_to": ("document_valid_to", "有效期至"),
}
REQUIRED = ("sku", "name", "category", "supplier_credit_code")
CATEGORY_ZH = {
    "化妆品": "cosmetics", "食品": "food", "保健食品": "health_food", "日用百货": "general",
    "服装": "apparel", "服饰": "apparel", "数码": "electronics", "电子产品": "electronics",
    "家电": "appliance", "母婴": "baby", "玩具": "toy", "医疗器械": "medical_device",
    "药品": "drug",
    "烟草": "tobacco", "农产品": "agriculture", "珠宝": "jewelry", "珠宝首饰": "jewelry",
}  # fmt: skip
_YES = {"1", "true", "yes", "y", "是", "进口"}
_NO = {"", "0", "false", "no", "n", "否", "国产"}
EXPORT_COLUMNS = ("id", "sku", "name", "status", "category", "brand", "gtin", "specification",
                  "shelf_life_days", "list_price", "imported", "conditions", "supplier_name",
                  "supplier_credit_code", "updated_at")  # fmt: skip


@dataclass
class RowResult:
    row: int
    sku: str
    accepted: bool
    reasons: list[str] = field(default_factory=list)
    product_id: int | None = None


@dataclass
class ImportReport:
    rows: list[RowResult]
    imported: bool
    valid_only: bool

    @property
    def accepted(self) -> int:
        return sum(r.accepted for r in self.rows)

    @property
    def rejected(self) -> int:
        return sum(not r.accepted for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "valid_only": self.valid_only,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "rows": [vars(r) for r in self.rows],
        }


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(row number, column key → text) for each non-empty row of the first sheet."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationFailed(f"file: over the {MAX_IMPORT_BYTES} byte limit", field="file")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ValidationFailed("file: not an .xlsx workbook", field="file") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    aliases = {alias.lower(): key for key, names in COLUMNS.items() for alias in names}
    keys = [aliases.get(_text(cell).lower()) for cell in header]
    missing = [k for k in REQUIRED if k not in keys]
    if missing:
        raise ValidationFailed(f"file: the header row lacks the columns {', '.join(missing)}")
    result = []
    for number, row in enumerate(rows, start=2):
        values = {k: _text(v) for k, v in zip(keys, row, strict=False) if k is not None}
        if any(values.values()):
            result.append((number, values))
        if len(result) > MAX_ROWS:
            raise ValidationFailed(f"file: more than {MAX_ROWS} rows; split the file")
    book.close()
    return result


def _date(value: str, name: str, reasons: list[str]) -> date | None:
    if not value or value in ("长期", "long-term"):
        return None
    try:
        return date.fromisoformat(value[:10].replace("/", "-"))
    except ValueError:
        reasons.append(f"{name}: {value!r} is not a date (YYYY-MM-DD)")
        return None


def _check_row(
    values: dict[str, str], today: date, reasons: list[str]
) -> tuple[dict[str, Any], DocumentFields | None]:
    """The product fields of a valid row; problems are appended to ``reasons``."""
    for key in REQUIRED:
        if not values.get(key):
            reasons.append(f"{key}: required")
    category = values.get("category", "")
    category = CATEGORY_ZH.get(category, category.lower())
    if values.get("category") and category not in ProductCategory.__members__.values():
        reasons.append(f"category: unknown category {values['category']!r}")
    code = values.get("supplier_credit_code", "").upper()
    if code and not service.is_valid_credit_code(code):
        reasons.append(f"supplier_credit_code: {code!r} is not a valid unified social credit code")
    licence_to = _date(values.get("licence_valid_to", ""), "licence_valid_to", reasons)
    if licence_to is not None and licence_to < today:
        reasons.append(f"licence_valid_to: the supplier's business licence expired on {licence_to}")
    gtin = values.get("gtin", "")
    if gtin and not (check := parse_gtin(gtin)).ok:
        reasons.append(f"gtin: {check.reason}")
    imported = values.get("imported", "").lower()
    if imported not in _YES | _NO:
        reasons.append(f"imported: {values['imported']!r} is not yes/no (是/否)")
    conditions = [c.strip() for c in values.get("conditions", "").replace("、", ",").split(",")]
    known = set(docs.Condition.__members__.values())
    for c in conditions:
        if c and c not in known:
            reasons.append(f"conditions: unknown condition {c!r}")
    product: dict[str, Any] = {
        "sku": values.get("sku", ""),
        "name": values.get("name", ""),
        "brand": values.get("brand", ""),
        "category": category,
        "specification": values.get("specification", ""),
        "gtin": gtin or None,
        "shelf_life_days": values.get("shelf_life_days") or None,
        "list_price": values.get("list_price") or None,
        "is_imported": imported in _YES,
        "conditions": [c for c in conditions if c and c in known],
    }
    try:
        if product["list_price"] is not None:
            product["list_price"] = Decimal(product["list_price"]).quantize(Decimal("0.01"))
    except InvalidOperation:
        reasons.append(f"list_price: {values['list_price']!r} is not a number")
    document = None
    if values.get("document_type"):
        document = _check_document(values, today, reasons)
    return product, document


def _check_document(
    values: dict[str, str], today: date, reasons: list[str]
) -> DocumentFields | None:
    kind = values["document_type"]
    by_label = {t.label_zh: t for t in docs.DocumentType}
    by_value = {t.value: t for t in docs.DocumentType}
    doc_type = by_label.get(kind) or by_value.get(kind.lower())
    if doc_type is None:
        reasons.append(f"document_type: unknown document type {kind!r}")
        return None
    number = values.get("document_number", "")
    if number or doc_type not in docs.NUMBER_OPTIONAL:
        check = doc_type.parse_number(number, today=today)
        if not check.ok:
            reasons.append(f"document_number: {check.reason}")
        number = check.value
    valid_from = _date(values.get("document_valid_from", ""), "document_valid_from", reasons)
    valid_to = _date(values.get("document_valid_to", ""), "document_valid_to", reasons)
    if valid_to is not None and valid_to < today:
        reasons.append(f"document_valid_to: the {doc_type.label_en} expired on {valid_to}")
    return DocumentFields(
        type=doc_type,
        number=number,
        issuer=values.get("document_issuer", ""),
        valid_from=valid_from,
        valid_to=valid_to,
    )


def import_products(
    session: Session,
    *,
    data: bytes,
    actor: object,
    valid_only: bool = False,
    today: date | None = None,
    progress: Progress = no_progress,
) -> ImportReport:
    """Check every row, then import all of them, or (``valid_only``) only the accepted ones.

    ``progress(done, total, message)`` hears of each row checked, then of each row written.

    Raises:
        ValidationFailed: the file is not a readable .xlsx with the required header columns.
    """
    today = today or service.today_in_china()
    rows = read_rows(data)
    results: list[RowResult] = []
    plans: list[tuple[RowResult, dict[str, str], dict[str, Any], DocumentFields | None]] = []
    seen_sku: dict[str, int] = {}
    seen_gtin: dict[str, int] = {}
    steps = 2 * len(rows)
    progress(0, steps, "checking rows")
    for number, values in rows:
        reasons: list[str] = []
        product, document = _check_row(values, today, reasons)
        sku, gtin = product["sku"], product["gtin"]
        if sku in seen_sku:
            reasons.append(f"sku: duplicate of row {seen_sku[sku]}")
        elif sku and session.scalars(select(Product.id).where(Product.sku == sku)).first():
            reasons.append(f"sku: {sku!r} is already in the catalogue")
        if gtin and gtin in seen_gtin:
            reasons.append(f"gtin: duplicate of row {seen_gtin[gtin]}")
        seen_sku.setdefault(sku, number)
        if gtin:
            seen_gtin.setdefault(gtin, number)
        supplier = service.find_supplier(session, values.get("supplier_credit_code", ""))
        if supplier is None and not values.get("supplier_name"):
            reasons.append("supplier_name: required for a supplier not yet on file")
        if not reasons:
            try:
                ProductCreate(supplier_id=1, **product)
            except ValidationError as exc:
                reasons += [
                    f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
                ]
        result = RowResult(number, sku, not reasons, reasons)
        results.append(result)
        plans.append((result, values, product, document))
        progress(len(results), steps, f"checked row {number}")
    write = valid_only or all(r.accepted for r in results)
    if write:
        for index, (result, values, product, document) in enumerate(plans, start=1):
            if result.accepted:
                _write_row(session, result, values, product, document, actor, today)
            progress(len(rows) + index, steps, f"imported row {result.row}")
    progress(steps, steps, "done")
    return ImportReport(results, imported=write and any(r.accepted for r in results),
                        valid_only=valid_only)  # fmt: skip


def _write_row(
    session: Session,
    result: RowResult,
    values: dict[str, str],
    product: dict[str, Any],
    document: DocumentFields | None,
    actor: object,
    today: date,
) -> None:
    code = values["supplier_credit_code"].upper()
    supplier = service.find_supplier(session, code)
    if supplier is None:
        supplier = service.create_supplier(
            session,
            data=SupplierCreate(
                name=values["supplier_name"],
                credit_code=code,
                licence_valid_to=_date(values.get("licence_valid_to", ""), "", []),
            ),
            actor=actor,
        )
    created = service.create_product(
        session, data=ProductCreate(supplier_id=supplier.id, **product), actor=actor
    )
    result.product_id = created.id
    if document is not None:
        service.add_document(
            session, fields=document, product_id=created.id, actor=actor, today=today
        )


def export_rows(session: Session) -> list[dict[str, Any]]:
    """The catalogue with status, one dict per product (EXPORT_COLUMNS)."""
    products, _ = service.list_products(session, limit=1_000_000)
    return [
        {
            "id": p.id,
            "sku": p.sku,
            "name": p.name,
            "status": p.status.value,
            "category": p.category.value,
            "brand": p.brand,
            "gtin": p.gtin or "",
            "specification": p.specification,
            "shelf_life_days": p.shelf_life_days,
            "list_price": str(p.list_price) if p.list_price is not None else "",
            "imported": "yes" if p.is_imported else "no",
            "conditions": ",".join(p.conditions or []),
            "supplier_name": p.supplier.name,
            "supplier_credit_code": p.supplier.credit_code,
            "updated_at": p.updated_at.isoformat(),
        }
        for p in products
    ]


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is quoted (CSV/formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_csv(session: Session) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    for row in export_rows(session):
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buffer.getvalue()


def export_xlsx(session: Session) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "products"
    sheet.append(list(EXPORT_COLUMNS))
    for row in export_rows(session):
        sheet.append([_cell(row[k]) for k in EXPORT_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_xlsx() -> bytes:
    """An empty import workbook: the header row with every column key."""
    book = Workbook()
    sheet = book.active
    sheet.title = "products"
    sheet.append(list(COLUMNS))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
