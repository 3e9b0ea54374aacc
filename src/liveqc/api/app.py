"""``create_app(settings)``: the FastAPI application (API under /api/v1, console at /)."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import pkgutil
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware

import liveqc
from liveqc.accounts.security import LoginThrottle
from liveqc.api import problems
from liveqc.api.guards import reject_unstorable_text
from liveqc.api.logs import configure_logging, request_id_var
from liveqc.config import Settings
from liveqc.db.session import make_db_engine, make_session_factory

log = logging.getLogger("liveqc.api")

API_PREFIX = "/api/v1"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
#: Swagger UI starts itself with an inline script, so only its page allows one.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


def api_routers() -> list[APIRouter]:
    """The ``router`` of every ``liveqc.<domain>.views`` module, in package-name order.

    A domain joins the API by adding ``views.py`` with an ``APIRouter`` named ``router``.
    """
    return discover_routers("views")


def discover_routers(module_name: str) -> list[APIRouter]:
    """The ``router`` attribute of every ``liveqc.<package>.<module_name>`` module."""
    routers = []
    for info in sorted(pkgutil.iter_modules(liveqc.__path__), key=lambda item: item.name):
        name = f"liveqc.{info.name}.{module_name}"
        if info.ispkg and importlib.util.find_spec(name) is not None:
            router = getattr(importlib.import_module(name), "router", None)
            if isinstance(router, APIRouter):
                routers.append(router)
    return routers


def create_app(
    settings: Settings, *, session_factory: sessionmaker[Session] | None = None
) -> FastAPI:
    """Build the application; ``session_factory`` overrides the database (tests)."""
    configure_logging(settings.log_level)
    app = FastAPI(
        title="liveqc",
        version=liveqc.__version__,
        summary="Quality and compliance governance for live-stream e-commerce (直播电商)",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    if session_factory is None:
        session_factory = make_session_factory(make_db_engine(settings))
    app.state.session_factory = session_factory
    app.state.login_throttle = LoginThrottle(
        per_account=settings.login.max_failures_per_account,
        per_address=settings.login.max_failures_per_address,
        window_seconds=settings.login.window_seconds,
    )
    problems.install(app)
    for router in api_routers():
        app.include_router(
            router,
            prefix=API_PREFIX,
            responses=problems.COMMON_RESPONSES,
            dependencies=[Depends(reject_unstorable_text)],
        )
    _document_problems(app)
    _add_system_routes(app)
    _add_docs(app)

    from liveqc.web.views import mount_console

    mount_console(app, settings)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="liveqc_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.is_production,
    )
    app.middleware("http")(_request_context)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """What runs beside requests: the NATS connection in broker mode, the ingest writer
    processes otherwise."""
    from liveqc.live_sessions.broker.writer import running_broker
    from liveqc.live_sessions.ingest.writer import running_writer_processes

    async with running_broker(app), running_writer_processes(app):
        yield


async def _request_context(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    incoming = request.headers.get("x-request-id", "")
    request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    request.state.request_id = request_id
    token = request_id_var.set(request_id)
    started = time.perf_counter()
    try:
        response = await call_next(request)
        log.info(
            "%s %s -> %s in %.1f ms",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
    finally:
        request_id_var.reset(token)
    response.headers["X-Request-ID"] = request_id
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    docs = request.url.path.startswith("/api/docs")
    response.headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else CSP)
    return response


def _document_problems(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problems.problem_media_types(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _add_system_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["system"])
    def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["system"], response_model=None)
    def readyz(request: Request) -> Any:
        """The database answers."""
        factory = request.app.state.session_factory
        try:
            with factory() as session:
                session.execute(text("SELECT 1"))
        except Exception:
            log.exception("readiness check failed")
            return JSONResponse(
                {"status": "unavailable", "database": "unreachable"}, status_code=503
            )
        return {"status": "ok", "database": "ok"}


def _add_docs(app: FastAPI) -> None:
    app.mount("/api/docs/assets", StaticFiles(directory=_DOCS_ASSETS), name="docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="liveqc API",
            swagger_js_url="/api/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/api/docs/assets/swagger-ui.css",
            swagger_favicon_url="/api/docs/assets/favicon.png",
        )
