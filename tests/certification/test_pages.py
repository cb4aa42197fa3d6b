"""The authenticated certification pages: the list and the reviewers' queue, starting a
self-evaluation, HR's wizard (scores, evidence, group, disclosure, submission), the application,
the review, the actions, evidence downloads, figures and the dossier section. Scoping (404),
roles (403) and refusals shown as form errors, never 500."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from apps.accounts.roles import Role
from apps.certification import services
from apps.certification.models import (
    Application,
    Certificate,
    Evidence,
    GroupMember,
    Item,
    Objection,
    Round,
)
from tests.factories import EnterpriseFactory, user_with_role

from .conftest import PDF_BYTES, build, complete, p, pdf_upload, review_all

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture
def en(client):
    """The test client, with pages in English (the msgids) so assertions read the source text."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def hr_client(en, ent_hr_a):
    en.force_login(ent_hr_a)
    return en


@pytest.fixture
def admin_client(en, cert_admin):
    en.force_login(cert_admin)
    return en


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def wizard(app, step) -> str:
    return reverse("certification:wizard", args=[app.pk, step])


def action(app, name) -> str:
    return reverse("certification:action", args=[app.pk, name])


def items_of(app, category):
    return list(Item.objects.filter(category__rule_set=app.rule_set, category__code=category))


def submitted(app, hr):
    return services.submit(p(hr), complete(app, hr))


def under_review(app, hr, admin):
    return services.start_review(p(admin), submitted(app, hr))


# Anonymous and the list --------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client, ent_a_old, ent_hr_a, cert_round):
    app = build(ent_hr_a, ent_a_old, cert_round)
    urls = [
        reverse("certification:list"),
        reverse("certification:create"),
        reverse("certification:figures"),
        reverse("certification:detail", args=[app.pk]),
        wizard(app, "group"),
        reverse("certification:review", args=[app.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url
    response = client.post(action(app, "submit"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT


def test_hr_sees_their_own_applications_and_the_start_button(
    hr_client, ent_a_old, ent_b, ent_hr_a, ent_hr_b, cert_round
):
    build(ent_hr_a, ent_a_old, cert_round)
    build(ent_hr_b, ent_b, cert_round)
    html = page(hr_client.get(reverse("certification:list")))
    assert ent_a_old.name in html and ent_b.name not in html
    assert 'data-testid="start-self-evaluation"' in html
    assert 'data-testid="continue"' in html
    assert 'data-testid="application-filter"' not in html
    assert "1 application" in html


def test_no_start_button_without_an_open_round(hr_client, rule_set):
    Round.objects.create(
        rule_set=rule_set,
        name="2020年度",
        year=2020,
        opens_on=dt.date(2020, 3, 1),
        closes_on=dt.date(2020, 6, 30),
    )
    html = page(hr_client.get(reverse("certification:list")))
    assert 'data-testid="start-self-evaluation"' not in html
    html = page(hr_client.get(reverse("certification:create")))
    assert 'data-testid="no-open-round"' in html and 'data-testid="create-form"' not in html


def test_reviewer_queue_filters_and_shows_the_open_objection_badge(
    admin_client, ent_a_old, ent_b, ent_hr_a, ent_hr_b, cert_round
):
    app_a = build(ent_hr_a, ent_a_old, cert_round)
    build(ent_hr_b, ent_b, cert_round, code="AA")
    Objection.objects.create(
        application=app_a, name="李四", phone="13800000000", content="该企业长期拖欠工资。"
    )
    html = page(admin_client.get(reverse("certification:list")))
    assert ent_a_old.name in html and ent_b.name in html
    assert 'data-testid="application-filter"' in html
    assert html.count('data-testid="open-objection-badge"') == 1
    assert 'data-testid="start-self-evaluation"' not in html
    html = page(admin_client.get(reverse("certification:list"), {"search": "甲"}))
    assert ent_a_old.name in html and ent_b.name not in html
    html = page(admin_client.get(reverse("certification:list"), {"level": "AA"}))
    assert ent_a_old.name not in html and ent_b.name in html
    html = page(admin_client.get(reverse("certification:list"), {"has_open_objection": "true"}))
    assert ent_a_old.name in html and ent_b.name not in html
    html = page(admin_client.get(reverse("certification:list"), {"status": "submitted"}))
    assert ent_a_old.name not in html and "0 applications" in html
    # A bad filter value is a message, not a 500.
    html = page(admin_client.get(reverse("certification:list"), {"round": "nonsense", "page": "x"}))
    assert "Some filters are invalid" in html


def test_list_query_count_does_not_grow_with_rows(admin_client, cert_round):
    def make(n):
        for _ in range(n):
            enterprise = EnterpriseFactory()
            hr = user_with_role(Role.ENTERPRISE_HR, enterprise.organisation)
            app = build(hr, enterprise, cert_round)
            Objection.objects.create(application=app, name="王五", phone="13900000000", content="x" * 20)

    def count():
        admin_client.get(reverse("certification:list"))  # warm-up: the caches the new rows moved on
        with CaptureQueriesContext(connection) as ctx:
            html = page(admin_client.get(reverse("certification:list")))
        return len(ctx.captured_queries), html.count('data-testid="application-row"')

    make(3)
    few, rows = count()
    assert rows == 3
    make(7)
    many, rows = count()
    assert rows == 10
    assert many == few


# Starting a self-evaluation ------------------------------------------------------------------------


def test_hr_starts_a_self_evaluation(hr_client, ent_a_old, cert_round):
    html = page(hr_client.get(reverse("certification:create")))
    assert cert_round.name in html and 'name="target_level"' in html
    assert 'type="hidden" name="enterprise"' in html and ent_a_old.name in html
    level = cert_round.rule_set.levels.get(code="A")
    response = hr_client.post(
        reverse("certification:create"),
        {"enterprise": ent_a_old.pk, "round": cert_round.pk, "target_level": "A"},
    )
    app = Application.objects.get(enterprise=ent_a_old)
    assert response.status_code == 302
    assert response["Location"] == wizard(app, "contracts")
    assert app.target_level == level and app.status == Application.Status.DRAFT
    # A second open application in the round is refused on the form, with its source.
    html = page(
        hr_client.post(
            reverse("certification:create"),
            {"enterprise": ent_a_old.pk, "round": cert_round.pk, "target_level": "A"},
        )
    )
    assert "already has an open application in this round" in html and "rule set" in html
    html = page(
        hr_client.post(
            reverse("certification:create"),
            {"enterprise": ent_a_old.pk, "round": cert_round.pk, "target_level": "ZZZ"},
        )
    )
    assert "Select a valid choice" in html
    assert Application.objects.filter(enterprise=ent_a_old).count() == 1


def test_reviewers_cannot_start_a_self_evaluation(admin_client, cert_round):
    assert admin_client.get(reverse("certification:create")).status_code == 403


# The wizard -------------------------------------------------------------------------------------------


def test_wizard_saves_scores_and_evidence(hr_client, ent_a_old, ent_hr_a, cert_round):
    app = build(ent_hr_a, ent_a_old, cert_round)
    html = page(hr_client.get(wizard(app, "contracts")))
    items = items_of(app, "contracts")
    assert all(i.text in html for i in items)
    assert 'data-testid="wizard-progress"' in html and "Self-evaluation group" in html
    assert "max. 6.0 points" in html
    data = {"save_next": "1"}
    for i in items:
        data[f"item_{i.pk}"] = str(i.max_points - 1)
        data[f"note_{i.pk}"] = f"说明{i.code}"
        data[f"file_{i.pk}"] = pdf_upload(f"{i.code}.pdf")
    response = hr_client.post(wizard(app, "contracts"), data)
    assert response.status_code == 302 and response["Location"] == wizard(app, "wages")
    app.refresh_from_db()
    assert app.self_score == sum(i.max_points - 1 for i in items)
    scores = {s.item_id: s for s in app.scores.all()}
    assert all(scores[i.pk].self_score == i.max_points - 1 for i in items)
    assert scores[items[0].pk].self_note == f"说明{items[0].code}"
    files = list(Evidence.objects.filter(application=app, purpose=Evidence.Purpose.ITEM))
    assert len(files) == len(items)
    html = page(hr_client.get(wizard(app, "contracts")))
    assert "signing.pdf" in html
    assert reverse("certification:evidence", args=[app.pk, files[0].pk]) in html
    assert 'data-testid="step-done-contracts"' in html and 'data-testid="step-done-wages"' not in html
    # "Save" stays on the step.
    response = hr_client.post(wizard(app, "contracts"), {f"item_{items[0].pk}": "2", "save": "1"})
    assert response.status_code == 302 and response["Location"] == wizard(app, "contracts")


def test_wizard_refuses_a_renamed_exe_and_a_score_over_the_maximum(
    hr_client, ent_a_old, ent_hr_a, cert_round
):
    app = build(ent_hr_a, ent_a_old, cert_round)
    signing, filing, _dispatch = items_of(app, "contracts")
    exe = SimpleUploadedFile("scan.pdf", EXE_BYTES, content_type="application/pdf")
    response = hr_client.post(
        wizard(app, "contracts"), {f"item_{signing.pk}": "5", f"file_{signing.pk}": exe, "save": "1"}
    )
    html = page(response)
    assert "not one of the accepted types" in html and 'data-testid="file-error"' in html
    assert not Evidence.objects.filter(application=app).exists()
    # The scores were still saved (drafts are saved on each submit).
    assert app.scores.get(item=signing).self_score == Decimal("5")
    html = page(hr_client.post(wizard(app, "contracts"), {f"item_{filing.pk}": "7", "save": "1"}))
    assert "Enter a score between 0 and 3" in html
    assert app.scores.get(item=filing).self_score is None
    html = page(hr_client.post(wizard(app, "contracts"), {f"item_{filing.pk}": "abc", "save": "1"}))
    assert "Enter a number" in html


def test_wizard_group_heads_the_members_column_with_a_persons_name(
    hr_client, ent_a_old, ent_hr_a, cert_round, monkeypatch
):
    """Issue 20: the members' column was headed 名称 (an organisation's name). It reads the
    person-name message (context "person": 姓名), as the field's label does."""
    from django.utils.translation import trans_real

    from apps.certification.forms import GroupMemberForm

    app = build(ent_hr_a, ent_a_old, cert_round)
    catalog = trans_real.translation("zh-hans")._catalog._catalogs[0]
    monkeypatch.setitem(catalog, "person\x04Name", "姓名")
    hr_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = page(hr_client.get(wizard(app, "group")))
    header = html[html.index('data-testid="group-table"') : html.index("</thead>")]
    assert '<th scope="col">姓名</th>' in header and "名称" not in header
    with override("zh-hans"):
        assert str(GroupMemberForm().fields["name"].label) == "姓名"


def test_wizard_group_step_saves_members_and_shows_the_share(hr_client, ent_a_old, ent_hr_a, cert_round):
    app = build(ent_hr_a, ent_a_old, cert_round)
    html = page(hr_client.get(wizard(app, "group")))
    assert "at least 2/3" in html and 'data-testid="group-share"' in html
    data = {
        "members-TOTAL_FORMS": "4",
        "members-INITIAL_FORMS": "0",
        "members-0-name": "张工会",
        "members-0-role": GroupMember.Role.UNION_REP,
        "members-1-name": "李职工",
        "members-1-role": GroupMember.Role.WORKER_REP,
        "members-2-name": "王经理",
        "members-2-role": GroupMember.Role.MANAGEMENT,
        "members-2-position": "人事经理",
        "save_next": "1",
    }
    response = hr_client.post(wizard(app, "group"), data)
    assert response.status_code == 302 and response["Location"] == wizard(app, "disclosure")
    assert sorted(app.group.values_list("name", flat=True)) == ["张工会", "李职工", "王经理"]
    html = page(hr_client.get(wizard(app, "group")))
    assert "Union and worker representatives: 2 of 3 members (67%)" in html and "alert-success" in html
    # A member without a name: the error is on that row, nothing replaced.
    data.update({"members-3-role": GroupMember.Role.WORKER_REP, "members-3-name": ""})
    html = page(hr_client.post(wizard(app, "group"), data))
    assert "Enter the member&#x27;s name." in html or "Enter the member's name." in html
    assert app.group.count() == 3
    # Removing a row.
    data.update({"members-3-role": "", "members-2-DELETE": "on"})
    hr_client.post(wizard(app, "group"), data)
    assert sorted(app.group.values_list("name", flat=True)) == ["张工会", "李职工"]


def test_wizard_disclosure_step(hr_client, ent_a_old, ent_hr_a, cert_round):
    app = build(ent_hr_a, ent_a_old, cert_round)
    html = page(hr_client.get(wizard(app, "disclosure")))
    assert "at least 15 days" in html and 'data-testid="method-congress"' in html
    start = TODAY - dt.timedelta(days=20)
    html = page(
        hr_client.post(
            wizard(app, "disclosure"),
            {
                "disclosure_method": "posted",
                "posted_from": start.isoformat(),
                "posted_to": (start - dt.timedelta(days=1)).isoformat(),
                "save": "1",
            },
        )
    )
    assert "The posting cannot end before it starts." in html
    response = hr_client.post(
        wizard(app, "disclosure"),
        {
            "disclosure_method": "posted",
            "posted_from": start.isoformat(),
            "posted_to": (start + dt.timedelta(days=14)).isoformat(),
            "summary": "自评结果已在厂务公开栏公示。",
            "file": pdf_upload("公示照片.pdf"),
            "save_next": "1",
        },
    )
    assert response.status_code == 302 and response["Location"] == wizard(app, "submit")
    app.refresh_from_db()
    assert app.disclosure_method == "posted" and app.posted_to == start + dt.timedelta(days=14)
    assert app.evidence.get(purpose=Evidence.Purpose.DISCLOSURE).original_name == "公示照片.pdf"
    html = page(hr_client.get(wizard(app, "disclosure")))
    assert "公示照片.pdf" in html and "Posted for 15 days" in html


def test_submit_step_lists_the_problems_with_their_sources(hr_client, ent_a_old, ent_hr_a, cert_round):
    app = build(ent_hr_a, ent_a_old, cert_round)
    html = page(hr_client.get(wizard(app, "submit")))
    assert 'data-testid="submission-problems"' in html
    assert 'data-testid="problem-scores"' in html and 'data-testid="problem-group"' in html
    assert "item(s) have no score yet" in html
    assert "Liudong harmony certification programme (2022), part 4 (2)" in html
    assert "Self-evaluation score: <strong>0.0</strong> of 100" in html
    response = hr_client.post(action(app, "submit"))
    assert response.status_code == 302 and response["Location"] == wizard(app, "submit")
    html = page(hr_client.get(response["Location"]))
    assert "The application cannot be submitted yet" in html and "item(s) have no score yet" in html
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT


def test_a_complete_application_is_submitted(hr_client, ent_a_old, ent_hr_a, cert_round):
    app = complete(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a)
    html = page(hr_client.get(wizard(app, "submit")))
    assert 'data-testid="ready-to-submit"' in html
    response = hr_client.post(action(app, "submit"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "certification:detail", args=[app.pk]
    )
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED
    # No longer editable: the wizard sends HR to the application.
    response = hr_client.get(wizard(app, "contracts"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "certification:detail", args=[app.pk]
    )


def test_wizard_is_for_the_enterprise_hr_only(en, ent_a_old, ent_hr_a, ent_hr_b, cert_admin, cert_round):
    app = build(ent_hr_a, ent_a_old, cert_round)
    en.force_login(ent_hr_b)
    for step in ("contracts", "group", "disclosure", "submit"):
        assert en.get(wizard(app, step)).status_code == 404
    assert (
        en.post(wizard(app, "group"), {"members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0"}).status_code
        == 404
    )
    assert en.get(reverse("certification:detail", args=[app.pk])).status_code == 404
    assert en.post(action(app, "submit")).status_code == 404
    en.force_login(cert_admin)
    assert en.get(wizard(app, "contracts")).status_code == 403
    en.force_login(ent_hr_a)
    assert en.get(wizard(app, "no-such-step")).status_code == 404


def test_returned_application_shows_the_reason_in_the_wizard(
    hr_client, ent_a_old, ent_hr_a, cert_admin, cert_round
):
    app = submitted(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a)
    services.return_for_revision(p(cert_admin), app, "请补充工资支付凭证。")
    html = page(hr_client.get(wizard(app, "wages")))
    assert 'data-testid="return-reason"' in html and "请补充工资支付凭证。" in html


# The application and its actions -----------------------------------------------------------------------


def test_detail_for_hr_and_reviewer(en, ent_a_old, ent_hr_a, cert_admin, cert_round):
    app = submitted(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a)
    Objection.objects.create(
        application=app, name="赵六", phone="13711112222", content="反映该企业存在超时加班问题。"
    )
    en.force_login(ent_hr_a)
    html = page(en.get(reverse("certification:detail", args=[app.pk])))
    assert ent_a_old.name in html and 'data-testid="status-submitted"' in html
    assert 'data-testid="action-withdraw"' in html and 'data-testid="action-start_review"' not in html
    assert "赵六" not in html and "13711112222" not in html
    assert "代表0" in html and "Posted under open factory affairs" in html
    assert 'data-testid="history-row"' in html and "Submitted" in html
    html = page(en.get(reverse("certification:list")))
    assert ent_a_old.name in html and 'data-testid="open-objection-badge"' not in html
    # HR cannot probe for objections through the filter either: it is ignored for them.
    html = page(en.get(reverse("certification:list"), {"has_open_objection": "false"}))
    assert ent_a_old.name in html
    en.force_login(cert_admin)
    html = page(en.get(reverse("certification:detail", args=[app.pk])))
    assert 'data-testid="action-start_review"' in html and 'data-testid="action-return"' in html
    assert 'data-testid="action-withdraw"' not in html
    assert "赵六" in html and "13711112222" in html
    assert "劳动合同与用工备案" in html and 'data-testid="category-scores"' in html


def test_actions_through_the_page(en, ent_a_old, ent_hr_a, cert_admin, cert_round):
    app = submitted(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a)
    en.force_login(cert_admin)
    response = en.post(action(app, "start_review"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "certification:review", args=[app.pk]
    )
    app.refresh_from_db()
    assert app.status == Application.Status.UNDER_REVIEW and app.reviewer == cert_admin
    # Returning needs a reason: the form shows the error, nothing changes.
    html = page(en.post(action(app, "return"), {"return-reason": "  "}))
    assert "Give a reason" in html and 'id="reason-return"' in html
    app.refresh_from_db()
    assert app.status == Application.Status.UNDER_REVIEW
    # Proposing before every item is scored: a message, no 500.
    response = en.post(action(app, "propose"), follow=True)
    assert "Score every item before proposing" in page(response)
    response = en.post(action(app, "return"), {"return-reason": "证据不全，请补充。"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Application.Status.RETURNED
    assert app.history.filter(action="return", reason="证据不全，请补充。").exists()
    # A second start of the review is an invalid transition: a message.
    html = page(en.post(action(app, "start_review"), follow=True))
    assert "is not possible while the status is" in html


def test_hr_may_not_perform_reviewer_actions(hr_client, ent_a_old, ent_hr_a, cert_round):
    app = submitted(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a)
    assert hr_client.post(action(app, "start_review")).status_code == 403
    assert hr_client.post(action(app, "reject"), {"reject-reason": "x"}).status_code == 403
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED
    response = hr_client.post(action(app, "withdraw"), {"withdraw-reason": "本年度不再申报。"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Application.Status.WITHDRAWN


def test_bad_action_name_is_404(admin_client, ent_a_old, ent_hr_a, cert_round):
    app = build(ent_hr_a, ent_a_old, cert_round)
    assert admin_client.post(action(app, "bogus")).status_code == 404
    assert admin_client.post(action(app, "publish")).status_code == 404
    assert admin_client.get(action(app, "submit")).status_code == 405
    missing = reverse("certification:action", args=["00000000-0000-0000-0000-000000000000", "submit"])
    assert admin_client.post(missing).status_code == 404


# Review ---------------------------------------------------------------------------------------------------


def test_review_page_scores_record_and_warnings(en, ent_a_old, ent_hr_a, cert_admin, cert_round):
    app = under_review(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a, cert_admin)
    en.force_login(cert_admin)
    url = reverse("certification:review", args=[app.pk])
    html = page(en.get(url))
    assert 'data-testid="veto-warning"' not in html and 'data-testid="review-scores-form"' in html
    assert "signing.pdf" not in html and "evidence.pdf" in html
    assert 'data-testid="level-reached"' in html
    items = list(Item.objects.filter(category__rule_set=app.rule_set))
    data = {"part": "scores"}
    for i in items:
        data[f"item_{i.pk}"] = str((i.max_points * Decimal("0.85")).quantize(Decimal("0.1")))
        data[f"note_{i.pk}"] = "核实"
    assert en.post(url, data).status_code == 302
    app.refresh_from_db()
    assert app.reviewed_score is not None and app.reviewed_score >= 80
    html = page(en.get(url))
    assert '<div class="fs-5" data-testid="level-reached">A</div>' in html
    # The record with an on-site check file.
    response = en.post(
        url,
        {
            "part": "record",
            "review_comments": "材料齐全。",
            "site_visit_on": TODAY.isoformat(),
            "site_visit_by": "园区劳动关系办",
            "site_visit_notes": "现场查看考勤与工资台账。",
            "file": pdf_upload("现场核查.pdf"),
        },
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.site_visit_by == "园区劳动关系办" and app.review_comments == "材料齐全。"
    assert app.evidence.get(purpose=Evidence.Purpose.SITE_VISIT).original_name == "现场核查.pdf"
    # A future on-site check is refused on its field.
    html = page(en.post(url, {"part": "record", "site_visit_on": (TODAY + dt.timedelta(days=3)).isoformat()}))
    assert "The on-site check cannot be in the future." in html
    # A score over the maximum is a field error.
    html = page(en.post(url, {"part": "scores", f"item_{items[0].pk}": "99"}))
    assert "Enter a score between 0 and" in html


def test_review_page_warns_of_veto_events(en, ent_a_old, ent_hr_a, cert_admin, cert_round):
    app = under_review(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a, cert_admin)
    services.record_veto_event(
        p(cert_admin),
        enterprise=ent_a_old,
        kind="child_labour",
        occurred_on=TODAY - dt.timedelta(days=40),
        source="柳人社监〔2026〕1号",
    )
    en.force_login(cert_admin)
    html = page(en.get(reverse("certification:review", args=[app.pk])))
    assert 'data-testid="veto-warning"' in html and "使用童工" in html and "柳人社监〔2026〕1号" in html


def test_review_is_for_reviewers_only(en, ent_a_old, ent_hr_a, ent_hr_b, cert_admin, cert_round):
    app = under_review(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a, cert_admin)
    url = reverse("certification:review", args=[app.pk])
    en.force_login(ent_hr_a)
    assert en.get(url).status_code == 403
    assert en.post(url, {"part": "scores"}).status_code == 403
    en.force_login(ent_hr_b)
    assert en.get(url).status_code == 404


def test_review_page_outside_the_review_sends_to_the_application(
    admin_client, ent_a_old, ent_hr_a, cert_round
):
    app = submitted(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a)
    response = admin_client.get(reverse("certification:review", args=[app.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "certification:detail", args=[app.pk]
    )


# Evidence files -------------------------------------------------------------------------------------------


def test_evidence_download_is_scoped(en, ent_a_old, ent_b, ent_hr_a, ent_hr_b, cert_admin, cert_round):
    app = build(ent_hr_a, ent_a_old, cert_round)
    item = items_of(app, "contracts")[0]
    evidence = services.add_evidence(
        p(ent_hr_a), app, pdf_upload("劳动合同台账.pdf"), purpose=Evidence.Purpose.ITEM, item=item
    )
    url = reverse("certification:evidence", args=[app.pk, evidence.pk])
    en.force_login(ent_hr_a)
    response = en.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "%E5%8A%B3%E5%8A%A8" in response["Content-Disposition"]  # the original (Chinese) name
    assert b"".join(response.streaming_content) == PDF_BYTES
    en.force_login(cert_admin)
    assert en.get(url).status_code == 200
    en.force_login(ent_hr_b)
    assert en.get(url).status_code == 404
    assert en.post(reverse("certification:evidence_delete", args=[app.pk, evidence.pk])).status_code == 404
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    # Evidence of another application under this one's address: 404, even for an administrator.
    app_b = build(ent_hr_b, ent_b, cert_round)
    evidence_b = services.add_evidence(
        p(ent_hr_b), app_b, pdf_upload(), purpose=Evidence.Purpose.ITEM, item=item
    )
    en.force_login(cert_admin)
    assert en.get(reverse("certification:evidence", args=[app.pk, evidence_b.pk])).status_code == 404
    assert en.get(reverse("certification:evidence", args=[app_b.pk, evidence_b.pk])).status_code == 200


def test_hr_deletes_evidence_from_the_wizard(hr_client, ent_a_old, ent_hr_a, cert_admin, cert_round):
    app = build(ent_hr_a, ent_a_old, cert_round)
    item = items_of(app, "wages")[0]
    evidence = services.add_evidence(p(ent_hr_a), app, pdf_upload(), purpose=Evidence.Purpose.ITEM, item=item)
    response = hr_client.post(reverse("certification:evidence_delete", args=[app.pk, evidence.pk]))
    assert response.status_code == 302 and response["Location"] == wizard(app, "wages")
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    # A reviewer may not delete the enterprise's evidence.
    evidence = services.add_evidence(p(ent_hr_a), app, pdf_upload(), purpose=Evidence.Purpose.ITEM, item=item)
    hr_client.force_login(cert_admin)
    assert (
        hr_client.post(reverse("certification:evidence_delete", args=[app.pk, evidence.pk])).status_code
        == 403
    )
    assert Evidence.objects.filter(pk=evidence.pk).exists()


# Figures and the dossier ---------------------------------------------------------------------------------


def certified(app, hr, admin, cert_round):
    app = review_all(under_review(app, hr, admin), admin)
    app = services.propose(p(admin), app)
    notice = services.publish_notice(p(admin), round=cert_round, applications=[app])
    notice.starts_on = TODAY - dt.timedelta(days=10)
    notice.ends_on = TODAY - dt.timedelta(days=1)
    notice.save()
    app.refresh_from_db()
    services.certify(p(admin), app)
    return Certificate.objects.get(application=app)


def test_figures_page(en, ent_a_old, ent_b, ent_hr_a, cert_admin, cert_round):
    cert = certified(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a, cert_admin, cert_round)
    en.force_login(cert_admin)
    html = page(en.get(reverse("certification:figures")))
    assert 'data-testid="coverage-chart"' in html and "vendor/echarts/echarts.min.js" in html
    assert 'data-testid="certified-count">1 <span' in html
    assert 'data-testid="coverage">50.0%' in html and 'data-testid="target">90.0%' in html
    assert ent_a_old.town.name in html and cert.level.code in html
    assert "certification-chart-data" in html
    union_official = user_with_role(Role.UNION_OFFICIAL)
    en.force_login(union_official)
    assert en.get(reverse("certification:figures")).status_code == 200
    en.force_login(ent_hr_a)
    assert en.get(reverse("certification:figures")).status_code == 403


def test_detail_links_the_certificate_and_the_dossier_shows_the_title(
    en, ent_a_old, ent_hr_a, cert_admin, cert_round
):
    app = build(ent_hr_a, ent_a_old, cert_round)
    cert = certified(app, ent_hr_a, cert_admin, cert_round)
    en.force_login(ent_hr_a)
    html = page(en.get(reverse("certification:detail", args=[app.pk])))
    assert reverse("certification:certificate", args=[cert.number]) in html
    assert 'data-testid="status-certified"' in html
    html = page(en.get(reverse("enterprises:detail", args=[ent_a_old.pk])))
    assert 'data-testid="dossier-certification-section"' in html and 'data-testid="held-title"' in html
    assert reverse("certification:certificate", args=[cert.number]) in html
    report = cert.reports.order_by("year_no").first()
    assert reverse("certification:annual_report", args=[report.pk]) in html
    assert reverse("certification:detail", args=[app.pk]) in html
    with override("en"):
        assert "Holds harmony certification level A" in html
