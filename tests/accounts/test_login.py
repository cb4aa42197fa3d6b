import pytest
from django.conf import settings
from django.urls import reverse

from apps.accounts.roles import Role
from tests.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()


def test_login_and_logout(client, park_admin):
    response = _login(client, park_admin.username, PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("dashboard:home")
    assert client.get(reverse("dashboard:home")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    # Signed out, `/` is the public portal (issue 20) and the staff pages send to the login page.
    public = client.get(reverse("dashboard:home"))
    assert public.status_code == 200 and 'data-testid="portal"' in public.content.decode()
    assert 'data-testid="home-cards"' not in public.content.decode()
    assert client.get(reverse("notifications:inbox")).status_code == 302


def test_wrong_password_is_refused_with_a_message(client, park_admin):
    response = _login(client, park_admin.username, "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_lockout_after_repeated_failures_even_with_right_password(client, park_admin):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, park_admin.username, "wrong-password")
    response = _login(client, park_admin.username, PASSWORD)
    assert response.status_code == 429
    assert 'data-testid="locked-out"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username(client, park_admin, hr_a):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, park_admin.username, "wrong-password")
    response = _login(client, hr_a.username, PASSWORD)
    assert response.status_code == 302


def test_failures_below_limit_do_not_lock(client, park_admin):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, park_admin.username, "wrong-password")
    assert _login(client, park_admin.username, PASSWORD).status_code == 302


def test_session_expires(client, park_admin):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 30 * 60
    _login(client, park_admin.username, PASSWORD)
    assert client.session.get_expire_at_browser_close()


def test_password_change(client, hr_a):
    client.force_login(hr_a)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Harmony-Park-2027",
            "new_password2": "Harmony-Park-2027",
        },
    )
    assert response.status_code == 302
    hr_a.refresh_from_db()
    assert hr_a.check_password("Harmony-Park-2027")


def test_password_change_refuses_weak_password(client, hr_a):
    client.force_login(hr_a)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]


def test_navigation_follows_role(client, park_admin, hr_a):
    client.force_login(park_admin)
    admin_page = client.get(reverse("dashboard:home")).content.decode()
    assert reverse("audit:event_list") in admin_page
    client.force_login(hr_a)
    hr_page = client.get(reverse("dashboard:home")).content.decode()
    assert reverse("audit:event_list") not in hr_page
    assert reverse("notifications:inbox") in hr_page


@pytest.mark.parametrize("role", list(Role))
def test_every_role_gets_a_home_page(client, role):
    user = user_with_role(role)
    client.force_login(user)
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    assert response.context["cards"]


def test_park_admin_cannot_grant_superuser_in_the_admin(client, park_admin, hr_a):
    park_admin.is_staff = True
    park_admin.save()
    client.force_login(park_admin)
    page = client.get(f"/admin/accounts/user/{hr_a.pk}/change/")
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    assert 'name="username"' in page.content.decode()


def test_park_admin_can_unlock_a_locked_account(client, park_admin, hr_a):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, hr_a.username, "wrong-password")
    attempt = AccessAttempt.objects.get(username=hr_a.username)
    park_admin.is_staff = True
    park_admin.save()
    client.force_login(park_admin)
    response = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    client.logout()
    assert _login(client, hr_a.username, PASSWORD).status_code == 302


def test_admin_membership_inline_enforces_the_role_rule(client, enterprise_a):
    from apps.accounts.models import Membership

    superuser = user_with_role(Role.PARK_ADMIN, is_staff=True, is_superuser=True)
    target = user_with_role(Role.ENTERPRISE_HR, enterprise_a)
    client.force_login(superuser)
    url = f"/admin/accounts/user/{target.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in ("password", "last_login", "date_joined", "groups", "user_permissions")
    }
    data.update(
        {
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": str(target.memberships.get().pk),
            "memberships-0-user": str(target.pk),
            "memberships-0-organisation": str(enterprise_a.pk),
            "memberships-0-role": "enterprise_hr",
            "memberships-1-user": str(target.pk),
            "memberships-1-organisation": str(enterprise_a.pk),
            "memberships-1-role": "mediator",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert Membership.objects.filter(user=target).count() == 1
    assert not response.context["adminform"].form.errors
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert errors[1]["role"] and not errors[0]
