"""Journey: a park administrator logs in, switches the interface to English and logs out."""

import re

import pytest
from playwright.sync_api import expect

from apps.accounts.roles import Role
from tests.factories import PASSWORD, user_with_role

from .helpers import LOGIN_PATH, html_lang, login

pytestmark = pytest.mark.django_db(transaction=True)

ON_LOGIN_PAGE = re.compile(re.escape(LOGIN_PATH))


def test_login_switch_language_and_logout(page, live_url):
    user_with_role(Role.PARK_ADMIN, username="admin1", full_name="王伟")

    page.goto(live_url(LOGIN_PATH))
    # The browser asks for zh-CN; the default interface language is Simplified Chinese.
    expect(html_lang(page)).to_have_attribute("lang", "zh-hans")

    login(page, live_url, "admin1", PASSWORD)
    expect(page).to_have_url(live_url("/"))
    expect(html_lang(page)).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("欢迎，王伟")
    expect(page.get_by_test_id("user-menu")).to_contain_text("王伟")
    # The audit log is in the administration dropdown of the menu (issue 20).
    page.locator("[data-nav-group='administration'] [data-bs-toggle='dropdown']").click()
    expect(page.get_by_role("link", name="审计日志")).to_be_visible()
    page.keyboard.press("Escape")

    page.get_by_test_id("language-switch").locator("button[lang='en']").click()
    expect(html_lang(page)).to_have_attribute("lang", "en")
    expect(page).to_have_url(live_url("/"))
    expect(page.locator("h1")).to_have_text("Welcome, 王伟")
    expect(page.get_by_text("Welcome", exact=False).first).to_be_visible()
    # The way back to Chinese is offered once the page is in English.
    expect(page.get_by_test_id("language-switch").locator("button[lang='zh-hans']")).to_have_text("简体中文")

    page.get_by_test_id("user-menu").click()
    logout = page.get_by_test_id("logout")
    expect(logout).to_be_visible()
    logout.click()
    expect(page).to_have_url(ON_LOGIN_PAGE)
    expect(page.get_by_test_id("user-menu")).to_have_count(0)

    # The session is gone: `/` is the public portal again, whose staff sign-in leads to the form.
    page.goto(live_url("/"))
    expect(page.get_by_test_id("portal")).to_be_visible()
    page.get_by_test_id("staff-login").click()
    expect(page).to_have_url(ON_LOGIN_PAGE)
    expect(page.locator("input[name='password']")).to_be_visible()


def test_wrong_password_shows_error_and_stays_logged_out(page, live_url):
    user_with_role(Role.PARK_ADMIN, username="admin1", full_name="王伟")

    login(page, live_url, "admin1", "not-the-password", expect_success=False)
    expect(page).to_have_url(ON_LOGIN_PAGE)
    expect(page.locator(".alert-danger[role='alert']")).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    # The username is kept, the password is not.
    expect(page.locator("input[name='username']")).to_have_value("admin1")
    expect(page.locator("input[name='password']")).to_have_value("")

    page.goto(live_url("/"))
    expect(page).to_have_url(live_url("/"))
    expect(page.get_by_test_id("portal")).to_be_visible()  # the public portal, not the staff home
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
