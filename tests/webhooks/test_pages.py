"""The park's webhook pages: an API client's subscriptions (create, edit, disable, enable, a new
secret), the delivery log and the replay buttons. Park administrators only; bad input is a form
error, never a 500 or a partial write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.webhooks import services
from apps.webhooks.models import Delivery, Subscription
from tests.factories import EnterpriseFactory, user_with_role

from .conftest import change_enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client(make_client):
    return make_client(name="区人社局系统", scopes=["enterprises:read", "mediation:read"])


@pytest.fixture
def admin_client(client, park_admin):
    client.force_login(park_admin)
    return client


def page_url(api_client):
    return reverse("webhooks:client_subscriptions", kwargs={"client_id": api_client.pk})


def create(admin_client, api_client, **data):
    payload = {"url": "https://hr.district.gov.cn/hooks", "event_types": ["*"], "description": "区平台"}
    payload.update(data)
    return admin_client.post(
        reverse("webhooks:subscription_create", kwargs={"client_id": api_client.pk}), payload
    )


def test_a_park_administrator_creates_a_subscription_and_sees_its_secret_once(admin_client, api_client):
    response = create(admin_client, api_client, event_types=["enterprises.enterprise", "mediation.case"])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    subscription = Subscription.objects.get()
    secret = response.context["secret"]
    assert secret.startswith("whsec_") and secret in response.content.decode()
    assert subscription.secret == secret  # stored encrypted (EncryptedCharField), shown only here
    assert subscription.event_types == ["enterprises.enterprise", "mediation.case"]
    assert AuditEvent.objects.filter(action="webhooks.create_subscription").exists()
    assert secret not in str(AuditEvent.objects.values_list("after", flat=True)[0])
    page = admin_client.get(page_url(api_client))
    assert page.status_code == 200
    assert "https://hr.district.gov.cn/hooks" in page.content.decode()
    assert secret not in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"url": "ftp://hr.district.gov.cn/hooks"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": ""}, "url"),
        ({"url": "https://user:pass@hr.district.gov.cn/hooks"}, "url"),
        ({"event_types": []}, "event_types"),
        ({"event_types": ["contracts.labourcontract"]}, "event_types"),  # the client's scopes do not allow it
        ({"event_types": ["nonsense"]}, "event_types"),
    ],
)
def test_bad_input_is_a_form_error_and_writes_nothing(admin_client, api_client, data, field):
    response = create(admin_client, api_client, **data)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Subscription.objects.exists()


def test_plain_http_is_refused_unless_the_setting_allows_it(admin_client, api_client, settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    response = create(admin_client, api_client, url="http://hr.district.gov.cn/hooks")
    assert "url" in response.context["form"].errors
    settings.WEBHOOK_ALLOW_HTTP = True
    create(admin_client, api_client, url="http://hr.district.gov.cn/hooks")
    assert Subscription.objects.count() == 1


def test_edit_disable_enable_and_a_new_secret(admin_client, api_client, subscribe):
    subscription = subscribe(api_client, url="https://a.example.cn/hooks")
    edit = reverse("webhooks:subscription_edit", kwargs={"pk": subscription.pk})
    assert admin_client.get(edit).status_code == 200
    response = admin_client.post(
        edit, {"url": "https://b.example.cn/hooks", "event_types": ["mediation.case"]}
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.url, subscription.event_types) == ("https://b.example.cn/hooks", ["mediation.case"])
    response = admin_client.post(edit, {"url": "gopher://x", "event_types": ["mediation.case"]})
    assert "url" in response.context["form"].errors
    admin_client.post(
        reverse("webhooks:subscription_disable", kwargs={"pk": subscription.pk}), {"reason": "系统维护"}
    )
    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.disabled_reason == "系统维护"
    admin_client.post(reverse("webhooks:subscription_enable", kwargs={"pk": subscription.pk}))
    subscription.refresh_from_db()
    assert subscription.is_active
    old = subscription.secret
    response = admin_client.post(
        reverse("webhooks:subscription_rotate_secret", kwargs={"pk": subscription.pk})
    )
    subscription.refresh_from_db()
    assert subscription.secret != old and response.context["secret"] == subscription.secret


def test_the_delivery_log_newest_first_paginated_with_replay_buttons(admin_client, api_client, subscribe):
    subscription = subscribe(api_client, url="http://127.0.0.1:9/never")
    for n in range(55):
        change_enterprise(EnterpriseFactory(), employees=300 + n)
    services.publish_events()
    Delivery.objects.filter(id__lte=Delivery.objects.order_by("id")[3].id).update(
        status=Delivery.Status.FAILED, last_error="expired"
    )
    page = admin_client.get(page_url(api_client))
    assert page.status_code == 200
    rows = list(page.context["page"])
    assert len(rows) == 50
    assert [d.pk for d in rows] == sorted((d.pk for d in rows), reverse=True)  # newest first
    assert page.context["page"].has_next
    older = admin_client.get(page_url(api_client), {"after": page.context["page"].next_cursor})
    assert len(list(older.context["page"])) == 5
    failed = admin_client.get(page_url(api_client), {"status": "failed", "subscription": subscription.pk})
    failed_rows = list(failed.context["page"])
    assert len(failed_rows) == 4 and all(d.replayable for d in failed_rows)
    assert reverse("webhooks:delivery_replay", kwargs={"pk": failed_rows[0].pk}) in failed.content.decode()
    # Replay one, then a range.
    admin_client.post(reverse("webhooks:delivery_replay", kwargs={"pk": failed_rows[0].pk}))
    assert Delivery.objects.get(pk=failed_rows[0].pk).status == Delivery.Status.PENDING
    now = timezone.localtime()
    response = admin_client.post(
        reverse("webhooks:subscription_replay", kwargs={"pk": subscription.pk}),
        {
            "since": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "until": (now + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    assert not Delivery.objects.filter(status=Delivery.Status.FAILED).exists()


def test_a_bad_replay_range_is_refused_without_writing(admin_client, api_client, subscribe):
    subscription = subscribe(api_client, url="https://a.example.cn/hooks")
    url = reverse("webhooks:subscription_replay", kwargs={"pk": subscription.pk})
    for data in ({"since": "x", "until": ""}, {"since": "2026-05-02T10:00", "until": "2026-05-01T10:00"}):
        response = admin_client.post(url, data, follow=True)
        assert response.status_code == 200
        levels = {m.level_tag for m in response.context["messages"]}
        assert levels == {"error"}
    assert not AuditEvent.objects.filter(action="webhooks.replay_range").exists()


@pytest.mark.parametrize("role", [Role.ENTERPRISE_HR, Role.UNION_OFFICIAL, Role.MEDIATOR, Role.INSPECTOR])
def test_only_park_administrators(client, api_client, subscribe, role):
    subscription = subscribe(api_client, url="https://a.example.cn/hooks")
    client.force_login(user_with_role(role))
    assert client.get(page_url(api_client)).status_code == 403
    assert create(client, api_client).status_code == 403
    for name in ("subscription_disable", "subscription_rotate_secret", "subscription_enable"):
        assert client.post(reverse(f"webhooks:{name}", kwargs={"pk": subscription.pk})).status_code == 403
    subscription.refresh_from_db()
    assert subscription.is_active and Subscription.objects.count() == 1
    client.logout()
    assert client.get(page_url(api_client)).status_code == 302  # to the login page


def test_the_service_refuses_anyone_but_a_park_administrator(api_client):
    from apps.core.errors import NotAllowed
    from apps.core.principal import principal_for_user

    with pytest.raises(NotAllowed):
        services.create_subscription(
            principal_for_user(user_with_role(Role.INSPECTOR)),
            api_client,
            url="https://a.cn/",
            event_types=["*"],
        )


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("https://127.0.0.1/hook", True),
        ("https://localhost:8443/hook", True),
        ("https://[::1]/hook", True),
        ("https://169.254.169.254/latest/meta-data", True),  # a cloud's metadata address
        ("https://10.20.30.40/hook", False),  # an intranet address
        ("https://rsj.district.gov.cn/hook", False),
    ],
)
def test_a_receiver_on_this_machine_or_a_reserved_network_is_refused(settings, url, refused):
    from apps.webhooks.services import url_refusal

    settings.WEBHOOK_ALLOW_LOOPBACK = False
    assert (url_refusal(url) is not None) is refused
