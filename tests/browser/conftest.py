"""Browser fixtures: real liveqc servers (see ``server.py``) driven with Playwright in Chromium.

The tests talk to ``liveqc serve`` subprocesses on free loopback ports, each on a fresh
database with the demo data: SQLite for ``page``, a fresh PostgreSQL schema for ``pg_page``.
Nothing leaves 127.0.0.1.

Without a Chromium executable (``apt-get install chromium``) every browser test is skipped with
that message; ``LIVEQC_CHROMIUM`` names another executable.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from liveqc.demo.data import DEMO_PASSWORD
from tests.browser.server import LiveServer, ServerPool, ServerStartError

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: Default wait for an element or a navigation, in milliseconds.
WAIT_MS = 10_000


def chromium_executable() -> str | None:
    """The Chromium to drive: ``LIVEQC_CHROMIUM``, /usr/bin/chromium, or one on PATH."""
    configured = os.environ.get("LIVEQC_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = chromium_executable()
    if path is None and os.environ.get("CI"):
        pytest.fail("CI must run the browser tests: .ci/run installs chromium", pytrace=False)
    if path is None:
        pytest.skip(
            "browser tests need Chromium: install it with `apt-get install chromium` "
            "(or set LIVEQC_CHROMIUM to a Chromium executable)"
        )
    return path


@pytest.fixture(scope="package")
def servers(
    request: pytest.FixtureRequest,
    chromium_path: str,
    fast_password_hashing: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ServerPool]:
    """The SQLite server, and the PostgreSQL one when a server answers, booting together."""
    pool = ServerPool(tmp_path_factory.mktemp("browser"))
    try:
        pool.migrate_and_spawn("sqlite", f"sqlite:///{pool.root / 'sqlite' / 'liveqc.db'}")
        try:
            pg_url = request.getfixturevalue("pg_url")
        except pytest.skip.Exception:
            pg_url = None
        if pg_url is not None:
            try:
                pool.migrate_and_spawn("postgresql", pool.add_postgresql(pg_url))
            except Exception as exc:
                pool.errors["postgresql"] = ServerStartError(f"PostgreSQL schema: {exc}")
        pool.load("sqlite")
        pool.load("postgresql")
        yield pool
    finally:
        pool.close()


def _ready(pool: ServerPool, name: str) -> LiveServer:
    try:
        return pool.get(name)
    except ServerStartError as exc:
        pytest.fail(f"could not start the {name} test server:\n{exc}", pytrace=False)


@pytest.fixture(scope="package")
def live_server(servers: ServerPool) -> LiveServer:
    """liveqc serving a fresh SQLite database with the demo data."""
    return _ready(servers, "sqlite")


@pytest.fixture(scope="package")
def pg_server(pg_url: str, servers: ServerPool) -> LiveServer:
    """liveqc serving a fresh PostgreSQL schema with the demo data (dropped afterwards)."""
    return _ready(servers, "postgresql")


@pytest.fixture(scope="package")
def browser(chromium_path: str) -> Iterator[Any]:
    # Package scope: Playwright's sync API keeps an asyncio loop marked as running until it
    # stops, which would break asyncio.run() in the tests that come after this package.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts_dir(request: pytest.FixtureRequest) -> Path:
    """``test-artifacts/`` at the project root (git-ignored); last run's failures are cleared."""
    path = Path(request.config.rootpath) / "test-artifacts"
    shutil.rmtree(path / "failures", ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def screenshot(artifacts_dir: Path) -> Callable[[Any, str], Path]:
    """``screenshot(page, name)`` saves a full-page PNG under test-artifacts/screenshots/."""
    folder = artifacts_dir / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def _take(page: Any, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _take


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


def new_page(browser: Any, base_url: str) -> Any:
    context = browser.new_context(
        base_url=base_url, locale="zh-CN", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(WAIT_MS)
    return context.new_page()


def _pages(
    request: pytest.FixtureRequest, browser: Any, server: LiveServer, artifacts_dir: Path
) -> Iterator[Any]:
    page = new_page(browser, server.base_url)
    yield page
    if request.node.stash.get(_FAILED, False):
        folder = artifacts_dir / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{request.node.name}.png"), full_page=True)
        (folder / f"{request.node.name}.server.log").write_text(server.log(), encoding="utf-8")
    page.context.close()


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Any, live_server: LiveServer, artifacts_dir: Path
) -> Iterator[Any]:
    """A fresh browser context (no cookies) on the SQLite server; zh-CN like the console default.

    A failing test leaves its last screen and the server log under test-artifacts/failures/.
    """
    yield from _pages(request, browser, live_server, artifacts_dir)


@pytest.fixture
def pg_page(
    request: pytest.FixtureRequest, browser: Any, pg_server: LiveServer, artifacts_dir: Path
) -> Iterator[Any]:
    """Like ``page``, on the PostgreSQL server."""
    yield from _pages(request, browser, pg_server, artifacts_dir)


def sign_in(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    """Fill in and submit the login form, waiting for the page the server answers with."""
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("form[action='/login'] button[type=submit]").click()


@pytest.fixture
def login() -> Callable[..., None]:
    """``login(page, email, password=DEMO_PASSWORD)`` through the console's login form."""
    return sign_in


def bearer(page: Any, email: str) -> dict[str, str]:
    """Headers with a fresh API token for ``email`` (``POST /api/v1/auth/login``)."""
    response = page.request.post(
        "/api/v1/auth/login", data={"email": email, "password": DEMO_PASSWORD}
    )
    assert response.status == 201, response.text()
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
def api_headers() -> Callable[[Any, str], dict[str, str]]:
    """``api_headers(page, email)``: bearer headers for API calls made beside the browser."""
    return bearer
