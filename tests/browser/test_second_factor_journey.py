"""Journey: a park administrator, where the second factor is required, sets up an authenticator
app after the password (QR code drawn on the page), keeps the recovery codes, reaches the home
page; next time the code is asked for after the password."""

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from apps.accounts.roles import Role
from tests.factories import PASSWORD, user_with_role

from .helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def current_code(secret: str, offset: int = 0) -> str:
    key = base64.b32decode(secret)
    return f"{totp(key, drift=offset):06d}"


def test_set_up_then_verify(page, live_url, settings):
    settings.OTP_REQUIRED_FOR_ADMINS = True
    user_with_role(Role.PARK_ADMIN, username="admin2fa", full_name="王伟")

    login(page, live_url, "admin2fa", PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/setup/"))
    expect(page.get_by_test_id("otp-qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("otp-secret").inner_text()
    page.screenshot(path="test-artifacts/browser/second-factor-setup.png", full_page=True)
    page.locator("input[name='token']").fill(current_code(secret))
    page.get_by_role("button", name="确认").click()
    codes = page.get_by_test_id("otp-recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    page.get_by_role("link", name="我已妥善保存").click()
    expect(page.locator("h1")).to_have_text("欢迎，王伟")

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    login(page, live_url, "admin2fa", PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/"))
    expect(page.get_by_test_id("otp-verify")).to_be_visible()
    # The code of the next time step: the one used at set-up cannot be replayed.
    page.locator("input[name='token']").fill(current_code(secret, offset=1))
    page.get_by_role("button", name="验证").click()
    expect(page.locator("h1")).to_have_text("欢迎，王伟")
