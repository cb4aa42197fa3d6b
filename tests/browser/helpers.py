"""Small helpers shared by browser journeys (import from here, not from conftest)."""

import re

from playwright.sync_api import Page, expect

LOGIN_PATH = "/accounts/login/"


def login(page: Page, live_url, username: str, password: str, *, expect_success: bool = True) -> None:
    """Log in through the real login form.

    `live_url` is the fixture of the same name (a callable turning a path into an absolute URL) or
    a base URL string. With `expect_success` the helper waits until the browser has left the login
    page, so the next step starts on the page the login redirected to.
    """
    url = live_url(LOGIN_PATH) if callable(live_url) else live_url.rstrip("/") + LOGIN_PATH
    page.goto(url)
    page.locator("input[name='username']").fill(username)
    page.locator("input[name='password']").fill(password)
    page.locator("form:has(input[name='password']) button[type='submit']").click()
    if expect_success:
        expect(page).not_to_have_url(re.compile(re.escape(LOGIN_PATH)))
    else:
        page.wait_for_load_state()


def html_lang(page: Page):
    """Locator for the <html> element, for `expect(html_lang(page)).to_have_attribute("lang", ...)`."""
    return page.locator("html")
