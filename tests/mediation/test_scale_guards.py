"""Mediation at district scale (docs/performance.md, "Mediation"): each list's main query is served
by an index in the list's order, the number of queries of the lists, the case page and the API
list does not grow with the rows, and the figures and home counts are computed once, then again
after a service changes a case."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.pagination import KeysetPaginator
from apps.mediation import selectors, services
from apps.mediation.models import Case, deadline_rank_of
from tests.perf import assert_served_by_index, queries_of

from .conftest import accepted, applicant, p, signed_agreement

pytestmark = pytest.mark.django_db

TABLE = "mediation_case"
CASES = "/api/v1/mediation/cases/"
LIST = reverse("mediation:list")


class Request:
    """What the filter set reads of a request (the user, for ?mine=true)."""

    def __init__(self, user):
        self.user = user


def keys(user, params=None):
    """The page of keys the list reads first (selectors.page_keys), as the page asks for it."""
    _fs, qs = selectors.case_list(p(user), params or {}, Request(user))
    return selectors.page_keys(qs)


# Indexes ----------------------------------------------------------------------------------------------


def test_the_park_wide_list_is_read_from_an_index_in_its_order(park_admin, make_case):
    make_case()
    assert_served_by_index(keys(park_admin)[:26], TABLE)
    assert_served_by_index(keys(park_admin, {"status": ["archived"]})[:26], TABLE)
    assert_served_by_index(keys(park_admin, {"status": ["received", "in_mediation"]})[:26], TABLE)
    assert_served_by_index(keys(park_admin, {"collective": "true"})[:26], TABLE)
    plan = assert_served_by_index(keys(park_admin, {"overdue": "true"})[:26], TABLE)
    assert "case_open_order" in plan, plan


def test_a_deep_page_is_a_row_comparison_on_the_index(park_admin, make_case):
    for _ in range(3):
        make_case()
    qs = keys(park_admin)
    paginator = KeysetPaginator(qs, list(Case.LIST_ORDER), 2)
    cursor = paginator.decode(paginator.encode(qs.order_by(*Case.LIST_ORDER)[1]))
    deep = paginator._after(qs.order_by(*Case.LIST_ORDER), cursor, list(Case.LIST_ORDER))[:26]
    plan = assert_served_by_index(deep, TABLE)
    assert "Index Cond: (ROW(" in plan, plan
    archived = keys(park_admin, {"status": ["archived"]}).order_by(*Case.LIST_ORDER)
    plan = assert_served_by_index(paginator._after(archived, cursor, list(Case.LIST_ORDER))[:26], TABLE)
    assert "case_status_order" in plan, plan


def test_the_mediators_lists_are_read_from_their_indexes(mediator_user, make_case):
    accepted(make_case()[0], mediator_user)
    plan = assert_served_by_index(keys(mediator_user)[:26], TABLE)
    assert "case_org_order" in plan, plan
    plan = assert_served_by_index(keys(mediator_user, {"mine": "true"})[:26], TABLE)
    assert "case_mediator_order" in plan, plan


def test_searches_read_the_serials_and_the_respondents_names_through_indexes(park_admin, make_case):
    case = make_case()[0]
    assert_served_by_index(keys(park_admin, {"search": case.serial[:6]})[:26], TABLE, sorted_by_index=False)
    # Part of a name (three characters or more): the trigram index finds the few rows.
    _fs, qs = selectors.case_list(p(park_admin), {"search": "某某机械"})
    plan = assert_served_by_index(qs.order_by().values("pk"), TABLE, sorted_by_index=False)
    assert "case_respondent_trgm" in plan, plan


def test_the_deadline_rank_orders_open_cases_by_their_next_deadline(park_admin, make_case, mediator_user):
    received = make_case()[0]
    mediating = accepted(make_case()[0], mediator_user)
    closed = services.close(
        p(mediator_user), accepted(make_case()[0], mediator_user), "close_no_agreement", reason="未达成协议"
    )
    ranks = dict(Case.objects.values_list("pk", "deadline_rank"))
    assert ranks[received.pk] == deadline_rank_of(received.decision_due_on)
    assert ranks[mediating.pk] == deadline_rank_of(mediating.due_on)
    assert ranks[closed.pk] == 0
    # The nearer deadline first; a decided case last.
    assert [c.pk for c in keys(park_admin)] == [received.pk, mediating.pk, closed.pk]


# Queries ----------------------------------------------------------------------------------------------


def _grow(make_case, mediator_user, first, n):
    """n cases like the district's: in mediation with an agreement, some collective, two
    applicants and two kinds of dispute each (every page then reads the same relations)."""
    for i in range(first, first + n):
        case = make_case(
            applicants=[applicant(i), applicant(i + 500)],
            types=["remuneration", "dismissal"],
            workers_count=12 if i % 4 == 0 else 2,
        )[0]
        signed_agreement(accepted(case, mediator_user), mediator_user)


def _counts(client, urls, **extra) -> list[int]:
    for url in urls:  # the first request of a session fills its caches
        queries_of(client, url, **extra)
    return [queries_of(client, url, **extra) for url in urls]


def _deep(user, params=None, param="after"):
    qs = keys(user, params).order_by(*Case.LIST_ORDER)
    return f"{param}=" + KeysetPaginator(qs, list(Case.LIST_ORDER), 1).encode(qs[0])


def test_the_list_pages_run_a_constant_number_of_queries(client, park_admin, mediator_user, make_case):
    _grow(make_case, mediator_user, 1, 4)
    client.force_login(park_admin)
    admin_urls = lambda: [  # noqa: E731 - the cursors follow the rows
        LIST,
        LIST + "?status=in_mediation&status=received",
        LIST + "?search=TJ",
        LIST + "?overdue=false&ordering=-amount_claimed",
        LIST + "?" + _deep(park_admin),
    ]
    few = _counts(client, admin_urls())
    client.force_login(mediator_user)
    mine = _counts(client, [LIST, LIST + "?mine=true"])
    _grow(make_case, mediator_user, 10, 12)
    client.force_login(park_admin)
    assert _counts(client, admin_urls()) == few
    client.force_login(mediator_user)
    assert _counts(client, [LIST, LIST + "?mine=true"]) == mine
    assert max(few + mine) <= 12


def test_the_case_page_runs_a_constant_number_of_queries(client, park_admin, mediator_user, make_case):
    small = accepted(make_case(applicants=[applicant(1)])[0], mediator_user)
    big = accepted(
        make_case(applicants=[applicant(i) for i in range(2, 7)], workers_count=12)[0], mediator_user
    )
    principal = p(mediator_user)
    # Both have what the page shows (sessions, an agreement); the big one more of each.
    for case, sessions in ((small, 1), (big, 3)):
        for minutes in range(sessions):
            services.record_session(
                principal,
                case,
                held_at=timezone.now() - dt.timedelta(minutes=10 + minutes),
                mode="in_person",
                attendees="双方",
            )
        signed_agreement(case, mediator_user)
    client.force_login(park_admin)
    small_url, big_url = (reverse("mediation:detail", args=[c.pk]) for c in (small, big))
    assert _counts(client, [small_url]) == _counts(client, [big_url])
    assert _counts(client, [big_url])[0] <= 12 + 4  # the page's own queries plus the session's


def test_the_api_list_runs_a_constant_number_of_queries(client, api_client_factory, mediator_user, make_case):
    _client, key = api_client_factory(name="区仲裁院系统", scopes=["mediation:read", "personal_data:read"])
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    _grow(make_case, mediator_user, 1, 4)
    urls = [
        CASES,
        CASES + "?status=in_mediation&status=archived",
        CASES + "?cursor=",
        CASES + "?page_size=2&page=2",
    ]
    few = _counts(client, urls, **bearer)
    _grow(make_case, mediator_user, 10, 12)
    assert _counts(client, urls, **bearer) == few
    assert max(few) <= 12
    # A cursor walks the default order only, and is one of this list's.
    assert client.get(CASES + "?cursor=&ordering=due_on", **bearer).status_code == 400
    assert client.get(CASES + "?cursor=junk", **bearer).status_code == 400
    # The list never shows a full ID number, even to a client with personal_data:read.
    for row in client.get(CASES + "?page_size=200", **bearer).json()["results"]:
        assert all("*" in a["id_number"] and a["phone"] is None for a in row["applicants"])


# Figures and home counts ------------------------------------------------------------------------------


def test_the_figures_are_computed_once_and_again_after_a_case_changes(
    client, park_admin, mediator_user, make_case
):
    _grow(make_case, mediator_user, 1, 3)
    client.force_login(park_admin)
    url = reverse("mediation:figures")
    cache.clear()
    computed = queries_of(client, url)
    kept = queries_of(client, url)
    assert kept < computed
    assert selectors.figures(p(park_admin))["cases"] == 3
    with CaptureQueriesContext(connection) as ctx:
        selectors.figures(p(park_admin))
    assert not [q for q in ctx.captured_queries if TABLE in q["sql"]]
    # A service that registers or moves a case moves the figures on.
    case = make_case()[0]
    assert selectors.figures(p(park_admin))["cases"] == 4
    assert selectors.figures(p(park_admin))["open"] == 4
    services.refuse(p(mediator_user), case, "不属于调解范围")
    assert selectors.figures(p(park_admin))["open"] == 3


def test_the_home_counts_are_kept_until_a_case_changes(client, mediator_user, make_case):
    case = make_case()[0]
    # The mediator's cards: their open cases, the overdue cases of their organisation.
    assert [c["value"] for c in selectors.home_cards(p(mediator_user))] == [0, 0]
    with CaptureQueriesContext(connection) as ctx:
        again = selectors.home_cards(p(mediator_user))
    assert not [q for q in ctx.captured_queries if TABLE in q["sql"]]
    assert [c["value"] for c in again] == [0, 0]
    accepted(case, mediator_user)
    assert [c["value"] for c in selectors.home_cards(p(mediator_user))] == [1, 0]


def test_the_dossiers_newest_cases_are_read_from_an_index(make_case, ent_a):
    make_case()
    newest = Case.objects.filter(respondent_enterprise=ent_a).order_by("-received_on", "-serial").only("pk")
    plan = assert_served_by_index(newest[:20], TABLE)
    assert "case_respondent_newest" in plan, plan
