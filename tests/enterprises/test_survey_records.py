"""The yearly survey against the platform's records (issue 17 item 3): the pure comparison, the
prefill from last year's answers and the records, the marks on the form, the API's
`disagreements`. Facts come from the real providers (apps/<app>/facts.py) over real records."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from apps.core.facts import Fact
from apps.core.principal import principal_for_api_client, principal_for_user
from apps.enterprises import selectors
from apps.enterprises.models import EnterpriseSurvey
from apps.enterprises.rules import (
    HEADCOUNT_TOLERANCE_PERCENT,
    REGISTRY_EMPLOYEES,
    SIGNING_RATE_TOLERANCE,
    survey_disagreements,
)
from apps.unions.models import CollectiveContract, WorkersCongress
from tests.contracts.test_facts import contracts
from tests.factories import SurveyFactory, UnionFactory

TODAY = timezone.localdate()
YEAR = TODAY.year - 1  # the survey form's default year
AS_OF = dt.date(YEAR, 12, 31)  # the records a survey of YEAR is compared with
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english(client, settings):
    """English, for the code and for the pages (the language cookie: pages do not follow
    Accept-Language, Chinese being the default)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


# The comparison (pure) ---------------------------------------------------------------------------------

FACTS = {
    "unions.has_union": True,
    "unions.members": 720,
    "contracts.signing_rate": Decimal("89.6"),
    "unions.collective_contract": True,
    "unions.wage_agreement": False,
    "unions.congress_held": True,
    REGISTRY_EMPLOYEES: 1525,
}
AGREEING = {
    "has_union": True,
    "union_members": 720,
    "contract_signing_rate": Decimal("89.60"),
    "collective_contract": True,
    "wage_bargaining": False,
    "workers_congress": True,
    "employees": 1525,
}


def test_answers_that_agree_are_not_marked():
    assert survey_disagreements(AGREEING, FACTS) == {}


@pytest.mark.parametrize(
    ("field", "answer", "says"),
    [
        ("has_union", False, "registered union (720 members)"),
        ("union_members", 0, "union register holds 720 members"),
        ("contract_signing_rate", Decimal("99.6"), "signing rate of 89.6 %"),
        ("collective_contract", False, "holds a comprehensive collective contract in force"),
        ("wage_bargaining", True, "holds no wage special agreement in force"),
        ("workers_congress", False, "workers' congress meeting with quorum"),
        ("employees", 1200, "registry holds 1,525 employees"),
    ],
)
def test_each_disagreeing_answer_is_marked_with_the_record(field, answer, says):
    marks = survey_disagreements({**AGREEING, field: answer}, FACTS)
    assert list(marks) == [field]
    assert says in marks[field]


def test_facts_that_cannot_tell_never_disagree_nor_do_missing_answers():
    unknown = dict.fromkeys(FACTS)
    answers = {**AGREEING, "has_union": False, "union_members": 3, "contract_signing_rate": Decimal("10")}
    assert survey_disagreements(answers, unknown) == {}
    assert survey_disagreements({}, FACTS) == {}
    assert survey_disagreements({"contract_signing_rate": None}, FACTS) == {}


def test_tolerances():
    rate = FACTS["contracts.signing_rate"]
    assert survey_disagreements({"contract_signing_rate": rate + SIGNING_RATE_TOLERANCE}, FACTS) == {}
    assert "contract_signing_rate" in survey_disagreements(
        {"contract_signing_rate": rate + SIGNING_RATE_TOLERANCE + Decimal("0.1")}, FACTS
    )
    allowed = int(720 * HEADCOUNT_TOLERANCE_PERCENT / 100)  # 36
    assert survey_disagreements({"union_members": 720 - allowed}, FACTS) == {}
    assert "union_members" in survey_disagreements({"union_members": 720 - allowed - 1}, FACTS)


def test_facts_may_be_given_as_fact_objects_with_their_date():
    facts = {"unions.congress_held": Fact("unions.congress_held", "", False, "", as_of=AS_OF)}
    marks = survey_disagreements({"workers_congress": True}, facts)
    assert marks["workers_congress"].endswith(f"in the 12 months to {AS_OF.isoformat()}.")


# Real records ------------------------------------------------------------------------------------


@pytest.fixture
def records(ent_a):
    """A union of 72 members, 90 of the registry's 100 employees with a contract in force, a
    comprehensive collective contract in force and a congress with quorum, all on AS_OF."""
    ent_a.employees = 100
    ent_a.save(update_fields=["employees"])
    union = UnionFactory(name="甲企业工会", members=72, enterprises=[ent_a])
    contracts(ent_a, 90, start=dt.date(YEAR, 1, 1), end=dt.date(YEAR + 2, 12, 31))
    signed = dt.date(YEAR, 2, 1)
    CollectiveContract.objects.create(
        enterprise=ent_a,
        union=union,
        kind=CollectiveContract.Kind.COMPREHENSIVE,
        title="集体合同",
        employer_representative="王强",
        worker_representative="李慕江",
        signed_on=signed,
        starts_on=signed + dt.timedelta(days=20),
        ends_on=dt.date(YEAR + 2, 12, 31),
        representatives_total=30,
        representatives_present=25,
        representatives_approving=24,
        filed_on=signed + dt.timedelta(days=5),
        effective_on=signed + dt.timedelta(days=20),
    )
    WorkersCongress.objects.create(
        enterprise=ent_a, held_on=dt.date(YEAR, 6, 1), representatives_total=30, representatives_present=25
    )
    return ent_a


def form_page(client, user, enterprise, **query):
    client.force_login(user)
    url = reverse("enterprises:survey_edit", args=[enterprise.pk])
    return client.get(url, query, **EN)


def test_new_survey_without_last_year_starts_from_the_records(client, ent_hr_a, records):
    response = form_page(client, ent_hr_a, records)
    form = response.context["form"]
    assert form.initial["has_union"] is True
    assert form.initial["union_members"] == 72
    assert form.initial["contract_signing_rate"] == Decimal("90.0")
    assert form.initial["collective_contract"] is True
    assert form.initial["wage_bargaining"] is False
    assert form.initial["workers_congress"] is True
    assert form.initial["employees"] == 100
    assert form.origins["contract_signing_rate"] == "platform: contract book"
    assert form.origins["union_members"] == "platform: union register"
    assert form.origins["employees"] == "platform: enterprise registry"
    assert "women" not in form.initial  # nothing tells
    html = response.content.decode()
    assert 'data-testid="survey-prefilled"' in html
    assert "From platform: contract book" in html
    assert 'data-testid="survey-disagreements"' not in html


def test_new_survey_starts_from_last_years_answers_where_records_cannot_tell(client, ent_hr_a, ent_a):
    SurveyFactory(
        enterprise=ent_a, year=YEAR - 1, employees=100, women=41, migrant_workers=12, mediation_committee=True
    )
    ent_a.refresh_from_db()
    form = form_page(client, ent_hr_a, ent_a).context["form"]
    assert (form.initial["women"], form.initial["migrant_workers"]) == (41, 12)
    assert form.initial["mediation_committee"] is True
    assert form.origins["women"] == "last year's survey"
    # No union registered: the record says so (a bool fact always tells).
    assert form.initial["has_union"] is False and form.origins["has_union"] == "platform: union register"
    # No contracts in the book: the record's 0.0 % replaces last year's answer.
    assert form.initial["contract_signing_rate"] == Decimal("0.0")


def test_older_survey_is_named_by_its_year(client, ent_hr_a, ent_a):
    SurveyFactory(enterprise=ent_a, year=YEAR - 3, women=7)
    form = form_page(client, ent_hr_a, ent_a).context["form"]
    assert form.origins["women"] == f"the {YEAR - 3} survey"


def test_existing_survey_is_marked_field_by_field(client, ent_hr_a, records):
    survey = SurveyFactory(
        enterprise=records,
        year=YEAR,
        employees=100,
        union_members=0,
        has_union=False,
        contract_signing_rate=Decimal("99.6"),
        collective_contract=False,
        wage_bargaining=True,
        workers_congress=False,
    )
    response = form_page(client, ent_hr_a, records, year=survey.year)
    marks = response.context["form"].marks
    assert set(marks) == {
        "has_union",
        "union_members",
        "contract_signing_rate",
        "collective_contract",
        "wage_bargaining",
        "workers_congress",
    }
    assert "registered union (72 members)" in marks["has_union"]
    assert "89.6" not in marks["contract_signing_rate"] and "90.0 %" in marks["contract_signing_rate"]
    html = response.content.decode()
    assert 'data-testid="survey-disagreements"' in html
    assert 'data-testid="survey-mark-has_union"' in html
    assert 'data-testid="survey-origin-' not in html  # an existing survey is the enterprise's answer


def test_saving_a_disagreeing_survey_is_allowed_and_says_so(client, ent_hr_a, records):
    client.force_login(ent_hr_a)
    url = reverse("enterprises:survey_edit", args=[records.pk])
    data = {
        "year": YEAR,
        "employees": 100,
        "union_members": 0,
        "women": 10,
        "migrant_workers": 5,
        "contract_signing_rate": "99.6",
        "collective_contract": "on",
        "workers_congress": "on",
    }
    response = client.post(url, data, **EN)
    assert response.status_code == 302
    survey = EnterpriseSurvey.objects.get(enterprise=records, year=YEAR)
    assert survey.has_union is False and survey.contract_signing_rate == Decimal("99.6")
    warning = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    # The fields by their labels, in the user's language: three of them.
    assert len(warning) == 1 and "disagree with the platform's records" in warning[0]
    assert warning[0].split(": ", 1)[1].count(", ") == 2


def test_invalid_post_shows_the_marks_of_what_was_typed(client, ent_hr_a, records):
    client.force_login(ent_hr_a)
    url = reverse("enterprises:survey_edit", args=[records.pk])
    data = {"year": YEAR, "employees": 100, "union_members": 500, "contract_signing_rate": "99.6"}
    response = client.post(url, data, **EN)
    assert response.status_code == 200  # more members than employees
    assert "contract_signing_rate" in response.context["form"].marks


def test_survey_checks_leave_out_modules_the_viewer_may_not_see(records, api_client_factory):
    survey = SurveyFactory(
        enterprise=records, year=YEAR, employees=100, contract_signing_rate=Decimal("99.6")
    )
    client, _key = api_client_factory(scopes=["enterprises:read"])
    marks = selectors.survey_checks(principal_for_api_client(client), records, survey)
    assert marks == {}
    client, _key = api_client_factory(name="b", scopes=["enterprises:read", "contracts:read"])
    marks = selectors.survey_checks(principal_for_api_client(client), records, survey)
    assert list(marks) == ["contract_signing_rate"]


def test_records_are_read_at_the_end_of_the_survey_year(park_admin, records):
    """A contract in force from YEAR+1 on does not count for the survey of YEAR."""
    CollectiveContract.objects.all().update(
        effective_on=dt.date(YEAR + 1, 1, 10), starts_on=dt.date(YEAR + 1, 1, 10)
    )
    survey = SurveyFactory(enterprise=records, year=YEAR, employees=100, collective_contract=True)
    marks = selectors.survey_checks(principal_for_user(park_admin), records, survey)
    assert "no comprehensive collective contract in force on" in marks["collective_contract"]


# The API -------------------------------------------------------------------------------------------


def test_api_lists_the_latest_surveys_disagreements_and_null_for_older(client, ent_hr_a, records):
    SurveyFactory(enterprise=records, year=YEAR - 1, employees=100, has_union=False)
    SurveyFactory(enterprise=records, year=YEAR, employees=100, has_union=False, union_members=72)
    client.force_login(ent_hr_a)
    body = client.get(f"/api/v1/enterprises/{records.pk}/surveys/", **EN).json()
    assert [row["year"] for row in body] == [YEAR, YEAR - 1]
    assert "registered union (72 members)" in body[0]["disagreements"]["has_union"]
    assert body[1]["disagreements"] is None


def test_api_post_returns_the_disagreements_of_the_recorded_survey(client, ent_hr_a, records):
    client.force_login(ent_hr_a)
    payload = {"year": YEAR, "employees": 100, "union_members": 72, "has_union": True}
    response = client.post(
        f"/api/v1/enterprises/{records.pk}/surveys/", payload, content_type="application/json", **EN
    )
    assert response.status_code == 201, response.content
    marks = response.json()["disagreements"]
    assert set(marks) == {"collective_contract", "workers_congress"}  # both left out: False
