"""Content-addressed storage of uploaded bytes, shared by every domain that takes files.

The type of a file comes from its first bytes, never from the client's name or header, and only
inert formats are recognised (PDF and raster images), so nothing stored can be rendered as HTML or
SVG. Files are stored once under their SHA-256 and written atomically. Each domain decides which of
the recognised types and sizes it accepts, and how it names the problem to its users.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from liveqc.errors import NotFound

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_HEIF_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"heim")


def sniff(data: bytes) -> str | None:
    """The media type the bytes really are (PDF, PNG, JPEG, WebP, GIF, HEIC), or None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None


def path_for(root: Path, sha256: str) -> Path:
    """Where the file with this digest lives under ``root`` (NotFound for a malformed digest)."""
    if not _SHA256.match(sha256):
        raise NotFound("no such file")
    return Path(root) / sha256[:2] / sha256


def put(root: Path, data: bytes) -> str:
    """Store ``data`` under ``root`` by its SHA-256 (idempotent, atomic) and return the digest."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(root, digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, target)
    return digest


def get(root: Path, sha256: str) -> bytes:
    """The stored bytes (NotFound when the digest is malformed or the file is missing)."""
    path = path_for(root, sha256)
    if not path.is_file():
        raise NotFound("the stored file is missing")
    return path.read_bytes()
