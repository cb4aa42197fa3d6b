"""Scheduled jobs and what follows the proposal: the public notice and its objections, the daily
job that certifies when a notice ends, the certificate and its PDF, annual reports and lapsing,
revocation and veto events."""

import datetime as dt
import hashlib
import io

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone, translation
from pypdf import PdfReader

from apps.certification import selectors, services, tasks
from apps.certification.models import (
    AnnualReport,
    Application,
    Certificate,
    Objection,
    PublicNotice,
    Round,
)
from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.core.principal import SYSTEM, principal_for_api_client
from apps.documents.models import GeneratedDocument
from apps.notifications.models import Notification
from config.celery import BEAT_SCHEDULE

from .conftest import build, complete, level, p, review_all

pytestmark = pytest.mark.django_db

S = Application.Status
TODAY = timezone.localdate()
OBJECTION = "该企业去年存在拖欠加班工资的情况，请核实。"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def proposed(hr, enterprise, rnd, admin) -> Application:
    app = complete(build(hr, enterprise, rnd), hr)
    app = services.submit(p(hr), app)
    app = services.start_review(p(admin), app)
    return services.propose(p(admin), review_all(app, admin))


def end_notice(notice, *, ended_days_ago=1):
    PublicNotice.objects.filter(pk=notice.pk).update(
        starts_on=TODAY - dt.timedelta(days=10), ends_on=TODAY - dt.timedelta(days=ended_days_ago)
    )
    notice.refresh_from_db()
    return notice


@pytest.fixture
def noticed(ent_a_old, ent_hr_a, cert_round, cert_admin):
    """ent_a's application, proposed at level A and published in a notice running from today."""
    app = proposed(ent_hr_a, ent_a_old, cert_round, cert_admin)
    notice = services.publish_notice(p(cert_admin), round=cert_round, applications=[app])
    app.refresh_from_db()
    assert app.status == S.IN_NOTICE and app.notice == notice
    return app


def fresh(app) -> Application:
    return Application.objects.select_related("notice").get(pk=app.pk)


def pdf_text(data: bytes) -> str:
    # As in tests/documents/test_pdf.py: letter-spaced headings come out with spaces; drop them.
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(" ", "")


# ------------------------------------------------------------------------------ close_notices


def test_an_ended_notice_without_objection_certifies(noticed, cert_round, ent_a_old):
    notice = end_notice(noticed.notice)
    assert services.close_notices() == {"certified": 1, "rejected": 0, "waiting": 0}
    app = fresh(noticed)
    assert app.status == S.CERTIFIED
    row = app.history.get(action="certify")
    assert (row.from_status, row.to_status, row.actor, row.actor_label) == (
        S.IN_NOTICE,
        S.CERTIFIED,
        None,
        "system",
    )

    cert = Certificate.objects.get(application=app)
    assert cert.number == f"HX{cert_round.year}-A-0001"
    assert cert.enterprise == ent_a_old and cert.level.code == "A" and cert.round == cert_round
    assert cert.status == Certificate.Status.VALID
    assert cert.issued_on == TODAY
    assert cert.valid_until == TODAY + relativedelta(years=3) - dt.timedelta(days=1)
    assert cert.issuer == app.rule_set.issuer
    reports = list(cert.reports.order_by("year_no").values_list("year_no", "due_on"))
    assert reports == [
        (1, TODAY + relativedelta(years=1) + dt.timedelta(days=30)),
        (2, TODAY + relativedelta(years=2) + dt.timedelta(days=30)),
    ]
    notice.refresh_from_db()
    assert notice.closed_at is not None
    assert selectors.verify_certificate(cert.number).state == "valid"


def test_a_running_notice_is_left_alone(noticed):
    PublicNotice.objects.filter(pk=noticed.notice_id).update(ends_on=TODAY)
    assert services.close_notices() == {"certified": 0, "rejected": 0, "waiting": 0}
    assert fresh(noticed).status == S.IN_NOTICE
    assert fresh(noticed).notice.closed_at is None


def test_numbers_follow_each_other_in_a_round(noticed, ent_b, ent_hr_b, cert_round, cert_admin):
    ent_b.established_on = dt.date(2018, 5, 1)
    ent_b.save()
    other = proposed(ent_hr_b, ent_b, cert_round, cert_admin)
    services.publish_notice(p(cert_admin), round=cert_round, applications=[other])
    end_notice(noticed.notice)
    end_notice(fresh(other).notice)
    assert services.close_notices()["certified"] == 2
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert numbers == [f"HX{cert_round.year}-A-0001", f"HX{cert_round.year}-A-0002"]


def test_running_twice_certifies_once(noticed):
    end_notice(noticed.notice)
    assert services.close_notices()["certified"] == 1
    assert services.close_notices() == {"certified": 0, "rejected": 0, "waiting": 0}
    assert Certificate.objects.filter(application=noticed).count() == 1
    assert AnnualReport.objects.count() == 2
    assert fresh(noticed).history.filter(action="certify").count() == 1


def test_an_open_objection_waits_until_dismissed(noticed, cert_admin):
    objection = services.file_objection(noticed, name="张三", phone="13800138000", content=OBJECTION)
    end_notice(noticed.notice)
    assert services.close_notices() == {"certified": 0, "rejected": 0, "waiting": 1}
    app = fresh(noticed)
    assert app.status == S.IN_NOTICE
    assert app.notice.closed_at is None
    assert not Certificate.objects.exists()
    # Certifying by hand is refused too while the objection is open.
    with pytest.raises(InvalidTransition) as exc:
        services.certify(p(cert_admin), app)
    assert "An objection is open" in str(exc.value)

    services.resolve_objection(p(cert_admin), objection, uphold=False, reason="经核实，加班工资已足额支付。")
    objection.refresh_from_db()
    assert objection.status == Objection.Status.DISMISSED and objection.resolved_by == cert_admin
    assert services.close_notices() == {"certified": 1, "rejected": 0, "waiting": 0}
    app = fresh(noticed)
    assert app.status == S.CERTIFIED
    assert app.notice.closed_at is not None


def test_an_upheld_objection_rejects(noticed, cert_admin):
    objection = services.file_objection(noticed, name="张三", phone="0772-1234567", content=OBJECTION)
    services.resolve_objection(p(cert_admin), objection, uphold=True, reason="经核实存在拖欠加班工资。")
    app = fresh(noticed)
    assert app.status == S.REJECTED
    assert "经核实存在拖欠加班工资" in app.history.get(action="reject").reason
    end_notice(app.notice)
    assert services.close_notices() == {"certified": 0, "rejected": 0, "waiting": 0}
    assert not Certificate.objects.exists()
    assert fresh(noticed).notice.closed_at is not None


def test_resolving_needs_reasons_and_the_right_role(noticed, cert_admin, ent_hr_a):
    objection = services.file_objection(noticed, name="张三", phone="13800138000", content=OBJECTION)
    with pytest.raises(NotAllowed):
        services.resolve_objection(p(ent_hr_a), objection, uphold=False, reason="无")
    with pytest.raises(DomainError) as exc:
        services.resolve_objection(p(cert_admin), objection, uphold=False, reason=" ")
    assert "reason" in exc.value.fields
    services.resolve_objection(p(cert_admin), objection, uphold=False, reason="不成立")
    with pytest.raises(DomainError):
        services.resolve_objection(p(cert_admin), objection, uphold=True, reason="再议")


def test_a_veto_event_during_the_notice_rejects(noticed, ent_a_old, cert_admin):
    services.record_veto_event(
        p(cert_admin),
        enterprise=ent_a_old,
        kind="mass_incident",
        occurred_on=TODAY,
        source="柳东新区信访通报〔2026〕7号",
    )
    end_notice(noticed.notice)
    assert services.close_notices() == {"certified": 0, "rejected": 1, "waiting": 0}
    app = fresh(noticed)
    assert app.status == S.REJECTED
    row = app.history.get(action="reject")
    assert row.actor_label == "system"
    assert "Veto event" in row.reason and TODAY.isoformat() in row.reason
    assert not Certificate.objects.exists()
    assert app.notice.closed_at is not None


def test_the_certificate_pdf(noticed, ent_a_old, django_capture_on_commit_callbacks):
    end_notice(noticed.notice)
    with django_capture_on_commit_callbacks(execute=True):
        services.close_notices()
    cert = Certificate.objects.get(application=noticed)
    doc = GeneratedDocument.objects.get(pk=cert.document_id)
    assert doc.status == GeneratedDocument.Status.READY
    assert doc.kind == "certificate"
    assert (doc.object_type, doc.object_id) == ("certification.certificate", str(cert.pk))
    with doc.file.open("rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == doc.sha256
    assert doc.size == len(data)
    text = pdf_text(data)
    assert ent_a_old.name == "柳州甲汽车零部件有限公司"
    assert ent_a_old.name in text
    assert cert.number in text
    assert ent_a_old.uscc in text
    assert selectors.verify_certificate(cert.number).sha256 == doc.sha256


def test_the_jobs_are_scheduled():
    scheduled = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {"certification.close_notices", "certification.lapse_titles"} <= scheduled
    assert tasks.close_notices.name == "certification.close_notices"
    assert tasks.lapse_titles.name == "certification.lapse_titles"


def test_the_tasks_run_the_services(noticed):
    end_notice(noticed.notice)
    assert tasks.close_notices.delay().get() == {"certified": 1, "rejected": 0, "waiting": 0}
    assert tasks.lapse_titles.delay().get() == 0
    assert fresh(noticed).status == S.CERTIFIED


# ------------------------------------------------------------------------------ objections


def test_objection_while_the_notice_runs_notifies_the_park(noticed, cert_admin, ent_hr_a, ent_a_old):
    objection = services.file_objection(
        noticed, name=" 张三 ", phone="138 0013 8000", content=OBJECTION, email="zs@example.cn"
    )
    assert (objection.name, objection.phone, objection.status) == (
        "张三",
        "13800138000",
        Objection.Status.OPEN,
    )
    notes = Notification.objects.filter(recipient=cert_admin, body=OBJECTION)
    assert notes.count() == 1
    assert ent_a_old.name in notes.get().title
    assert str(noticed.pk) in notes.get().link
    assert not Notification.objects.filter(recipient=ent_hr_a, body=OBJECTION).exists()


def test_objection_before_the_notice_starts_is_refused(ent_a_old, ent_hr_a, cert_round, cert_admin):
    app = proposed(ent_hr_a, ent_a_old, cert_round, cert_admin)
    notice = services.publish_notice(
        p(cert_admin), round=cert_round, applications=[app], starts_on=TODAY + dt.timedelta(days=1)
    )
    assert notice.starts_on > TODAY
    with pytest.raises(DomainError) as exc:
        services.file_objection(fresh(app), name="张三", phone="13800138000", content=OBJECTION)
    assert "only while the public notice runs" in str(exc.value)
    assert not Objection.objects.exists()


def test_objection_after_the_notice_ends_is_refused(noticed):
    end_notice(noticed.notice)
    with pytest.raises(DomainError) as exc:
        services.file_objection(noticed, name="张三", phone="13800138000", content=OBJECTION)
    assert exc.value.code == "invalid_transition"
    assert not Objection.objects.exists()


def test_objection_on_the_last_day_is_accepted(noticed):
    PublicNotice.objects.filter(pk=noticed.notice_id).update(
        starts_on=TODAY - dt.timedelta(days=6), ends_on=TODAY
    )
    assert services.file_objection(noticed, name="张三", phone="13800138000", content=OBJECTION).pk


@pytest.mark.parametrize("phone", ["12345", "2380013800", "138001380001", "0772-12", "电话"])
def test_objection_phone_format(noticed, phone):
    with pytest.raises(DomainError) as exc:
        services.file_objection(noticed, name="张三", phone=phone, content=OBJECTION)
    assert list(exc.value.fields) == ["phone"]
    assert not Objection.objects.exists()


def test_objection_content_and_name_required(noticed):
    with pytest.raises(DomainError) as exc:
        services.file_objection(noticed, name=" ", phone="13800138000", content="太短了")
    assert set(exc.value.fields) == {"name", "content"}
    assert "at least 10 characters" in exc.value.fields["content"][0]
    assert not Objection.objects.exists()


# ------------------------------------------------------------------------------ annual reports, lapsing


def held(enterprise, rule_set, issued_on, code="A") -> Certificate:
    """A title issued by services.issue_certificate on `issued_on`, after a certified application
    in an older round (the reports are due on the anniversaries + 30 days)."""
    rnd = Round.objects.create(
        rule_set=rule_set,
        name=f"{issued_on.year}年度（{enterprise.name}）",
        year=issued_on.year,
        opens_on=issued_on - dt.timedelta(days=90),
        closes_on=issued_on - dt.timedelta(days=30),
    )
    lv = level(rule_set, code)
    app = Application.objects.create(
        round=rnd,
        rule_set=rule_set,
        enterprise=enterprise,
        target_level=lv,
        proposed_level=lv,
        status=S.CERTIFIED,
    )
    return services.issue_certificate(app, SYSTEM, issued_on=issued_on)


def hand_in(hr, report):
    return services.submit_annual_report(
        p(hr), report, employees=120, contracts_signed=120, disputes=0, content="全年劳动合同签订率100%。"
    )


def test_an_overdue_report_lapses_the_title(ent_a_old, rule_set):
    cert = held(ent_a_old, rule_set, TODAY - relativedelta(years=1, months=2))
    first = cert.reports.get(year_no=1)
    assert first.due_on < TODAY
    assert services.lapse_titles(today=first.due_on) == 0  # due today: not yet overdue
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.VALID

    assert services.lapse_titles(today=first.due_on + dt.timedelta(days=1)) == 1
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.LAPSED
    assert cert.ended_on == first.due_on + dt.timedelta(days=1)  # the day of the run that lapsed it
    assert first.due_on.isoformat() in cert.end_reason
    row = cert.history.get()
    assert (row.action, row.from_status, row.to_status, row.actor_label) == (
        "lapse",
        "valid",
        "lapsed",
        "system",
    )
    assert selectors.verify_certificate(cert.number).state == "lapsed"
    assert selectors.held_certificate(ent_a_old) is None
    # Idempotent.
    assert services.lapse_titles(today=first.due_on + dt.timedelta(days=1)) == 0


def test_a_report_handed_in_keeps_the_title(ent_a_old, ent_hr_a, rule_set):
    cert = held(ent_a_old, rule_set, TODAY - relativedelta(years=1, months=2))
    first, second = cert.reports.order_by("year_no")
    hand_in(ent_hr_a, first)
    assert services.lapse_titles(today=first.due_on + dt.timedelta(days=1)) == 0
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.VALID
    with pytest.raises(DomainError):
        hand_in(ent_hr_a, first)  # only once
    # The second year's report missed: the title lapses then.
    assert services.lapse_titles(today=second.due_on + dt.timedelta(days=1)) == 1


def test_only_the_enterprise_hands_in_its_report(ent_a_old, ent_hr_b, cert_admin, rule_set):
    cert = held(ent_a_old, rule_set, TODAY - relativedelta(months=3))
    report = cert.reports.get(year_no=1)
    for user in (ent_hr_b, cert_admin):
        with pytest.raises(NotAllowed):
            hand_in(user, report)


def test_the_end_of_validity_lapses_the_title(ent_a_old, ent_hr_a, rule_set):
    cert = held(ent_a_old, rule_set, TODAY - relativedelta(years=3) - dt.timedelta(days=1))
    for report in cert.reports.all():
        hand_in(ent_hr_a, report)
    assert cert.valid_until == TODAY - dt.timedelta(days=2)
    assert services.lapse_titles() == 1
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.LAPSED
    assert f"The validity ended on {cert.valid_until.isoformat()}." == cert.end_reason


def test_revoke_with_reason(ent_a_old, ent_hr_a, cert_admin, rule_set):
    cert = held(ent_a_old, rule_set, TODAY - relativedelta(months=3))
    with pytest.raises(NotAllowed):
        services.revoke(p(ent_hr_a), cert, "自行撤销")
    with pytest.raises(DomainError) as exc:
        services.revoke(p(cert_admin), cert, "")
    assert list(exc.value.fields) == ["reason"]
    cert = services.revoke(p(cert_admin), cert, "抽查不合格")
    assert cert.status == Certificate.Status.REVOKED
    assert (cert.end_reason, cert.ended_on) == ("抽查不合格", TODAY)
    row = cert.history.get()
    assert (row.action, row.actor, row.reason) == ("revoke", cert_admin, "抽查不合格")
    assert selectors.verify_certificate(cert.number).state == "revoked"
    assert Notification.objects.filter(recipient=ent_hr_a, body="抽查不合格").exists()
    with pytest.raises(InvalidTransition):
        services.revoke(p(cert_admin), cert, "再次撤销")


def test_a_veto_event_revokes_valid_titles(ent_a_old, ent_b, cert_admin, rule_set):
    cert = held(ent_a_old, rule_set, TODAY - relativedelta(months=3))
    ent_b.established_on = dt.date(2018, 1, 1)
    ent_b.save()
    other = held(ent_b, rule_set, TODAY - relativedelta(months=4))
    event = services.record_veto_event(
        p(cert_admin),
        enterprise=ent_a_old,
        kind="child_labour",
        occurred_on=TODAY - dt.timedelta(days=5),
        source="柳人社监〔2026〕3号",
    )
    cert.refresh_from_db()
    other.refresh_from_db()
    assert cert.status == Certificate.Status.REVOKED
    assert "柳人社监〔2026〕3号" in cert.end_reason and event.kind_name in cert.end_reason
    assert cert.history.get().actor == cert_admin
    assert other.status == Certificate.Status.VALID


def test_a_veto_event_from_a_district_system(ent_a_old, rule_set, api_client_factory):
    cert = held(ent_a_old, rule_set, TODAY - relativedelta(months=3))
    reader, _ = api_client_factory(name="reader", scopes=["certification:read"])
    with pytest.raises(NotAllowed):
        services.record_veto_event(
            principal_for_api_client(reader),
            enterprise=ent_a_old,
            kind="child_labour",
            occurred_on=TODAY,
            source="x",
        )
    writer, _ = api_client_factory(name="writer", scopes=["certification:write"])
    services.record_veto_event(
        principal_for_api_client(writer),
        enterprise=ent_a_old,
        kind="child_labour",
        occurred_on=TODAY,
        source="区劳动监察系统 2026-0042",
        origin="inspection",
    )
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.REVOKED
    assert cert.history.get().actor_label == "system"


def test_veto_events_are_validated(ent_a_old, cert_admin):
    with pytest.raises(DomainError) as exc:
        services.record_veto_event(
            p(cert_admin),
            enterprise=ent_a_old,
            kind="littering",
            occurred_on=TODAY + dt.timedelta(days=1),
            source=" ",
        )
    assert set(exc.value.fields) == {"kind", "occurred_on", "source"}
