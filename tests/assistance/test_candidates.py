"""The "no omission" list: workers the platform knows who may qualify."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.assistance import selectors
from apps.core.personal_data import lookup_hash
from apps.mediation.models import Applicant, Case, CaseType, Referral

from .conftest import TODAY, id_number, p

pytestmark = pytest.mark.django_db


def case(enterprise, serial, *types):
    c = Case.objects.create(
        serial=serial,
        access_code_hash="x",
        respondent_enterprise=enterprise,
        respondent_name=enterprise.name,
        town=enterprise.town,
        claims="支付工资",
        received_on=TODAY - dt.timedelta(days=30),
        clock_starts_on=TODAY - dt.timedelta(days=30),
        decision_due_on=TODAY,
        due_on=TODAY,
    )
    for code in types:
        CaseType.objects.create(case=c, code=code)
    return c


def applicant(c, seed, name, **extra):
    number = id_number(seed)
    return Applicant.objects.create(
        case=c, name=name, id_number=number, id_number_hash=lookup_hash(number), **extra
    )


def referral(a, result):
    return Referral.objects.create(
        case=a.case,
        applicant=a,
        kind="job_matching",
        provider="就业服务中心",
        referred_on=TODAY,
        result=result,
    )


@pytest.fixture
def people(ent_a, ent_b):
    dismissal = case(ent_a, "TJ2026-00001", "dismissal")
    lost = applicant(dismissal, 101, "失业甲", lost_job=True)
    referral(lost, "no_result")
    employed = applicant(dismissal, 102, "已就业乙", lost_job=True)
    referral(employed, "employed")
    kept_job = applicant(dismissal, 103, "在职丙")
    injury = applicant(case(ent_a, "TJ2026-00002", "injury_medical"), 104, "工伤丁")
    elsewhere = applicant(case(ent_b, "TJ2026-00003", "dismissal"), 105, "乙企业戊", lost_job=True)
    return {"lost": lost, "employed": employed, "kept": kept_job, "injury": injury, "elsewhere": elsewhere}


def test_candidates_for_the_union(people, official_a):
    names = {r["name"] for r in selectors.candidates(p(official_a))}
    assert names == {"失业甲", "工伤丁"}


def test_already_on_file_is_left_out(people, official_a, make_file):
    make_file(seed=101)
    names = {r["name"] for r in selectors.candidates(p(official_a))}
    assert names == {"工伤丁"}


def test_park_admin_sees_every_enterprise_hr_none(people, park_admin, ent_hr_a):
    assert {r["name"] for r in selectors.candidates(p(park_admin))} == {"失业甲", "工伤丁", "乙企业戊"}
    assert selectors.candidates(p(ent_hr_a)) == []


def test_open_a_file_from_a_candidate(people, client, official_a, ent_a):
    client.force_login(official_a)
    page = client.get(reverse("assistance:candidates")).content.decode()
    assert "失业甲" in page and "已就业乙" not in page and people["lost"].id_number not in page
    url = reverse("assistance:create")
    assert client.get(f"{url}?applicant={people['elsewhere'].pk}").status_code == 404
    response = client.post(
        f"{url}?applicant={people['lost'].pk}",
        {
            "enterprise": ent_a.pk,
            "name": "失业甲",
            "id_number": "",
            "applicant": people["lost"].pk,
            "difficulties": ["unemployment"],
            "household_size": 3,
            "household_monthly_income": "1500",
        },
    )
    assert response.status_code == 302
    file = selectors.files_visible_to(p(official_a)).get(name="失业甲")
    assert file.id_number == people["lost"].id_number and "TJ2026-00001" in file.origin
