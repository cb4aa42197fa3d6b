"""The staff pages of a mediation case: the list with its filters (one query count whatever the
number of cases), the case page for each kind of user (scoping 404, HR without applicants' ID
numbers or phones, the audited full view), every action form (GET and POST, refusals shown on the
form, never 500), the work pages (sessions, agreement, signatures, payments, performance,
follow-ups, referrals, documents), the archive's read-only state, the dossier section and a junk
sweep over every page."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.core.personal_data import mask_id_number
from apps.mediation import services
from apps.mediation.models import (
    Agreement,
    Case,
    CaseDocument,
    Extension,
    FollowUp,
    Payment,
    Referral,
    Session,
    Transfer,
)
from tests.factories import user_with_role

from .conftest import accepted, applicant, mediator_of, p, signed_agreement, valid_id_number

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def en(client):
    """The test client with pages in English (the msgids), so assertions read the source text."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def login(client, user):
    client.force_login(user)
    return client


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def rows(html: str) -> list[str]:
    return re.findall(r'data-testid="case-row" data-serial="([^"]+)"', html)


def detail(case) -> str:
    return reverse("mediation:detail", args=[case.pk])


def action(case, name) -> str:
    return reverse("mediation:action", args=[case.pk, name])


def url(name, case, *args) -> str:
    return reverse(f"mediation:{name}", args=[case.pk, *args])


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def case(make_case):
    """An online application against ent_a, routed to med_org, with one known applicant."""
    return make_case(applicants=[applicant(7, name="王五")])[0]


@pytest.fixture
def in_mediation(case, mediator_user):
    return accepted(case, mediator_user)


def closed_with_agreement(case, user, capture):
    signed_agreement(case, user)
    with capture(execute=True):
        services.close(p(user), case, "close_agreement")
    return fresh(case)


# The list ---------------------------------------------------------------------------------------------


def test_list_for_admin_mediator_and_hr(
    en, make_case, park_admin, mediator_user, mediator_b_user, ent_hr_a, ent_hr_b
):
    a = make_case()[0]
    b = make_case()[0]
    for user, expected in (
        (park_admin, {a.serial, b.serial}),
        (mediator_user, {a.serial, b.serial}),
        (ent_hr_a, {a.serial, b.serial}),
        (mediator_b_user, set()),
        (ent_hr_b, set()),
    ):
        html = page(login(en, user).get(reverse("mediation:list")))
        assert set(rows(html)) == expected, user
        assert 'data-testid="case-filter"' in html
    # Only mediators get the "my cases" toggle.
    assert 'data-testid="mine-toggle"' in page(login(en, mediator_user).get(reverse("mediation:list")))
    assert 'data-testid="mine-toggle"' not in page(login(en, ent_hr_a).get(reverse("mediation:list")))


def test_list_needs_login_and_the_permission(client, en):
    response = client.get(reverse("mediation:list"))
    assert response.status_code == 302 and reverse(settings.LOGIN_URL) in response["Location"]
    inspector = user_with_role(Role.INSPECTOR)
    assert login(en, inspector).get(reverse("mediation:list")).status_code == 403


def test_list_filters_collective_overdue_status_and_mine(en, make_case, park_admin, mediator_user):
    plain = make_case()[0]
    collective = make_case(applicants=[applicant(1), applicant(2)], workers_count=12, common_claim=True)[0]
    assert collective.is_collective
    late = make_case(channel=Case.Channel.WALK_IN, received_on=TODAY - dt.timedelta(days=20))[0]
    mine = accepted(make_case()[0], mediator_user)
    client = login(en, mediator_user)
    base = reverse("mediation:list")

    html = page(client.get(base))
    # Most urgent first (issue 20): the overdue case, then the nearest deadline, a collective
    # dispute first among equal deadlines; the case in mediation (a later deadline) last.
    assert rows(html) == [late.serial, collective.serial, plain.serial, mine.serial]
    assert 'data-testid="collective-badge"' in html
    assert 'data-testid="overdue-badge"' in html

    assert rows(page(client.get(base + "?collective=true"))) == [collective.serial]
    assert collective.serial not in rows(page(client.get(base + "?collective=false")))
    assert rows(page(client.get(base + "?overdue=true"))) == [late.serial]
    assert rows(page(client.get(base + "?status=in_mediation"))) == [mine.serial]
    assert set(rows(page(client.get(base + "?status=received&status=in_mediation")))) == {
        plain.serial,
        collective.serial,
        late.serial,
        mine.serial,
    }
    assert rows(page(client.get(base + "?mine=true"))) == [mine.serial]
    assert rows(page(client.get(base + f"?search={plain.serial}"))) == [plain.serial]
    assert rows(page(client.get(base + "?channel=walk_in"))) == [late.serial]
    # A bad filter lists nothing and says so, it does not fail.
    html = page(client.get(base + "?received_from=2026-02-31&status=zzz"))
    assert rows(html) == [] and 'data-testid="filter-errors"' in html


def test_list_is_sorted_by_urgency_with_archived_collective_cases_last(en, make_case, park_admin):
    """Issue 20: an archived collective dispute sat above overdue open cases. Now the open cases
    come first by their next deadline (overdue first), decided ones last; the collective badge is
    in its row; the received date's column is headed "Received on" (not the status "Received")."""
    archived = make_case(applicants=[applicant(11), applicant(12)], workers_count=40, common_claim=True)[0]
    Case.objects.filter(pk=archived.pk).update(status=Case.Status.ARCHIVED)
    closed = make_case()[0]
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.CLOSED)
    today = make_case(amount_claimed="2460633")[0]
    overdue = make_case(channel=Case.Channel.WALK_IN, received_on=TODAY - dt.timedelta(days=20))[0]
    overdue_less = make_case(channel=Case.Channel.WALK_IN, received_on=TODAY - dt.timedelta(days=10))[0]
    client = login(en, park_admin)
    html = page(client.get(reverse("mediation:list")))
    order = rows(html)
    assert order[:3] == [overdue.serial, overdue_less.serial, today.serial]
    assert set(order[3:]) == {archived.serial, closed.serial}
    assert order.index(archived.serial) > order.index(overdue.serial)
    assert html.count('data-testid="overdue-badge"') == 2
    row = re.search(rf'<tr data-testid="case-row" data-serial="{archived.serial}".*?</tr>', html, re.S).group(
        0
    )
    assert 'data-testid="collective-badge"' in row
    assert '<th scope="col">Received on</th>' in html and '<th scope="col">Received</th>' not in html
    assert "most urgent first" in html
    # The amount with thousands separators (in Chinese too: Django's format has none).
    assert "2,460,633.00" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "2,460,633.00" in page(client.get(reverse("mediation:list")))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # Collective disputes as a filter.
    assert rows(page(client.get(reverse("mediation:list") + "?collective=true"))) == [archived.serial]
    # Walked page by page, the same order.
    walked, link = [], reverse("mediation:list") + "?after="
    for _ in range(10):
        html = page(client.get(link))
        walked += rows(html)
        found = re.search(r'href="(\?[^"]*after=[^"]*)" data-testid="page-next"', html)
        if not found:
            break
        link = reverse("mediation:list") + found.group(1).replace("&amp;", "&")
    assert walked == order


def test_list_status_filter_is_a_group_of_checkboxes(en, make_case, park_admin):
    """Issue 20: no Ctrl-click list; the same parameters (`?status=a&status=b`)."""
    received = make_case()[0]
    archived = make_case()[0]
    Case.objects.filter(pk=archived.pk).update(status=Case.Status.ARCHIVED)
    client = login(en, park_admin)
    html = page(client.get(reverse("mediation:list") + "?status=received&status=archived"))
    assert "<select" not in re.search(r'data-testid="filter-checks-status".*?</fieldset>', html, re.S).group(
        0
    )
    assert "multiple" not in re.search(r'data-testid="case-filter".*?</form>', html, re.S).group(0)
    boxes = re.findall(r'<input type="checkbox" name="status" value="([a-z_]+)"[^>]*>', html)
    assert boxes == [value for value, _label in Case.Status.choices]
    checked = re.findall(r'<input type="checkbox" name="status" value="([a-z_]+)"[^>]*checked', html)
    assert checked == ["received", "archived"]
    assert set(rows(html)) == {received.serial, archived.serial}
    # The button says what is chosen; the labels are the statuses'.
    summary = re.search(r'class="filter-checks-summary">([^<]*)<', html).group(1)
    assert summary == "Received, Archived"
    html = page(client.get(reverse("mediation:list")))
    assert re.search(r'class="filter-checks-summary">([^<]*)<', html).group(1) == "Any"
    # A value that is not a status lists nothing and says so.
    html = page(client.get(reverse("mediation:list") + "?status=zzz"))
    assert rows(html) == [] and 'data-testid="filter-errors"' in html


def test_list_paginates_and_keeps_filters(en, make_case, park_admin):
    for _ in range(27):
        make_case()
    client = login(en, park_admin)
    html = page(client.get(reverse("mediation:list") + "?status=received"))
    first = rows(html)
    assert len(first) == 25 and "27 cases" in html
    # Deep pages by keyset: "next" carries the last row's keys and keeps the filters.
    following = re.search(r'href="(\?[^"]*after=[^"]*)" data-testid="page-next"', html).group(1)
    assert "status=received" in following
    html = page(client.get(reverse("mediation:list") + following.replace("&amp;", "&")))
    assert len(rows(html)) == 2 and not set(rows(html)) & set(first)
    assert 'data-testid="page-previous"' in html and 'data-testid="page-next"' not in html
    previous = re.search(r'href="(\?[^"]*before=[^"]*)" data-testid="page-previous"', html).group(1)
    assert rows(page(client.get(reverse("mediation:list") + previous.replace("&amp;", "&")))) == first
    # A cursor of junk shows the first page instead of an error.
    assert rows(page(client.get(reverse("mediation:list") + "?status=received&after=zz"))) == first
    junk = base64.urlsafe_b64encode(
        json.dumps([True, "soon", "2026-01-01", "TJ", str(uuid.uuid4())]).encode()
    )
    assert (
        rows(page(client.get(reverse("mediation:list") + f"?status=received&after={junk.decode()}"))) == first
    )
    # Another order is paged by number.
    html = page(client.get(reverse("mediation:list") + "?status=received&ordering=-amount_claimed"))
    assert len(rows(html)) == 25 and "page=2" in html
    assert (
        len(
            rows(
                page(
                    client.get(reverse("mediation:list") + "?status=received&ordering=-amount_claimed&page=2")
                )
            )
        )
        == 2
    )


def test_list_runs_in_a_constant_number_of_queries(en, make_case, park_admin, mediator_user):
    def count():
        client = login(en, park_admin)
        client.get(reverse("mediation:list"))  # warm-up: the caches the login and new rows moved on
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("mediation:list")).status_code == 200
        return len(ctx.captured_queries)

    for i in range(5):
        case = make_case(applicants=[applicant(i + 1)], types=["remuneration", "dismissal"])[0]
        if i % 2:
            accepted(case, mediator_user)
    count()  # the first page of a session fills the caches (the unread notifications)
    small = count()
    for i in range(10):
        case = make_case(applicants=[applicant(i + 20)], types=["remuneration", "dismissal"])[0]
        if i % 2:
            accepted(case, mediator_user)
    assert Case.objects.count() == 15
    assert count() == small


# The case page --------------------------------------------------------------------------------------------


def test_detail_scoping(en, case, mediator_user, mediator_b_user, ent_hr_b, park_admin):
    html = page(login(en, mediator_user).get(detail(case)))
    assert case.serial in html and 'data-testid="timeline"' in html
    assert 'data-testid="action-accept"' in html
    assert page(login(en, park_admin).get(detail(case)))
    assert login(en, mediator_b_user).get(detail(case)).status_code == 404
    assert login(en, ent_hr_b).get(detail(case)).status_code == 404
    assert login(en, mediator_user).get("/mediation/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_hr_sees_the_case_without_id_numbers_or_phones(en, in_mediation, ent_hr_a):
    number, phone = valid_id_number(7), applicant(7)["phone"]
    client = login(en, ent_hr_a)
    for suffix in ("", "?reveal=" + str(in_mediation.applicants.get().pk)):
        html = page(client.get(detail(in_mediation) + suffix))
        assert "王五" in html and in_mediation.serial in html
        assert number not in html and mask_id_number(number) not in html
        assert number[:6] not in html and phone not in html
        assert 'data-testid="reveal-id"' not in html
        assert 'data-testid="case-actions"' not in html  # HR does not act on the case
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW).exists()


def test_reveal_shows_the_full_number_to_a_mediator_and_is_audited(en, case, mediator_user):
    number = valid_id_number(7)
    person = case.applicants.get()
    client = login(en, mediator_user)
    html = page(client.get(detail(case)))
    assert mask_id_number(number) in html and number not in html
    assert applicant(7)["phone"] in html
    assert f"?reveal={person.pk}" in html
    html = page(client.get(detail(case) + f"?reveal={person.pk}"))
    assert number in html and 'data-testid="revealed-note"' in html
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SENSITIVE_VIEW)
    assert event.actor == mediator_user and event.object_id == str(person.pk)
    # Junk in `reveal` shows nothing in full and logs nothing.
    html = page(client.get(detail(case) + "?reveal=junk"))
    assert number not in html
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW).count() == 1


def test_detail_shows_collective_badge_and_limitation_warning(en, make_case, mediator_user):
    case = make_case(
        applicants=[applicant(1), applicant(2)],
        workers_count=15,
        types=["dismissal"],
        infringed_on=TODAY - dt.timedelta(days=400),
    )[0]
    html = page(login(en, mediator_user).get(detail(case)))
    assert 'data-testid="collective"' in html and "劳动争议调解仲裁法第七条" in html
    assert 'data-testid="limitation" data-level="past"' in html and "劳动争议调解仲裁法第二十七条" in html
    assert 'data-testid="deadlines"' in html


# Actions ----------------------------------------------------------------------------------------------------


def test_accept_form_and_refusals(en, case, mediator_user, mediator_b_user, med_org):
    client = login(en, mediator_user)
    html = page(client.get(action(case, "accept")))
    assert 'data-testid="action-form"' in html and "李调解" in html
    # No mediator chosen: the service's message on the form, nothing changed.
    html = page(client.post(action(case, "accept"), {"organisation": str(med_org.pk), "mediator": ""}))
    assert "Assign a mediator." in html and fresh(case).status == Case.Status.RECEIVED
    # A mediator of another organisation.
    other = mediator_of(mediator_b_user)
    html = page(
        client.post(action(case, "accept"), {"organisation": str(med_org.pk), "mediator": str(other.pk)})
    )
    assert "Choose an active mediator of" in html and fresh(case).status == Case.Status.RECEIVED
    # Junk ids are form errors.
    html = page(client.post(action(case, "accept"), {"organisation": "junk", "mediator": "-1"}))
    assert "invalid-feedback" in html and fresh(case).status == Case.Status.RECEIVED
    response = client.post(
        action(case, "accept"),
        {"organisation": str(med_org.pk), "mediator": str(mediator_of(mediator_user).pk)},
    )
    assert response.status_code == 302 and response["Location"] == detail(case)
    case = fresh(case)
    assert case.status == Case.Status.IN_MEDIATION and case.mediator == mediator_of(mediator_user)
    # Accepting again: the workflow's refusal, on GET as a note and on POST on the form.
    assert 'data-testid="action-refusal"' in page(client.get(action(case, "accept")))
    html = page(client.post(action(case, "accept"), {"organisation": str(med_org.pk)}))
    assert "not possible while the status is" in html


def test_action_permissions_and_unknown_action(en, case, ent_hr_a, mediator_b_user, mediator_user):
    assert login(en, ent_hr_a).get(action(case, "accept")).status_code == 403
    assert login(en, ent_hr_a).post(action(case, "refuse"), {"reason": "x"}).status_code == 403
    assert login(en, mediator_b_user).get(action(case, "accept")).status_code == 404
    assert login(en, mediator_user).get(action(case, "nonsense")).status_code == 404
    assert login(en, mediator_user).post(action(case, "nonsense")).status_code == 404
    assert fresh(case).status == Case.Status.RECEIVED


def test_transfer(en, case, mediator_user, med_org_b):
    client = login(en, mediator_user)
    html = page(client.get(action(case, "transfer")))
    assert med_org_b.name in html
    html = page(client.post(action(case, "transfer"), {"to_organisation": str(med_org_b.pk), "reason": " "}))
    assert "Give a reason" in html
    assert not Transfer.objects.exists() and fresh(case).organisation != med_org_b
    html = page(client.post(action(case, "transfer"), {"to_organisation": "", "reason": "属地"}))
    assert "Choose an active organisation." in html
    response = client.post(
        action(case, "transfer"), {"to_organisation": str(med_org_b.pk), "reason": "企业调委会处理"}
    )
    assert response.status_code == 302
    case = fresh(case)
    assert case.organisation == med_org_b and case.status == Case.Status.RECEIVED
    # The case left the mediator's organisation.
    assert client.get(detail(case)).status_code == 404


def test_extend(en, in_mediation, mediator_user):
    client = login(en, mediator_user)
    case = in_mediation
    page(client.get(action(case, "extend")))
    html = page(
        client.post(
            action(case, "extend"),
            {"new_due_on": "2026-02-31", "applicant_consent_on": "yesterday", "consent_record": "x"},
        )
    )
    assert html.count("invalid-feedback d-block") >= 2 and not Extension.objects.exists()
    html = page(
        client.post(
            action(case, "extend"),
            {
                "new_due_on": (case.due_on + dt.timedelta(days=40)).isoformat(),
                "applicant_consent_on": TODAY.isoformat(),
                "respondent_consent_on": TODAY.isoformat(),
                "consent_record": "双方签字同意",
            },
        )
    )
    assert "at most 15 days" in html and not Extension.objects.exists()
    new = case.due_on + dt.timedelta(days=10)
    response = client.post(
        action(case, "extend"),
        {
            "new_due_on": new.isoformat(),
            "applicant_consent_on": TODAY.isoformat(),
            "respondent_consent_on": TODAY.isoformat(),
            "consent_record": "双方签字同意",
        },
    )
    assert response.status_code == 302 and fresh(case).due_on == new
    html = page(client.get(detail(case)))
    assert 'data-testid="extension-row"' in html


def test_refuse_then_archive(en, case, mediator_user):
    client = login(en, mediator_user)
    assert "reason (required)" in page(client.get(action(case, "refuse"))).lower()
    html = page(client.post(action(case, "refuse"), {"reason": ""}))
    assert "Give a reason" in html and fresh(case).status == Case.Status.RECEIVED
    assert client.post(action(case, "refuse"), {"reason": "不属于劳动争议"}).status_code == 302
    assert fresh(case).status == Case.Status.REFUSED
    html = page(client.get(detail(case)))
    assert "不属于劳动争议" in html and 'data-testid="action-archive"' in html
    assert client.post(action(case, "archive"), {"reason": "ignored"}).status_code == 302
    assert fresh(case).status == Case.Status.ARCHIVED


def test_closing_actions(en, make_case, mediator_user):
    client = login(en, mediator_user)
    case = accepted(make_case()[0], mediator_user)
    html = page(client.post(action(case, "close_no_agreement"), {"reason": ""}))
    assert "Give a reason" in html and fresh(case).status == Case.Status.IN_MEDIATION
    assert client.post(action(case, "close_no_agreement"), {"reason": "差距过大"}).status_code == 302
    case = fresh(case)
    assert case.status == Case.Status.CLOSED and case.outcome == Case.Outcome.NO_AGREEMENT
    # Timed out before the deadline: the guard's reason, shown on GET and on POST.
    other = accepted(make_case()[0], mediator_user)
    assert 'data-testid="action-refusal"' in page(client.get(action(other, "close_timed_out")))
    html = page(client.post(action(other, "close_timed_out"), {}))
    assert "timed out only after it" in html and fresh(other).status == Case.Status.IN_MEDIATION
    # Closing with the agreement before it is signed.
    html = page(client.post(action(other, "close_agreement"), {}))
    assert "Draft the agreement" in html and fresh(other).status == Case.Status.IN_MEDIATION
    # Withdraw straight from "received".
    third = make_case()[0]
    assert client.post(action(third, "withdraw"), {"reason": "已和解"}).status_code == 302
    assert fresh(third).outcome == Case.Outcome.WITHDRAWN


# Work on the case ------------------------------------------------------------------------------------------


def test_session(en, in_mediation, mediator_user):
    client = login(en, mediator_user)
    page(client.get(url("session_create", in_mediation)))
    html = page(client.post(url("session_create", in_mediation), {"held_at": "junk", "mode": "zzz"}))
    assert "invalid-feedback" in html and not Session.objects.exists()
    html = page(
        client.post(url("session_create", in_mediation), {"held_at": "", "mode": "video", "attendees": "x"})
    )
    assert "Enter the date and time of the session." in html
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url("session_create", in_mediation),
        {"held_at": now, "mode": "video", "attendees": "王五、人事", "notes": "n"},
    )
    assert response.status_code == 302 and Session.objects.get().attendees == "王五、人事"
    assert 'data-testid="session-row"' in page(client.get(detail(in_mediation)))


def _agreement_post(**row):
    data = {
        "result": "同意支付工资",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
    }
    base = {
        "kind": "wages",
        "description": "8 月工资",
        "amount": "5000",
        "due_on": TODAY.isoformat(),
        "method": "transfer",
    }
    for key, value in {**base, **row}.items():
        data[f"items-0-{key}"] = value
    return data


def test_agreement_editing(en, in_mediation, mediator_user):
    client = login(en, mediator_user)
    html = page(client.get(url("agreement", in_mediation)))
    assert 'data-testid="item-row"' in html
    # A bad amount: the field's error, on its row; nothing saved.
    html = page(client.post(url("agreement", in_mediation), _agreement_post(amount="abc")))
    assert 'data-testid="item-amount-error"' in html and not Agreement.objects.exists()
    html = page(client.post(url("agreement", in_mediation), _agreement_post(amount="-5")))
    assert 'data-testid="item-amount-error"' in html and "The amount cannot be negative." in html
    assert not Agreement.objects.exists()
    html = page(client.post(url("agreement", in_mediation), {**_agreement_post(), "result": ""}))
    assert "Write the result the parties agreed on." in html and not Agreement.objects.exists()
    html = page(client.post(url("agreement", in_mediation), {**_agreement_post(), "items-0-kind": ""}))
    assert "Choose the kind of item." in html
    # No item at all.
    data = _agreement_post(kind="", description="", amount="", due_on="")
    html = page(client.post(url("agreement", in_mediation), data))
    assert "Enter at least one item" in html and not Agreement.objects.exists()
    # A broken management form.
    html = page(
        client.post(url("agreement", in_mediation), {**_agreement_post(), "items-TOTAL_FORMS": "abc"})
    )
    assert 'data-testid="formset-errors"' in html
    assert client.post(url("agreement", in_mediation), _agreement_post()).status_code == 302
    agreement = Agreement.objects.get()
    assert [i.amount for i in agreement.items.all()] == [5000]
    # The saved items come back on the form.
    assert "8 月工资" in page(client.get(url("agreement", in_mediation)))


def test_signatures_close_with_agreement_pdf_payment_performance_follow_up(
    en, in_mediation, mediator_user, ent_hr_a, django_capture_on_commit_callbacks
):
    client = login(en, mediator_user)
    case = in_mediation
    # Signatures before any agreement: the page is not open.
    response = client.get(url("signatures", case))
    assert response.status_code == 302
    assert client.post(url("agreement", case), _agreement_post(amount="8000")).status_code == 302
    html = page(client.post(url("signatures", case), {"applicant_signed_on": "2099-01-01"}))
    assert "The date cannot be in the future." in html
    day = case.received_on.isoformat()
    response = client.post(
        url("signatures", case),
        {
            "applicant_signed_on": day,
            "respondent_signed_on": day,
            "mediator_signed_on": day,
            "sealed_on": day,
        },
    )
    assert response.status_code == 302 and Agreement.objects.get().effective_on == case.received_on
    # The text is fixed now: the agreement page is closed.
    assert client.get(url("agreement", case)).status_code == 302
    assert client.get(url("agreement_pdf", case)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(action(case, "close_agreement"), {}).status_code == 302
    case = fresh(case)
    assert case.outcome == Case.Outcome.AGREEMENT
    html = page(client.get(detail(case)))
    assert 'data-testid="agreement-pdf"' in html and 'data-testid="follow-ups"' in html
    response = client.get(url("agreement_pdf", case))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # The respondent's HR may not: the PDF names the applicants with their ID numbers.
    assert login(en, ent_hr_a).get(url("agreement_pdf", case)).status_code == 403

    client = login(en, mediator_user)
    html = page(client.post(url("payment_create", case), {"amount": "0", "paid_on": TODAY.isoformat()}))
    assert "The amount must be more than zero." in html and not Payment.objects.exists()
    html = page(client.post(url("payment_create", case), {"amount": "abc", "paid_on": "31/31/2031"}))
    assert html.count("invalid-feedback d-block") >= 2
    assert (
        client.post(url("payment_create", case), {"amount": "3000", "paid_on": TODAY.isoformat()}).status_code
        == 302
    )
    assert Agreement.objects.get().performance == Agreement.Performance.PARTLY

    html = page(client.post(url("performance", case), {"performance": "maybe"}))
    assert "invalid-feedback" in html
    assert (
        client.post(url("performance", case), {"performance": "not_performed", "note": "未付"}).status_code
        == 302
    )
    assert Agreement.objects.get().performance == Agreement.Performance.NOT_PERFORMED

    follow_up = FollowUp.objects.get(kind=FollowUp.Kind.ARBITRATION_CONFIRMATION)
    page(client.get(url("follow_up", case, follow_up.pk)))
    html = page(client.post(url("follow_up", case, follow_up.pk), {"status": "done", "done_on": ""}))
    assert "Enter a date." in html
    response = client.post(
        url("follow_up", case, follow_up.pk), {"status": "done", "done_on": TODAY.isoformat()}
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.DONE
    other = "00000000-0000-0000-0000-000000000000"
    assert client.get(reverse("mediation:follow_up", args=[case.pk, other])).status_code == 404

    # Archive: the page is read-only, work pages refuse, nothing is written.
    assert client.post(action(case, "archive"), {}).status_code == 302
    case = fresh(case)
    assert case.status == Case.Status.ARCHIVED
    html = page(client.get(detail(case)))
    assert 'data-testid="case-actions"' not in html and 'data-testid="action-' not in html
    assert 'data-testid="archived-note"' in html and 'data-testid="agreement-pdf"' in html
    assert (
        client.post(url("payment_create", case), {"amount": "100", "paid_on": TODAY.isoformat()}).status_code
        == 302
    )
    assert client.post(url("performance", case), {"performance": "performed"}).status_code == 302
    assert client.post(url("follow_up", case, follow_up.pk), {"status": "open"}).status_code == 302
    assert Payment.objects.count() == 1
    assert Agreement.objects.get().performance == Agreement.Performance.NOT_PERFORMED
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.DONE


def test_archived_case_refuses_every_work_page(en, make_case, mediator_user):
    client = login(en, mediator_user)
    case = accepted(make_case(applicants=[applicant(3)])[0], mediator_user)
    services.add_referral(
        p(mediator_user),
        case,
        applicant=case.applicants.get(),
        kind="job_matching",
        provider="就业服务中心",
        referred_on=TODAY,
    )
    services.close(p(mediator_user), case, "close_no_agreement", reason="差距大")
    services.archive(p(mediator_user), fresh(case))
    case = fresh(case)
    referral = Referral.objects.get()
    html = page(client.get(detail(case)))
    assert 'data-testid="case-actions"' not in html and 'data-testid="referral-result"' not in html
    posts = {
        url("session_create", case): {
            "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "mode": "video",
            "attendees": "x",
        },
        url("agreement", case): _agreement_post(),
        url("signatures", case): {"sealed_on": TODAY.isoformat()},
        url("referral_create", case): {
            "applicant": str(case.applicants.get().pk),
            "kind": "job_matching",
            "provider": "x",
            "referred_on": TODAY.isoformat(),
        },
        url("referral_result", case, referral.pk): {"result": "employed", "result_on": TODAY.isoformat()},
        url("document_upload", case): {"title": "x", "file": SimpleUploadedFile("a.pdf", PDF_BYTES)},
        url("payment_create", case): {"amount": "1", "paid_on": TODAY.isoformat()},
        url("performance", case): {"performance": "performed"},
    }
    for target, data in posts.items():
        response = client.post(target, data)
        assert response.status_code == 302 and response["Location"] == detail(case), target
    for name in ("close_no_agreement", "archive", "accept", "extend"):
        assert client.post(action(case, name), {"reason": "x"}).status_code == 200  # the refusal on the form
    assert not Session.objects.exists() and not Agreement.objects.exists()
    assert not CaseDocument.objects.exists() and Referral.objects.count() == 1
    referral.refresh_from_db()
    assert referral.result == Referral.Result.PENDING
    assert fresh(case).status == Case.Status.ARCHIVED


def test_referral(en, in_mediation, mediator_user, make_case):
    client = login(en, mediator_user)
    case = in_mediation
    html = page(client.get(url("referral_create", case)))
    assert "王五" in html
    stranger = make_case(applicants=[applicant(9, name="外人")])[0].applicants.get()
    html = page(
        client.post(
            url("referral_create", case),
            {
                "applicant": str(stranger.pk),
                "kind": "job_matching",
                "provider": "x",
                "referred_on": TODAY.isoformat(),
            },
        )
    )
    assert "invalid-feedback" in html and not Referral.objects.exists()
    html = page(
        client.post(
            url("referral_create", case),
            {"applicant": "", "kind": "job_matching", "provider": "", "referred_on": ""},
        )
    )
    assert "Choose an applicant of this case." in html
    person = case.applicants.get()
    response = client.post(
        url("referral_create", case),
        {
            "applicant": str(person.pk),
            "kind": "job_matching",
            "provider": "雒容镇就业服务站",
            "referred_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    html = page(
        client.post(url("referral_result", case, referral.pk), {"result": "employed", "result_on": ""})
    )
    assert "Enter a date." in html
    response = client.post(
        url("referral_result", case, referral.pk), {"result": "employed", "result_on": TODAY.isoformat()}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.result == Referral.Result.EMPLOYED
    assert "雒容镇就业服务站" in page(client.get(detail(case)))


def test_documents(en, case, mediator_user, ent_hr_a, mediator_b_user):
    client = login(en, mediator_user)
    page(client.get(url("document_upload", case)))
    html = page(client.post(url("document_upload", case), {"title": "申请书"}))
    assert "Choose a file." in html
    exe = SimpleUploadedFile("a.pdf", b"MZ\x90\x00" + b"\x00" * 64)
    html = page(client.post(url("document_upload", case), {"title": "申请书", "file": exe}))
    assert "invalid-feedback" in html and not CaseDocument.objects.exists()
    response = client.post(
        url("document_upload", case), {"title": "申请书", "file": SimpleUploadedFile("a.pdf", PDF_BYTES)}
    )
    assert response.status_code == 302
    doc = CaseDocument.objects.get()
    html = page(client.get(detail(case)))
    assert 'data-testid="document-link"' in html
    response = client.get(url("document", case, doc.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    # The respondent's HR neither sees nor downloads the documents, nor adds any.
    hr = login(en, ent_hr_a)
    assert 'data-testid="documents"' not in page(hr.get(detail(case)))
    assert hr.get(url("document", case, doc.pk)).status_code == 404
    assert hr.get(url("document_upload", case)).status_code == 403
    assert login(en, mediator_b_user).get(url("document", case, doc.pk)).status_code == 404


def test_hr_may_not_work_on_a_case(en, in_mediation, ent_hr_a):
    client = login(en, ent_hr_a)
    for name in (
        "session_create",
        "agreement",
        "signatures",
        "payment_create",
        "performance",
        "referral_create",
    ):
        assert client.get(url(name, in_mediation)).status_code == 403, name
        assert client.post(url(name, in_mediation), {}).status_code == 403, name
    assert not Session.objects.exists() and not Agreement.objects.exists()


def test_dossier_section(en, case, ent_a, ent_hr_a, park_admin):
    for user in (ent_hr_a, park_admin):
        html = page(login(en, user).get(reverse("enterprises:detail", args=[ent_a.pk])))
        assert 'data-testid="dossier-disputes-section"' in html and case.serial in html


# Junk ----------------------------------------------------------------------------------------------------

JUNK = {
    "organisation": "not-a-uuid",
    "mediator": "-1",
    "to_organisation": "../../etc",
    "reason": "x" * 5000,
    "new_due_on": "2026-02-31",
    "applicant_consent_on": "yesterday",
    "respondent_consent_on": "31/31/2031",
    "consent_record": "<script>",
    "held_at": "NaN",
    "mode": "zzz",
    "result": "",
    "items-TOTAL_FORMS": "9999999",
    "items-INITIAL_FORMS": "abc",
    "items-0-amount": "1e999",
    "amount": "NaN",
    "paid_on": "0000-00-00",
    "performance": "maybe",
    "status": "done",
    "done_on": "tomorrow",
    "applicant": "00000000-0000-0000-0000-000000000000",
    "kind": "lottery",
    "provider": "",
    "follow_up_on": "2026-02-30",
    "referred_on": "-1",
    "title": "",
    "file": "not a file",
    "applicant_signed_on": "2026-13-01",
}


@pytest.mark.parametrize("who", ["anonymous", "hr", "other_hr", "mediator", "other_mediator", "admin"])
def test_no_page_answers_500_to_junk(
    client,
    who,
    make_case,
    mediator_user,
    mediator_b_user,
    ent_hr_a,
    ent_hr_b,
    park_admin,
    django_capture_on_commit_callbacks,
):
    received = make_case()[0]
    working = accepted(make_case(applicants=[applicant(4)])[0], mediator_user)
    services.add_referral(
        p(mediator_user),
        working,
        applicant=working.applicants.get(),
        kind="job_matching",
        provider="s",
        referred_on=TODAY,
    )
    closed = closed_with_agreement(
        accepted(make_case()[0], mediator_user), mediator_user, django_capture_on_commit_callbacks
    )
    follow_up = FollowUp.objects.first()
    referral = Referral.objects.get()
    user = {
        "anonymous": None,
        "hr": ent_hr_a,
        "other_hr": ent_hr_b,
        "mediator": mediator_user,
        "other_mediator": mediator_b_user,
        "admin": park_admin,
    }[who]
    if user is not None:
        client.force_login(user)
    zero = "00000000-0000-0000-0000-000000000000"
    urls = [
        reverse("mediation:list"),
        reverse("mediation:list")
        + "?status=zzz&organisation=junk&type=%00&town=x&channel=y&outcome=z&collective=maybe&overdue=2"
        + "&mine=yes&received_from=2026-02-31&received_to=junk&ordering=--x&page=-3&search=%27%22",
        f"/mediation/{zero}/",
        f"/mediation/{zero}/action/accept/",
    ]
    for case in (received, working, closed):
        urls += [
            detail(case),
            detail(case) + "?reveal=junk",
            detail(case) + f"?reveal={zero}",
            *(
                action(case, name)
                for name in (
                    "accept",
                    "refuse",
                    "transfer",
                    "extend",
                    "close_agreement",
                    "close_timed_out",
                    "archive",
                    "nonsense",
                )
            ),
            *(
                url(name, case)
                for name in (
                    "session_create",
                    "agreement",
                    "signatures",
                    "agreement_pdf",
                    "payment_create",
                    "performance",
                    "referral_create",
                    "document_upload",
                )
            ),
            url("follow_up", case, follow_up.pk),
            url("follow_up", case, zero),
            url("referral_result", case, referral.pk),
            url("referral_result", case, zero),
            url("document", case, zero),
        ]
    before = {c.pk: (c.status, c.organisation_id, c.due_on) for c in Case.objects.all()}
    for target in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(target, JUNK if method == "post" else None)
            assert response.status_code < 500, (who, method, target, response.status_code)
    # Junk wrote nothing.
    assert {c.pk: (c.status, c.organisation_id, c.due_on) for c in Case.objects.all()} == before
    assert not Session.objects.exists() and not Payment.objects.exists() and not CaseDocument.objects.exists()
    assert Referral.objects.count() == 1 and Extension.objects.count() == 0


def test_hr_of_the_respondent_does_not_see_the_mediators_file(client, make_case, mediator_user, ent_hr_a):
    """Session notes and attendees, referrals and documents stay with the mediators."""
    case, _code = make_case(applicants=[applicant(3, lost_job=True)])
    case = accepted(case, mediator_user)
    services.record_session(
        p(mediator_user),
        case,
        held_at=dt.datetime.now(),
        mode="phone",
        attendees="王五（工会）",
        notes="内部笔记：对方底线八千",
    )
    services.add_referral(
        p(mediator_user),
        case,
        applicant=case.applicants.get(),
        kind="job_matching",
        provider="园区就业服务中心",
        referred_on=dt.date.today(),
    )
    client.force_login(mediator_user)
    page = client.get(f"/mediation/{case.pk}/").content.decode()
    assert "内部笔记" in page and "园区就业服务中心" in page
    client.force_login(ent_hr_a)
    page = client.get(f"/mediation/{case.pk}/").content.decode()
    assert "内部笔记" not in page and "王五（工会）" not in page and "园区就业服务中心" not in page
    data = client.get(f"/api/v1/mediation/cases/{case.pk}/").json()
    assert data["referrals"] == [] and data["sessions"][0]["notes"] == ""
