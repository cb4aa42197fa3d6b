"""Staff pages of mediation intake: registering a case (the applicants formset, service errors on
the right row or field), the figures and the organisations page; junk never gives a 500."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.principal import SYSTEM
from apps.mediation import rules, services
from apps.mediation.models import Case, Mediator
from tests.factories import user_with_role

from .conftest import accepted, applicant, p, signed_agreement, valid_id_number

pytestmark = pytest.mark.django_db

URL = reverse("mediation:create")


@pytest.fixture
def en(client):
    """The test client with pages in English (the msgids)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def applicant_rows(*rows, extra=2) -> dict:
    """Formset data: the given rows, then `extra` empty rows."""
    data = {
        "applicants-TOTAL_FORMS": str(len(rows) + extra),
        "applicants-INITIAL_FORMS": "0",
        "applicants-MIN_NUM_FORMS": "0",
        "applicants-MAX_NUM_FORMS": "200",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                value = "on"
            elif value is False or value is None:
                continue
            elif isinstance(value, dt.date):
                value = value.isoformat()
            data[f"applicants-{i}-{key}"] = value
    return data


def intake(*rows, **fields) -> dict:
    rows = rows or ({"name": "张三", "id_number": valid_id_number(11), "phone": "13807710011"},)
    data = {
        "channel": Case.Channel.WALK_IN,
        "application_form": Case.Form.WRITTEN,
        "received_on": timezone.localdate().isoformat(),
        "respondent_name": "柳州园外劳务有限公司",
        "respondent_phone": "0772-3123456",
        "types": ["remuneration"],
        "claims": "支付拖欠工资 8000 元",
        "facts": "2026 年 8 月起未发工资",
        "amount_claimed": "8000",
        "common_claim": "on",
        **applicant_rows(*rows),
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def errors_of(response) -> str:
    return response.content.decode()


# Registering a case ---------------------------------------------------------------------------------


def test_get_shows_the_form_with_today_and_the_oral_hint(en, mediator_user):
    en.force_login(mediator_user)
    response = en.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert timezone.localdate().isoformat() in html  # received on: today
    assert "劳动争议调解仲裁法第十二条" in html  # the oral record's hint names LDMAL art. 12
    assert 'name="applicants-TOTAL_FORMS"' in html and 'id="applicant-template"' in html
    # Only the staff channels are offered.
    assert 'value="walk_in"' in html and 'value="court"' in html and 'value="online"' not in html


def test_register_a_walk_in_case_with_a_free_text_employer(en, mediator_user, med_org):
    en.force_login(mediator_user)
    second = applicant(2, name="李四", employed_until=dt.date(2026, 1, 31), lost_job=True)
    response = en.post(
        URL,
        intake(
            {"name": "张三", "id_number": valid_id_number(11), "phone": "13807710011"},
            second,
            organisation=str(med_org.pk),
            workers_count="3",
        ),
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("mediation:detail", args=[case.pk])
    assert case.channel == Case.Channel.WALK_IN
    assert case.respondent_enterprise is None and case.respondent_name == "柳州园外劳务有限公司"
    assert case.organisation == med_org and case.workers_count == 3
    assert case.amount_claimed == Decimal("8000")
    assert [a.name for a in case.applicants.all()] == ["张三", "李四"]  # empty rows left out
    lisi = case.applicants.get(name="李四")
    assert lisi.lost_job and lisi.employed_until == dt.date(2026, 1, 31)
    assert list(case.types.values_list("code", flat=True)) == ["remuneration"]
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert case.serial in text
    code = text.split("Access code for the applicant: ")[1].split(".")[0]
    assert rules.check_access_code(case, code)
    assert "only this once" in text


def test_register_against_a_registry_enterprise_routes_automatically(en, park_admin, ent_a, med_org):
    en.force_login(park_admin)
    response = en.post(URL, intake(respondent_enterprise=str(ent_a.pk), respondent_name=""))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.respondent_enterprise == ent_a and case.respondent_name == ent_a.name
    assert case.organisation == med_org  # selectors.route: the township organisation of ent_a's town


def test_bad_id_check_digit_lands_on_the_applicant_row(en, mediator_user):
    en.force_login(mediator_user)
    good = valid_id_number(21)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    # The first row is blank, so the row sent second to the service is the third on the page.
    rows = [{}, {"name": "王五", "id_number": good}, {"name": "赵六", "id_number": bad}]
    data = intake(*rows)
    response = en.post(URL, data)
    assert response.status_code == 200
    assert not Case.objects.exists()
    formset = response.context["formset"]
    assert formset.forms[2].errors["id_number"]
    assert "check character" in formset.forms[2].errors["id_number"][0]
    assert not formset.forms[0].errors and not formset.forms[1].errors
    assert not response.context["form"].errors  # nothing wrong with the rest


def test_missing_claims_oral_without_record_and_court_without_its_name(en, mediator_user):
    en.force_login(mediator_user)
    response = en.post(
        URL,
        intake(
            claims="",
            channel=Case.Channel.COURT,
            application_form=Case.Form.ORAL,
            oral_record="",
            court_name="",
        ),
    )
    assert response.status_code == 200
    assert not Case.objects.exists()
    errors = response.context["form"].errors
    assert "claims" in errors
    assert "oral_record" in errors and "劳动争议调解仲裁法第十二条" in errors["oral_record"][0]
    assert "court_name" in errors
    html = response.content.decode()
    assert "The case is not registered yet" in html


def test_court_case_with_its_court_registers(en, mediator_user):
    en.force_login(mediator_user)
    response = en.post(
        URL,
        intake(
            channel=Case.Channel.COURT,
            court_name="柳州市柳江区人民法院",
            source_reference="（2026）桂0206诉前调1号",
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Case.Channel.COURT and case.court_name == "柳州市柳江区人民法院"
    assert (case.due_on - case.received_on).days == 30


def test_a_hotline_referral_entered_by_staff_needs_its_work_order_number(en, mediator_user):
    """A 12345 work order forwarded on paper is registered on the page as the API would: its number
    is required, and the same number again is refused on that field (one case per work order)."""
    en.force_login(mediator_user)
    response = en.post(URL, intake(channel=Case.Channel.HOTLINE, source_reference=""))
    assert response.status_code == 200 and not Case.objects.exists()
    assert "source_reference" in response.context["form"].errors
    response = en.post(URL, intake(channel=Case.Channel.HOTLINE, source_reference="GD20261206-0042"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Case.Channel.HOTLINE and case.source_reference == "GD20261206-0042"
    again = en.post(URL, intake(channel=Case.Channel.HOTLINE, source_reference="GD20261206-0042"))
    assert again.status_code == 200 and Case.objects.count() == 1
    assert "source_reference" in again.context["form"].errors


def test_no_applicant_at_all_is_shown_above_the_rows(en, mediator_user):
    en.force_login(mediator_user)
    response = en.post(URL, intake({}))
    assert response.status_code == 200
    assert response.context["formset"].service_errors
    assert "Enter at least one applicant" in response.content.decode()


def test_representatives_error_and_bad_dates_in_a_row(en, mediator_user):
    en.force_login(mediator_user)
    response = en.post(
        URL,
        intake(
            {"name": "张三", "is_representative": True, "employed_from": "2026-13-01"},
        ),
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["employed_from"]
    response = en.post(URL, intake({"name": "张三", "is_representative": True}))
    assert "Only a collective dispute elects representatives" in response.content.decode()


def test_hr_and_anonymous_may_not_register(client, ent_hr_a):
    response = client.get(URL)
    assert response.status_code == 302  # to the login page
    client.force_login(ent_hr_a)
    assert client.get(URL).status_code == 403
    assert client.post(URL, intake()).status_code == 403
    assert not Case.objects.exists()


def test_limitation_warning_is_shown_after_registration(en, mediator_user):
    en.force_login(mediator_user)
    old = timezone.localdate() - dt.timedelta(days=400)
    response = en.post(URL, intake(types=["dismissal"], infringed_on=old.isoformat()))
    assert response.status_code == 302
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "limitation period ended" in text


# Figures --------------------------------------------------------------------------------------------


@pytest.fixture
def three_cases(make_case, mediator_user, ent_a):
    """Three cases: one closed with an agreement of 10,000 yuan, one in mediation, one received."""
    first, _code = make_case(amount_claimed="12000", workers_count=2, applicants=[applicant(1), applicant(2)])
    second, _code = make_case(amount_claimed="5000", types=["dismissal", "compensation"])
    third, _code = make_case(amount_claimed="3000", workers_count=12, common_claim=True)
    accepted(first, mediator_user)
    signed_agreement(first, mediator_user, amount="10000")
    services.close(p(mediator_user), first, "close_agreement")
    accepted(second, mediator_user)
    return first, second, third


def test_figures_match_the_cases(en, mediator_user, three_cases):
    en.force_login(mediator_user)
    response = en.get(reverse("mediation:figures"))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures["cases"] == 3
    assert figures["workers"] == 2 + 1 + 12
    assert figures["claimed"] == Decimal("20000")
    assert figures["agreed"] == Decimal("10000")
    assert figures["closed"] == 1 and figures["by_agreement"] == 1 and figures["agreement_share"] == 100.0
    assert figures["collective"] == 1 and figures["collective_workers"] == 12
    assert figures["average_days_to_close"] == 0.0
    html = response.content.decode()
    for testid, value in (
        ("fig-cases", "3"),
        ("fig-workers", "15"),
        ("fig-claimed", "20,000.00"),
        ("fig-agreed", "10,000.00"),
        ("fig-share", "100.0%"),
        ("fig-collective", "1"),
    ):
        assert f'data-testid="{testid}">{value}<' in html, testid
    assert 'data-testid="by-status"' in html and 'data-testid="by-outcome"' in html
    assert 'data-testid="by-type"' in html and 'data-testid="by-organisation"' in html
    assert 'data-testid="by-month"' in html and 'data-testid="month-chart"' in html
    assert "雒容镇劳动争议调解中心" in html  # the organisation's row
    assert 'data-testid="mediation-subnav"' in html


def test_figures_period_filters_and_defaults_to_the_last_12_months(en, park_admin, three_cases):
    en.force_login(park_admin)
    response = en.get(reverse("mediation:figures"))
    form = response.context["form"]
    today = timezone.localdate()
    assert form.initial["date_to"] == today
    assert form.initial["date_from"] <= today - dt.timedelta(days=330)
    future = today + dt.timedelta(days=1)
    response = en.get(reverse("mediation:figures"), {"date_from": future.isoformat(), "date_to": ""})
    assert response.status_code == 200 and response.context["figures"]["cases"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-02-31"},
        {"date_from": "yesterday", "date_to": "x"},
        {"date_from": "2026-05-01", "date_to": "2026-01-01"},
        {"date_to": "9999999-01-01"},
    ],
)
def test_figures_bad_dates_are_form_errors(en, park_admin, params):
    en.force_login(park_admin)
    response = en.get(reverse("mediation:figures"), params)
    assert response.status_code == 200
    assert response.context["figures"] is None and response.context["form"].errors
    assert 'data-testid="figures-invalid"' in response.content.decode()


def test_figures_need_the_permission(client, ent_hr_a):
    client.force_login(ent_hr_a)
    assert client.get(reverse("mediation:figures")).status_code == 403


# Organisations --------------------------------------------------------------------------------------


def test_organisations_page(en, mediator_user, med_org, med_org_b, make_case):
    Mediator.objects.create(organisation=med_org, name="周退休", specialities=["dismissal"], is_active=False)
    make_case()
    en.force_login(mediator_user)
    response = en.get(reverse("mediation:organisations"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "雒容镇劳动争议调解中心" in html and "乙公司劳动争议调解委员会" in html
    assert med_org.towns.get().name in html
    assert "李调解" in html and "周退休" in html
    assert "Labour remuneration (wages)" in html and "Removal, dismissal, resignation or leaving" in html
    assert "1 open case<" in html
    assert 'data-testid="admin-link"' not in html  # mediators edit nothing here


def test_organisations_page_for_admin_and_hr(client, park_admin, ent_hr_a, med_org):
    park_admin.is_staff = True
    park_admin.save()
    client.force_login(park_admin)
    html = client.get(reverse("mediation:organisations")).content.decode()
    assert reverse("admin:mediation_mediationorganisation_changelist") in html
    client.force_login(ent_hr_a)  # HR may read the list (view_case)
    assert client.get(reverse("mediation:organisations")).status_code == 200
    client.force_login(user_with_role(Role.INSPECTOR))
    assert client.get(reverse("mediation:organisations")).status_code == 403


# Junk -----------------------------------------------------------------------------------------------

JUNK = {
    "channel": "online",
    "application_form": "<script>",
    "received_on": "2026-02-31",
    "respondent_enterprise": "not-a-uuid",
    "town": "-1",
    "organisation": "00000000-0000-0000-0000-000000000000",
    "types": ["nonsense", ""],
    "amount_claimed": "NaN",
    "workers_count": "99999999999999999999",
    "infringed_on": "31/31/2031",
    "date_from": "2026-99-01",
    "date_to": "\x00",
    "applicants-TOTAL_FORMS": "abc",
    "applicants-0-employed_from": "yesterday",
}


@pytest.mark.parametrize("who", ["mediator", "admin", "hr"])
def test_junk_never_gives_500(client, who, mediator_user, park_admin, ent_hr_a):
    user = {"mediator": mediator_user, "admin": park_admin, "hr": ent_hr_a}[who]
    client.force_login(user)
    urls = [reverse("mediation:create"), reverse("mediation:figures"), reverse("mediation:organisations")]
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url, JUNK)
            assert response.status_code < 500, (who, method, url, response.status_code)
    # Many rows: capped, no 500.
    many = intake(**{"applicants-TOTAL_FORMS": "9999999"})
    assert client.post(URL, many).status_code < 500
    # A formset that is fine but a junk main form.
    assert (
        client.post(
            URL, intake(**{k: v for k, v in JUNK.items() if not k.startswith("applicants")})
        ).status_code
        < 500
    )
    assert not Case.objects.exists()


def test_system_principal_registration_still_shows_on_figures(en, park_admin, ent_a, med_org):
    """A case registered by a district system (court-entrusted) counts in the figures too."""
    services.register_case(
        SYSTEM,
        channel=Case.Channel.COURT,
        applicants=[applicant(5)],
        types=["contract"],
        claims="确认劳动关系",
        court_name="柳江区人民法院",
        respondent_enterprise=ent_a,
    )
    en.force_login(park_admin)
    figures = en.get(reverse("mediation:figures")).context["figures"]
    assert figures["cases"] == 1
    assert {v: n for _label, n, v in figures["by_type"]}["contract"] == 1
