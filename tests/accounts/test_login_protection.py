"""Issue 14, finding 2: the lockout is per (username, address), so nobody locks another person's
account from elsewhere; an address that sprays passwords over many usernames is refused; the park
administrator sees and lifts locks (audited); the owner of a locked account is notified."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.notifications.models import Notification
from tests.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def login(client, username, password, remote="127.0.0.1", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=remote, **extra)


def test_lockout_settings():
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_CLIENT_IP_CALLABLE == "apps.core.net.client_address"


def test_a_lock_holds_only_for_the_address_it_came_from(client, park_admin):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, park_admin.username, "wrong-password", "127.0.0.2")
    locked = login(client, park_admin.username, PASSWORD, "127.0.0.2")
    assert locked.status_code == 429 and 'data-testid="locked-out"' in locked.content.decode()
    assert "此账户已对您的网络地址锁定登录" in locked.content.decode()
    # The administrator at another address logs in as usual: an attacker cannot lock them out.
    assert login(client, park_admin.username, PASSWORD, "127.0.0.3").status_code == 302


def test_failures_from_changing_addresses_lock_nothing(client, park_admin):
    for n in range(2, 2 + settings.AXES_FAILURE_LIMIT):
        login(client, park_admin.username, "wrong-password", f"127.0.0.{n}")
    assert login(client, park_admin.username, PASSWORD, "127.0.0.100").status_code == 302


def test_a_made_up_forwarded_for_does_not_escape_the_lock(client, park_admin, settings):
    settings.TRUSTED_PROXIES = []
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(
            client, park_admin.username, "wrong-password", "127.0.0.2", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        )
    response = login(client, park_admin.username, PASSWORD, "127.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.200")
    assert response.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "127.0.0.2"


def test_behind_a_trusted_proxy_the_lock_is_for_the_forwarded_client(client, park_admin, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.4/32"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, park_admin.username, "wrong-password", "127.0.0.4", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"
    assert (
        login(
            client, park_admin.username, PASSWORD, "127.0.0.4", HTTP_X_FORWARDED_FOR="198.51.100.7"
        ).status_code
        == 429
    )
    # Another client behind the same proxy is not locked out.
    assert (
        login(
            client, park_admin.username, PASSWORD, "127.0.0.4", HTTP_X_FORWARDED_FOR="198.51.100.8"
        ).status_code
        == 302
    )


def test_password_spraying_from_one_address_is_refused(client, settings, hr_a):
    settings.LOGIN_SPRAY_LIMIT = 10
    users = [user_with_role(Role.ENTERPRISE_HR) for _ in range(3)]
    names = [u.username for u in users] + [f"nobody{n}" for n in range(7)]
    for name in names:  # 10 usernames, one wrong password each: no account reaches the axes limit
        assert login(client, name, "Spring2026!", "127.0.0.2").status_code == 200
    # The 11th attempt from that address is refused, even with a right password.
    response = login(client, hr_a.username, PASSWORD, "127.0.0.2")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert 'data-testid="login-refused"' in html
    assert "来自您网络地址的登录失败次数过多" in html
    assert "_auth_user_id" not in client.session
    # In English too.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = login(client, hr_a.username, PASSWORD, "127.0.0.2").content.decode()
    assert "Too many failed logins from your address" in html
    # Another address is not affected.
    assert login(client, hr_a.username, PASSWORD, "127.0.0.3").status_code == 302


def test_spraying_counts_failures_only(client, settings, hr_a):
    settings.LOGIN_SPRAY_LIMIT = 3
    for _ in range(5):
        assert login(client, hr_a.username, PASSWORD, "127.0.0.2").status_code == 302
        client.logout()
    assert login(client, hr_a.username, "", "127.0.0.2").status_code == 200  # empty: not an attempt
    assert login(client, hr_a.username, PASSWORD, "127.0.0.2").status_code == 302


def test_the_owner_is_notified_of_a_lock(client, hr_a):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, hr_a.username, "wrong-password", "127.0.0.2")
    note = Notification.objects.get(recipient=hr_a)
    assert "127.0.0.2" in note.body
    assert note.title == "您的账户因多次登录失败已被锁定"


def test_no_notification_for_an_unknown_username(client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "no-such-user", "wrong-password", "127.0.0.2")
    assert not Notification.objects.exists()


def test_park_admin_sees_and_lifts_a_lock(client, park_admin, hr_a):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, hr_a.username, "wrong-password", "127.0.0.2")
    assert login(client, hr_a.username, PASSWORD, "127.0.0.2").status_code == 429
    client.force_login(park_admin)
    page = client.get(reverse("accounts:login_locks"))
    assert page.status_code == 200
    html = page.content.decode()
    assert hr_a.username in html and "127.0.0.2" in html
    attempt = AccessAttempt.objects.get(username=hr_a.username)
    response = client.post(reverse("accounts:login_lock_lift", args=[attempt.pk]))
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action="accounts.lift_lock")
    assert event.actor == park_admin and event.before["ip_address"] == "127.0.0.2"
    assert event.object_id == str(hr_a.pk)
    client.logout()
    assert login(client, hr_a.username, PASSWORD, "127.0.0.2").status_code == 302


def test_lifting_a_lock_that_is_gone_is_a_message_not_an_error(client, park_admin):
    client.force_login(park_admin)
    response = client.post(reverse("accounts:login_lock_lift", args=[999999]), follow=True)
    assert response.status_code == 200
    assert "此锁定已不存在" in response.content.decode()


def test_only_park_admins_see_or_lift_locks(client, hr_a, park_admin):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, park_admin.username, "wrong-password", "127.0.0.2")
    attempt = AccessAttempt.objects.get()
    client.force_login(park_admin)
    assert reverse("accounts:login_locks") in client.get(reverse("dashboard:home")).content.decode()
    client.force_login(hr_a)
    assert reverse("accounts:login_locks") not in client.get(reverse("dashboard:home")).content.decode()
    assert client.get(reverse("accounts:login_locks")).status_code == 403
    assert client.post(reverse("accounts:login_lock_lift", args=[attempt.pk])).status_code == 403
    assert AccessAttempt.objects.exists()
    client.logout()
    assert client.get(reverse("accounts:login_locks")).status_code == 302  # to the login page


def test_audit_trail_records_the_client_address(client, hr_a, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.4/32"]
    client.post(reverse("set_language"), {"language": "en"}, REMOTE_ADDR="127.0.0.4")  # anonymous: no write
    client.force_login(hr_a)
    client.post(
        reverse("set_language"),
        {"language": "en"},
        REMOTE_ADDR="127.0.0.4",
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    client.post(
        reverse("set_language"),
        {"language": "zh-hans"},
        REMOTE_ADDR="127.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    addresses = list(
        AuditEvent.objects.filter(action="accounts.set_language")
        .order_by("occurred_at")
        .values_list("ip_address", flat=True)
    )
    assert addresses == ["198.51.100.8", "127.0.0.2"]


def test_admin_site_logs_in_through_the_one_login_page(client, hr_a):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    client.force_login(hr_a)
    assert client.get("/admin/login/").status_code == 403
