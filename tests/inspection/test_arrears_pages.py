"""The wage-arrears room's pages and the published serious violations: publication → the
certification veto event; the list read by every signed-in user; listing through the page; early
removal refused with each missing condition beside its field, then approved; the serious
violations' record and publish forms; the credit grades' list; junk on every form answered with a
form error and nothing written."""

import datetime as dt
import re
import uuid

import pytest
from django.conf import settings
from django.urls import reverse

from apps.accounts.roles import Role
from apps.certification.models import VetoEvent
from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.core.models import object_ref
from apps.inspection import rules, services
from apps.inspection.models import SeriousViolation, WageArrearsListing
from tests.factories import user_with_role

from .conftest import p, travel

pytestmark = pytest.mark.django_db

D = dt.date
APRIL_1 = D(2026, 4, 1)
OCT_9 = D(2026, 10, 9)  # the first day an April 1 listing may be removed early (Oct 1-7: National Day)


@pytest.fixture
def en(client):
    """The test client with pages in English (the msgids)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def login(client, user):
    client.force_login(user)
    return client


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def listed(park_admin, ent, on=APRIL_1, reference="柳人社失信〔2026〕1号"):
    return services.list_wage_arrears(
        p(park_admin), enterprise=ent, listed_on=on, decision_reference=reference
    )


def violation(park_admin, ent, **extra):
    data = {
        "enterprise": ent,
        "decided_on": D(2026, 9, 25),
        "decision_reference": "柳人社监罚〔2026〕7号",
        "summary": "拖欠 86 名农民工工资 120 万元，经责令仍不支付",
        **extra,
    }
    return services.record_serious_violation(p(park_admin), **data)


# Serious violations: the services -----------------------------------------------------------------------


def test_publication_proposes_the_veto_event_with_a_link(park_admin, ent_a, monkeypatch):
    travel(monkeypatch, D(2026, 11, 2))
    record = violation(park_admin, ent_a)
    # 20 working days after Sep 25: the National Day holiday (Oct 1-7) not counted, the make-up
    # working Saturday of Oct 10 counted.
    assert record.publish_by == rules.publication_due(D(2026, 9, 25)).date == D(2026, 10, 29)
    assert record.published_on is None and not VetoEvent.objects.exists()
    record = services.publish_serious_violation(p(park_admin), record, published_on=D(2026, 10, 28))
    event = VetoEvent.objects.get(enterprise=ent_a)
    assert record.veto_event == event
    assert (event.kind, event.origin, event.occurred_on) == (
        "serious_violation",
        "inspection",
        D(2026, 10, 28),
    )
    assert (event.object_type, event.object_id) == object_ref(record)
    assert "柳人社监罚〔2026〕7号" in event.source
    # Proposed for the park to confirm or dismiss (issue 17).
    assert event.status == VetoEvent.Status.PROPOSED
    with pytest.raises(InvalidTransition):
        services.publish_serious_violation(p(park_admin), record, published_on=D(2026, 10, 29))
    assert VetoEvent.objects.count() == 1


def test_recorded_and_published_at_once(park_admin, ent_a, monkeypatch):
    travel(monkeypatch, D(2026, 11, 2))
    record = violation(park_admin, ent_a, published_on="2026-10-10")
    assert record.published_on == D(2026, 10, 10) and record.veto_event.kind == "serious_violation"


def test_serious_violations_are_the_parks_act_and_junk_writes_nothing(park_admin, inspector, ent_a, english):
    with pytest.raises(NotAllowed):
        violation(inspector, ent_a)
    with pytest.raises(DomainError) as error:
        services.record_serious_violation(
            p(park_admin), enterprise=None, decided_on="2026-02-31", decision_reference=" ", summary=""
        )
    assert set(error.value.fields) == {"enterprise", "decided_on", "decision_reference", "summary"}
    # Published before the decision: nothing written, not even the record.
    with pytest.raises(DomainError) as error:
        violation(park_admin, ent_a, published_on="2026-09-01")
    assert "published_on" in error.value.fields
    assert not SeriousViolation.objects.exists() and not VetoEvent.objects.exists()
    violation(park_admin, ent_a)
    with pytest.raises(DomainError) as error:
        violation(park_admin, ent_a)  # the same decision reference
    assert "decision_reference" in error.value.fields
    assert SeriousViolation.objects.count() == 1


# The wage-arrears list pages --------------------------------------------------------------------------


def test_the_list_is_read_by_every_signed_in_user(client, park_admin, ent_a, ent_hr_b):
    listing = listed(park_admin, ent_a)
    assert client.get(reverse("inspection:arrears_list")).status_code == 302  # sign in first
    mediator = user_with_role(Role.MEDIATOR)
    for user in (ent_hr_b, mediator):
        html = page(login(client, user).get(reverse("inspection:arrears_list")))
        assert listing.decision_reference in html and ent_a.name in html
        assert 'data-testid="listing-create"' not in html
        assert listing.decision_reference in page(
            client.get(reverse("inspection:arrears_detail", args=[listing.pk]))
        )
    # Filters, junk included.
    html = page(
        client.get(reverse("inspection:arrears_list"), {"status": "removed", "q": "x" * 500, "page": "-1"})
    )
    assert listing.decision_reference not in html
    assert client.get(reverse("inspection:arrears_detail", args=[uuid.uuid4()])).status_code == 404


def test_listing_through_the_page(en, park_admin, inspector, ent_a, make_case):
    client = en
    case = make_case()
    url = reverse("inspection:arrears_create")
    assert login(client, inspector).get(url).status_code == 403
    assert (
        client.post(
            url, {"enterprise": ent_a.pk, "listed_on": "2026-04-01", "decision_reference": "x"}
        ).status_code
        == 403
    )
    c = login(client, park_admin)
    junk = {
        "enterprise": "zzz",
        "listed_on": "2026-13-01",
        "decision_reference": "",
        "case_serial": "JC1999-99999",
    }
    html = page(c.post(url, junk))
    assert html.count("invalid-feedback") >= 3
    html = page(c.post(url, {"enterprise": ent_a.pk, "listed_on": "2099-01-01", "decision_reference": ""}))
    assert (
        "The date cannot be in the future." in html and "Enter the reference of the listing decision." in html
    )
    assert not WageArrearsListing.objects.exists() and not VetoEvent.objects.exists()
    response = c.post(
        url,
        {
            "enterprise": ent_a.pk,
            "listed_on": "2026-04-01",
            "decision_reference": "柳人社失信〔2026〕1号",
            "case_serial": case.serial.lower(),
        },
    )
    listing = WageArrearsListing.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "inspection:arrears_detail", args=[listing.pk]
    )
    assert listing.case == case and listing.veto_event.kind == "wage_arrears_blacklist"


def test_early_removal_says_what_is_missing_per_field_then_is_approved(
    en, park_admin, inspector, ent_a, monkeypatch
):
    client = en
    listing = listed(park_admin, ent_a)
    url = reverse("inspection:arrears_remove", args=[listing.pk])
    travel(monkeypatch, D(2026, 10, 8))  # the 6 months' last day, moved past National Day
    assert login(client, inspector).get(url).status_code == 403
    c = login(client, park_admin)
    html = page(c.get(url))
    assert 'data-testid="early-removal-conditions"' in html and rules.EARLY_REMOVAL_SOURCE in html
    for field in ("arrears_paid_on", "removed_on", "pledge_received_on"):
        assert f'data-testid="condition-{field}" data-met="no"' in html
    # Each missing condition on its own, beside its field.
    html = page(
        c.post(url, {"removal": "early", "arrears_paid_on": "2026-04-01", "pledge_received_on": "2026-09-01"})
    )
    assert 'data-testid="condition-removed_on" data-met="no"' in html
    assert 'data-testid="condition-arrears_paid_on" data-met="yes"' in html
    assert "from 2026-10-09" in html
    travel(monkeypatch, OCT_9)
    html = page(c.post(url, {"removal": "early", "pledge_received_on": "2026-09-01"}))
    assert (
        "Early removal needs the arrears paid" in html
        and 'data-testid="condition-arrears_paid_on" data-met="no"' in html
    )
    html = page(c.post(url, {"removal": "early", "arrears_paid_on": "2026-04-01"}))
    assert "Early removal needs a written credit pledge" in html
    # A pledge dated after the removal does not count; junk dates are form errors.
    html = page(
        c.post(url, {"removal": "early", "arrears_paid_on": "2026-04-01", "pledge_received_on": "2026-99-01"})
    )
    assert "invalid-feedback" in html
    html = page(c.post(url, {"removal": "zzz"}))
    assert "invalid-feedback" in html
    listing.refresh_from_db()
    assert listing.status == "listed" and "Removed" not in VetoEvent.objects.get().note
    response = c.post(
        url,
        {
            "removal": "early",
            "arrears_paid_on": "2026-04-01",
            "pledge_received_on": "2026-09-01",
            "note": "已清偿",
        },
    )
    assert response.status_code == 302, re.findall(
        r"invalid-feedback[^>]*>([^<]*)<", response.content.decode()
    )
    listing.refresh_from_db()
    assert (listing.status, listing.removal, listing.removed_on) == ("removed", "early", OCT_9)
    assert listing.removal_approved_by == park_admin
    assert "2026-10-09" in VetoEvent.objects.get().note
    assert 'data-testid="listing-not-listed"' in page(c.get(url))
    assert "Removed early" in page(c.get(reverse("inspection:arrears_detail", args=[listing.pk])))


# Serious violations: the pages --------------------------------------------------------------------------


def test_serious_violation_pages(en, park_admin, ent_a, ent_hr_b, monkeypatch):
    client = en
    travel(monkeypatch, D(2026, 11, 2))
    c = login(client, park_admin)
    url = reverse("inspection:violation_create")
    html = page(
        c.post(
            url, {"enterprise": "", "decided_on": "yesterday", "summary": "", "published_on": "0000-00-00"}
        )
    )
    assert html.count("invalid-feedback") == 2  # the two dates; the service is not called
    html = page(
        c.post(url, {"enterprise": "-1", "decided_on": "", "decision_reference": "x" * 500, "summary": ""})
    )
    assert "invalid-feedback" in html
    html = page(c.post(url, {"enterprise": "", "decided_on": "2026-09-25", "summary": " "}))
    assert (
        "Choose the enterprise from the registry." in html
        and "Describe the violation as it is published." in html
    )
    assert not SeriousViolation.objects.exists()
    response = c.post(
        url,
        {
            "enterprise": ent_a.pk,
            "decided_on": "2026-09-25",
            "decision_reference": "柳人社监罚〔2026〕7号",
            "summary": "拖欠工资",
        },
    )
    record = SeriousViolation.objects.get()
    detail = reverse("inspection:violation_detail", args=[record.pk])
    assert response.status_code == 302 and response["Location"] == detail
    assert 'data-testid="publish-form"' in page(c.get(detail))
    # Not yet published: only those who keep the list or inspect see it.
    h = login(client, ent_hr_b)
    assert record.decision_reference not in page(h.get(reverse("inspection:violation_list")))
    assert h.get(detail).status_code == 404
    assert h.post(detail, {"published_on": "2026-10-20"}).status_code == 404
    c = login(client, park_admin)
    html = page(c.post(detail, {"published_on": "2026-09-01"}))
    assert "The publication cannot come before the decision" in html
    assert page(c.post(detail, {"published_on": "junk"})).count("invalid-feedback") == 1
    assert not VetoEvent.objects.exists()
    assert c.post(detail, {"published_on": "2026-10-20"}).status_code == 302
    record.refresh_from_db()
    assert record.published_on == D(2026, 10, 20) and record.veto_event.kind == "serious_violation"
    h = login(client, ent_hr_b)
    assert record.decision_reference in page(
        h.get(reverse("inspection:violation_list"), {"state": "waiting"})
    )
    html = page(h.get(detail))
    assert 'data-testid="publish-form"' not in html and "2026-10-20" in html
    assert h.post(detail, {"published_on": "2026-10-21"}).status_code == 403
    assert h.get(reverse("inspection:violation_create")).status_code == 403


def test_a_late_publication_shows_as_late(client, park_admin, ent_a, monkeypatch):
    travel(monkeypatch, D(2026, 12, 1))
    violation(park_admin, ent_a, published_on="2026-11-20")  # due by Oct 29
    html = page(login(client, park_admin).get(reverse("inspection:violation_list")))
    assert 'data-testid="late-badge"' in html


# Credit grades: the list ------------------------------------------------------------------------------------


def test_grade_list_filters_and_scoping(client, park_admin, inspector, ent_a, ent_b, ent_hr_a, make_case):
    listed(park_admin, ent_a)
    services.compute_credit_grades(2026, D(2026, 11, 30))
    url = reverse("inspection:grade_list")
    html = page(login(client, inspector).get(url, {"year": "2026", "grade": "C"}))
    assert ent_a.name in html and ent_b.name not in html  # ent_b is in another brigade's area
    html = page(client.get(url, {"year": "2026", "grade": "A"}))
    assert ent_a.name not in html
    assert ent_a.name in page(client.get(url, {"year": "junk", "grade": "Z", "page": "x"}))
    assert ent_a.name in page(client.get(url, {"year": "99999999999999999999"}))
    html = page(login(client, ent_hr_a).get(url))
    assert ent_a.name in html and ent_b.name not in html
    assert login(client, user_with_role(Role.MEDIATOR)).get(url).status_code == 403
