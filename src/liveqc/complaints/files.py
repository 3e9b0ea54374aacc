"""Files in and out of the complaints domain: consumers' photos and CSV/XLSX exports.

Photos are size-limited, typed by sniffing their first bytes (never by the client's claim or
the file name), stored once under their SHA-256 and served only as attachments.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy.orm import Session

from liveqc import uploads
from liveqc.complaints.models import Complaint, ComplaintAttachment
from liveqc.errors import ValidationFailed
from liveqc.events.service import record

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 6
#: Every stored type is an image a browser cannot run as a document.
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif", "image/heic")


def sniff_photo(data: bytes) -> str | None:
    """The image type from the magic bytes, or None when it is not a supported photo."""
    content_type = uploads.sniff(data)
    return content_type if content_type in PHOTO_TYPES else None


def check_photo(data: bytes, filename: str) -> str:
    """The sniffed type of a photo within limits; ValidationFailed naming the file otherwise."""
    name = filename or "photo"
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationFailed(
            f"photos: {name} is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MiB"
        )
    if not data:
        raise ValidationFailed(f"photos: {name} is empty")
    content_type = sniff_photo(data)
    if content_type is None:
        raise ValidationFailed(f"photos: {name} is not a JPEG, PNG, WebP, GIF or HEIC image")
    return content_type


def storage_root(upload_dir: Path) -> Path:
    return Path(upload_dir) / "complaints"


def store_photo(
    session: Session,
    *,
    upload_dir: Path,
    complaint: Complaint,
    data: bytes,
    filename: str,
    actor: object = None,
) -> ComplaintAttachment:
    """Check and store one photo for ``complaint`` (same organisation); audited."""
    content_type = check_photo(data, filename)
    digest = uploads.put(storage_root(upload_dir), data)
    safe_name = "".join(ch for ch in Path(filename or "photo").name if ch.isprintable())[:200]
    row = ComplaintAttachment(
        organisation_id=complaint.organisation_id,
        complaint_id=complaint.id,
        sha256=digest,
        content_type=content_type,
        size=len(data),
        filename=safe_name,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        complaint.organisation_id,
        row,
        "create",
        None,
        {"complaint_id": complaint.id, "sha256": digest, "content_type": content_type},
    )
    return row


def read_photo(upload_dir: Path, attachment: ComplaintAttachment) -> bytes:
    path = uploads.path_for(storage_root(upload_dir), attachment.sha256)
    if not path.is_file():
        raise ValidationFailed(f"attachment {attachment.id}: the stored file is missing")
    return path.read_bytes()


EXPORT_COLUMNS = (
    "id",
    "received_at",
    "status",
    "category",
    "is_urgent",
    "product_id",
    "batch",
    "live_session_id",
    "host_name",
    "platform",
    "order_number",
    "contact_phone",
    "contact_email",
    "first_response_due",
    "resolution_due",
    "remedy",
    "remedy_amount",
    "description",
)


def _cell(value: object) -> object:
    if value is None:
        return ""
    if hasattr(value, "value"):
        return value.value  # enums
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    # Spreadsheet formula injection: a cell starting with = + - @ is text, not a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_rows(
    complaints: Iterable[Complaint], view: Callable[[Complaint], dict[str, object]]
) -> list[list[object]]:
    """Header plus one row per complaint; ``view`` gives the (masked or full) field values."""
    rows: list[list[object]] = [list(EXPORT_COLUMNS)]
    for complaint in complaints:
        data = view(complaint)
        rows.append([_cell(data.get(column)) for column in EXPORT_COLUMNS])
    return rows


def to_csv(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens Chinese as UTF-8


def to_xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "complaints"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
