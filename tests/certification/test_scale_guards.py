"""Harmony certification at district scale (docs/performance.md, "Certification"): each list's main
query is served by an index in its order, and the queries of every list, the application's page,
the figures and the home page do not grow with the rows (a warm-up request first, then the count
at N and at 3N rows)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.certification import selectors
from apps.certification.models import (
    Application,
    ApplicationHistory,
    Certificate,
    Item,
    ItemScore,
    Objection,
    PublicNotice,
)
from apps.core.pagination import KeysetPaginator
from apps.core.principal import principal_for_user
from tests.factories import EnterpriseFactory, user_with_role
from tests.perf import assert_served_by_index, queries_of

pytestmark = pytest.mark.django_db

APPS = "/api/v1/certification/applications/"
CERTS = "/api/v1/certification/certificates/"
TABLE = "certification_application"
STATUSES = ("draft", "submitted", "under_review", "in_notice", "certified", "rejected")


def grow(cert_round, n: int, *, enterprise=None) -> list[Application]:
    """`n` applications in every status, each with its item scores and a history entry; those in
    notice with an open objection, the certified with their certificate."""
    rs = cert_round.rule_set
    level = rs.levels.get(rank=1)
    items = list(Item.objects.filter(category__rule_set=rs))
    today = timezone.localdate()
    now = timezone.now()
    notice, _ = PublicNotice.objects.get_or_create(
        round=cert_round,
        title="公示",
        defaults={"starts_on": today - dt.timedelta(days=3), "ends_on": today + dt.timedelta(days=3)},
    )
    start = Application.objects.count()
    made = []
    for i in range(start, start + n):
        status = STATUSES[i % len(STATUSES)]
        ent = enterprise or EnterpriseFactory()
        app = Application.objects.create(
            round=cert_round,
            rule_set=rs,
            enterprise=ent,
            target_level=level,
            status=status,
            self_score=Decimal(90),
            submitted_at=None if status == "draft" else now - dt.timedelta(hours=i),
            notice=notice if status in ("in_notice", "certified") else None,
        )
        ItemScore.objects.bulk_create(
            ItemScore(application=app, item=item, self_score=item.max_points, review_score=item.max_points)
            for item in items
        )
        ApplicationHistory.objects.create(
            subject=app, action="submit", from_status="draft", to_status="submitted", actor_label="hr"
        )
        if status == "in_notice":
            Objection.objects.create(application=app, name="王五", phone="13900000000", content="异议" * 10)
        if status == "certified":
            Certificate.objects.create(
                number=f"HXT-{i:05d}",
                application=app,
                enterprise=ent,
                level=level,
                round=cert_round,
                issuer="柳州市人社局",
                issued_on=today - dt.timedelta(days=i),
                valid_until=today + dt.timedelta(days=1000),
            )
        made.append(app)
    return made


def constant(client, urls, cert_round, **extra):
    """The queries of each url at N rows and at 3N rows (a warm-up request before each count)."""

    def counts():
        result = {}
        for url in urls:
            client.get(url, **extra)  # warm-up: the principal, a key's first use, cached figures
            result[url] = queries_of(client, url, **extra)
        return result

    grow(cert_round, 6)
    few = counts()
    grow(cert_round, 12)
    many = counts()
    assert many == few
    return many


# Indexes ------------------------------------------------------------------------------------------------


def test_the_applications_list_is_an_index_walk_in_its_order(cert_admin, cert_round):
    admin = principal_for_user(cert_admin)
    for params in ({}, {"status": ["certified"]}, {"status": ["submitted", "under_review"]}):
        _fs, qs = selectors.application_list(admin, params)
        # The page's keys (CountingPaginator reads them first, then the page's rows with their joins).
        assert_served_by_index(qs.select_related(None).values("pk")[:50], TABLE)
        assert_served_by_index(qs.select_related(None).values("pk")[5000:5050], TABLE)


def test_an_enterprises_own_applications_are_read_through_its_index(cert_round, ent_a):
    own = Application.objects.filter(enterprise=ent_a).order_by(*selectors.LIST_ORDER)
    plan = assert_served_by_index(own.values("pk")[:50], TABLE)
    assert "application_ent_order" in plan


def test_the_open_objection_filter_and_badge_read_the_partial_index(cert_admin, cert_round):
    _fs, qs = selectors.application_list(principal_for_user(cert_admin), {"has_open_objection": "true"})
    plan = assert_served_by_index(qs[:50], "certification_objection", sorted_by_index=False)
    assert "objection_open" in plan
    # A join would have needed DISTINCT; the filter is an EXISTS instead.
    assert "DISTINCT" not in str(qs.query).upper()


def test_the_api_cursors_and_the_certificates_are_served_by_indexes(cert_admin, cert_round):
    grow(cert_round, 6)
    admin = principal_for_user(cert_admin)
    ordering = ["-created_at", "-pk"]
    for model, table in ((Application, TABLE), (Certificate, "certification_certificate")):
        rows = model.objects.order_by(*ordering)
        assert_served_by_index(rows[:51], table)
        paginator = KeysetPaginator(rows, ordering, 50)
        after = paginator._after(rows, paginator.decode(paginator.encode(rows[0])), ordering)
        assert_served_by_index(after[:51], table)
    plan = assert_served_by_index(
        selectors.certificates_visible_to(admin).select_related(None)[:50], "certification_certificate"
    )
    assert "certificate_order" in plan
    plan = assert_served_by_index(
        PublicNotice.objects.order_by(*selectors.NOTICE_ORDER)[:30], "certification_publicnotice"
    )
    assert "notice_order" in plan


# Query counts ---------------------------------------------------------------------------------------------


def test_the_list_pages_run_a_constant_number_of_queries(client, cert_admin, cert_round):
    client.force_login(cert_admin)
    url = reverse("certification:list")
    counts = constant(
        client,
        [
            url,
            url + "?status=certified",
            url + "?search=柳州",
            url + "?has_open_objection=true&ordering=-self_score",
            url + "?page=2",
            reverse("certification:notice_list"),
        ],
        cert_round,
    )
    assert max(counts.values()) <= 12, counts


def test_an_enterprises_list_runs_a_constant_number_of_queries(client, cert_round):
    ent = EnterpriseFactory()
    hr = user_with_role(Role.ENTERPRISE_HR, ent.organisation)
    client.force_login(hr)
    url = reverse("certification:list")

    def count():
        client.get(url)
        return queries_of(client, url)

    def add(n):
        # Closed applications of earlier rounds pile up on the same enterprise (one open at a time).
        for _ in range(n):
            Application.objects.filter(enterprise=ent).update(status="rejected")
            grow(cert_round, 1, enterprise=ent)

    add(5)  # a draft, ... one in notice (its notice is read by prefetch), a certified one
    few = count()
    add(10)
    assert Application.objects.filter(enterprise=ent).count() == 15
    assert count() == few <= 12


def test_the_api_lists_run_a_constant_number_of_queries(client, api_client_factory, cert_admin, cert_round):
    _, key = api_client_factory(name="区人社局", scopes=["certification:read"])
    cursor = "?cursor=&page_size=5"
    counts = constant(
        client,
        [
            APPS,
            APPS + "?status=certified&status=in_notice",
            APPS + "?search=柳州&has_open_objection=false",
            APPS + cursor,
            CERTS,
            CERTS + cursor,
        ],
        cert_round,
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert max(counts.values()) <= 12, counts
    # A session user's list reads the guards of `available_actions` in two queries too.
    client.force_login(cert_admin)
    rows = client.get(APPS + "?status=under_review&status=in_notice").json()["results"]
    assert {tuple(r["available_actions"]) for r in rows} == {
        ("score", "return", "reject", "propose"),
        ("reject",),
    }


def test_a_cursor_walks_every_application_once(client, api_client_factory, cert_round):
    _, key = api_client_factory(name="区人社局", scopes=["certification:read"])
    made = {str(a.pk) for a in grow(cert_round, 13)}
    seen, url = [], APPS + "?cursor=&page_size=5"
    while url:
        body = client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}").json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(made) and set(seen) == made


@pytest.mark.parametrize("status", ["under_review", "in_notice", "certified"])
def test_the_application_page_does_not_grow_with_its_scores_and_history(
    client, cert_admin, cert_round, status
):
    client.force_login(cert_admin)
    (app,) = [a for a in grow(cert_round, 6) if a.status == status]
    url = reverse("certification:detail", args=[app.pk])
    api = f"{APPS}{app.pk}/"
    # Warm both (the platform's facts in the detail read cached figures the first time).
    client.get(url), client.get(api)
    few = queries_of(client, url), queries_of(client, api)
    category = app.rule_set.categories.order_by("order").first()
    for n in range(10):
        item = Item.objects.create(
            category=category, order=100 + n, code=f"extra{n}", text="附加", max_points=1
        )
        ItemScore.objects.create(application=app, item=item, self_score=1, review_score=1)
        ApplicationHistory.objects.create(
            subject=app, action="return", from_status="submitted", to_status="returned", actor=cert_admin
        )
        Objection.objects.create(application=app, name=f"赵{n}", phone="13900000000", content="异议" * 10)
    assert (queries_of(client, url), queries_of(client, api)) == few
    assert queries_of(client, url) <= 12


def test_the_figures_and_home_are_counted_once_then_read_from_the_cache(client, cert_admin, cert_round):
    client.force_login(cert_admin)
    figures, home = reverse("certification:figures"), reverse("dashboard:home")
    grow(cert_round, 6)
    client.get(figures), client.get(home)
    cached = queries_of(client, figures), queries_of(client, home)
    assert cached[0] <= 2, "the figures page counts nothing while its figures are cached"
    grow(cert_round, 12)  # every save of an application or certificate moves the figures on
    first = client.get(figures).context["figures"]
    assert first["certified"] == Certificate.objects.valid_on(timezone.localdate()).count() == 3
    client.get(home)
    assert (queries_of(client, figures), queries_of(client, home)) == cached
