"""Sessions end after 30 minutes idle and 12 hours in all (ASVS 4 §3.3.2), and are not written on
every request."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

from apps.accounts.middleware import SEEN, STARTED

pytestmark = pytest.mark.django_db

INBOX = "/inbox/"


def _shift(client, **seconds_ago):
    session = client.session
    for key, ago in seconds_ago.items():
        session[{"started": STARTED, "seen": SEEN}[key]] = int(time.time()) - ago
    session.save()


def test_the_limits():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_ABSOLUTE_AGE == 12 * 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False


def test_pages_do_not_write_the_session_on_every_request(client, park_admin):
    client.force_login(park_admin)
    assert client.get(INBOX).status_code == 200  # the first page stamps the login time
    before = Session.objects.get().expire_date
    for _ in range(3):
        assert client.get(INBOX).status_code == 200
    assert Session.objects.get().expire_date == before


def test_activity_keeps_the_session_alive_once_a_minute(client, park_admin):
    client.force_login(park_admin)
    client.get(INBOX)
    _shift(client, started=600, seen=settings.SESSION_TOUCH_INTERVAL + 1)
    before = client.session[SEEN]
    assert client.get(INBOX).status_code == 200
    assert client.session[SEEN] > before, "touched: the idle clock restarts"


def test_an_idle_session_has_expired(client, park_admin):
    client.force_login(park_admin)
    client.get(INBOX)
    # 30 minutes pass: the database row expires, and so does its cached copy (same lifetime).
    Session.objects.update(expire_date=Session.objects.get().expire_date.replace(year=2000))
    cache.clear()
    response = client.get(INBOX)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_twelve_hours_after_login_the_user_signs_in_again(client, park_admin):
    client.force_login(park_admin)
    client.get(INBOX)
    _shift(client, started=settings.SESSION_ABSOLUTE_AGE + 5, seen=10)
    response = client.get(INBOX)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert "_auth_user_id" not in client.session
    assert client.get(INBOX).status_code == 302, "logged out, not only redirected once"
