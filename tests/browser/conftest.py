"""Browser journeys: real Chromium driven through Playwright against pytest-django's live server.

Every test in this folder gets the `browser` marker automatically. A journey needs the live server,
and so the transactional database: mark it `pytest.mark.django_db(transaction=True)`.

Chromium comes from Debian (`/usr/bin/chromium`, or `CHROMIUM_PATH`); `playwright install` is never
needed. Without Chromium the tests skip, except on CI (`CI=true`) where they fail.
On failure a screenshot goes to `test-artifacts/browser/<test name>.png`.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls
# ("You cannot call this from an async context") in fixtures and tests that drive the browser.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from .helpers import login  # noqa: E402, F401  (re-exported for journeys that import it from here)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEFAULT_TIMEOUT_MS = 10_000
BROWSER_DIR = Path(__file__).resolve().parent

# expect() has its own timeout (5 s by default); give assertions the same 10 s as page actions.
expect.set_options(timeout=DEFAULT_TIMEOUT_MS)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # Kept on the item so the `page` fixture can tell, at teardown, whether the test failed.
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    chromium_path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(chromium_path).exists():
        message = f"Chromium not found at {chromium_path} (install Debian's chromium or set CHROMIUM_PATH)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)

    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


def _artifact_name(nodeid_name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", nodeid_name).strip("_") or "test"


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    try:
        reports = (getattr(request.node, f"rep_{when}", None) for when in ("setup", "call"))
        if any(report is not None and report.failed for report in reports):
            out_dir = Path(request.config.rootpath) / "test-artifacts" / "browser"
            out_dir.mkdir(parents=True, exist_ok=True)
            shot = out_dir / f"{_artifact_name(request.node.name)}.png"
            try:
                page.screenshot(path=str(shot), full_page=True)
            except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the real failure
                print(f"could not save screenshot: {exc}")
    finally:
        context.close()


@pytest.fixture
def live_url(live_server):
    """`live_url("/accounts/login/")` -> absolute URL on the live server; `live_url()` -> its base."""

    def make(path: str = "/") -> str:
        return live_server.url.rstrip("/") + "/" + path.lstrip("/")

    make.base = live_server.url
    return make
