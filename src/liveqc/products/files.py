"""Uploaded files (document scans, product images): sniffed, size-limited, stored by SHA-256.

The content type comes from the bytes, never from the client's name or header; anything that
is not a PDF or a raster image is refused, so nothing stored can be rendered as HTML or SVG.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from liveqc.errors import NotFound, ValidationFailed

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
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
    """The media type the bytes really are (PDF, PNG, JPEG, WebP), or None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


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
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(upload_dir, digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, target)
    return StoredFile(digest, safe_name(name, content_type), content_type, len(data))


def path_for(upload_dir: Path, sha256: str) -> Path:
    if not _SHA256.match(sha256):
        raise NotFound("no such file")
    return Path(upload_dir) / sha256[:2] / sha256


def read(upload_dir: Path, sha256: str) -> bytes:
    path = path_for(upload_dir, sha256)
    if not path.is_file():
        raise NotFound("the stored file is missing")
    return path.read_bytes()
