"""The search across modules (issue 20) on the demo park: each kind of thing is found by a demo
user who sees it, by its number, code or the worker's ID number, and not by one who does not (the
model's `visible_to`); the query count stays small on the park's real volumes."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.appeals.models import Appeal
from apps.assistance.models import HardshipFile
from apps.audit.models import AuditEvent
from apps.certification.models import Certificate
from apps.contracts.models import LabourContract, Worker
from apps.core.principal import principal_for_user
from apps.enterprises.models import Enterprise
from apps.inspection.models import InspectionCase
from apps.legalaid.models import LegalAidRequest
from apps.mediation.models import Case
from apps.unions.models import PlatformWorker
from tests.factories import user_with_role

URL = "/search/"


def user(username: str) -> User:
    return User.objects.get(username=username)


def visible_and_not(model, username: str, **filters):
    """One row the demo user sees and one they do not (None if every row is visible)."""
    visible = model.objects.visible_to(principal_for_user(user(username))).filter(**filters)
    seen = visible.order_by("pk").first()
    unseen = model.objects.filter(**filters).exclude(pk__in=visible.values("pk")).order_by("pk").first()
    return seen, unseen


def urls_found(client, username: str, text: str, *, post: bool = False) -> list[str]:
    client.force_login(user(username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(URL, {"q": text}) if post else client.get(URL, {"q": text})
    assert response.status_code == 200, (username, response.status_code)
    return [h["url"] for g in response.context["groups"] for h in g.hits]


#: (what, model, the demo user who searches, the text to type for a row, its page, filters).
BY_NUMBER = [
    ("enterprise", Enterprise, "hr", lambda e: e.uscc, lambda e: f"/enterprises/{e.pk}/", {}),
    ("enterprise", Enterprise, "mediator", lambda e: e.uscc, lambda e: f"/enterprises/{e.pk}/", {}),
    ("mediation case", Case, "mediator", lambda c: c.serial, lambda c: f"/mediation/{c.pk}/", {}),
    ("mediation case", Case, "hr", lambda c: c.serial, lambda c: f"/mediation/{c.pk}/", {}),
    (
        "inspection case",
        InspectionCase,
        "inspector",
        lambda c: c.serial,
        lambda c: f"/inspection/{c.pk}/",
        {},
    ),
    ("legal-aid request", LegalAidRequest, "union", lambda r: r.serial, lambda r: f"/legal-aid/{r.pk}/", {}),
    ("appeal", Appeal, "hr", lambda a: a.reference, lambda a: f"/appeals/{a.pk}/", {}),
]


@pytest.mark.parametrize(
    ("what", "model", "username", "text", "page", "filters"),
    BY_NUMBER,
    ids=[f"{row[0]} by {row[2]}" for row in BY_NUMBER],
)
def test_each_kind_is_found_by_who_sees_it_and_no_one_else(
    demo_park, client, what, model, username, text, page, filters
):
    seen, unseen = visible_and_not(model, username, **filters)
    assert seen is not None, f"the demo park gives {username} no {what} to find"
    assert page(seen) in urls_found(client, username, text(seen))
    if unseen is not None:
        assert page(unseen) not in urls_found(client, username, text(unseen))
    # The park administrator finds both.
    assert page(seen) in urls_found(client, "admin", text(seen))


def test_a_certificate_by_its_number_for_its_enterprise_and_the_park(demo_park, client):
    """The demo HR's enterprise holds no certificate: the HR of a certified enterprise finds its
    certificate (typed in lower case), another enterprise's HR does not."""
    cert = Certificate.objects.select_related("enterprise__organisation").order_by("number").first()
    other = Certificate.objects.exclude(enterprise=cert.enterprise).order_by("number").first()
    page = f"/certification/certificates/{cert.number}/"
    hr = user_with_role(Role.ENTERPRISE_HR, cert.enterprise.organisation)
    client.force_login(hr)
    assert [
        h["url"] for g in client.get(URL, {"q": cert.number.lower()}).context["groups"] for h in g.hits
    ] == [page]
    assert [g.hits for g in client.get(URL, {"q": other.number}).context["groups"] if g.hits] == []
    assert page in urls_found(client, "admin", cert.number)


def test_hr_finds_their_workers_by_id_number_and_never_another_enterprises(demo_park, client):
    hr = principal_for_user(user("hr"))
    own = LabourContract.objects.visible_to(hr).select_related("worker").order_by("pk").first()
    others = (
        Worker.objects.exclude(contracts__in=LabourContract.objects.visible_to(hr)).order_by("pk").first()
    )
    assert own is not None and others is not None
    found = urls_found(client, "hr", own.worker.id_number, post=True)
    assert [u for u in found if u.startswith("/contracts/?id_token=")]
    assert urls_found(client, "hr", others.id_number, post=True) == []
    # The park administrator finds the other enterprise's worker.
    assert [
        u for u in urls_found(client, "admin", others.id_number, post=True) if u.startswith("/contracts/")
    ]
    events = AuditEvent.objects.filter(action="search.id_number")
    assert events.count() == 3
    for event in events:
        assert own.worker.id_number not in str(event.after) and others.id_number not in str(event.after)


def test_the_union_finds_its_hardship_files_by_id_number(demo_park, client):
    seen, unseen = visible_and_not(HardshipFile, "union")
    assert seen is not None
    assert f"/assistance/{seen.pk}/" in urls_found(client, "union", seen.id_number, post=True)
    if unseen is not None:
        assert f"/assistance/{unseen.pk}/" not in urls_found(client, "union", unseen.id_number, post=True)
    # HR never reads the union's files, not even as "not found".
    client.force_login(user("hr"))
    response = client.post(URL, {"q": seen.id_number})
    assert "assistance" not in {g.module for g in response.context["groups"]}


def test_a_union_finds_the_platform_workers_it_registered(demo_park, client):
    worker = (
        PlatformWorker.objects.filter(registered_by__isnull=False).select_related("registered_by").first()
    )
    assert worker is not None
    official = user_with_role(Role.UNION_OFFICIAL, worker.registered_by.organisation)
    client.force_login(official)
    response = client.post(URL, {"q": worker.id_number})
    found = [h["url"] for g in response.context["groups"] for h in g.hits]
    assert f"/unions/new-employment/{worker.pk}/" in found
    unseen = PlatformWorker.objects.exclude(
        pk__in=PlatformWorker.objects.visible_to(principal_for_user(official)).values("pk")
    ).first()
    if unseen is not None:
        response = client.post(URL, {"q": unseen.id_number})
        assert f"/unions/new-employment/{unseen.pk}/" not in [
            h["url"] for g in response.context["groups"] for h in g.hits
        ]
    # Enterprise HR never reads the union's members, not even as "not found".
    client.force_login(user("hr"))
    response = client.post(URL, {"q": worker.id_number})
    assert "unions" not in {g.module for g in response.context["groups"]}


@pytest.mark.parametrize(
    ("username", "text", "post"),
    [
        ("admin", "柳州", False),
        ("admin", "TJ2026", False),
        ("admin", "TJ", False),
        ("mediator", "有限公司", False),
        ("hr", "TJ2025", False),
        ("union", "FY", False),
    ],
)
def test_a_search_keeps_its_query_budget_on_the_park(demo_park, client, username, text, post):
    client.force_login(user(username))
    client.get(URL, {"q": "warm-up"})
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, {"q": text})
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 12, [q["sql"][:120] for q in ctx.captured_queries]


def test_a_search_by_id_number_keeps_its_query_budget_on_the_park(demo_park, client):
    number = Worker.objects.order_by("pk").first().id_number
    for username in ("admin", "hr", "union", "mediator", "inspector"):
        client.force_login(user(username))
        client.get(URL, {"q": "warm-up"})
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(URL, {"q": number})
        assert response.status_code == 200
        assert len(ctx.captured_queries) <= 16, (username, [q["sql"][:120] for q in ctx.captured_queries])
