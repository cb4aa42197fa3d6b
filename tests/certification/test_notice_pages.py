"""Pages of the public notice, objections, certificates, annual reports and veto events, and the
public pages that need no login (notice, objection form, verification)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.api.throttling import CertificateVerifyThrottle, CertificationObjectionThrottle
from apps.certification import selectors, services
from apps.certification.models import (
    AnnualReport,
    Application,
    Certificate,
    Objection,
    PublicNotice,
    VetoEvent,
)
from apps.core.calendar import is_working_day
from apps.notifications.models import Notification

from .conftest import build, complete, p, review_all

pytestmark = pytest.mark.django_db

S = Application.Status
OBJECTOR = {
    "name": "张三",
    "phone": "13912345678",
    "email": "",
    "content": "该企业长期拖欠工资，未签订劳动合同。",
}


# Helpers --------------------------------------------------------------------------------------------


def proposed_app(hr, enterprise, cert_round, admin) -> Application:
    """An application walked through the services up to `proposed`."""
    app = complete(build(hr, enterprise, cert_round), hr)
    app = services.submit(p(hr), app)
    app = services.start_review(p(admin), app)
    app = review_all(app, admin)
    return services.propose(p(admin), app)


def noticed_app(hr, enterprise, cert_round, admin, capture) -> Application:
    app = proposed_app(hr, enterprise, cert_round, admin)
    with capture(execute=True):
        services.publish_notice(p(admin), round=cert_round, applications=[app])
    app.refresh_from_db()
    assert app.status == S.IN_NOTICE
    return app


def certified(hr, enterprise, cert_round, admin, capture) -> Certificate:
    app = noticed_app(hr, enterprise, cert_round, admin, capture)
    today = timezone.localdate()
    PublicNotice.objects.filter(pk=app.notice_id).update(
        starts_on=today - dt.timedelta(days=10), ends_on=today - dt.timedelta(days=1)
    )
    with capture(execute=True):
        assert services.close_notices()["certified"] == 1
    return Certificate.objects.select_related("document").get(application=app)


def objection_url(app) -> str:
    return reverse("certification:public_objection", args=[app.notice_id, app.pk])


def objection_post(**changes) -> dict:
    return {**OBJECTOR, "consent": "on", **changes}


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def en(client):
    """The test client with pages in English (the msgids)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def admin_client(en, cert_admin):
    en.force_login(cert_admin)
    return en


@pytest.fixture
def in_notice(ent_a_old, ent_hr_a, cert_round, cert_admin, django_capture_on_commit_callbacks):
    return noticed_app(ent_hr_a, ent_a_old, cert_round, cert_admin, django_capture_on_commit_callbacks)


@pytest.fixture
def cert(ent_a_old, ent_hr_a, cert_round, cert_admin, django_capture_on_commit_callbacks):
    return certified(ent_hr_a, ent_a_old, cert_round, cert_admin, django_capture_on_commit_callbacks)


# Public notice (no login) -----------------------------------------------------------------------------


def test_anonymous_sees_only_name_uscc_and_level(en, in_notice, ent_a_old):
    Objection.objects.create(
        application=in_notice,
        name="李四保密",
        phone="13800001111",
        email="secret@example.com",
        content="x" * 20,
    )
    html = page(en.get(reverse("certification:public_notice")))
    assert ent_a_old.name in html and ent_a_old.uscc in html
    row = html[html.index('data-testid="notice-row"') :]
    row = row[: row.index("</tr>")]
    assert ">A<" in row
    assert objection_url(in_notice) in row
    assert reverse("certification:public_notice_pdf", args=[in_notice.notice_id]) in html
    # Nothing beyond what the notice publishes: no score, no objector, no staff navigation.
    assert str(in_notice.self_score) not in html and str(in_notice.reviewed_score) not in html
    assert "李四保密" not in html and "13800001111" not in html and "secret@example.com" not in html
    assert ent_a_old.legal_representative not in html
    assert "data-nav=" not in html and f'href="{reverse("certification:list")}"' not in html
    assert "No public notice is running" not in html


def test_public_notice_without_running_notice(en, db):
    html = page(en.get(reverse("certification:public_notice")))
    assert 'data-testid="no-notice"' in html


def test_public_notice_pdf_served_inline_to_anonymous(en, in_notice):
    response = en.get(reverse("certification:public_notice_pdf", args=[in_notice.notice_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_public_notice_pdf_pending_or_unknown_is_404(en, ent_a_old, ent_hr_a, cert_round, cert_admin):
    app = proposed_app(ent_hr_a, ent_a_old, cert_round, cert_admin)
    # No on_commit execution: the PDF stays pending.
    notice = services.publish_notice(p(cert_admin), round=cert_round, applications=[app])
    response = en.get(reverse("certification:public_notice_pdf", args=[notice.pk]))
    assert response.status_code == 404
    assert "being generated" in response.content.decode()
    import uuid

    assert en.get(reverse("certification:public_notice_pdf", args=[uuid.uuid4()])).status_code == 404
    # A notice that starts tomorrow is not published yet.
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=timezone.localdate() + dt.timedelta(days=1))
    assert en.get(reverse("certification:public_notice_pdf", args=[notice.pk])).status_code == 404


# Objections (no login) -------------------------------------------------------------------------------


def test_anonymous_objection_is_filed_and_admins_notified(en, in_notice, cert_admin):
    html = page(en.get(objection_url(in_notice)))
    assert in_notice.enterprise.name in html and 'name="consent"' in html
    response = en.post(objection_url(in_notice), objection_post(email="zs@example.com"))
    assert response.status_code == 302
    objection = Objection.objects.get(application=in_notice)
    assert (objection.name, objection.phone, objection.email) == ("张三", "13912345678", "zs@example.com")
    assert objection.status == Objection.Status.OPEN
    assert Notification.objects.filter(recipient=cert_admin, body__contains="拖欠工资").exists()
    thanks = page(en.get(response["Location"]))
    assert 'data-testid="objection-thanks"' in thanks


def test_objection_bad_phone_is_a_form_error(en, in_notice):
    html = page(en.post(objection_url(in_notice), objection_post(phone="12345")))
    assert "Enter a mobile number (11 digits) or a landline with its area code." in html
    assert not Objection.objects.exists()


def test_objection_requires_consent(en, in_notice):
    data = objection_post()
    del data["consent"]
    html = page(en.post(objection_url(in_notice), data))
    assert "Tick the box to agree" in html
    assert not Objection.objects.exists()


def test_objection_outside_a_running_notice_is_404(en, in_notice):
    PublicNotice.objects.filter(pk=in_notice.notice_id).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert en.get(objection_url(in_notice)).status_code == 404
    assert en.post(objection_url(in_notice), objection_post()).status_code == 404
    assert not Objection.objects.exists()


def test_objections_throttled_per_ip(en, in_notice, monkeypatch):
    monkeypatch.setattr(
        CertificationObjectionThrottle,
        "THROTTLE_RATES",
        {**CertificationObjectionThrottle.THROTTLE_RATES, "certification_objection": "10/hour"},
    )
    for _ in range(10):
        assert en.post(objection_url(in_notice), objection_post(), REMOTE_ADDR="10.1.2.3").status_code == 302
    response = en.post(objection_url(in_notice), objection_post(), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 429
    html = response.content.decode()
    assert "提交过于频繁" in html and "Too many submissions" in html
    assert int(response["Retry-After"]) > 0
    assert Objection.objects.count() == 10
    # Another address still gets through.
    assert en.post(objection_url(in_notice), objection_post(), REMOTE_ADDR="10.9.9.9").status_code == 302
    assert Objection.objects.count() == 11


# Notices and objections (administrators) -------------------------------------------------------------


def expected_end(start: dt.date, days: int = 5) -> dt.date:
    """The `days`-th working day from `start`, `start` counted when it is a working day."""
    day, counted = start, 0
    while True:
        if is_working_day(day):
            counted += 1
            if counted == days:
                return day
        day += dt.timedelta(days=1)


def test_notice_create_publishes_with_five_working_days(
    admin_client, ent_a_old, ent_hr_a, cert_round, cert_admin, django_capture_on_commit_callbacks
):
    app = proposed_app(ent_hr_a, ent_a_old, cert_round, cert_admin)
    html = page(admin_client.get(reverse("certification:notice_create")))
    assert ent_a_old.name in html and 'data-testid="notice-preview"' in html
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("certification:notice_create"),
            {"round": cert_round.pk, "applications": [app.pk], "starts_on": today.isoformat(), "title": ""},
        )
    assert response.status_code == 302
    html = page(admin_client.get(response["Location"]))
    notice = PublicNotice.objects.get()
    end = expected_end(today)
    assert notice.starts_on == today and notice.ends_on == end
    assert f"to {end.isoformat()}" in html
    app.refresh_from_db()
    assert app.status == S.IN_NOTICE and app.notice == notice
    assert 'data-testid="notice-state-running"' in html
    assert reverse("documents:download", args=[notice.document_id]) in html


def test_notice_create_errors_are_form_errors(admin_client, ent_a_old, ent_hr_a, cert_round, cert_admin):
    app = proposed_app(ent_hr_a, ent_a_old, cert_round, cert_admin)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    html = page(
        admin_client.post(
            reverse("certification:notice_create"),
            {"round": cert_round.pk, "applications": [app.pk], "starts_on": yesterday.isoformat()},
        )
    )
    assert "A notice cannot start in the past." in html
    assert not PublicNotice.objects.exists()


def test_notice_pages_are_for_administrators(client, ent_hr_a, in_notice):
    client.force_login(ent_hr_a)
    assert client.get(reverse("certification:notice_list")).status_code == 403
    assert client.get(reverse("certification:notice_create")).status_code == 403
    client.logout()
    assert client.get(reverse("certification:notice_list")).status_code == 302


def test_notice_list_shows_open_objections_and_resolve_dismiss(admin_client, in_notice, ent_hr_a):
    objection = services.file_objection(in_notice, **OBJECTOR)
    html = page(admin_client.get(reverse("certification:notice_list")))
    assert 'data-testid="flagged-application"' in html
    assert "张三" in html and "13912345678" in html
    url = reverse("certification:objection_resolve", args=[objection.pk])
    assert url in html
    html = page(admin_client.post(url, {"decision": "dismiss", "reason": ""}))
    assert "This field is required." in html
    response = admin_client.post(url, {"decision": "dismiss", "reason": "经核查，该企业工资按时足额发放。"})
    assert response.status_code == 302
    objection.refresh_from_db()
    in_notice.refresh_from_db()
    assert objection.status == Objection.Status.DISMISSED
    assert in_notice.status == S.IN_NOTICE


def test_objection_upheld_rejects_the_application(admin_client, in_notice):
    objection = services.file_objection(in_notice, **OBJECTOR)
    url = reverse("certification:objection_resolve", args=[objection.pk])
    response = admin_client.post(url, {"decision": "uphold", "reason": "经劳动监察核实，存在欠薪。"})
    assert response.status_code == 302
    in_notice.refresh_from_db()
    assert in_notice.status == S.REJECTED
    # Resolving twice is a message, not a 500.
    response = admin_client.post(url, {"decision": "dismiss", "reason": "再次"}, follow=True)
    assert "This objection has already been resolved." in page(response)


def test_objection_details_hidden_from_hr(client, ent_hr_a, in_notice):
    objection = services.file_objection(in_notice, **OBJECTOR)
    client.force_login(ent_hr_a)
    response = client.get(reverse("certification:objection_resolve", args=[objection.pk]))
    assert response.status_code == 403
    assert "13912345678" not in response.content.decode()


# Verification (no login) -----------------------------------------------------------------------------


def test_verify_shows_valid_then_revoked_at_once(en, cert, cert_admin):
    url = reverse("verify", args=[cert.number])
    html = page(en.get(url))
    assert 'data-state="valid"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert cert.enterprise.name in html and cert.level.code in html and cert.issuer in html
    assert cert.document.sha256 in html and "sha256sum" in html
    services.revoke(p(cert_admin), cert, "抽查发现严重违法行为")
    response = en.get(url)
    html = page(response)
    assert 'data-state="revoked"' in html and 'data-state="valid"' not in html
    assert "抽查发现严重违法行为" in html
    # One sentence per language, the date and the reason inside it (issue 20: "撤销日期
    # 2026-10-27. 理由:" glued translated pieces).
    cert.refresh_from_db()
    ended = re.search(r'data-testid="verify-end">(.*?)</div>', html, re.S).group(1)
    assert f"<strong>Revoked on {cert.ended_on:%Y-%m-%d}.</strong>" in ended
    assert "Reason: 抽查发现严重违法行为" in ended
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_verify_lowercase_number_and_unknown_number(en, cert):
    assert 'data-state="valid"' in page(en.get(reverse("verify", args=[cert.number.lower()])))
    response = en.get(reverse("verify", args=["HX1999-A-9999"]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "No such certificate" in html and '<meta name="robots" content="noindex">' in html


def test_verify_is_throttled_per_client_address(en, cert, monkeypatch):
    """Numbers are sequential: walking them from one address is refused after the budget,
    whatever X-Forwarded-For says; another address keeps its own budget."""
    monkeypatch.setattr(
        CertificateVerifyThrottle,
        "THROTTLE_RATES",
        {**CertificateVerifyThrottle.THROTTLE_RATES, "certificate_verify": "3/hour"},
    )
    url = reverse("verify", args=[cert.number])
    for i in range(3):
        response = en.get(url, REMOTE_ADDR="127.0.0.2", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
        assert response.status_code == 200
    refused = en.get(url, REMOTE_ADDR="127.0.0.2", HTTP_X_FORWARDED_FOR="10.0.0.99")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "data-state=" not in refused.content.decode()  # no verification shown
    assert en.get(url, REMOTE_ADDR="127.0.0.3").status_code == 200


def test_verify_limit_is_configured():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["certificate_verify"] == "120/hour"


# Certificates ---------------------------------------------------------------------------------------


def test_certificate_page_for_hr_with_reports_and_pdf(en, ent_hr_a, cert):
    en.force_login(ent_hr_a)
    html = page(en.get(reverse("certification:certificate", args=[cert.number])))
    assert cert.number in html and cert.issuer in html and cert.document.sha256 in html
    assert html.count('data-testid="report-row"') == cert.reports.count() == 2
    assert 'data-testid="revoke-form"' not in html
    response = en.get(reverse("certification:certificate", args=[cert.number]), {"download": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_certificate_pdf_pending_is_shown(admin_client, cert):
    from apps.documents.models import GeneratedDocument

    GeneratedDocument.objects.filter(pk=cert.document_id).update(status="pending")
    html = page(admin_client.get(reverse("certification:certificate", args=[cert.number])))
    assert 'data-testid="certificate-pending"' in html
    response = admin_client.get(reverse("certification:certificate", args=[cert.number]), {"download": "pdf"})
    assert response.status_code == 404


def test_revoke_requires_a_reason(admin_client, cert):
    url = reverse("certification:certificate_revoke", args=[cert.number])
    response = admin_client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.VALID
    response = admin_client.post(url, {"reason": "年度抽查不合格"}, follow=True)
    html = page(response)
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.REVOKED and cert.end_reason == "年度抽查不合格"
    assert 'data-testid="certificate-ended"' in html and "年度抽查不合格" in html
    assert f"Revoked on {cert.ended_on:%Y-%m-%d}." in html and "Reason: 年度抽查不合格" in html
    assert cert.history.filter(action="revoke", reason="年度抽查不合格").exists()


def test_hr_may_not_revoke(client, ent_hr_a, cert):
    client.force_login(ent_hr_a)
    response = client.post(reverse("certification:certificate_revoke", args=[cert.number]), {"reason": "x"})
    assert response.status_code == 403
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.VALID


def test_other_enterprise_hr_gets_404(client, ent_hr_b, cert):
    client.force_login(ent_hr_b)
    assert client.get(reverse("certification:certificate", args=[cert.number])).status_code == 404
    report = cert.reports.first()
    assert client.get(reverse("certification:annual_report", args=[report.pk])).status_code == 404
    assert (
        client.post(
            reverse("certification:annual_report", args=[report.pk]),
            {"employees": 1, "content": "x"},
        ).status_code
        == 404
    )
    report.refresh_from_db()
    assert report.submitted_at is None


# Annual reports --------------------------------------------------------------------------------------


def test_annual_report_form_saves(en, ent_hr_a, cert):
    report = cert.reports.order_by("year_no").first()
    en.force_login(ent_hr_a)
    url = reverse("certification:annual_report", args=[report.pk])
    html = page(en.get(url))
    assert 'data-testid="report-form"' in html
    html = page(
        en.post(url, {"employees": 100, "contracts_signed": 120, "disputes": 0, "content": "年度报告"})
    )
    assert "More contracts in force than employees." in html
    report.refresh_from_db()
    assert report.submitted_at is None
    response = en.post(
        url, {"employees": 130, "contracts_signed": 128, "disputes": 1, "content": "全年劳动合同签订率98%。"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.submitted_at is not None and report.submitted_by == ent_hr_a
    assert (report.employees, report.contracts_signed, report.disputes) == (130, 128, 1)
    html = page(en.get(url))
    assert 'data-testid="report-form"' not in html and "全年劳动合同签订率98%。" in html


def test_annual_report_read_only_for_admin(admin_client, cert):
    report = cert.reports.first()
    url = reverse("certification:annual_report", args=[report.pk])
    html = page(admin_client.get(url))
    assert 'data-testid="report-view"' in html and 'data-testid="report-form"' not in html
    assert admin_client.post(url, {"employees": 1, "content": "x"}).status_code == 403
    assert not AnnualReport.objects.filter(submitted_at__isnull=False).exists()


# Veto events ------------------------------------------------------------------------------------------


def test_veto_create_revokes_the_valid_certificate(admin_client, cert, ent_a_old, ent_hr_a):
    url = reverse("certification:veto_create")
    html = page(admin_client.get(url, {"q": ent_a_old.uscc}))
    assert 'data-testid="veto-warning"' in html and cert.number in html
    kind, name = next(iter(selectors.veto_catalogue().items()))
    response = admin_client.post(
        url,
        {
            "enterprise": ent_a_old.pk,
            "kind": kind,
            "occurred_on": timezone.localdate().isoformat(),
            "source": "柳人社监罚字〔2026〕1号",
            "note": "",
        },
        follow=True,
    )
    html = page(response)
    event = VetoEvent.objects.get()
    assert (event.enterprise, event.kind, event.kind_name) == (ent_a_old, kind, name)
    cert.refresh_from_db()
    assert cert.status == Certificate.Status.REVOKED and name in cert.end_reason
    assert cert.number in html and name in html
    assert Notification.objects.filter(recipient=ent_hr_a, title__contains=cert.number).exists()


def test_veto_create_errors_and_list_filters(admin_client, cert_admin, ent_a, ent_b):
    url = reverse("certification:veto_create")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    kind = next(iter(selectors.veto_catalogue()))
    html = page(
        admin_client.post(
            url, {"enterprise": ent_a.pk, "kind": kind, "occurred_on": tomorrow.isoformat(), "source": "x"}
        )
    )
    assert "The event cannot be in the future." in html
    assert not VetoEvent.objects.exists()
    admin = p(cert_admin)
    day = timezone.localdate() - dt.timedelta(days=3)
    services.record_veto_event(admin, enterprise=ent_a, kind=kind, occurred_on=day, source="甲案号")
    other = list(selectors.veto_catalogue())[1]
    services.record_veto_event(admin, enterprise=ent_b, kind=other, occurred_on=day, source="乙案号")
    html = page(admin_client.get(reverse("certification:veto_list")))
    assert html.count('data-testid="veto-row"') == 2
    html = page(admin_client.get(reverse("certification:veto_list"), {"q": ent_a.uscc}))
    assert "甲案号" in html and "乙案号" not in html
    html = page(admin_client.get(reverse("certification:veto_list"), {"kind": other}))
    assert "乙案号" in html and "甲案号" not in html


def test_veto_pages_are_for_administrators(client, ent_hr_a):
    client.force_login(ent_hr_a)
    assert client.get(reverse("certification:veto_list")).status_code == 403
    assert client.get(reverse("certification:veto_create")).status_code == 403
