"""Every role's home is a worklist (issue 20, item 1): the modules' `worklist` hooks, the
dashboard's gathering and order, the home page, and that a count is the number of rows its link
lists, in the principal's scope, correct after the write that changes it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from apps.accounts.roles import Role
from apps.appeals import services as appeal_services
from apps.contracts import services as contract_services
from apps.core import worklist as core
from apps.core.principal import principal_for_user
from apps.dashboard import selectors
from apps.mediation import selectors as mediation_selectors
from apps.mediation import services as mediation_services
from tests.contracts.conftest import row
from tests.factories import user_with_role
from tests.mediation.conftest import mediator_of, travel

TODAY = timezone.localdate()


def p(user):
    return principal_for_user(user)


def items_of(user, today=None, **kwargs) -> dict:
    with translation.override("en"):
        return {i["key"]: i for i in selectors.worklist(p(user), today, keep_empty=True, **kwargs)}


def rows_shown(client, url: str) -> int:
    """The number of rows the list page at `url` shows (its paginator's count)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    context = response.context
    if "count" in context:
        return context["count"]
    page = context["page"]
    # Django's page counts through its paginator; a keyset page (apps.core.pagination) carries it.
    return page.paginator.count if hasattr(page, "paginator") else page.count


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# The pure parts: states and order ---------------------------------------------------------------------


def test_the_state_follows_the_earliest_due_date():
    day = dt.date(2026, 12, 7)
    assert core.state_of(day - dt.timedelta(days=1), day) == core.OVERDUE
    assert core.state_of(day, day) == core.TODAY
    assert core.state_of(day + dt.timedelta(days=3), day) == core.SOON
    assert core.state_of(day + dt.timedelta(days=4), day) == core.WAITING
    assert core.state_of(day + dt.timedelta(days=20), day, soon_days=30) == core.SOON
    assert core.state_of(None, day) == core.WAITING


def test_an_item_needs_a_known_state_or_the_day_to_derive_it():
    with pytest.raises(ValueError):
        core.item("x", "x", 1, url="/", module="m", due=TODAY)
    with pytest.raises(ValueError):
        core.item("x", "x", 1, url="/", module="m", state="urgent")
    entry = core.item("x", "label", None, url="/x/", module="m", due=TODAY, today=TODAY)
    assert entry["count"] == 0 and entry["state"] == core.TODAY and entry["state_label"]


def test_the_dashboard_sorts_most_urgent_first_and_leaves_out_nothing_to_do(monkeypatch, park_admin):
    day = dt.date(2026, 12, 7)

    def make(key, count, *, due=None, state=None):
        return core.item(key, key, count, url=f"/{key}/", module="m", due=due, state=state, today=day)

    def provider(principal, today):
        assert today == day
        return [
            make("waiting-no-date", 2, state=core.WAITING),
            make("done", 1, state=core.DONE),
            make("soon-later", 1, due=day + dt.timedelta(days=3)),
            make("empty", 0, due=day - dt.timedelta(days=9)),
            make("overdue-recent", 4, due=day - dt.timedelta(days=1)),
            make("today", 1, due=day),
            make("waiting-dated", 1, due=day + dt.timedelta(days=30)),
            make("soon-first", 5, due=day + dt.timedelta(days=1)),
            make("overdue-oldest", 1, due=day - dt.timedelta(days=20)),
        ]

    monkeypatch.setattr(selectors, "_providers", lambda hook: iter([provider] if hook == "worklist" else []))
    keys = [i["key"] for i in selectors.worklist(p(park_admin), day)]
    assert keys == [
        "overdue-oldest",
        "overdue-recent",
        "today",
        "soon-first",
        "soon-later",
        "waiting-dated",
        "waiting-no-date",
        "done",
    ]
    assert "empty" in [i["key"] for i in selectors.worklist(p(park_admin), day, keep_empty=True)]


# Mediation: scope, counts equal to the list's rows, correct after a write -------------------------------


def test_an_overdue_case_is_on_its_mediators_worklist_not_on_another_organisations(
    monkeypatch, en, make_case, mediator_user, mediator_b_user
):
    case, _code = make_case()
    assert items_of(mediator_user)["mediation.decide"]["count"] == 1
    later = case.decision_due_on + dt.timedelta(days=2)
    travel(monkeypatch, later)
    mine = items_of(mediator_user)
    assert mine["mediation.overdue"]["count"] == 1
    assert mine["mediation.overdue"]["state"] == core.OVERDUE
    assert mine["mediation.overdue"]["due"] == case.decision_due_on
    assert mine["mediation.decide"]["count"] == 0
    other = items_of(mediator_b_user)
    assert other["mediation.overdue"]["count"] == 0
    en.force_login(mediator_user)
    assert rows_shown(en, mine["mediation.overdue"]["url"]) == 1
    en.force_login(mediator_b_user)
    assert rows_shown(en, mine["mediation.overdue"]["url"]) == 0


def test_accepting_a_case_takes_it_off_to_accept_and_counts_follow_the_list(
    monkeypatch, en, make_case, mediator_user
):
    first, _ = make_case()
    make_case()
    en.force_login(mediator_user)
    before = items_of(mediator_user)
    assert before["mediation.decide"]["count"] == 2
    assert rows_shown(en, before["mediation.decide"]["url"]) == 2
    assert before["mediation.decide"]["due"] == first.decision_due_on
    # Kept until a case changes: a second read costs no query on the cases.
    with CaptureQueriesContext(connection) as ctx:
        items_of(mediator_user)
    assert not [q for q in ctx.captured_queries if "mediation_case" in q["sql"]]
    mediation_services.accept(p(mediator_user), first, mediator=mediator_of(mediator_user))
    after = items_of(mediator_user)
    assert after["mediation.decide"]["count"] == 1
    assert rows_shown(en, after["mediation.decide"]["url"]) == 1
    # Near the end of its mediation period, the accepted case is due soon.
    travel(monkeypatch, first.received_on + dt.timedelta(days=1))
    first.refresh_from_db()
    travel(monkeypatch, first.due_on - dt.timedelta(days=2))
    soon = items_of(mediator_user)["mediation.due_soon"]
    assert soon["count"] == 1 and soon["state"] == core.SOON and soon["due"] == first.due_on
    assert rows_shown(en, soon["url"]) == 1


def test_hr_and_other_roles_without_mediation_work_have_no_mediation_items(make_case, ent_hr_a):
    make_case()
    assert not [k for k in items_of(ent_hr_a) if k.startswith("mediation.")]
    assert mediation_selectors.worklist(p(user_with_role(Role.INSPECTOR)), TODAY) == []


def test_the_mediation_list_answers_a_bad_window_with_a_form_error(en, mediator_user):
    en.force_login(mediator_user)
    for bad in ("abc", "-1", "9999"):
        response = en.get(reverse("mediation:list") + f"?due_within={bad}")
        assert response.status_code == 200
        assert 'data-testid="filter-errors"' in response.content.decode()
    api = en.get("/api/v1/mediation/cases/?due_within=abc")
    assert api.status_code == 400


# Contracts: HR see their enterprise's items only --------------------------------------------------------


def test_hr_see_only_their_enterprises_contracts_to_renew(
    en, ent_a, ent_b, ent_hr_a, ent_hr_b, park_admin, policy
):  # noqa: F811
    ending = (TODAY + dt.timedelta(days=20)).isoformat()
    result = contract_services.file_batch(
        p(park_admin),
        [
            row(ent_a, 1, probation_end="", end=ending),
            row(ent_a, 2, probation_end=""),
            row(ent_b, 3, probation_end=""),
        ],
    )
    assert not result.errors
    mine, theirs = items_of(ent_hr_a), items_of(ent_hr_b)
    assert mine["contracts.renew"]["count"] == 1
    assert mine["contracts.renew"]["due"] == TODAY + dt.timedelta(days=20)
    assert mine["contracts.renew"]["state"] == core.SOON  # within the 30 days of renewal
    assert theirs["contracts.renew"]["count"] == 0
    assert items_of(park_admin)["contracts.renew"]["count"] == 1
    en.force_login(ent_hr_a)
    assert rows_shown(en, mine["contracts.renew"]["url"]) == 1
    en.force_login(ent_hr_b)
    assert rows_shown(en, mine["contracts.renew"]["url"]) == 0
    # The page: the worklist item, not the same count again as a tile.
    en.force_login(ent_hr_a)
    html = en.get(reverse("dashboard:home")).content.decode()
    assert "1 contract ending within 30 days: renew or end it" in html
    tiles = html[html.index('data-testid="home-cards"') :]
    assert "Contracts expiring within 30 days" not in tiles
    assert "Contracts in force" in tiles  # a figure, not a thing to do: still a card


# Appeals: each step moves the appeal from one person's worklist to the next ---------------------------


def test_an_appeal_moves_from_the_parks_worklist_to_the_enterprises(
    en,
    file,
    department,
    park_admin,
    ent_hr_a,
    ent_hr_b,
):
    appeal = file()
    park = items_of(park_admin)
    assert (park["appeals.route"]["count"], park["appeals.answer"]["count"]) == (1, 0)
    assert park["appeals.route"]["due"] == appeal.due_on
    en.force_login(park_admin)
    assert rows_shown(en, park["appeals.route"]["url"]) == 1
    assert not [k for k in items_of(ent_hr_a) if k in ("appeals.route", "appeals.answer")]
    appeal_services.route(p(park_admin), appeal, department=department)
    park = items_of(park_admin)
    assert (park["appeals.route"]["count"], park["appeals.answer"]["count"]) == (0, 1)
    assert rows_shown(en, park["appeals.answer"]["url"]) == 1
    appeal.refresh_from_db()
    appeal_services.answer(p(park_admin), appeal, text="已对接劳务基地，下周安排招聘会。")
    assert items_of(park_admin)["appeals.answer"]["count"] == 0
    assert items_of(ent_hr_a)["appeals.rate"]["count"] == 1
    assert items_of(ent_hr_b)["appeals.rate"]["count"] == 0
    en.force_login(ent_hr_a)
    assert rows_shown(en, items_of(ent_hr_a)["appeals.rate"]["url"]) == 1
    en.force_login(ent_hr_b)
    assert rows_shown(en, items_of(ent_hr_a)["appeals.rate"]["url"]) == 0
    appeal.refresh_from_db()
    appeal_services.rate(p(ent_hr_a), appeal, satisfaction="satisfied")
    assert items_of(ent_hr_a)["appeals.rate"]["count"] == 0


# The home page -------------------------------------------------------------------------------------------


def test_the_home_shows_the_worklist_first_with_the_states_in_words(
    monkeypatch, en, make_case, mediator_user
):
    case, _ = make_case()
    make_case()
    travel(monkeypatch, case.decision_due_on)
    en.force_login(mediator_user)
    html = en.get(reverse("dashboard:home")).content.decode()
    worklist, cards = html.index('data-testid="worklist"'), html.index('data-testid="home-cards"')
    assert worklist < cards
    assert "2 applications to accept or refuse" in html
    assert ">Due today<" in html.replace('<i class="bi bi-alarm" aria-hidden="true"></i> ', ">")
    assert f'datetime="{case.decision_due_on:%Y-%m-%d}"' in html
    assert reverse("mediation:list") + "?status=received&amp;overdue=false" in html
    assert "Nothing needs you today" not in html
    # The overdue count is a worklist item (with nothing overdue, none): never also a tile.
    tiles = html[cards:]
    assert "?overdue=true" not in tiles
    assert "My open mediation cases" in tiles


def test_the_home_says_nothing_needs_you_only_when_nothing_does(en, mediator_user, make_case):
    en.force_login(mediator_user)
    html = en.get(reverse("dashboard:home")).content.decode()
    assert 'data-testid="worklist-empty"' in html and "Nothing needs you today" in html
    make_case()
    html = en.get(reverse("dashboard:home")).content.decode()
    assert 'data-testid="worklist-empty"' not in html
    assert html.count('data-testid="worklist-item"') == 1


def test_a_user_without_a_role_sees_an_empty_worklist(en, django_user_model):
    user = django_user_model.objects.create_user(username="nobody", password="x-Long-enough-1")
    en.force_login(user)
    response = en.get(reverse("dashboard:home"))
    assert response.status_code == 200
    assert "Nothing needs you today" in response.content.decode()


def test_the_figures_block_shows_the_cockpits_home_figures(en, park_admin):
    from apps.cockpit import selectors as cockpit

    if not hasattr(cockpit, "home_figures"):
        pytest.skip("apps.cockpit.selectors.home_figures is not there yet")
    en.force_login(park_admin)
    html = en.get(reverse("dashboard:home")).content.decode()
    figures = selectors.home_figures(p(park_admin))
    if not figures:
        assert 'data-testid="home-figures"' not in html
        return
    assert 'data-testid="home-figures"' in html and "Your figures" in html
    assert html.index('data-testid="worklist"') < html.index('data-testid="home-figures"')
    for figure in figures:
        assert f'data-code="{figure["code"]}"' in html
        if figure["target_display"] and figure["meets_target"] is not None:
            assert ("figure-met" if figure["meets_target"] else "figure-not-met") in html


# The lists' new parameters: bad values never a server error ----------------------------------------------


def test_the_new_list_parameters_refuse_bad_values_quietly(en, park_admin):
    en.force_login(park_admin)
    for url in (
        reverse("inspection:list") + "?order=nonsense",
        reverse("inspection:list") + "?order=overdue&overdue=maybe",
        reverse("unions:contract_list") + "?ending_within=abc",
        reverse("unions:contract_list") + "?ending_within=99999999",
        reverse("risk:list") + "?changed_within=abc",
        reverse("risk:list") + "?changed_within=-3",
    ):
        assert en.get(url).status_code in (200, 400), url
    assert en.get("/api/v1/risk/?changed_within=abc").status_code == 400
    cache.clear()


def test_a_card_repeating_a_figure_or_an_item_is_left_out(monkeypatch, park_admin):
    figure = {"code": "certification.coverage", "label": "Certification coverage", "display": "40.1 %"}
    monkeypatch.setattr(selectors, "home_figures", lambda principal: [figure])
    every = {card.get("figure") for card in selectors.home_cards(p(park_admin))}
    assert {"certification.coverage", "unions.coverage", "enterprises.operating"} <= every
    home = selectors.home(p(park_admin))
    assert home["figures"] == [figure]
    kept = {card.get("figure") for card in home["cards"]}
    assert "certification.coverage" not in kept
    assert {"unions.coverage", "enterprises.operating"} <= kept
    # The certification card "to review" links where the worklist item does: shown once.
    links = {card.get("url") for card in home["cards"]}
    assert reverse("certification:list") + "?status=submitted&status=under_review" not in links


def test_the_lists_show_a_worklist_links_narrowing_as_a_filter(client, db):
    """Issue 20: a list opened from a worklist link shows the link's narrowing among its filters
    (visible, and removable by choosing "—" or emptying it), so re-sending the form keeps it and
    the user sees why fewer rows are listed."""
    import re

    from apps.accounts.roles import Role
    from tests.factories import user_with_role

    client.force_login(user_with_role(Role.PARK_ADMIN))
    for path, name, value in (
        ("/mediation/", "due_within", "3"),
        ("/inspection/", "order", "overdue"),
        ("/inspection/", "overdue", "false"),
        ("/unions/contracts/", "ending_within", "90"),
    ):
        html = client.get(path, {name: value}).content.decode()
        assert f'type="hidden" name="{name}"' not in html, path
        shown = re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"', html) or re.search(
            rf'<select[^>]*name="{name}".*?<option value="{value}" selected>', html, re.S
        )
        assert shown, (path, name)
        # Without the parameter, nothing is chosen.
        html = client.get(path).content.decode()
        assert not re.search(rf'<option value="{value}" selected>', html.split(f'name="{name}"', 1)[-1][:400])
