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


def follow_menu(page: Page, url_name: str) -> None:
    """Follow the menu bar's entry `url_name` (its `data-nav`), opening its dropdown first when it
    is in one (templates/includes/nav_menu.html groups the entries, issue 20)."""
    group = page.locator(f"[data-nav-group]:has([data-nav='{url_name}'])")
    if group.count():
        group.locator("[data-bs-toggle='dropdown']").click()
    page.locator(f"[data-nav='{url_name}']").click()


def restore_migration_data() -> None:
    """Put back the rows the project's data migrations wrote (the default rule set and veto
    catalogue, the policies, the targets), which an earlier transactional test's flush emptied.
    Runs the forward code of every migration named `*default*`, in order; each is idempotent
    (get_or_create, or nothing when its table already has rows)."""
    from django.apps import apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    for (_app_label, name), migration in sorted(loader.disk_migrations.items()):
        if "default" not in name or not migration.__module__.startswith("apps."):
            continue
        for operation in migration.operations:
            if isinstance(operation, RunPython):
                with connection.schema_editor() as schema_editor:
                    operation.code(apps, schema_editor)
