from __future__ import annotations

from pathlib import Path

import pytest

from liveqc.errors import NotFound, ValidationFailed
from liveqc.products import files

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"<!doctype html><p>", None),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
        (b"GIF89a", None),
    ],
)
def test_content_type_comes_from_the_bytes(data: bytes, expected: str | None) -> None:
    assert files.sniff_content_type(data) == expected


def test_files_are_stored_once_by_sha256(tmp_path: Path) -> None:
    first = files.store(tmp_path, PNG, "../../etc/passwd.pdf")
    again = files.store(tmp_path, PNG, "photo.png")
    assert first.sha256 == again.sha256 and first.content_type == "image/png"
    assert first.name == "passwd.png"  # no path parts; the sniffed extension
    assert files.read(tmp_path, first.sha256) == PNG
    assert len(list(tmp_path.rglob("*"))) == 2  # one folder, one file


def test_refusals(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="empty"):
        files.store(tmp_path, b"", "a.pdf")
    with pytest.raises(ValidationFailed, match="limit"):
        files.store(tmp_path, b"%PDF-" + b"0" * files.MAX_UPLOAD_BYTES, "a.pdf")
    with pytest.raises(NotFound):
        files.read(tmp_path, "../secret")
    with pytest.raises(NotFound):
        files.read(tmp_path, "0" * 64)
