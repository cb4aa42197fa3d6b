"""The cockpit's figures (issue 20): one selectors module, sums of (town, industry) groups, targets,
correct after a write, the same numbers on the page, the API and for any date; the page's query
count does not grow with the number of enterprises."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.roles import Role
from apps.cockpit import rules, selectors, services
from apps.cockpit.models import FigureMonth, RecordedMonth, Target
from apps.core.principal import SYSTEM
from apps.unions.models import UnionTarget
from tests.contracts.conftest import policy, row  # noqa: F401 - `policy` is a fixture
from tests.factories import EnterpriseFactory, SurveyFactory, TownFactory, UnionFactory, user_with_role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def towns():
    return TownFactory(code="450211001", name="雒容镇"), TownFactory(code="450211002", name="洛埠镇")


@pytest.fixture
def park(towns):
    """Four operating enterprises in two towns and two industries; two covered by a union."""
    t1, t2 = towns
    a = EnterpriseFactory(town=t1, industry="C", employees=100)
    b = EnterpriseFactory(town=t1, industry="F", employees=50)
    c = EnterpriseFactory(town=t2, industry="C", employees=200)
    d = EnterpriseFactory(town=t2, industry="C", employees=150, status="closed")
    UnionFactory(enterprises=[a, c], founded_on=TODAY - dt.timedelta(days=400))
    SurveyFactory(enterprise=a, year=TODAY.year, employees=100, union_members=80)
    SurveyFactory(enterprise=c, year=TODAY.year, employees=200, union_members=100)
    UnionTarget.objects.update_or_create(
        from_year=TODAY.year, defaults={"coverage": Decimal("60"), "membership_rate": Decimal("85")}
    )
    return a, b, c, d


def value(result, code):
    return result["by_code"][code]["value"]


def test_rules_values_and_months():
    assert rules.value_of(rules.PERCENT, 1, 3) == Decimal("33.3")
    assert rules.value_of(rules.PERCENT, 1, 0) is None
    assert rules.value_of(rules.DAYS, 31, 2) == Decimal("15.5")
    assert rules.value_of(rules.YUAN, Decimal("9791300"), None) == Decimal("9791300.00")
    assert rules.meets(Decimal("40.1"), Decimal("90"), rules.HIGHER) is False
    assert rules.meets(Decimal("12"), Decimal("15"), rules.LOWER) is True
    assert rules.meets(None, Decimal("15"), rules.LOWER) is None
    assert rules.months_up_to(dt.date(2026, 2, 10), 3) == [
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]
    assert rules.month_end(dt.date(2024, 2, 3)) == dt.date(2024, 2, 29)
    assert rules.period_error(TODAY + dt.timedelta(days=1), TODAY, TODAY)
    assert rules.period_error(TODAY, TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=2))
    assert rules.period_error(TODAY, rules.default_since(TODAY), TODAY) is None


def test_park_town_and_industry_figures_add_up(park, towns):
    result = selectors.figures(SYSTEM)
    # The closed enterprise counts nowhere; 2 of 3 operating enterprises have a union.
    assert value(result, "enterprises.operating") == 3
    assert value(result, "enterprises.employees") == 350
    assert value(result, "unions.coverage") == Decimal("66.7")
    assert value(result, "unions.membership_rate") == Decimal("60.0")  # 180 / 300
    cov = result["by_code"]["unions.coverage"]
    assert (cov["numerator"], cov["denominator"], cov["target"], cov["meets_target"]) == (
        2,
        3,
        Decimal("60"),
        True,
    )
    membership = result["by_code"]["unions.membership_rate"]
    assert membership["meets_target"] is False and membership["target_display"]

    t1 = selectors.figures(SYSTEM, town=towns[0].code)
    assert value(t1, "enterprises.operating") == 2 and value(t1, "unions.coverage") == Decimal("50.0")
    assert t1["town"] == {"code": towns[0].code, "name": towns[0].name}
    f = selectors.figures(SYSTEM, industry="F")
    assert value(f, "enterprises.operating") == 1 and value(f, "unions.coverage") == Decimal("0.0")

    table = selectors.breakdown(SYSTEM, by="town", codes=["enterprises.operating", "unions.coverage"])
    assert [r["key"] for r in table["rows"]] == [towns[0].code, towns[1].code]
    assert sum(r["values"]["enterprises.operating"] for r in table["rows"]) == 3
    assert table["rows"][0]["values"]["unions.coverage"] == value(t1, "unions.coverage")
    assert table["total"]["values"]["unions.coverage"] == value(result, "unions.coverage")


def test_unknown_scope_is_refused(park):
    with pytest.raises(LookupError):
        selectors.figures(SYSTEM, town="nowhere")
    with pytest.raises(LookupError):
        selectors.figures(SYSTEM, industry="Z")
    with pytest.raises(LookupError):
        selectors.figures(SYSTEM, codes=["no.such"])
    with pytest.raises(LookupError):
        selectors.breakdown(SYSTEM, by="colour")


def test_a_figure_changes_after_the_write_that_changes_it(park, towns):
    before = value(selectors.figures(SYSTEM), "unions.coverage")
    b = park[1]
    UnionFactory(enterprises=[b])  # covered today: the union's save moves the topic on
    after = value(selectors.figures(SYSTEM), "unions.coverage")
    assert (before, after) == (Decimal("66.7"), Decimal("100.0"))


def test_own_targets_are_policy_data_with_a_date(park):
    target = selectors.figures(SYSTEM)["by_code"]["contracts.signing_rate"]
    assert target["target"] == Decimal("95") and "劳动合同法" in target["source"]
    Target.objects.create(code="contracts.signing_rate", value=Decimal("98"), valid_from=TODAY)
    assert selectors.figures(SYSTEM)["by_code"]["contracts.signing_rate"]["target"] == Decimal("98")
    earlier = selectors.figures(SYSTEM, as_of=TODAY - dt.timedelta(days=1))
    assert earlier["by_code"]["contracts.signing_rate"]["target"] == Decimal("95")


def test_as_of_an_earlier_date_counts_what_was_then(park):
    # The union was founded 400 days ago: two years ago nobody was covered.
    old = selectors.figures(SYSTEM, as_of=TODAY - dt.timedelta(days=730))
    assert value(old, "unions.coverage") == Decimal("0.0")


def test_monthly_record_and_trends(park):
    last = rules.add_months(TODAY, -1)
    assert services.record_months(months=2) == [rules.add_months(TODAY, -2), last]
    assert services.record_months(months=2) == []  # once
    assert RecordedMonth.objects.count() == 2
    assert (
        FigureMonth.objects.filter(month=last, code="enterprises.operating").count() == 3
    )  # t1|C, t1|F, t2|C
    trend = selectors.trends(SYSTEM, months=4, codes=["enterprises.operating", "unions.coverage"])
    assert trend["months"][-1] == TODAY.strftime("%Y-%m")
    assert trend["series"]["enterprises.operating"] == [None, 3, 3, 3]  # the oldest: not recorded
    assert trend["series"]["unions.coverage"][1:] == [Decimal("66.7")] * 3
    # A recorded month equals the live figures of that month's end.
    live = selectors.figures(SYSTEM, as_of=rules.month_end(last), since=last)
    assert trend["series"]["unions.coverage"][2] == value(live, "unions.coverage")
    with pytest.raises(ValueError):
        services.record_month(TODAY)


def test_home_figures_follow_the_role(park):
    admin = user_with_role(Role.PARK_ADMIN)
    from apps.core.principal import principal_for_user

    codes = [f["code"] for f in selectors.home_figures(principal_for_user(admin))]
    assert codes == list(selectors.ROLE_FIGURES["park_admin"])
    hr = user_with_role(Role.ENTERPRISE_HR, park[0].organisation)
    hr_figures = selectors.home_figures(principal_for_user(hr))
    assert [f["code"] for f in hr_figures] == list(selectors.ROLE_FIGURES["enterprise_hr"])
    assert all(not f["url"] or "contracts" in f["url"] or "appeals" in f["url"] for f in hr_figures)


# The page -----------------------------------------------------------------------------------------


def test_cockpit_page_for_the_park_and_refused_to_others(client, park, towns):
    client.force_login(user_with_role(Role.PARK_ADMIN))
    page = client.get("/cockpit/")
    assert page.status_code == 200
    body = page.content.decode()
    for code in rules.HEADLINE:
        assert f'data-testid="figure-{code}"' in body
    assert 'data-testid="by-town"' in body and towns[0].name in body
    narrowed = client.get("/cockpit/", {"town": towns[0].code})
    assert narrowed.status_code == 200 and narrowed.context["result"]["town"]["code"] == towns[0].code
    client.force_login(user_with_role(Role.ENTERPRISE_HR, park[0].organisation))
    assert client.get("/cockpit/").status_code == 403


@pytest.mark.parametrize(
    "params",
    [
        {"as_of": "2026-13-45"},
        {"as_of": (TODAY + dt.timedelta(days=3)).isoformat()},
        {"since": (TODAY + dt.timedelta(days=1)).isoformat(), "as_of": TODAY.isoformat()},
        {"town": "x" * 300},
        {"industry": "ZZ"},
    ],
)
def test_cockpit_bad_input_is_a_form_error(client, park, params):
    client.force_login(user_with_role(Role.PARK_ADMIN))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/cockpit/", params)
    assert page.status_code == 400
    assert page.context["form"].errors


def test_cockpit_queries_do_not_grow_with_enterprises(client, towns):
    client.force_login(user_with_role(Role.PARK_ADMIN))

    def count():
        cache.clear()
        client.get("/")  # the session and permissions are read alike in both runs
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/cockpit/").status_code == 200
        return len(ctx)

    for i in range(3):
        EnterpriseFactory(town=towns[i % 2], industry="CF"[i % 2])
    few = count()
    for i in range(25):
        EnterpriseFactory(town=towns[i % 2], industry="CDEF"[i % 4])
    assert count() == few


# The statistics API -------------------------------------------------------------------------------


def test_statistics_api_equals_the_page(client, api_client_factory, park, towns):
    _c, key = api_client_factory(scopes=["statistics:read"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}", **EN}
    body = client.get("/api/v1/statistics/", {"town": towns[0].code, "breakdown": "industry"}, **auth).json()
    page = selectors.figures(SYSTEM, town=towns[0].code)
    api = {f["code"]: f for f in body["figures"]}
    assert set(api) == set(rules.FIGURE_ORDER)
    for code, figure in page["by_code"].items():
        expected = figure["value"]
        assert (api[code]["value"] is None) == (expected is None), code
        if expected is not None:
            assert Decimal(str(api[code]["value"])) == expected, code
    assert api["unions.coverage"]["target"] == 60 and api["unions.coverage"]["meets_target"] is False
    assert body["town"]["code"] == towns[0].code
    assert {row["key"] for row in body["breakdown"]} == {"C", "F"}
    limited = client.get("/api/v1/statistics/", {"codes": "unions.coverage"}, **auth).json()
    assert [f["code"] for f in limited["figures"]] == ["unions.coverage"]


@pytest.mark.parametrize(
    "params",
    [
        {"as_of": "tomorrow"},
        {"as_of": (TODAY + dt.timedelta(days=1)).isoformat()},
        {"town": "nowhere"},
        {"industry": "Z"},
        {"breakdown": "colour"},
        {"codes": "no.such"},
        {"codes": ","},
        {"colour": "red"},
    ],
)
def test_statistics_api_bad_input_is_a_400_naming_the_field(client, api_client_factory, park, params):
    _c, key = api_client_factory(scopes=["statistics:read"])
    response = client.get("/api/v1/statistics/", params, HTTP_AUTHORIZATION=f"Bearer {key}", **EN)
    assert response.status_code == 400
    assert set(params) & set(response.json().get("errors", response.json()) or {}) or response.json()


def test_statistics_api_needs_its_scope(client, api_client_factory, park):
    _c, key = api_client_factory(scopes=["enterprises:read"])
    response = client.get("/api/v1/statistics/", HTTP_AUTHORIZATION=f"Bearer {key}", **EN)
    assert response.status_code == 403


def test_a_leader_reads_the_park_figures_without_the_records(client, park):
    from apps.accounts.models import Organisation

    park_org = Organisation.objects.create(name="园区管委会", kind=Organisation.Kind.PARK)
    leader = user_with_role(Role.LEADER, park_org)
    client.force_login(leader)
    page = client.get("/cockpit/")
    assert page.status_code == 200
    shown = page.context["result"]["by_code"]
    park_figures = selectors.figures(SYSTEM)["by_code"]
    assert shown["unions.coverage"]["value"] == park_figures["unions.coverage"]["value"] == Decimal("66.7")
    assert all(not f["url"] for f in page.context["result"]["figures"])  # no list behind a figure
    assert client.get("/enterprises/").status_code == 403
    assert client.get("/mediation/").status_code == 403


@pytest.mark.usefixtures("policy")
def test_the_signing_rate_recounts_only_the_group_a_write_touched(park, towns, monkeypatch):
    """The workers under contract are kept per (town, industry) group: after a filing or a
    termination the figure is right, and only that enterprise's group is counted again."""
    from apps.contracts import services as contracts
    from apps.contracts.models import LabourContract

    a, b, c, _closed = park
    t1, t2 = towns
    filed = contracts.file_batch(SYSTEM, [row(a, 1), row(a, 2), row(c, 3)])
    assert LabourContract.objects.count() == 3, filed
    recounted: list[list[str]] = []
    real = selectors.cached_figures_many

    def spy(entries, compute, **kwargs):
        def counting(keys):
            recounted.append(sorted(keys))
            return compute(keys)

        return real(entries, counting, **kwargs)

    monkeypatch.setattr(selectors, "cached_figures_many", spy)

    def signed():
        figure = selectors.figures(SYSTEM)["by_code"]["contracts.signing_rate"]
        return figure["numerator"], figure["denominator"]

    assert signed() == (3, 350)  # 3 workers of the 350 employees of operating enterprises
    assert recounted == [sorted([f"{t1.pk}|C", f"{t1.pk}|F", f"{t2.pk}|C"])]  # cold: every group, one query
    recounted.clear()
    assert signed() == (3, 350) and recounted == []  # warm: nothing counted

    contracts.file_batch(SYSTEM, [row(b, 4)])
    assert signed() == (4, 350)
    assert recounted == [[f"{t1.pk}|F"]]  # only b's group
    recounted.clear()

    ended = LabourContract.objects.get(reference="HT-00003")
    contracts.terminate(SYSTEM, ended, terminated_on=TODAY - dt.timedelta(days=1), reason="协商一致解除")
    assert signed() == (3, 350)
    assert recounted == [[f"{t2.pk}|C"]]  # only c's group
    # The town's figure is the sum of its groups, as before.
    t1_figure = selectors.figures(SYSTEM, town=t1.code)["by_code"]["contracts.signing_rate"]
    assert (t1_figure["numerator"], t1_figure["denominator"]) == (3, 150)


def test_warm_keeps_the_parks_figures_ready_and_refreshes_them(park):
    """`cockpit.warm` (every 5 minutes) computes the park's figures of today again: the page then
    counts nothing, and a write that bypassed the services (no topic moved) shows after the next
    warm instead of waiting for the cache's time limit."""
    from apps.cockpit import tasks
    from apps.enterprises.models import Enterprise

    tasks.warm.delay()  # eager in tests: the beat's task, by name
    with CaptureQueriesContext(connection) as queries:
        assert value(selectors.figures(SYSTEM), "enterprises.employees") == 350
    assert not [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    Enterprise.objects.filter(pk=park[1].pk).update(employees=60)  # an update sends no signal
    assert value(selectors.figures(SYSTEM), "enterprises.employees") == 350
    tasks.warm()
    assert value(selectors.figures(SYSTEM), "enterprises.employees") == 360
    from config.celery import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["cockpit-warm"]["task"] == "cockpit.warm"
