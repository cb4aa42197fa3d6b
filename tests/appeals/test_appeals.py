"""Enterprise appeals: deadlines per kind (working days over a holiday), the workflow's rules and
refusals, the overdue job, scoping, the API and bad input."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.appeals import rules, selectors, services
from apps.appeals.models import Appeal, AppealDeadline, Kind
from apps.audit.models import AuditEvent
from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.core.principal import SYSTEM
from apps.notifications.models import Notification
from tests.factories import user_with_role

from .conftest import p

pytestmark = pytest.mark.django_db


# Deadlines -----------------------------------------------------------------------------------------


def test_default_deadlines_per_kind_from_the_data_migration():
    rows = selectors.policies()
    day = dt.date(2024, 3, 4)  # a Monday, no holiday near
    assert rules.period_for(rows, Kind.DISPUTE, day).deadline.days == 3
    assert rules.period_for(rows, Kind.TRAINING, day).deadline.days == 10
    assert rules.due_date(rows, Kind.HIRING, day)[0] == dt.date(2024, 3, 11)  # 5 working days


def test_deadline_counts_working_days_over_national_day():
    rows = selectors.policies()
    # Filed Fri 2024-09-27; 2024-09-29 (Sun) and 10-12 (Sat) are make-up working days, 10-01..07 off.
    due, _period = rules.due_date(rows, Kind.HIRING, dt.date(2024, 9, 27))
    # Working days: 9-29 (make-up Sunday), 9-30, 10-08, 10-09, 10-10; a weekday count would say 10-04.
    assert due == dt.date(2024, 10, 10)


def test_deadline_policy_from_a_date_applies_to_appeals_filed_after_it():
    AppealDeadline.objects.create(
        kind=Kind.HIRING, effective_from=dt.date(2025, 1, 1), working_days=2, source="新规"
    )
    rows = selectors.policies()
    assert rules.period_for(rows, Kind.HIRING, dt.date(2024, 12, 31)).deadline.days == 5
    period = rules.period_for(rows, Kind.HIRING, dt.date(2025, 3, 3))
    assert (period.deadline.days, period.deadline.source) == (2, "新规")


def test_filing_sets_the_due_date_and_notifies_the_park(file, park_admin):
    appeal = file(kind=Kind.DISPUTE, today=dt.date(2024, 3, 4))
    assert appeal.status == "submitted" and appeal.due_on == dt.date(2024, 3, 7) and appeal.due_days == 3
    assert appeal.reference.startswith("SQ2024")
    assert Notification.objects.filter(recipient=park_admin).count() == 1
    assert appeal.history.get().action == "submit"
    assert AuditEvent.objects.filter(action="appeals.submit").exists()


# Workflow ------------------------------------------------------------------------------------------


def test_route_answer_rate_with_history_audit_and_notifications(file, park_admin, ent_hr_a, department):
    appeal = file()
    admin = p(park_admin)
    assert selectors.available_actions(appeal, admin) == ["route"]
    assert selectors.available_actions(appeal, p(ent_hr_a)) == []
    appeal = services.route(admin, appeal, department=department.pk)
    assert appeal.status == "routed" and appeal.department == department
    appeal = services.answer(admin, appeal, text="已对接劳务基地。")
    assert appeal.status == "answered" and appeal.answered_by == park_admin
    assert Notification.objects.filter(recipient=ent_hr_a).count() == 1
    assert selectors.available_actions(appeal, p(ent_hr_a)) == ["rate"]
    appeal = services.rate(p(ent_hr_a), appeal, satisfaction="satisfied")
    assert appeal.status == "closed" and appeal.rated_on
    assert [h.action for h in selectors.history(appeal)] == ["submit", "route", "answer", "rate"]
    assert AuditEvent.objects.filter(action="appeals.rate").exists()
    # A satisfied appeal is not reopened.
    with translation.override("en"), pytest.raises(InvalidTransition, match="not satisfied"):
        services.reopen(admin, appeal, reason="再看看")


def test_refusals_with_reasons(file, park_admin, ent_hr_a, department):
    appeal = file()
    admin, hr = p(park_admin), p(ent_hr_a)
    with pytest.raises(InvalidTransition):  # not routed yet
        services.answer(admin, appeal, text="x")
    with pytest.raises(NotAllowed):  # HR do not route
        services.route(hr, appeal, department=department.pk)
    with pytest.raises(DomainError) as exc:
        services.route(admin, appeal, department=None)
    assert exc.value.fields.get("department")
    department.is_active = False
    department.save()
    with pytest.raises(DomainError):
        services.route(admin, appeal, department=department.pk)
    department.is_active = True
    department.save()
    appeal = services.route(admin, appeal, department=department)
    with pytest.raises(DomainError) as exc:
        services.route(admin, appeal, department=department)  # reroute to the same
    assert "already" in str(exc.value) or exc.value.fields.get("department")
    with pytest.raises(DomainError) as exc:
        services.answer(admin, appeal, text="   ")
    assert exc.value.fields.get("answer")
    with pytest.raises(DomainError):
        services.answer(admin, appeal, text="x", answered_on=appeal.submitted_on - dt.timedelta(days=1))
    appeal = services.answer(admin, appeal, text="答复")
    with pytest.raises(NotAllowed):  # the park does not rate for the enterprise
        services.rate(admin, appeal, satisfaction="satisfied")
    with pytest.raises(DomainError) as exc:
        services.rate(hr, appeal, satisfaction="not_satisfied", comment="")
    assert exc.value.fields.get("comment")
    with pytest.raises(DomainError):
        services.rate(hr, appeal, satisfaction="great")


def test_unsatisfied_appeal_reopened_once(file, park_admin, ent_hr_a, department):
    admin, hr = p(park_admin), p(ent_hr_a)
    appeal = services.route(admin, file(), department=department)
    appeal = services.answer(admin, appeal, text="第一次答复")
    appeal = services.rate(hr, appeal, satisfaction="not_satisfied", comment="未解决")
    assert "reopen" in selectors.available_actions(appeal, admin)
    assert selectors.available_actions(appeal, hr) == []
    with pytest.raises(DomainError) as exc:
        services.reopen(admin, appeal, reason="")
    assert exc.value.fields.get("reason")
    appeal = services.reopen(admin, appeal, reason="企业不满意，重新办理")
    assert appeal.status == "routed" and appeal.reopened and appeal.satisfaction == ""
    assert (
        appeal.first_answer["answer"] == "第一次答复"
        and appeal.first_answer["satisfaction"] == "not_satisfied"
    )
    appeal = services.answer(admin, appeal, text="第二次答复")
    appeal = services.rate(hr, appeal, satisfaction="not_satisfied", comment="仍未解决")
    assert "reopen" not in selectors.available_actions(appeal, admin)
    with translation.override("en"), pytest.raises(InvalidTransition, match="already"):
        services.reopen(admin, appeal, reason="再次")


def test_only_own_enterprise_and_hr_file(ent_b, ent_hr_a, park_admin):
    base = {
        "kind": "policy",
        "subject": "s",
        "text": "t",
        "contact_name": "王",
        "contact_phone": "13877201234",
    }
    with pytest.raises(DomainError) as exc:
        services.file_appeal(p(ent_hr_a), enterprise=ent_b, **base)
    assert exc.value.fields.get("enterprise")
    with pytest.raises(NotAllowed):
        services.file_appeal(p(park_admin), enterprise=ent_b, **base)


def test_bad_input_on_filing(file):
    with pytest.raises(DomainError) as exc:
        file(subject="")
    assert exc.value.fields.get("subject")
    with pytest.raises(DomainError) as exc:
        file(contact_phone="call me")
    assert exc.value.fields.get("contact_phone")
    with pytest.raises(DomainError) as exc:
        file(kind="bribe")
    assert exc.value.fields.get("kind")
    with pytest.raises(DomainError) as exc:
        file(attachment=SimpleUploadedFile("x.pdf", b"MZ not a pdf at all", content_type="application/pdf"))
    assert exc.value.fields.get("attachment")
    assert not Appeal.objects.exists()


def test_attachment_checked_by_content(file):
    pdf = SimpleUploadedFile("a.exe", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", content_type="x")
    appeal = file(attachment=pdf)
    assert appeal.attachment_type == "application/pdf" and appeal.attachment.name.endswith(".pdf")


# Overdue job ---------------------------------------------------------------------------------------


def test_overdue_job_notifies_once(file, park_admin, department):
    late = file(kind=Kind.DISPUTE, today=dt.date(2024, 3, 4))  # due 2024-03-07
    on_time = file(kind=Kind.TRAINING, today=dt.date(2024, 3, 4))  # due 2024-03-18
    Notification.objects.all().delete()
    result = services.flag_overdue(dt.date(2024, 3, 8))
    assert result == {"overdue": 1, "flagged": 1}
    assert Notification.objects.filter(recipient=park_admin).count() == 1
    assert services.flag_overdue(dt.date(2024, 3, 9))["flagged"] == 0
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.overdue_notified_on == dt.date(2024, 3, 8) and on_time.overdue_notified_on is None
    from apps.appeals.tasks import daily

    assert "flagged" in daily()


def test_celery_beat_schedules_the_daily_job():
    from config.celery import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["appeals-daily"]["task"] == "appeals.daily"


# Scoping -------------------------------------------------------------------------------------------


def test_scoping_hr_own_only_others_none(file, park_admin, ent_hr_a, ent_hr_b):
    appeal = file()
    assert list(Appeal.objects.visible_to(p(ent_hr_a))) == [appeal]
    assert not Appeal.objects.visible_to(p(ent_hr_b)).exists()
    assert Appeal.objects.visible_to(p(park_admin)).count() == 1
    for role in (Role.UNION_OFFICIAL, Role.MEDIATOR, Role.INSPECTOR):
        assert not Appeal.objects.visible_to(p(user_with_role(role))).exists()
    assert Appeal.objects.visible_to(SYSTEM).count() == 1


def test_pages_scoping_and_flow(client, file, park_admin, ent_hr_a, ent_hr_b, department):
    appeal = file()
    client.force_login(ent_hr_b)
    assert client.get(reverse("appeals:detail", args=[appeal.pk])).status_code == 404
    other = client.get(reverse("appeals:list"))
    assert other.status_code == 200 and appeal.reference not in other.content.decode()
    # Opened from the menu (no parameters), the list shows the enterprise's own appeals.
    client.force_login(ent_hr_a)
    own = client.get(reverse("appeals:list"))
    assert own.status_code == 200 and appeal.reference in own.content.decode()
    client.force_login(user_with_role(Role.UNION_OFFICIAL))
    assert client.get(reverse("appeals:list")).status_code == 403
    client.force_login(park_admin)
    page = client.get(reverse("appeals:list"), {"kind": "hiring", "overdue": "false", "status": "submitted"})
    assert page.status_code == 200 and appeal.reference in page.content.decode()
    r = client.post(
        reverse("appeals:action", args=[appeal.pk, "route"]), {"route-department": str(department.pk)}
    )
    assert r.status_code == 302
    r = client.post(reverse("appeals:action", args=[appeal.pk, "answer"]), {"answer-answer": ""})
    assert r.status_code == 400  # the form comes back with its error
    r = client.post(reverse("appeals:action", args=[appeal.pk, "answer"]), {"answer-answer": "已答复"})
    assert r.status_code == 302
    assert client.get(reverse("appeals:figures")).status_code == 200
    client.force_login(ent_hr_a)
    r = client.post(reverse("appeals:action", args=[appeal.pk, "rate"]), {"rate-satisfaction": "basically"})
    assert r.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "closed" and appeal.satisfaction == "basically"


def test_hr_files_on_the_page(client, ent_a, ent_hr_a):
    client.force_login(ent_hr_a)
    assert client.get(reverse("appeals:file")).status_code == 200
    r = client.post(
        reverse("appeals:file"),
        {
            "enterprise": str(ent_a.pk),
            "kind": "training",
            "subject": "电工培训",
            "text": "需要组织培训",
            "contact_name": "李强",
            "contact_phone": "bad",
        },
    )
    assert r.status_code == 200 and "电工培训" in r.content.decode()  # input kept, error shown
    r = client.post(
        reverse("appeals:file"),
        {
            "enterprise": str(ent_a.pk),
            "kind": "training",
            "subject": "电工培训",
            "text": "需要组织培训",
            "contact_name": "李强",
            "contact_phone": "13877205678",
        },
    )
    assert r.status_code == 302 and Appeal.objects.get().kind == "training"


# Figures, union figures, dossier -------------------------------------------------------------------


def test_figures_by_kind_department_and_time(file, park_admin, ent_hr_a, department):
    admin = p(park_admin)
    a = services.route(admin, file(kind=Kind.HIRING), department=department)
    services.answer(admin, a, text="ok")
    data = selectors.figures(admin, a.submitted_on.year)
    assert data["total"]["answered"] == 1 and data["total"]["on_time_share"] == 100.0
    assert (
        data["by_kind"][0]["kind"] == "hiring" and data["by_department"][0]["department"] == department.name
    )
    blocks = selectors.union_figures(admin, a.submitted_on.year)
    assert blocks[0]["key"] == "appeals" and blocks[0]["rows"][-1]["answered"] == 1
    assert selectors.union_figures(p(user_with_role(Role.UNION_OFFICIAL)), a.submitted_on.year) == []


def test_dossier_section_visible_to_park_and_own_hr_hidden_for_others(file, ent_a, park_admin, ent_hr_a):
    file()
    for user in (park_admin, ent_hr_a):
        (section,) = selectors.dossier_sections(p(user), ent_a)
        assert not section.get("hidden") and len(section["context"]["appeals"]) == 1
    for role in (Role.UNION_OFFICIAL, Role.MEDIATOR, Role.INSPECTOR):
        (section,) = selectors.dossier_sections(p(user_with_role(role)), ent_a)
        assert section["hidden"]


# API -----------------------------------------------------------------------------------------------


def _api(api_client_factory, scopes):
    _client, key = api_client_factory(name="-".join(scopes), scopes=scopes)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api


def test_api_read_route_answer_and_refusals(api_client_factory, file, department):
    appeal = file()
    reader = _api(api_client_factory, ["appeals:read"])
    r = reader.get("/api/v1/appeals/", {"kind": "hiring"})
    assert r.status_code == 200 and r.json()["results"][0]["reference"] == appeal.reference
    assert reader.get("/api/v1/appeals/", {"kind": ""}).status_code == 400
    assert (
        reader.post(f"/api/v1/appeals/{appeal.pk}/route/", {"department": str(department.pk)}).status_code
        == 403
    )
    writer = _api(api_client_factory, ["appeals:read", "appeals:write"])
    r = writer.get(f"/api/v1/appeals/{appeal.pk}/")
    assert r.json()["available_actions"] == ["route"]
    assert writer.post(f"/api/v1/appeals/{appeal.pk}/route/", {}, format="json").status_code == 400
    r = writer.post(f"/api/v1/appeals/{appeal.pk}/route/", {"department": str(department.pk)}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "routed"
    r = writer.post(f"/api/v1/appeals/{appeal.pk}/answer/", {"answer": "答复"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "answered"
    assert (
        writer.post(
            f"/api/v1/appeals/{appeal.pk}/rate/", {"satisfaction": "satisfied"}, format="json"
        ).status_code
        == 403
    )
    assert (
        writer.post(f"/api/v1/appeals/{appeal.pk}/answer/", {"answer": "x"}, format="json").status_code == 409
    )
    body = {
        "enterprise": str(appeal.enterprise_id),
        "kind": "policy",
        "subject": "s",
        "text": "t",
        "contact_name": "王",
        "contact_phone": "13877201234",
    }
    assert writer.post("/api/v1/appeals/", body, format="json").status_code == 403
    assert len(writer.get(f"/api/v1/appeals/{appeal.pk}/timeline/").json()) == 3
    other = _api(api_client_factory, ["enterprises:read"])
    assert other.get("/api/v1/appeals/").status_code == 403


def test_api_session_hr_files_and_sees_only_own(file, ent_a, ent_b, ent_hr_a, ent_hr_b):
    appeal = file()
    api = APIClient()
    api.force_authenticate(ent_hr_b)
    assert api.get(f"/api/v1/appeals/{appeal.pk}/").status_code == 404
    assert api.get("/api/v1/appeals/").json()["results"] == []
    body = {
        "enterprise": str(ent_a.pk),
        "kind": "policy",
        "subject": "s",
        "text": "t",
        "contact_name": "王",
        "contact_phone": "13877201234",
    }
    r = api.post("/api/v1/appeals/", body, format="json")
    assert r.status_code == 400 and "enterprise" in str(r.json())
    r = api.post("/api/v1/appeals/", {**body, "enterprise": str(ent_b.pk)}, format="json")
    assert r.status_code == 201 and r.json()["status"] == "submitted"
    r = api.post("/api/v1/appeals/", {**body, "enterprise": str(ent_b.pk), "kind": "x"}, format="json")
    assert r.status_code == 400
