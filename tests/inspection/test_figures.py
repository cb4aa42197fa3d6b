"""The figures of labour inspection on a small fixed data set: by source, matter (a case with
several matters counts under each, counted in SQL with or without JSON containment), status,
town and industry; arrears owed and recovered; workers; overdue cases; orders; scoped per
principal; cached until a case changes; the page with its chart data and junk periods."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.principal import SYSTEM
from apps.inspection import services
from apps.inspection.models import InspectionCase
from apps.inspection.selectors import figures as figures_selectors
from tests.factories import user_with_role

from .conftest import p, worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(make_case, ent_a, ent_b):
    today = timezone.localdate()
    one = make_case(
        matters=["wage_arrears", "rest_days"],
        amount_owed="12000",
        workers=[worker(1), worker(2)],
        workers_count=2,
    )
    two = make_case(source="report", matters=["wage_arrears"], amount_owed="3000", workers_count=5)
    three = make_case(
        source="patrol",
        enterprise=None,
        employer_name="未登记的装修队",
        town=ent_a.town,
        matters=["social_insurance"],
        amount_owed="0",
        received_on=today - dt.timedelta(days=30),  # not accepted nor refused in time: overdue
    )
    four = make_case(
        source="campaign", enterprise=ent_b, matters=["minimum_wage", "wage_arrears"], amount_owed="5000.50"
    )
    InspectionCase.objects.filter(pk=one.pk).update(amount_recovered=Decimal("8000"))
    services.accept(SYSTEM, two)
    services.start_investigation(SYSTEM, two)
    two.refresh_from_db()
    services.decide(
        SYSTEM, two, "decide_order", items=["补发工资"], order_due_on=today + dt.timedelta(days=20)
    )
    return {"one": one, "two": two, "three": three, "four": four}


def test_the_numbers_for_the_park(data, park_admin, ent_a, ent_b):
    f = figures_selectors.figures(p(park_admin))
    assert (f["cases"], f["open"], f["overdue"]) == (4, 4, 1)
    assert (f["owed"], f["recovered"]) == (Decimal("20000.50"), Decimal("8000.00"))
    assert (f["workers"], f["workers_helped"]) == (2 + 5 + 1 + 1, 2)
    by_source = {v: n for _l, n, v in f["by_source"]}
    assert by_source == {
        "complaint": 1,
        "report": 1,
        "patrol": 1,
        "written_review": 0,
        "campaign": 1,
        "referral": 0,
    }
    by_matter = {v: n for _l, n, v in f["by_matter"]}
    assert (by_matter["wage_arrears"], by_matter["rest_days"], by_matter["social_insurance"]) == (3, 1, 1)
    assert (by_matter["minimum_wage"], by_matter["child_labour"]) == (1, 0)
    by_status = {v: n for _l, n, v in f["by_status"]}
    assert (by_status["received"], by_status["decided"], by_status["closed"]) == (3, 1, 0)
    towns = {row["town__name"]: row["n"] for row in f["by_town"]}
    assert towns == {ent_a.town.name: 3, ent_b.town.name: 1}
    assert {v: n for _l, n, v in f["by_industry"]} == {"C": 3, "": 1}
    assert (f["orders"]["total"], f["orders"]["overdue"], f["orders"]["waiting"]) == (1, 0, 1)


def test_matters_count_the_same_without_json_containment(data, park_admin, monkeypatch):
    """The fallback of databases without JSON containment (SQLite, `make run`): the quoted code in
    the list's text, here run on PostgreSQL to show it counts the same."""
    with_contains = figures_selectors.figure_counts(p(park_admin), None, None, timezone.localdate())[
        "matters"
    ]
    monkeypatch.setattr(connection.features, "supports_json_field_contains", False)
    assert "LIKE" in str(InspectionCase.objects.filter(figures_selectors.matter_q("other")).query).upper()
    without = figures_selectors.figure_counts(p(park_admin), None, None, timezone.localdate())["matters"]
    assert without == with_contains and without["wage_arrears"] == 3


def test_figures_are_scoped(data, inspector, ent_hr_a, union_official_a):
    assert figures_selectors.figures(p(inspector))["cases"] == 3  # ent_b is another brigade's
    hr = figures_selectors.figures(p(ent_hr_a))
    assert (hr["cases"], hr["owed"]) == (1, Decimal("3000.00"))  # only the case with an order
    assert figures_selectors.figures(p(union_official_a))["cases"] == 2  # ent_a's registered cases


def test_figures_are_cached_until_a_case_changes(data, park_admin, make_case, django_assert_num_queries):
    principal = p(park_admin)
    assert figures_selectors.figures(principal)["cases"] == 4
    with django_assert_num_queries(0):
        figures_selectors.figures(principal)
    make_case()
    assert figures_selectors.figures(principal)["cases"] == 5


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_page(en, data, park_admin, inspector):
    url = reverse("inspection:figures")
    en.force_login(inspector)
    html = en.get(url).content.decode()
    assert re.search(r'data-testid="fig-cases">3<', html)
    en.force_login(park_admin)
    response = en.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'data-testid="fig-cases">4<', html) and re.search(r'data-testid="fig-overdue">1<', html)
    assert 'data-matter="wage_arrears"><td>Wage arrears</td><td class="text-end">3<' in html
    chart = json.loads(
        re.search(r'id="inspection-chart-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert sum(chart["cases"]) == 4 and {m["value"] for m in chart["matters"]} >= {3, 1}
    assert "js/inspection-figures.js" in html and "<script>" not in html
    # A period: only cases received in it.
    today = timezone.localdate()
    html = en.get(url, {"date_from": today.isoformat(), "date_to": today.isoformat()}).content.decode()
    assert re.search(r'data-testid="fig-cases">3<', html)
    # Junk periods: a form error, no figures, no 500.
    for junk in (
        {"date_from": "2026-02-31"},
        {"date_to": "yesterday"},
        {"date_from": "2026-05-01", "date_to": "2026-01-01"},
    ):
        response = en.get(url, junk)
        assert response.status_code == 200 and 'data-testid="figures-invalid"' in response.content.decode()


def test_who_may_see_the_page(client, data, ent_hr_a):
    url = reverse("inspection:figures")
    assert client.get(url).status_code == 302
    client.force_login(user_with_role(Role.MEDIATOR))
    assert client.get(url).status_code == 403
    client.force_login(ent_hr_a)
    assert re.search(r'data-testid="fig-cases">1<', client.get(url).content.decode())
