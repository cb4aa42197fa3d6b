"""The park's pages for API clients (issue 15, item 9): park administrators list, create (the key
shown once, in the answer to the POST, never stored), edit, rotate and revoke; everyone else is
refused; bad input is a form error and writes nothing."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts import services
from apps.accounts.models import ApiClient
from apps.accounts.roles import Role
from apps.accounts.selectors import usage_key
from apps.audit.models import AuditEvent
from apps.core.models import Area
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

LIST = reverse("accounts:api_client_list")
CREATE = reverse("accounts:api_client_create")
KEY = re.compile(r"hp_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}")


def detail(api):
    return reverse("accounts:api_client_detail", args=[api.pk])


def make(name="区人社局系统", scopes=("organisations:read",), **kwargs):
    with transaction.atomic():
        return services.create_api_client(name=name, scopes=list(scopes), **kwargs)


@pytest.fixture
def admin_client(client, park_admin):
    client.force_login(park_admin)
    return client


def test_the_list_shows_status_expiry_last_use_and_counts(admin_client):
    active, _ = make("甲系统", scopes=["contracts:read", "enterprises:read"])
    revoked, _ = make("乙系统")
    ApiClient.objects.filter(pk=revoked.pk).update(is_active=False)
    cache.set(usage_key(active.pk, timezone.localdate()), 12)
    cache.set(usage_key(active.pk, timezone.localdate() - dt.timedelta(days=2)), 30)
    response = admin_client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "甲系统" in page and "乙系统" in page and "contracts:read" in page
    rows = {row["client"].name: row for row in response.context["rows"]}
    assert rows["甲系统"]["status"] == "active" and rows["乙系统"]["status"] == "revoked"
    assert rows["甲系统"]["counts"] == {"today": 12, "week": 42}
    assert reverse("accounts:api_client_list") in page  # in the navigation


def test_the_list_reads_a_page_in_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    for n in range(6):
        make(f"系统{n}")
    with django_assert_max_num_queries(12):
        assert admin_client.get(LIST).status_code == 200


def test_create_shows_the_key_once_and_never_again(admin_client, park_admin):
    area = Area.objects.create(name="柳东新区", code="450271", kind=Area.Kind.DISTRICT)
    response = admin_client.post(
        CREATE,
        {
            "name": "区人社局系统",
            "scopes": ["organisations:read", "mediation:write"],
            "area": str(area.pk),
            "valid_until": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = KEY.search(response.content.decode()).group(0)
    api = ApiClient.objects.get(name="区人社局系统")
    assert services.authenticate_api_key(key) == api
    assert api.scopes == ["mediation:write", "organisations:read"] and api.area == area
    assert timezone.localtime(api.expires_at).date() == timezone.localdate() + dt.timedelta(days=91)
    assert api.created_by == park_admin
    # Not in the session, nor on any later page.
    assert key not in str(dict(admin_client.session))
    for url in (LIST, detail(api), reverse("accounts:api_client_edit", args=[api.pk])):
        assert key not in admin_client.get(url).content.decode()
    assert AuditEvent.objects.filter(action="accounts.create_api_client", object_id=str(api.pk)).exists()


def test_the_scopes_are_checkboxes_with_their_labels(admin_client):
    page = admin_client.get(CREATE).content.decode()
    assert page.count('type="checkbox" name="scopes"') >= 15
    assert 'value="audit:read"' in page and 'value="personal_data:read"' in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "scopes": ["organisations:read"]}, "name"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": ["nope:read"]}, "scopes"),
        ({"name": "x", "scopes": ["organisations:read"], "valid_until": "2020-01-01"}, "valid_until"),
        ({"name": "x", "scopes": ["organisations:read"], "valid_until": "not a date"}, "valid_until"),
        ({"name": "x", "scopes": ["organisations:read"], "area": "not-an-id"}, "area"),
        ({"name": "x" * 101, "scopes": ["organisations:read"]}, "name"),
    ],
)
def test_bad_input_is_a_form_error_and_creates_nothing(admin_client, data, field):
    response = admin_client.post(CREATE, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not KEY.search(response.content.decode())
    assert not ApiClient.objects.exists()


def test_audit_read_with_an_area_is_a_form_error(admin_client):
    area = Area.objects.create(name="柳东新区", code="450271", kind=Area.Kind.DISTRICT)
    response = admin_client.post(CREATE, {"name": "x", "scopes": ["audit:read"], "area": str(area.pk)})
    assert "scopes" in response.context["form"].errors
    assert not ApiClient.objects.exists()


def test_a_duplicate_name_is_a_form_error(admin_client):
    make("区人社局系统")
    response = admin_client.post(CREATE, {"name": "区人社局系统", "scopes": ["organisations:read"]})
    assert "name" in response.context["form"].errors
    assert ApiClient.objects.count() == 1


def test_detail_rotate_shows_the_new_key_once_and_the_grace(admin_client, client):
    api, old = make()
    page = admin_client.get(detail(api))
    assert page.status_code == 200
    assert old not in page.content.decode()
    response = admin_client.post(
        reverse("accounts:api_client_rotate", args=[api.pk]),
        {"grace_hours": "2", "key_prefix": api.key_prefix},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    new = KEY.search(response.content.decode()).group(0)
    assert new != old
    assert services.authenticate_api_key(new) == api
    assert services.authenticate_api_key(old) == api  # in its grace period
    api.refresh_from_db()
    assert 1.9 < (api.previous_key_valid_until - timezone.now()).total_seconds() / 3600 <= 2
    after = admin_client.get(detail(api)).content.decode()
    assert new not in after and 'data-testid="previous-key"' in after
    # The same form sent again (a reload) does not rotate a second time.
    again = admin_client.post(
        reverse("accounts:api_client_rotate", args=[api.pk]), {"grace_hours": "2", "key_prefix": old[3:11]}
    )
    assert not KEY.search(again.content.decode())
    assert services.authenticate_api_key(new) == api


@pytest.mark.parametrize("hours", ["-1", "1000", "x", ""])
def test_a_bad_grace_period_is_a_form_error(admin_client, hours):
    api, old = make()
    response = admin_client.post(
        reverse("accounts:api_client_rotate", args=[api.pk]),
        {"grace_hours": hours, "key_prefix": api.key_prefix},
    )
    assert response.status_code == 200
    assert "grace_hours" in response.context["rotate_form"].errors
    api.refresh_from_db()
    assert services.authenticate_api_key(old) == api and not api.previous_key_hash


def test_revoke_needs_a_reason_then_refuses_the_key(admin_client, client, park_admin):
    api, key = make()
    url = reverse("accounts:api_client_revoke", args=[api.pk])
    response = admin_client.post(url, {"reason": ""})
    assert "reason" in response.context["revoke_form"].errors
    assert ApiClient.objects.get(pk=api.pk).is_active
    response = admin_client.post(url, {"reason": "系统下线"})
    assert response.status_code == 302
    api.refresh_from_db()
    assert not api.is_active and api.revoked_by == park_admin and api.revoked_reason == "系统下线"
    page = admin_client.get(detail(api)).content.decode()
    assert "系统下线" in page and 'data-testid="api-client-rotate"' not in page
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401 and response.json()["error"]["code"] == "key_revoked"


def test_edit_changes_scopes_area_and_expiry(admin_client):
    api, _key = make()
    area = Area.objects.create(name="雒容镇", code="450221101", kind=Area.Kind.TOWN)
    url = reverse("accounts:api_client_edit", args=[api.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and 'value="organisations:read" id' in page.content.decode()
    day = timezone.localdate() + dt.timedelta(days=10)
    response = admin_client.post(
        url, {"scopes": ["contracts:read"], "area": str(area.pk), "valid_until": day.isoformat()}
    )
    assert response.status_code == 302
    api.refresh_from_db()
    assert api.scopes == ["contracts:read"] and api.area == area
    assert timezone.localtime(api.expires_at).date() == day + dt.timedelta(days=1)
    # Saving again without touching the date keeps the exact expiry.
    before = api.expires_at
    admin_client.post(
        url, {"scopes": ["contracts:read"], "area": str(area.pk), "valid_until": day.isoformat()}
    )
    api.refresh_from_db()
    assert api.expires_at == before


def test_edit_refuses_bad_input(admin_client):
    api, _key = make()
    url = reverse("accounts:api_client_edit", args=[api.pk])
    response = admin_client.post(url, {"scopes": [], "valid_until": "2020-01-01"})
    assert {"scopes", "valid_until"} <= set(response.context["form"].errors)
    api.refresh_from_db()
    assert api.scopes == ["organisations:read"]


def test_the_webhooks_link_appears_only_when_that_page_exists(admin_client):
    api, _key = make()
    page = admin_client.get(detail(api)).content.decode()
    try:
        url = reverse("webhooks:client_subscriptions", kwargs={"client_id": api.pk})
    except Exception:  # noqa: BLE001 - the webhooks app is not installed yet
        assert 'data-testid="api-client-webhooks"' not in page
    else:
        assert url in page


@pytest.mark.parametrize("role", [Role.ENTERPRISE_HR, Role.UNION_OFFICIAL, Role.MEDIATOR, Role.INSPECTOR])
def test_other_roles_are_refused_every_page(client, role):
    api, key = make()
    client.force_login(user_with_role(role))
    for url in (LIST, CREATE, detail(api), reverse("accounts:api_client_edit", args=[api.pk])):
        assert client.get(url).status_code == 403, url
    for name, data in (("api_client_rotate", {"grace_hours": "0"}), ("api_client_revoke", {"reason": "x"})):
        assert client.post(reverse(f"accounts:{name}", args=[api.pk]), data).status_code == 403
    assert client.post(CREATE, {"name": "y", "scopes": ["organisations:read"]}).status_code == 403
    assert ApiClient.objects.count() == 1 and services.authenticate_api_key(key) == api


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_an_unknown_client_is_404(admin_client):
    import uuid

    assert admin_client.get(reverse("accounts:api_client_detail", args=[uuid.uuid4()])).status_code == 404
