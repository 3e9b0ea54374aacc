"""Uploaded files (document scans, product images): sniffed, size-limited, stored by SHA-256.

The content type comes from the bytes, never from the client's name or header; anything that
is not a PDF or a raster image is refused, so nothing stored can be rendered as HTML or SVG.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from liveqc import uploads
from liveqc.errors import ValidationFailed

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
}


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    name: str
    content_type: str
    size: int


def sniff_content_type(data: bytes) -> str | None:
    """The media type the bytes really are, when it is one documents accept (PDF, PNG, JPEG,
    WebP), or None."""
    content_type = uploads.sniff(data)
    return content_type if content_type in _EXTENSIONS else None


def safe_name(name: str, content_type: str) -> str:
    """A display name without path parts or control characters, with the sniffed extension."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')[:150]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem or 'file'}{_EXTENSIONS[content_type]}"


def store(upload_dir: Path, data: bytes, name: str) -> StoredFile:
    """Check and store ``data`` under ``upload_dir`` by its SHA-256 (idempotent).

    Raises:
        ValidationFailed: empty, larger than MAX_UPLOAD_BYTES, or not a PDF/PNG/JPEG/WebP.
    """
    if not data:
        raise ValidationFailed("file: the upload is empty", field="file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            f"file: {len(data)} bytes is over the {MAX_UPLOAD_BYTES} byte limit", field="file"
        )
    content_type = sniff_content_type(data)
    if content_type is None:
        raise ValidationFailed(
            "file: not a PDF, PNG, JPEG or WebP file (the content decides, not the name)",
            field="file",
        )
    digest = uploads.put(upload_dir, data)
    return StoredFile(digest, safe_name(name, content_type), content_type, len(data))


def path_for(upload_dir: Path, sha256: str) -> Path:
    return uploads.path_for(upload_dir, sha256)


def read(upload_dir: Path, sha256: str) -> bytes:
    return uploads.get(upload_dir, sha256)
