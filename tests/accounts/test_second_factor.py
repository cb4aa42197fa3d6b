"""Issue 14, finding 6 (second factor): TOTP (django-otp) after the password, recovery codes,
required for park administrators and superusers when OTP_REQUIRED_FOR_ADMINS is on (production),
optional for everybody else, off by default in the local and test settings."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.services import RECOVERY_CODES
from apps.audit.models import AuditEvent
from tests.core.test_settings import GOOD_KEY, run_manage
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
HOME = reverse("dashboard:home")
VERIFY = reverse("accounts:otp_verify")
SETUP = reverse("accounts:otp_setup")


def login(client, user, password=PASSWORD):
    return client.post(LOGIN, {"username": user.username, "password": password})


def code(device, offset=0):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):06d}"


@pytest.fixture
def no_wait(settings):
    """django-otp makes a device wait 1, 2, 4... seconds after each wrong code; these tests try a
    right code straight after a wrong one (test_a_wrong_code_makes_the_next_one_wait keeps it)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def with_device(user):
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def test_off_in_test_settings_so_demo_logins_need_no_device(client, park_admin, settings):
    assert settings.OTP_REQUIRED_FOR_ADMINS is False
    login(client, park_admin)
    assert client.get(HOME).status_code == 200


def test_on_in_production_settings():
    shell = "from django.conf import settings; print(settings.OTP_REQUIRED_FOR_ADMINS)"
    result = run_manage("shell", "-c", shell, SECRET_KEY=GOOD_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"


def test_a_park_admin_must_set_up_a_device_then_gets_recovery_codes(client, park_admin, settings, no_wait):
    settings.OTP_REQUIRED_FOR_ADMINS = True
    assert login(client, park_admin).status_code == 302
    response = client.get(HOME)
    assert response.status_code == 302 and response.url.startswith(SETUP)
    # Nothing else is reachable either: not the pages, not the API with this session.
    assert client.get(reverse("audit:event_list")).status_code == 302
    api = client.get("/api/v1/enterprises/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "second_factor_required"
    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "http://" not in html.split('data-testid="otp-qr"')[1].split("</div>")[0]
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7=]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=park_admin, confirmed=False)
    assert secret.rstrip("=")  # the base32 secret for typing in
    # A wrong code is refused with a message, nothing confirmed.
    wrong = client.post(SETUP, {"token": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and wrong.context["form"].errors["token"]
    assert not TOTPDevice.objects.filter(user=park_admin, confirmed=True).exists()
    junk = client.post(SETUP, {"token": "x" * 40})
    assert junk.status_code == 200 and junk.context["form"].errors["token"]
    # The right code confirms the device and shows the recovery codes once.
    done = client.post(SETUP, {"token": code(device), "next": HOME})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == RECOVERY_CODES == StaticToken.objects.filter(device__user=park_admin).count()
    assert client.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.confirm_totp", object_id=str(park_admin.pk)).exists()


def test_superusers_must_set_up_a_device_too(client, settings):
    settings.OTP_REQUIRED_FOR_ADMINS = True
    root = UserFactory(is_superuser=True, is_staff=True)
    login(client, root)
    assert client.get(HOME).url.startswith(SETUP)


def test_others_may_log_in_without_a_device(client, hr_a, settings):
    settings.OTP_REQUIRED_FOR_ADMINS = True
    login(client, hr_a)
    assert client.get(HOME).status_code == 200
    assert client.get(SETUP).status_code == 200  # but may set one up


def test_a_user_with_a_device_is_asked_for_a_code(client, hr_a, no_wait):
    device = with_device(hr_a)
    login(client, hr_a)
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    wrong = client.post(VERIFY, {"token": "12345"})
    assert wrong.status_code == 200 and wrong.context["form"].errors["token"]
    assert client.get(HOME).status_code == 302
    ok = client.post(VERIFY, {"token": code(device), "next": reverse("notifications:inbox")})
    assert ok.status_code == 302 and ok.url == reverse("notifications:inbox")
    assert client.get(HOME).status_code == 200


def test_next_must_stay_on_the_site(client, hr_a):
    device = with_device(hr_a)
    login(client, hr_a)
    response = client.post(VERIFY, {"token": code(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == HOME


def test_a_recovery_code_works_once(client, hr_a, no_wait):
    with_device(hr_a)
    from apps.accounts.services import regenerate_recovery_codes

    codes = regenerate_recovery_codes(hr_a)
    login(client, hr_a)
    assert client.post(VERIFY, {"token": codes[0]}).status_code == 302
    assert client.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.use_recovery_code").exists()
    client.post(reverse("accounts:logout"))
    login(client, hr_a)
    again = client.post(VERIFY, {"token": codes[0]})
    assert again.status_code == 200 and again.context["form"].errors["token"]
    assert client.post(VERIFY, {"token": codes[1]}).status_code == 302


def test_logout_and_language_stay_open_while_the_code_is_owed(client, hr_a):
    with_device(hr_a)
    login(client, hr_a)
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_no_second_factor_no_question(client, hr_a):
    login(client, hr_a)
    assert client.get(VERIFY).status_code == 302  # nothing to verify: straight on
    assert client.get(HOME).status_code == 200


def test_a_wrong_code_makes_the_next_one_wait(client, hr_a):
    device = with_device(hr_a)
    login(client, hr_a)
    client.post(VERIFY, {"token": "000000" if code(device) != "000000" else "111111"})
    assert client.post(VERIFY, {"token": code(device)}).status_code == 200  # refused: too soon
    assert client.get(HOME).status_code == 302


def test_the_password_alone_cannot_replace_a_device(client, hr_a):
    device = with_device(hr_a)
    login(client, hr_a)
    response = client.get(SETUP)
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    client.post(SETUP, {"action": "recovery"})
    client.post(SETUP, {"token": code(device)})
    assert list(TOTPDevice.objects.filter(user=hr_a)) == [device]
    assert not StaticToken.objects.exists()
