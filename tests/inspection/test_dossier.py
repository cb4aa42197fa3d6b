"""The labour-inspection section of the enterprise dossier (一户一册) by role: inspectors see the
enterprise's cases, orders, listings and credit grade; its HR only the cases with an order; the
union official of a covering union the cases; a role that may not see inspection records is told
so ("hidden is not empty") and still reads the published list. Two queries for the section,
whatever the history."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Organisation
from apps.accounts.roles import Role
from apps.core.principal import SYSTEM
from apps.inspection import selectors, services
from tests.factories import user_with_role

from .conftest import p

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def history(make_case, park_admin, ent_a):
    """ent_a: a plain complaint, a case with an order to rectify, a listing, a credit grade."""
    today = timezone.localdate()
    plain = make_case()
    ordered = make_case(matters=["no_written_contract"])
    services.accept(SYSTEM, ordered)
    services.start_investigation(SYSTEM, ordered)
    ordered.refresh_from_db()
    services.decide(
        SYSTEM,
        ordered,
        "decide_order",
        items=["签订书面劳动合同"],
        order_due_on=today + dt.timedelta(days=30),
    )
    listing = services.list_wage_arrears(
        p(park_admin), enterprise=ent_a, listed_on=today, decision_reference="柳人社失信〔2026〕1号"
    )
    services.compute_credit_grades(today.year, today)
    return {"plain": plain, "ordered": ordered, "listing": listing}


def dossier(client, user, enterprise) -> str:
    client.force_login(user)
    response = client.get(reverse("enterprises:detail", args=[enterprise.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('data-testid="dossier-inspections"')
    return html[start : html.index("</section>", start)]


def test_the_placeholder_is_replaced(en, history, park_admin, ent_a):
    section = dossier(en, park_admin, ent_a)
    assert 'data-testid="dossier-inspections-section"' in section and "No records yet." not in section


def test_inspector_sees_the_whole_history(en, history, inspector, ent_a):
    section = dossier(en, inspector, ent_a)
    assert history["plain"].serial in section and history["ordered"].serial in section
    assert 'data-testid="dossier-orders"' in section
    assert "柳人社失信〔2026〕1号" in section
    assert 'data-testid="dossier-credit-grade"' in section and ">C<" in section
    assert "On the wage-arrears list" in section  # the fact that decided the grade
    assert reverse("inspection:detail", args=[history["plain"].pk]) in section


def test_hr_sees_only_the_cases_with_an_order(en, history, ent_hr_a, ent_a):
    section = dossier(en, ent_hr_a, ent_a)
    assert history["ordered"].serial in section and history["plain"].serial not in section
    assert 'data-testid="dossier-inspections-scope"' in section and "order to rectify" in section
    assert 'data-testid="dossier-credit-grade"' in section


def test_union_official_sees_the_cases_of_a_covered_enterprise(en, history, union_official_a, ent_a):
    section = dossier(en, union_official_a, ent_a)
    assert history["plain"].serial in section and history["ordered"].serial in section
    assert "Union officials see" in section


def test_a_role_that_may_not_see_is_told_so(en, history, ent_a):
    org = Organisation.objects.create(
        name="柳东调解委员会", kind=Organisation.Kind.MEDIATION, area=ent_a.town
    )
    mediator = user_with_role(Role.MEDIATOR, org)
    section = dossier(en, mediator, ent_a)
    assert 'data-testid="dossier-inspections-hidden"' in section
    assert "this does not mean there are none" in section
    assert history["plain"].serial not in section and history["ordered"].serial not in section
    assert 'data-testid="dossier-credit-grade"' not in section
    # The published list is read by every signed-in user.
    assert "柳人社失信〔2026〕1号" in section


def test_an_inspector_of_another_area_does_not_see_the_enterprise(en, history, far_inspector, ent_a, english):
    en.force_login(far_inspector)
    assert en.get(reverse("enterprises:detail", args=[ent_a.pk])).status_code == 404
    # Called directly (another module's page could), the section shows no case of another area.
    section = selectors.dossier_sections(p(far_inspector), ent_a)[0]["context"]
    assert section["cases"] == [] and section["total"] == 0 and "brigade's area" in section["scope_note"]


def test_an_enterprise_without_records(en, ent_b, park_admin):
    section = dossier(en, park_admin, ent_b)
    assert (
        'data-testid="dossier-inspection-none"' in section
        and 'data-testid="dossier-listings-none"' in section
    )


def _section_queries(user, enterprise) -> int:
    principal = p(user)
    user.has_perm("inspection.view_inspectioncase")  # the permissions are read once per request anyway
    with CaptureQueriesContext(connection) as ctx:
        selectors.dossier_sections(principal, enterprise)
    return len(ctx.captured_queries)


def test_the_section_runs_two_queries_whatever_the_history(history, park_admin, ent_hr_a, make_case, ent_a):
    few = _section_queries(park_admin, ent_a), _section_queries(ent_hr_a, ent_a)
    assert few == (2, 2)
    for _ in range(5):
        make_case()
    assert (_section_queries(park_admin, ent_a), _section_queries(ent_hr_a, ent_a)) == few


def test_the_dossier_page_stays_within_its_query_budget(client, history, park_admin, ent_hr_a, ent_a):
    url = reverse("enterprises:detail", args=[ent_a.pk])
    for user in (park_admin, ent_hr_a):
        client.force_login(user)
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        # 12 before issue 17; then the dossier PDF's state (1) and the risk card (2), with room for
        # one more; issue 19: the hardship (admin) and appeals (admin, HR) sections, one each
        # (tests/demo_park/test_dossier.py keeps the budget per role of the demo park).
        assert len(ctx.captured_queries) <= 18
