"""Issue 14, finding 1: the public throttles count per client address, a made-up X-Forwarded-For
opens no new budget, and each public form has its own budget. Requests come from several loopback
addresses: through the test client (REMOTE_ADDR) and, in the last test, over real sockets bound
to 127.0.0.2 and 127.0.0.3 against a live server on 127.0.0.1."""

import http.client
import itertools
import re
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from apps.api.throttling import (
    AnonThrottle,
    CertificationObjectionThrottle,
    MediationApplicationThrottle,
    PublicFormThrottle,
    PublicLookupThrottle,
)

APPLY = reverse("mediation:apply")
TRACK = reverse("mediation:track")
rf = RequestFactory()
fake_addresses = (f"203.0.113.{n}" for n in itertools.count(1))


@pytest.fixture
def rates(monkeypatch):
    """Small budgets: 3 an hour for each public form."""
    rates = {
        **PublicFormThrottle.THROTTLE_RATES,
        "mediation_application": "3/hour",
        "certification_objection": "3/hour",
        "public_lookup": "3/hour",
    }
    for throttle in (MediationApplicationThrottle, CertificationObjectionThrottle, PublicLookupThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", rates)
    return rates


def track(client, remote, xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return client.post(TRACK, {"serial": "TJ-2026-0001", "code": "WRONG123"}, **extra)


def test_default_throttles_use_the_client_address():
    assert "apps.api.throttling.AnonThrottle" in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
    assert (
        "rest_framework.throttling.AnonRateThrottle"
        not in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
    )
    request = rf.get("/api/v1/", REMOTE_ADDR="127.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert AnonThrottle().get_ident(request) == "127.0.0.2"


@pytest.mark.django_db
def test_a_made_up_forwarded_for_does_not_reset_the_budget(client, rates, settings):
    settings.TRUSTED_PROXIES = []
    for _ in range(3):
        assert track(client, "127.0.0.2", next(fake_addresses)).status_code == 200
    for _ in range(5):  # before the fix each new header was a new budget
        assert track(client, "127.0.0.2", next(fake_addresses)).status_code == 429
    # Another address has its own budget.
    assert track(client, "127.0.0.3").status_code == 200


@pytest.mark.django_db
def test_a_trusted_proxy_forwards_each_client_with_its_own_budget(client, rates, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.4/32"]
    for _ in range(3):
        assert track(client, "127.0.0.4", "198.51.100.1").status_code == 200
    assert track(client, "127.0.0.4", "198.51.100.1").status_code == 429
    # The client cannot prepend its way out: the proxy appends the address it saw.
    assert track(client, "127.0.0.4", "203.0.113.77, 198.51.100.1").status_code == 429
    assert track(client, "127.0.0.4", "198.51.100.2").status_code == 200
    # The proxy's own address is not the budget of everyone behind it...
    assert track(client, "127.0.0.5").status_code == 200


@pytest.mark.django_db
def test_each_public_form_has_its_own_budget(client, rates):
    for _ in range(3):
        assert client.post(APPLY, {}, REMOTE_ADDR="127.0.0.2").status_code == 200  # invalid, counted
    assert client.post(APPLY, {}, REMOTE_ADDR="127.0.0.2").status_code == 429
    # The tracking look-up and the objection form keep their budgets for the same address.
    assert track(client, "127.0.0.2").status_code == 200
    request = rf.post("/", REMOTE_ADDR="127.0.0.2")
    assert CertificationObjectionThrottle().allow_request(request, None)
    scopes = {
        MediationApplicationThrottle.scope,
        CertificationObjectionThrottle.scope,
        PublicLookupThrottle.scope,
    }
    assert len(scopes) == 3
    assert scopes <= set(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])


def _csrf(conn, path):
    conn.request("GET", path)
    response = conn.getresponse()
    html = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return cookie, token


def _post_track(base, source, xff):
    """One tracking look-up over a real TCP connection from `source` (a loopback address)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10, source_address=(source, 0))
    try:
        cookie, token = _csrf(conn, TRACK)
        body = urlencode({"csrfmiddlewaretoken": token, "serial": "TJ-2026-0001", "code": "WRONG123"})
        conn.request(
            "POST",
            TRACK,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie}",
                "X-Forwarded-For": xff,
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_over_real_sockets_from_several_loopback_addresses(live_server, rates, settings):
    settings.TRUSTED_PROXIES = []
    assert urlsplit(live_server.url).hostname in {"localhost", "127.0.0.1"}
    statuses = [_post_track(live_server.url, "127.0.0.2", next(fake_addresses)) for _ in range(6)]
    assert statuses == [200, 200, 200, 429, 429, 429]
    assert _post_track(live_server.url, "127.0.0.3", next(fake_addresses)) == 200
