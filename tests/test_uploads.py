"""The shared content-addressed upload store."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from liveqc import uploads
from liveqc.errors import NotFound

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 8, "image/jpeg"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"),
        (b"GIF89a" + b"\0" * 6, "image/gif"),
        (b"\0\0\0\x18ftypheic" + b"\0" * 4, "image/heic"),
        (b"<html><script>alert(1)</script>", None),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', None),
        (b"", None),
    ],
)
def test_the_type_comes_from_the_bytes(data: bytes, expected: str | None) -> None:
    assert uploads.sniff(data) == expected


def test_put_stores_once_by_digest_and_get_returns_the_bytes(tmp_path: Path) -> None:
    digest = uploads.put(tmp_path, PNG)
    assert digest == hashlib.sha256(PNG).hexdigest()
    assert uploads.put(tmp_path, PNG) == digest
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [digest]
    assert uploads.get(tmp_path, digest) == PNG


@pytest.mark.parametrize("digest", ["../../etc/passwd", "0" * 63, "A" * 64])
def test_a_malformed_digest_is_not_found(tmp_path: Path, digest: str) -> None:
    with pytest.raises(NotFound):
        uploads.get(tmp_path, digest)


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        uploads.get(tmp_path, "0" * 64)
