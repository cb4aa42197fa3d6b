import pytest
from django.db import DatabaseError, connection, transaction

from apps.accounts import services as account_services
from apps.accounts.models import Organisation
from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.audit.models import AuditEvent
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _event(obj=None):
    with transaction.atomic():
        return audit.record("test.write", obj, before={"a": 1}, after={"a": 2})


def test_orm_update_and_delete_are_refused(enterprise_a):
    event = _event(enterprise_a)
    event.note = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.note == ""


def test_raw_sql_update_and_delete_are_refused_by_the_database(enterprise_a):
    event = _event(enterprise_a)
    for sql in (
        "UPDATE audit_auditevent SET note = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, note="").exists()


def test_events_survive_deletion_of_their_object():
    org = OrganisationFactory()
    pk = org.pk
    event = _event(org)
    org.delete()
    assert not Organisation.objects.filter(pk=pk).exists()
    assert AuditEvent.objects.filter(pk=event.pk, object_id=str(pk)).exists()


def test_events_survive_deletion_of_their_actor(enterprise_a):
    from apps.core.context import acting_as

    user = UserFactory()
    with acting_as(user.username, user=user):
        event = _event(enterprise_a)
    user.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_label == user.username


def test_audit_is_written_in_the_same_transaction_as_the_change(enterprise_a):
    user = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        account_services.add_membership(user=user, organisation=enterprise_a, role=Role.ENTERPRISE_HR)
        raise RuntimeError("the surrounding action failed")
    assert not user.memberships.exists()
    assert not AuditEvent.objects.filter(action="accounts.add_membership").exists()


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_a_programming_error():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit.record("test.write", None, after={"a": 1})


def test_service_write_records_actor_request_and_change(client, park_admin, enterprise_a):
    user = UserFactory()
    account_services.add_membership(user=user, organisation=enterprise_a, role=Role.ENTERPRISE_HR)
    event = AuditEvent.objects.get(action="accounts.add_membership")
    assert event.after["role"] == "enterprise_hr"
    assert event.actor_label == "system"


def test_membership_role_must_fit_the_organisation_kind(enterprise_a):
    from apps.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        account_services.add_membership(user=UserFactory(), organisation=enterprise_a, role=Role.MEDIATOR)
    assert exc.value.field == "role"


def test_api_write_is_attributed_to_the_client_with_request_id(client, api_client_factory):
    from django.test import RequestFactory

    from apps.accounts.authentication import ApiClientUser
    from apps.core.context import request_id_var, request_var

    api, _ = api_client_factory(name="街道系统")
    request = RequestFactory().get("/")
    request.user, request.auth = ApiClientUser(api), api
    t1, t2 = request_var.set(request), request_id_var.set("req-12345678")
    try:
        event = _event()
    finally:
        request_var.reset(t1)
        request_id_var.reset(t2)
    assert event.api_client_id == api.pk
    assert event.actor_label == "api:街道系统"
    assert event.request_id == "req-12345678"


def test_only_changed_fields_are_kept():
    with transaction.atomic():
        event = audit.record("x", None, before={"a": 1, "b": 2}, after={"a": 1, "b": 3})
    assert event.before == {"b": 2}
    assert event.after == {"b": 3}


def test_admin_views_history_per_object_and_hr_may_not(client, park_admin, hr_a, enterprise_a):
    _event(enterprise_a)
    url = f"/audit/accounts.organisation/{enterprise_a.pk}/"
    client.force_login(park_admin)
    page = client.get(url)
    assert page.status_code == 200
    assert "test.write" in page.content.decode()
    client.force_login(hr_a)
    assert client.get(url).status_code == 403
    assert client.get("/audit/").status_code == 403


def test_admin_site_is_read_only(client, enterprise_a):
    event = _event(enterprise_a)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_sensitive_view_is_recorded(hr_a):
    event = audit.record_sensitive_view(hr_a, "id_number", note="test")
    assert event.kind == AuditEvent.Kind.SENSITIVE_VIEW
    assert event.action == "view_full:id_number"


def test_admin_site_edits_are_audited(client, park_admin):
    from apps.core.models import CalendarOverride

    park_admin.is_staff = True
    park_admin.save()
    client.force_login(park_admin)
    response = client.post(
        "/admin/core/calendaroverride/add/", {"date": "2027-01-04", "is_working_day": "", "note": "元旦调休"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    override = CalendarOverride.objects.get(date="2027-01-04")
    event = AuditEvent.objects.get(action="admin.add:core.calendaroverride")
    assert event.object_id == str(override.pk)
    assert event.actor_id == park_admin.pk
    assert event.after["note"] == "元旦调休"
    response = client.post(f"/admin/core/calendaroverride/{override.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action="admin.delete:core.calendaroverride", object_id=str(override.pk)
    ).exists()
