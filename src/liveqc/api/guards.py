"""Request guards every API route shares: text no database can store is a 422, not a 500.

JSON may carry ``\\u0000`` and unpaired surrogates (``\\ud800``), and a query or path may carry
``%00``. PostgreSQL refuses NUL in text, and no backend can encode a lone surrogate as UTF-8,
so such a value used to fail deep in a handler. The guard answers before the handler runs, with
the usual request-validation problem naming the field. Input schemas also refuse other control
characters (``liveqc.db.types.PlainText``); this guard covers every input, schema'd or not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from fastapi.exceptions import RequestValidationError, WebSocketRequestValidationError
from starlette.requests import HTTPConnection, Request
from starlette.websockets import WebSocket

MESSAGE = "must not contain NUL characters or unpaired surrogates"
#: A JSON escape that may decode to NUL or to half of a surrogate pair. Bodies without one
#: (nearly all) are not parsed a second time.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


def is_storable(text: str) -> bool:
    """True when ``text`` has no NUL and no unpaired surrogate (it encodes as UTF-8)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(name: str) -> str:
    """``name`` as it can appear in an error response (a lone surrogate becomes ``\\ud800``)."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


def unstorable_fields(value: Any, loc: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """The locations of strings (keys included) in a decoded JSON value that cannot be stored."""
    if isinstance(value, str):
        if not is_storable(value):
            yield loc
    elif isinstance(value, dict):
        for key, item in value.items():
            if not is_storable(key):
                yield (*loc, printable(key))
            else:
                yield from unstorable_fields(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unstorable_fields(item, (*loc, str(index)))


async def reject_unstorable_text(connection: HTTPConnection) -> None:
    """Raise a request-validation error naming each path, query or JSON field with NUL or an
    unpaired surrogate."""
    bad: list[tuple[str, ...]] = [
        ("path", name)
        for name, value in connection.path_params.items()
        if isinstance(value, str) and not is_storable(value)
    ]
    bad += [
        ("query", printable(name))
        for name, value in connection.query_params.multi_items()
        if not is_storable(name) or not is_storable(value)
    ]
    if isinstance(connection, Request) and _is_json(connection):
        body = await connection.body()
        if _SUSPECT_ESCAPE.search(body):
            try:
                decoded = json.loads(body)
            except ValueError:
                decoded = None  # malformed JSON: FastAPI's own parsing reports it
            bad += list(unstorable_fields(decoded, ("body",)))
    if bad:
        errors = [{"loc": loc, "msg": MESSAGE, "type": "string_unstorable"} for loc in bad]
        if isinstance(connection, WebSocket):
            raise WebSocketRequestValidationError(errors)  # closes the socket with 1008
        raise RequestValidationError(errors)


def _is_json(request: Request) -> bool:
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")
