"""Playwright driving Debian's Chromium against the live test server.

Never a downloaded browser: the tests use /usr/bin/chromium. Without it they skip
with a message, unless REQUIRE_BROWSER=1 (as in CI), where a missing browser fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
MISSING_BROWSER = (
    f"Browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); "
    "set REQUIRE_BROWSER=1 to make its absence a failure."
)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(MISSING_BROWSER)
        pytest.skip(MISSING_BROWSER)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must allow ORM calls beside it,
    # for these tests only (the deployment checks refuse the variable).
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def catalog_server(live_server, seeded_rows):
    """The live server with the real catalog loaded (live_server flushes after each test)."""
    from tests import seeded_snapshot

    seeded_snapshot.restore(seeded_rows)
    return live_server


class PageProblems:
    """Console errors, uncaught exceptions and failed requests seen by a page."""

    def __init__(self, page, base_url: str):
        self.messages: list[str] = []
        self.missing_documents: set[str] = set()
        self.base_url = base_url
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"uncaught: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type not in {"error", "warning"}:
            return
        # Chromium logs a page served with 404 as a failed load of that very document;
        # the tests assert on the status of the pages they open themselves.
        if (
            message.text.startswith("Failed to load resource")
            and message.location.get("url") in self.missing_documents
        ):
            return
        self.messages.append(f"console {message.type}: {message.text}")

    def _request_failed(self, request) -> None:
        # A load the browser cancels because the page navigated away (the favicon of a
        # page left quickly) is not a problem of the page; a broken resource shows as an
        # HTTP error in _response or as another network error here.
        if request.failure == "net::ERR_ABORTED":
            return
        self.messages.append(f"request failed: {request.url} {request.failure}")

    def _response(self, response) -> None:
        if response.status < 400:
            return
        if response.request.resource_type == "document":
            self.missing_documents.add(response.url)
        else:
            self.messages.append(f"{response.status} for {response.url}")


def _new_page(browser, base_url: str, viewport: dict):
    context = browser.new_context(viewport=viewport, base_url=base_url)
    # Nothing may be fetched from the internet: any outside request fails the test.
    context.route(
        lambda url: not url.startswith(base_url),
        lambda route: route.abort(),
    )
    page = context.new_page()
    problems = PageProblems(page, base_url)
    return context, page, problems


@pytest.fixture
def desktop(browser, catalog_server):
    context, page, problems = _new_page(browser, catalog_server.url, DESKTOP)
    yield page, problems
    context.close()


@pytest.fixture
def phone(browser, catalog_server):
    context, page, problems = _new_page(browser, catalog_server.url, PHONE)
    yield page, problems
    context.close()


def screenshot(page, name: str) -> None:
    """Write docs/screenshots/<name>.png for review, only when asked (`make screenshots`)."""
    if os.environ.get("SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
