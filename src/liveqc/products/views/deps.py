"""What the product API modules share: who may edit, the upload parameter, file responses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, File, UploadFile
from fastapi.responses import Response

from liveqc.accounts.models import Role
from liveqc.accounts.service import Principal
from liveqc.api.deps import require_roles
from liveqc.products import files

Editor = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.QC_REVIEWER))]
Upload = Annotated[UploadFile | None, File(description="PDF, PNG, JPEG or WebP (≤ 10 MiB)")]


def read_upload(upload: UploadFile | None, settings: Any) -> files.StoredFile | None:
    if upload is None:
        return None
    data = upload.file.read(files.MAX_UPLOAD_BYTES + 1)
    return files.store(settings.upload_dir, data, upload.filename or "")


def attachment(data: bytes, name: str, content_type: str) -> Response:
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return Response(
        data,
        media_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
