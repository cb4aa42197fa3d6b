"""The watch list's pages: filters, export, the chart, an enterprise's page, scoping per role and
the dossier's risk section (hidden is not empty)."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.risk import selectors, services
from apps.risk.models import Level, RiskMonth
from tests.factories import user_with_role

from .conftest import TODAY, give, p

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(e1, e2):
    give(
        e1,
        ("test.complaint", 2, dt.date(2026, 1, 10), "/inspection/cases/", "inspection.view_inspectioncase"),
    )
    give(e2, ("test.collective", 2), ("test.complaint", 3))
    services.recompute(TODAY, notify_changes=False)
    return e1, e2


def rows(response):
    return {row.enterprise_id for row in response.context["page"]}


def test_the_list_shows_the_enterprises_at_risk_highest_first(client, park_admin, scored, english):
    e1, e2 = scored
    client.force_login(park_admin)
    response = client.get(reverse("risk:list"))
    assert response.status_code == 200
    assert [r.enterprise_id for r in response.context["page"]] == [e2.pk, e1.pk]
    html = response.content.decode()
    assert "Test collective disputes" in html and 'data-level="serious"' in html
    assert "style=" not in html.split("<main", 1)[-1]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"town": "450205100"}, {"e1"}),
        ({"industry": "E"}, {"e2"}),
        ({"level": "watch"}, {"e1"}),
        ({"level": "serious"}, {"e2"}),
        ({"signal": "test.collective"}, {"e2"}),
        ({"signal": "test.complaint"}, {"e1", "e2"}),
    ],
)
def test_the_list_filters(client, park_admin, scored, params, expected):
    e1, e2 = scored
    names = {e1.pk: "e1", e2.pk: "e2"}
    client.force_login(park_admin)
    response = client.get(reverse("risk:list"), params)
    assert {names[i] for i in rows(response)} == expected


def test_the_list_pages_by_keyset(client, park_admin, town_a):
    from tests.factories import EnterpriseFactory

    for n in range(55):
        give(
            EnterpriseFactory(town=town_a, name=f"页{n:02d}"),
            ("test.no_contract", 1 + n % 6),
            ("test.complaint", 1),
        )
    services.recompute(TODAY, notify_changes=False)
    client.force_login(park_admin)
    first = client.get(reverse("risk:list")).context["page"]
    assert len(first) == 50 and first.has_next
    second = client.get(reverse("risk:list"), {"after": first.next_cursor}).context["page"]
    assert len(second) == 5
    assert not {r.pk for r in first} & {r.pk for r in second}
    scores = [r.score for r in first] + [r.score for r in second]
    assert scores == sorted(scores, reverse=True)


def test_enterprise_hr_may_not_read_the_list(client, e1, scored):
    hr = user_with_role(Role.ENTERPRISE_HR, e1.organisation)
    client.force_login(hr)
    assert client.get(reverse("risk:list")).status_code == 403
    assert client.get(reverse("risk:detail", args=[e1.pk])).status_code == 403


@pytest.mark.parametrize("who", ["inspector_a", "mediator_a", "federation_a"])
def test_area_roles_see_their_towns_enterprises_only(client, scored, who, request):
    e1, e2 = scored
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert rows(client.get(reverse("risk:list"))) == {e1.pk}
    assert client.get(reverse("risk:detail", args=[e1.pk])).status_code == 200
    assert client.get(reverse("risk:detail", args=[e2.pk])).status_code == 404
    assert set(selectors.visible(p(user)).values_list("pk", flat=True)) == {e1.pk}


def test_an_hr_membership_adds_nothing_to_an_inspectors_list(scored, inspector_a):
    from apps.accounts.models import Membership

    e1, e2 = scored
    Membership.objects.create(user=inspector_a, organisation=e2.organisation, role=Role.ENTERPRISE_HR)
    assert set(selectors.visible(p(inspector_a)).values_list("pk", flat=True)) == {e1.pk}


def test_the_export_holds_the_filtered_list(client, park_admin, scored):
    e1, e2 = scored
    client.force_login(park_admin)
    response = client.get(reverse("risk:export"), {"level": "serious"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 2
    assert values[1][0] == e2.name and values[1][4] == 54


def test_the_enterprise_page_explains_and_links_only_where_the_viewer_may_open(
    client, scored, park_admin, mediator_a, english
):
    e1, _e2 = scored
    RiskMonth.objects.create(
        enterprise=e1,
        month=(TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1),
        score=0,
        level=Level.NONE,
        town=e1.town,
        policy_version=1,
    )
    client.force_login(park_admin)
    response = client.get(reverse("risk:detail", args=[e1.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="risk-signal-link"' in html and "/inspection/cases/" in html
    assert response.context["trend"] == "up"
    assert [h["score"] for h in response.context["history"]] == [0, 16]
    assert "柳东监察中队" not in html  # no inspection organisation made here
    assert "risk policy version 1" in html
    # A mediator may not open inspection cases: the signal is shown without its link.
    client.force_login(mediator_a)
    html = client.get(reverse("risk:detail", args=[e1.pk])).content.decode()
    assert "Test complaints" in html and 'data-testid="risk-signal-link"' not in html


def test_who_must_act_names_the_towns_organisations(client, scored, park_admin, inspector_a):
    e1, _ = scored
    client.force_login(park_admin)
    actors = client.get(reverse("risk:detail", args=[e1.pk])).context["actors"]
    assert [a["actor"] for a in actors] == ["inspection"]
    assert actors[0]["organisations"] == ["柳东监察中队"]


def test_the_chart_counts_levels_by_month(client, park_admin, scored, inspector_a):
    e1, e2 = scored
    last = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    RiskMonth.objects.create(
        enterprise=e1, month=last, score=30, level=Level.WARNING, town=e1.town, policy_version=1
    )
    client.force_login(park_admin)
    response = client.get(reverse("risk:chart"))
    assert response.status_code == 200
    bars = {b["month"]: b for b in response.context["chart"]["bars"]}
    assert len(bars) == selectors.CHART_MONTHS
    assert bars[TODAY.replace(day=1)]["counts"] == [1, 0, 1] and bars[last]["counts"] == [0, 1, 0]
    html = response.content.decode()
    assert "<svg" in html and "<script>" not in html
    # An inspector's chart counts only their town's enterprises.
    client.force_login(inspector_a)
    bars = {b["month"]: b for b in client.get(reverse("risk:chart")).context["chart"]["bars"]}
    assert bars[TODAY.replace(day=1)]["counts"] == [1, 0, 0]


def test_the_dossier_section_hidden_or_shown(scored, park_admin, inspector_a, english):
    e1, e2 = scored
    hr = user_with_role(Role.ENTERPRISE_HR, e1.organisation)
    assert selectors.dossier_sections(p(hr), e1) == [
        {"key": "risk", "title": "Risk watch list", "hidden": True}
    ]
    shown = selectors.dossier_sections(p(inspector_a), e1)[0]
    assert not shown.get("hidden") and shown["template"] == "risk/dossier_risk.html"
    assert shown["context"]["risk"].score == 16 and shown["context"]["page_url"] == f"/risk/{e1.pk}/"
    assert shown["context"]["explanation"][0]["link"] == "/inspection/cases/"
    # Outside the inspector's towns: hidden, not "no records".
    assert selectors.dossier_sections(p(inspector_a), e2)[0]["hidden"] is True


def test_the_dossier_page_shows_the_risk_card(client, scored, park_admin):
    e1, _ = scored
    client.force_login(park_admin)
    response = client.get(reverse("enterprises:detail", args=[e1.pk]))
    assert response.status_code == 200
    assert 'data-testid="dossier-risk-section"' in response.content.decode()
