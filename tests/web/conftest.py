"""A live reliefgis server on 127.0.0.1 and Debian's Chromium driven by Playwright.

The browser tests skip with the reason when Chromium or Playwright is missing, except
in CI (``CI`` set), where they fail: CI must run them.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from localnet import TEST_KEY, is_local

from api.app import create_app
from api.service.bootstrap import Services, load_services
from api.settings import Settings
from layers.resources import demo_pack_dir

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def _missing_browser() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


def require_browser() -> None:
    """Skip (or, in CI, fail) when the browser cannot run."""
    reason = _missing_browser()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(
    state_dir: Path,
    env: dict[str, str] | None = None,
    *,
    before: Callable[[Services], None] | None = None,
) -> Iterator[str]:
    """Run the real service on the demo pack on a free loopback port; yield its base URL.

    ``env`` holds further ``RELIEF_*`` settings (e.g. ``RELIEF_API_KEYS``, ``RELIEF_TILES_*``);
    ``before`` is run on the services before the server answers (e.g. its map views).
    """
    import uvicorn

    settings = Settings.from_env(
        {"RELIEF_DATA": str(demo_pack_dir()), "RELIEF_STATE_DIR": str(state_dir), **(env or {})}
    )
    services = load_services(settings)
    if before is not None:
        before(services)
    app = create_app(services=services)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the reliefgis test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service with its default settings (no basemap)."""
    with serve(tmp_path_factory.mktemp("state")) as url:
        yield url


@pytest.fixture(scope="session")
def keyed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service with an API key (RELIEF_API_KEYS): every /api/v1 call needs it."""
    env = {"RELIEF_API_KEYS": f"tester={TEST_KEY}:analyst"}
    with serve(tmp_path_factory.mktemp("state"), env) as url:
        yield url


@pytest.fixture(scope="session")
def gcj_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service told that its basemap tiles are GCJ-02 (they are not there: 404s)."""
    tiles = {"RELIEF_TILES_URL": "/no-tiles/{z}/{x}/{y}.png", "RELIEF_TILES_DATUM": "GCJ-02"}
    with serve(tmp_path_factory.mktemp("state"), tiles) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, with no background network of its own."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that records every request and lets none leave 127.0.0.1.

    ``page.requests`` lists every URL asked for, ``page.errors`` every uncaught script
    error; requests to other hosts are aborted (and recorded).
    """
    context = browser.new_context(
        viewport={"width": 1400, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    tab = context.new_page()
    tab.requests = []
    tab.errors = []
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))

    def guard(route: Any) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", guard)
    yield tab
    context.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where a test's screenshots go: ``$RELIEF_SCREENSHOTS`` when set, else its tmp folder."""
    folder = Path(os.environ.get("RELIEF_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
