"""API client keys have a lifecycle (issue 15, item 9): expiry, rotation with a grace period,
revocation (who, when, why), last use written at most once a minute, requests counted per day in
the cache. Every change goes through a service and is audited, without the key or its digest."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from apps.accounts import services
from apps.accounts.models import ApiClient
from apps.accounts.roles import Role
from apps.accounts.selectors import request_counts
from apps.audit.models import AuditEvent
from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.core.models import Area
from apps.core.principal import SYSTEM, principal_for_user
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def admin_principal(park_admin):
    return principal_for_user(park_admin)


def make(name="district-system", scopes=("organisations:read",), **kwargs):
    with transaction.atomic():
        return services.create_api_client(name=name, scopes=list(scopes), **kwargs)


def refused(client, key):
    response = client.get(ME, **bearer(key))
    assert response.status_code == 401, response.content
    body = response.json()
    assert body["request_id"] == response["X-Request-ID"]
    return body["error"]["code"]


# --- Expiry -------------------------------------------------------------------------------------


def test_a_key_works_until_it_expires_then_answers_401_expired(client):
    api, key = make(expires_at=timezone.now() + dt.timedelta(hours=1))
    assert client.get(ME, **bearer(key)).status_code == 200
    assert client.get(ME, **bearer(key)).json()["expires_at"] is not None
    ApiClient.objects.filter(pk=api.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert refused(client, key) == "key_expired"


def test_an_expiry_in_the_past_is_refused_at_creation():
    with pytest.raises(DomainError) as info:
        make(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert "expires_at" in info.value.fields
    assert not ApiClient.objects.exists()


def test_expiry_from_a_date_is_the_end_of_that_day_in_park_time():
    moment = services.expiry_from_date(dt.date(2027, 6, 30))
    local = timezone.localtime(moment)
    assert (local.date(), local.hour, local.minute) == (dt.date(2027, 7, 1), 0, 0)


def test_the_command_takes_an_expiry_and_still_prints_the_key_once():
    out = io.StringIO()
    call_command(
        "create_api_client",
        "街道系统",
        "--scopes",
        "organisations:read",
        "--expires",
        "2099-12-31",
        stdout=out,
    )
    api = ApiClient.objects.get(name="街道系统")
    assert timezone.localtime(api.expires_at).date() == dt.date(2100, 1, 1)
    assert "expires at 2100-01-01 00:00" in out.getvalue()
    key = out.getvalue().strip().splitlines()[-1]
    assert services.authenticate_api_key(key) == api


@pytest.mark.parametrize("value", ["tomorrow", "2020-01-01"])
def test_the_command_refuses_a_bad_or_past_expiry(value):
    with pytest.raises(CommandError):
        call_command("create_api_client", "x", "--scopes", "organisations:read", "--expires", value)
    assert not ApiClient.objects.exists()


# --- Rotation -----------------------------------------------------------------------------------


def test_rotation_keeps_the_old_key_for_the_grace_period_then_only_the_new_one(client, admin_principal):
    api, old = make()
    api, new = services.rotate_api_client_key(admin_principal, api, grace_hours=24)
    assert new != old and new.startswith("hp_")
    assert client.get(ME, **bearer(old)).status_code == 200
    assert client.get(ME, **bearer(new)).status_code == 200
    # The grace period ends: the old key is refused with a reason, the new one still works.
    ApiClient.objects.filter(pk=api.pk).update(
        previous_key_valid_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert refused(client, old) == "key_replaced"
    assert client.get(ME, **bearer(new)).status_code == 200


def test_rotation_without_grace_stops_the_old_key_at_once(client, admin_principal):
    api, old = make()
    _api, new = services.rotate_api_client_key(admin_principal, api, grace_hours=0)
    assert refused(client, old) == "key_replaced"
    assert client.get(ME, **bearer(new)).status_code == 200


def test_a_second_rotation_ends_the_first_keys_grace(client, admin_principal):
    api, first = make()
    api, second = services.rotate_api_client_key(admin_principal, api)
    api, third = services.rotate_api_client_key(admin_principal, api)
    assert refused(client, first) == "invalid_key"  # no longer known at all
    assert client.get(ME, **bearer(second)).status_code == 200  # now the previous key, in its grace
    assert client.get(ME, **bearer(third)).status_code == 200


@pytest.mark.parametrize("hours", [-1, services.ROTATION_GRACE_MAX_HOURS + 1])
def test_a_grace_period_out_of_range_is_refused(admin_principal, hours):
    api, key = make()
    with pytest.raises(DomainError) as info:
        services.rotate_api_client_key(admin_principal, api, grace_hours=hours)
    assert "grace_hours" in info.value.fields
    api.refresh_from_db()
    assert services.authenticate_api_key(key) == api  # nothing changed


def test_a_resent_rotation_form_does_not_rotate_twice(admin_principal):
    api, _key = make()
    shown = api.key_prefix
    services.rotate_api_client_key(admin_principal, api, expected_prefix=shown)
    with pytest.raises(InvalidTransition):
        services.rotate_api_client_key(admin_principal, api, expected_prefix=shown)


def test_the_old_key_stops_when_the_client_expires_even_in_its_grace(client, admin_principal):
    api, old = make()
    api, _new = services.rotate_api_client_key(admin_principal, api, grace_hours=48)
    ApiClient.objects.filter(pk=api.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert refused(client, old) == "key_expired"


# --- Revocation ---------------------------------------------------------------------------------


def test_revocation_records_who_when_why_and_refuses_every_key(client, admin_principal, park_admin):
    api, old = make()
    api, new = services.rotate_api_client_key(admin_principal, api, grace_hours=24)
    services.revoke_api_client(admin_principal, api, reason="系统下线")
    api.refresh_from_db()
    assert not api.is_active
    assert api.revoked_by == park_admin
    assert api.revoked_reason == "系统下线"
    assert abs((timezone.now() - api.revoked_at).total_seconds()) < 60
    assert refused(client, new) == "key_revoked"
    assert refused(client, old) == "key_revoked"


def test_revocation_needs_a_reason_and_happens_once(admin_principal):
    api, _key = make()
    with pytest.raises(DomainError) as info:
        services.revoke_api_client(admin_principal, api, reason="  ")
    assert "reason" in info.value.fields
    services.revoke_api_client(admin_principal, api, reason="leak")
    with pytest.raises(InvalidTransition):
        services.revoke_api_client(admin_principal, api, reason="again")


def test_a_revoked_client_cannot_be_rotated_or_changed(admin_principal):
    api, _key = make()
    services.revoke_api_client(admin_principal, api, reason="leak")
    with pytest.raises(InvalidTransition):
        services.rotate_api_client_key(admin_principal, api)
    with pytest.raises(InvalidTransition):
        services.update_api_client(
            admin_principal, api, scopes=["organisations:read"], area=None, expires_at=None
        )


def test_a_wrong_key_with_a_known_prefix_says_nothing_about_the_client(client, admin_principal):
    api, key = make()
    services.revoke_api_client(admin_principal, api, reason="leak")
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert refused(client, forged) == "invalid_key"


@pytest.mark.parametrize("role", [Role.ENTERPRISE_HR, Role.UNION_OFFICIAL, Role.MEDIATOR, Role.INSPECTOR])
def test_only_park_administrators_manage_clients(role):
    principal = principal_for_user(user_with_role(role))
    api, _key = make()
    with pytest.raises(NotAllowed):
        services.create_api_client(name="other", scopes=["organisations:read"], principal=principal)
    with pytest.raises(NotAllowed):
        services.rotate_api_client_key(principal, api)
    with pytest.raises(NotAllowed):
        services.revoke_api_client(principal, api, reason="x")
    with pytest.raises(NotAllowed):
        services.update_api_client(principal, api, scopes=["organisations:read"], area=None, expires_at=None)


# --- Edits and their checks ---------------------------------------------------------------------


def test_edit_changes_scopes_area_and_expiry_and_is_audited(admin_principal):
    api, _key = make()
    area = Area.objects.create(name="柳东新区", code="450271", kind=Area.Kind.DISTRICT)
    until = timezone.now() + dt.timedelta(days=30)
    services.update_api_client(
        admin_principal, api, scopes=["contracts:read", "enterprises:read"], area=area, expires_at=until
    )
    api.refresh_from_db()
    assert api.scopes == ["contracts:read", "enterprises:read"]
    assert api.area == area and api.expires_at == until
    event = AuditEvent.objects.get(action="accounts.update_api_client", object_id=str(api.pk))
    assert event.before["scopes"] == ["organisations:read"]
    assert event.after["area_id"] == str(area.pk)


@pytest.mark.parametrize(
    ("scopes", "field"), [([], "scopes"), (["nope:read"], "scopes"), (["audit:read"], "scopes")]
)
def test_bad_scopes_are_refused_with_the_field(scopes, field):
    area = Area.objects.create(name="柳东新区", code="450271", kind=Area.Kind.DISTRICT)
    with pytest.raises(DomainError) as info:
        make(scopes=scopes, area=area)
    assert field in info.value.fields
    assert not ApiClient.objects.exists()


def test_audit_read_without_an_area_is_allowed():
    api, _key = make(scopes=["audit:read"])
    assert api.scopes == ["audit:read"]


def test_no_key_nor_digest_in_the_audit_trail(admin_principal):
    api, key = make()
    api, new = services.rotate_api_client_key(admin_principal, api)
    services.revoke_api_client(admin_principal, api, reason="leak")
    api.refresh_from_db()
    events = AuditEvent.objects.filter(object_id=str(api.pk))
    assert {e.action for e in events} >= {
        "accounts.create_api_client",
        "accounts.rotate_api_client_key",
        "accounts.revoke_api_client",
    }
    for event in events:
        text = str(event.before) + str(event.after)
        for secret in (key, new, api.key_hash, api.previous_key_hash):
            assert secret not in text


# --- Last use and request counts ----------------------------------------------------------------


def test_requests_are_counted_per_day_without_a_database_write_each(client, django_assert_max_num_queries):
    api, key = make()
    client.get(ME, **bearer(key))  # the first call stamps the last use
    first_use = ApiClient.objects.get(pk=api.pk).last_used_at
    assert first_use is not None
    for _ in range(4):
        with django_assert_max_num_queries(3):  # the key's look-up; no UPDATE for bookkeeping
            assert client.get(ME, **bearer(key)).status_code == 200
    assert ApiClient.objects.get(pk=api.pk).last_used_at == first_use  # within the minute: not rewritten
    assert request_counts([api.pk])[api.pk] == {"today": 5, "week": 5}


def test_last_use_is_written_again_after_a_minute(client):
    api, key = make()
    client.get(ME, **bearer(key))
    earlier = timezone.now() - dt.timedelta(minutes=5)
    ApiClient.objects.filter(pk=api.pk).update(last_used_at=earlier)
    from django.core.cache import cache

    cache.delete(f"api-client-last-use:{api.pk}")  # the minute has passed
    client.get(ME, **bearer(key))
    assert ApiClient.objects.get(pk=api.pk).last_used_at > earlier


def test_seven_day_counts_add_the_days_and_forget_older_ones():
    from django.core.cache import cache

    from apps.accounts.selectors import usage_key

    api, _key = make()
    today = timezone.localdate()
    cache.set(usage_key(api.pk, today), 3)
    cache.set(usage_key(api.pk, today - dt.timedelta(days=6)), 4)
    cache.set(usage_key(api.pk, today - dt.timedelta(days=7)), 100)  # outside the window
    assert request_counts([api.pk], today)[api.pk] == {"today": 3, "week": 7}


def test_refused_keys_are_not_counted(client, admin_principal):
    api, key = make()
    services.revoke_api_client(admin_principal, api, reason="leak")
    client.get(ME, **bearer(key))
    assert request_counts([api.pk])[api.pk]["today"] == 0


def test_the_system_principal_may_manage_clients():
    api, _key = make()
    with transaction.atomic():
        services.revoke_api_client(SYSTEM, api, reason="cleanup")
    api.refresh_from_db()
    assert not api.is_active and api.revoked_by is None
