"""`/api/v1/certification/`: applications, certificates, rule sets and veto events."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.roles import Role
from apps.certification import selectors, services
from apps.certification.api.views import ApplicationViewSet, CertificateViewSet
from apps.certification.models import Application, Certificate, Item, Round, VetoEvent
from apps.certification.workflow import CERTIFICATE_WORKFLOW, WORKFLOW
from tests.factories import EnterpriseFactory, user_with_role

from .conftest import build, complete, p, review_all

pytestmark = pytest.mark.django_db

API = "/api/v1/certification"
APPS = f"{API}/applications/"
CERTS = f"{API}/certificates/"
RULE_SETS = f"{API}/rule-sets/"
VETOES = f"{API}/veto-events/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
JSON = "application/json"


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", **EN}


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def error(response, code):
    assert response.status_code == code, response.content
    return response.json()["error"]


@pytest.fixture
def reader(api_client_factory):
    return api_client_factory(name="区人社局只读", scopes=["certification:read"])[1]


@pytest.fixture
def writer(api_client_factory):
    return api_client_factory(name="区人社局审核系统", scopes=["certification:read", "certification:write"])[
        1
    ]


@pytest.fixture
def submitted(ent_a_old, ent_hr_a, cert_round):
    """ent_a's complete application, submitted by its HR."""
    app = complete(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a)
    return services.submit(p(ent_hr_a), app)


@pytest.fixture
def certificate(submitted, cert_admin, cert_round, django_capture_on_commit_callbacks):
    """ent_a certified at level A, its certificate PDF rendered."""
    app = services.start_review(p(cert_admin), submitted)
    app = services.propose(p(cert_admin), review_all(app, cert_admin))
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.publish_notice(p(cert_admin), round=cert_round, applications=[app])
    notice.starts_on = timezone.localdate() - dt.timedelta(days=10)
    notice.ends_on = timezone.localdate() - dt.timedelta(days=1)
    notice.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.close_notices()["certified"] == 1
    return Certificate.objects.get(application=app)


def url(app, action=""):
    return f"{APPS}{app.pk}/" + (f"{action}/" if action else "")


# Applications: reading ------------------------------------------------------------------------------


def test_list_and_detail_of_an_application(client, reader, submitted, ent_a_old, cert_round):
    response = client.get(APPS, **bearer(reader))
    assert ids(response) == [str(submitted.pk)]
    row = response.json()["results"][0]
    assert row["enterprise"] == {"id": str(ent_a_old.pk), "name": ent_a_old.name, "uscc": ent_a_old.uscc}
    assert row["round"] == {"id": str(cert_round.pk), "name": cert_round.name}
    assert row["target_level"] == "A" and row["proposed_level"] is None
    assert row["status"] == "submitted" and row["status_label"] == "Submitted"
    assert Decimal(row["self_score"]) == submitted.self_score > 0
    assert row["reviewed_score"] is None and row["submitted_at"]
    assert row["notice"] is None and row["certificate"] is None
    # The list carries no per-item detail.
    assert "scores" not in row and "history" not in row

    detail = client.get(url(submitted), **bearer(reader))
    assert detail.status_code == 200, detail.content
    body = detail.json()
    items = Item.objects.filter(category__rule_set=submitted.rule_set)
    assert len(body["scores"]) == items.count()
    signing = next(s for s in body["scores"] if s["item"] == "signing")
    assert signing["category"] == "contracts" and signing["max_points"] == "6.0"
    assert signing["self_score"] == "5.7" and signing["review_score"] is None
    assert [(h["action"], h["from_status"], h["to_status"]) for h in body["history"]] == [
        ("submit", "draft", "submitted")
    ]
    assert body["history"][0]["action_label"] == "Submit"
    assert body["history"][0]["actor"] == submitted.history.get().actor_label
    # A read-only client may do nothing.
    assert body["available_actions"] == []


def test_list_filters_by_status_and_round(client, reader, submitted, ent_b, cert_round, rule_set):
    ent_hr_b = user_with_role(Role.ENTERPRISE_HR, ent_b.organisation)
    draft_b = build(ent_hr_b, ent_b, cert_round)
    today = timezone.localdate()
    other_round = Round.objects.create(
        rule_set=rule_set, name="补充批次", year=today.year, opens_on=today, closes_on=today
    )
    in_other_round = build(ent_hr_b, ent_b, other_round)

    assert ids(client.get(APPS, {"status": "submitted"}, **bearer(reader))) == [str(submitted.pk)]
    assert set(ids(client.get(APPS, {"status": "draft"}, **bearer(reader)))) == {
        str(draft_b.pk),
        str(in_other_round.pk),
    }
    assert ids(client.get(APPS, {"round": str(other_round.pk)}, **bearer(reader))) == [str(in_other_round.pk)]
    both = client.get(APPS, {"round": str(cert_round.pk), "status": ["draft", "submitted"]}, **bearer(reader))
    assert set(ids(both)) == {str(submitted.pk), str(draft_b.pk)}
    assert ids(client.get(APPS, {"search": ent_b.uscc[:8]}, **bearer(reader))) != []
    bad = client.get(APPS, {"status": "nonsense"}, **bearer(reader))
    assert "status" in error(bad, 400)["fields"]


def test_scoping_by_area_and_by_enterprise(client, api_client_factory, submitted, ent_b, certificate):
    _, key = api_client_factory(name="洛埠镇系统", scopes=["certification:read"], area=ent_b.town)
    assert ids(client.get(APPS, **bearer(key))) == []
    assert client.get(url(submitted), **bearer(key)).status_code == 404
    assert client.get(CERTS, **bearer(key)).json()["results"] == []
    assert client.get(f"{CERTS}{certificate.number}/", **bearer(key)).status_code == 404

    hr_b = user_with_role(Role.ENTERPRISE_HR, ent_b.organisation)
    client.force_login(hr_b)
    assert ids(client.get(APPS, **EN)) == []
    assert client.get(url(submitted), **EN).status_code == 404
    assert client.get(f"{CERTS}{certificate.number}/", **EN).status_code == 404
    # Acting on it is a 404 too, not a 403 that would reveal it exists.
    assert client.post(url(submitted, "withdraw"), {}, content_type=JSON, **EN).status_code == 404


def test_missing_scope_or_permission_is_403(client, api_client_factory, reader, submitted):
    _, other = api_client_factory(name="企业库系统", scopes=["enterprises:read"])
    assert error(client.get(APPS, **bearer(other)), 403)["message"] == (
        "The API client lacks the scope “certification:read”."
    )
    assert client.get(RULE_SETS, **bearer(other)).status_code == 403
    assert client.get(f"{CERTS}verify/", {"number": "X"}, **bearer(other)).status_code == 403
    # Reading is not acting.
    response = client.post(url(submitted, "start_review"), **bearer(reader))
    assert "certification:write" in error(response, 403)["message"]
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.SUBMITTED
    # A signed-in role without certification permissions.
    client.force_login(user_with_role(Role.MEDIATOR))
    assert client.get(APPS, **EN).status_code == 403
    assert client.get(APPS).status_code == 403
    client.logout()
    assert client.get(APPS).status_code in (401, 403)


def test_available_actions_differ_for_admin_and_hr(
    client, submitted, cert_admin, ent_hr_a, ent_b, cert_round
):
    client.force_login(cert_admin)
    assert client.get(url(submitted), **EN).json()["available_actions"] == [
        "start_review",
        "return",
        "reject",
    ]
    client.force_login(ent_hr_a)
    assert client.get(url(submitted), **EN).json()["available_actions"] == ["withdraw"]

    hr_b = user_with_role(Role.ENTERPRISE_HR, ent_b.organisation)
    draft = build(hr_b, ent_b, cert_round)
    client.force_login(hr_b)
    assert client.get(url(draft), **EN).json()["available_actions"] == ["edit", "submit", "withdraw"]
    client.force_login(cert_admin)
    assert client.get(url(draft), **EN).json()["available_actions"] == []

    services.start_review(p(cert_admin), submitted)
    assert client.get(url(submitted), **EN).json()["available_actions"] == ["score", "return", "reject"]
    review_all(submitted, cert_admin)
    assert client.get(url(submitted), **EN).json()["available_actions"] == [
        "score",
        "return",
        "reject",
        "propose",
    ]
    client.force_login(ent_hr_a)
    assert client.get(url(submitted), **EN).json()["available_actions"] == []


def test_list_query_count_is_constant(client, reader, cert_round, certificate):
    def make(n):
        for _ in range(n):
            enterprise = EnterpriseFactory()
            hr = user_with_role(Role.ENTERPRISE_HR, enterprise.organisation)
            build(hr, enterprise, cert_round)

    make(4)  # with the certified application: 5 rows
    client.get(APPS, **bearer(reader))  # the key's first use records it (one more query)
    with CaptureQueriesContext(connection) as small:
        assert len(ids(client.get(APPS, **bearer(reader)))) == 5
    make(15)
    with CaptureQueriesContext(connection) as large:
        response = client.get(APPS, **bearer(reader))
        assert len(ids(response)) == 20
    assert len(large) == len(small)
    # The certified row shows its notice and its certificate (read in the same queries).
    row = next(r for r in response.json()["results"] if r["certificate"])
    assert row["certificate"] == certificate.number
    assert row["notice"]["id"] and row["proposed_level"] == "A"


# Applications: acting -------------------------------------------------------------------------------


def test_admin_list_shows_available_actions_in_constant_queries(client, cert_admin, cert_round):
    """The guards behind `available_actions` (all items reviewed, open objections) read
    prefetched rows, so the list stays at a constant number of queries."""

    def make(n):
        for _ in range(n):
            enterprise = EnterpriseFactory()
            hr = user_with_role(Role.ENTERPRISE_HR, enterprise.organisation)
            Application.objects.filter(pk=build(hr, enterprise, cert_round).pk).update(status="under_review")

    client.force_login(cert_admin)
    make(2)
    client.get(APPS)
    with CaptureQueriesContext(connection) as small:
        rows = client.get(APPS, **EN).json()["results"]
    assert [r["available_actions"] for r in rows] == [["score", "return", "reject"]] * 2
    make(6)
    client.get(APPS)  # warm-up: the new users and memberships moved the principal's cache on
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(APPS, **EN).json()["results"]) == 8
    assert len(large) == len(small)


def test_client_starts_review_and_returns(client, writer, submitted, ent_hr_a):
    response = client.post(url(submitted, "start_review"), **bearer(writer))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "under_review"
    assert body["available_actions"] == ["score", "return", "reject"]
    assert body["history"][-1]["actor"] == "api:区人社局审核系统"

    response = client.post(
        url(submitted, "return"),
        {"reason": "自评证据不全，请补充工资台账。"},
        content_type=JSON,
        **bearer(writer),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "returned" and body["status_label"] == "Returned for revision"
    assert body["history"][-1]["reason"] == "自评证据不全，请补充工资台账。"
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.RETURNED
    # The enterprise's HR may now correct and submit again.
    client.force_login(ent_hr_a)
    assert client.get(url(submitted), **EN).json()["available_actions"] == ["edit", "submit", "withdraw"]


def test_client_may_not_submit_or_withdraw(client, writer, ent_a_old, ent_hr_a, cert_round):
    app = complete(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a)
    for action in ("submit", "withdraw"):
        response = client.post(url(app, action), {}, content_type=JSON, **bearer(writer))
        assert error(response, 403)["message"] == "This endpoint is not available to API clients."
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT


def test_hr_submits_and_withdraws_through_the_session(client, ent_a_old, ent_hr_a, cert_round, cert_admin):
    app = build(ent_hr_a, ent_a_old, cert_round)
    client.force_login(ent_hr_a)
    incomplete = client.post(url(app, "submit"), **EN)
    err = error(incomplete, 400)
    assert err["code"] == "not_eligible"
    assert {"scores", "evidence", "group", "disclosure"} <= set(err["fields"])

    complete(app, ent_hr_a)
    response = client.post(url(app, "submit"), **EN)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted" and response.json()["submitted_at"]

    # Reviewing is not for HR.
    assert client.post(url(app, "start_review"), **EN).status_code == 403
    # Nor is withdrawing for the park.
    client.force_login(cert_admin)
    assert error(client.post(url(app, "withdraw"), **EN), 403)["message"] == "Your role does not allow this."

    client.force_login(ent_hr_a)
    response = client.post(url(app, "withdraw"), {"reason": "暂缓申报"}, content_type=JSON, **EN)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"


def test_reject_without_reason_is_400_on_reason(client, writer, submitted):
    for payload in ({}, {"reason": "   "}):
        response = client.post(url(submitted, "reject"), payload, content_type=JSON, **bearer(writer))
        err = error(response, 400)
        assert err["fields"]["reason"] == ["Give a reason for “Reject”."]
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.SUBMITTED
    response = client.post(
        url(submitted, "reject"), {"reason": "存在欠薪投诉"}, content_type=JSON, **bearer(writer)
    )
    assert response.status_code == 200 and response.json()["status"] == "rejected"


def test_action_in_the_wrong_state_is_409(client, writer, submitted):
    assert client.post(url(submitted, "start_review"), **bearer(writer)).status_code == 200
    again = client.post(url(submitted, "start_review"), **bearer(writer))
    err = error(again, 409)
    assert err["code"] == "invalid_transition"
    assert err["message"] == "“Start the review” is not possible while the status is “Under review”."
    # Proposing before every item is scored is refused by the workflow's guard (409 as well).
    err = error(client.post(url(submitted, "propose"), **bearer(writer)), 409)
    assert err["message"] == "Score every item before proposing the application."


def test_review_scores_and_propose(client, writer, submitted, rule_set):
    client.post(url(submitted, "start_review"), **bearer(writer))
    signing = Item.objects.get(category__rule_set=rule_set, code="signing")

    too_high = client.post(
        url(submitted, "review_scores"),
        {"scores": [{"item": "signing", "score": "7"}, {"item": "filing", "score": "3"}]},
        content_type=JSON,
        **bearer(writer),
    )
    err = error(too_high, 400)
    assert err["fields"] == {f"item_{signing.pk}": ["Enter a score between 0 and 6."]}
    submitted.refresh_from_db()
    assert submitted.reviewed_score is None  # all or nothing

    unknown = client.post(
        url(submitted, "review_scores"),
        {"scores": [{"item": "no_such_item", "score": "1"}]},
        content_type=JSON,
        **bearer(writer),
    )
    assert error(unknown, 400)["fields"] == {
        "item_no_such_item": ["This item is not on the application's form."]
    }
    not_a_number = client.post(
        url(submitted, "review_scores"),
        {"scores": [{"item": "signing", "score": "x"}]},
        content_type=JSON,
        **bearer(writer),
    )
    assert "scores" in error(not_a_number, 400)["fields"]

    items = Item.objects.filter(category__rule_set=rule_set).select_related("category")
    payload = {
        "scores": [
            # By id, by code and by category.code.
            {"item": ref, "score": str(item.max_points * Decimal("0.9")), "note": "核实"}  # e.g. "5.40"
            for n, item in enumerate(items)
            for ref in [(str(item.pk), item.code, f"{item.category.code}.{item.code}")[n % 3]]
        ]
    }
    response = client.post(url(submitted, "review_scores"), payload, content_type=JSON, **bearer(writer))
    assert response.status_code == 200, response.content
    body = response.json()
    assert Decimal(body["reviewed_score"]) == Decimal("90.0")
    assert all(s["review_score"] is not None and s["review_note"] == "核实" for s in body["scores"])
    assert body["available_actions"] == ["score", "return", "reject", "propose"]

    response = client.post(url(submitted, "propose"), **bearer(writer))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "proposed" and response.json()["proposed_level"] == "A"
    # Publishing the notice is the park's own act.
    assert response.json()["available_actions"] == ["reject"]


# Certificates ---------------------------------------------------------------------------------------


def test_certificate_list_and_detail(client, reader, certificate, ent_a_old):
    response = client.get(CERTS, **bearer(reader))
    assert response.status_code == 200
    assert [c["number"] for c in response.json()["results"]] == [certificate.number]
    body = client.get(f"{CERTS}{certificate.number}/", **bearer(reader)).json()
    assert body["enterprise"]["uscc"] == ent_a_old.uscc
    assert body["level"] == {"code": "A", "name": "A级"}
    assert body["status"] == "valid" and body["ended_on"] is None and body["end_reason"] == ""
    assert body["issued_on"] == certificate.issued_on.isoformat()
    assert body["valid_until"] == certificate.valid_until.isoformat()
    assert len(body["sha256"]) == 64 and body["sha256"] == certificate.document.sha256
    assert body["verify_url"] == selectors.verification_url(certificate.number)
    assert body["verify_url"].endswith(f"/verify/{certificate.number}")
    assert body["available_actions"] == []
    assert client.get(f"{CERTS}HX1999-A-9999/", **bearer(reader)).status_code == 404


def test_verify_then_revoke(client, reader, writer, certificate, api_client_factory, ent_b):
    # Verification is public data: even a client restricted to another town may verify.
    _, elsewhere = api_client_factory(name="洛埠镇系统", scopes=["certification:read"], area=ent_b.town)
    for key in (reader, elsewhere):
        response = client.get(f"{CERTS}verify/", {"number": certificate.number.lower()}, **bearer(key))
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["number"] == certificate.number
        assert (body["state"], body["label"]) == ("valid", "Valid")
        assert body["sha256"] == certificate.document.sha256 and len(body["sha256"]) == 64

    assert client.get(f"{CERTS}verify/", {"number": "HX1999-A-9999"}, **bearer(reader)).status_code == 404
    assert "number" in error(client.get(f"{CERTS}verify/", **bearer(reader)), 400)["fields"]

    revoke = f"{CERTS}{certificate.number}/revoke/"
    assert (
        client.post(revoke, {"reason": "抽查不合格"}, content_type=JSON, **bearer(reader)).status_code == 403
    )
    assert error(client.post(revoke, {}, content_type=JSON, **bearer(writer)), 400)["fields"]["reason"]
    response = client.post(revoke, {"reason": "抽查不合格"}, content_type=JSON, **bearer(writer))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "revoked" and body["end_reason"] == "抽查不合格"
    assert body["ended_on"] == timezone.localdate().isoformat()

    verified = client.get(f"{CERTS}verify/", {"number": certificate.number}, **bearer(reader)).json()
    assert (verified["state"], verified["label"]) == ("revoked", "Revoked")
    assert error(client.post(revoke, {"reason": "再次"}, content_type=JSON, **bearer(writer)), 409)


def test_session_users_verify_and_revoke(client, certificate, cert_admin, ent_hr_a, ent_b):
    client.force_login(user_with_role(Role.ENTERPRISE_HR, ent_b.organisation))
    assert client.get(f"{CERTS}verify/", {"number": certificate.number}, **EN).json()["state"] == "valid"
    client.force_login(ent_hr_a)
    assert client.get(f"{CERTS}{certificate.number}/", **EN).json()["available_actions"] == []
    revoke = f"{CERTS}{certificate.number}/revoke/"
    assert client.post(revoke, {"reason": "x"}, content_type=JSON, **EN).status_code == 403
    client.force_login(cert_admin)
    assert client.get(f"{CERTS}{certificate.number}/", **EN).json()["available_actions"] == ["revoke"]
    response = client.post(revoke, {"reason": "弄虚作假"}, content_type=JSON, **EN)
    assert response.status_code == 200 and response.json()["status"] == "revoked"


# Rule sets ------------------------------------------------------------------------------------------


def test_rule_set_lists_levels_vetoes_and_form(client, reader, rule_set, ent_hr_a):
    response = client.get(RULE_SETS, **bearer(reader))
    assert response.status_code == 200
    (body,) = [r for r in response.json()["results"] if r["id"] == str(rule_set.pk)]
    assert [(lv["rank"], lv["code"], lv["min_score"]) for lv in body["levels"]] == [
        (1, "A", "80.0"),
        (2, "AA", "85.0"),
        (3, "AAA", "90.0"),
    ]
    assert sum(Decimal(i["max_points"]) for c in body["categories"] for i in c["items"]) == 100
    assert body["max_points"] == "100.0"
    assert sum(Decimal(c["max_points"]) for c in body["categories"]) == 100
    assert len(body["veto_rules"]) == 6 and {v["lookback_months"] for v in body["veto_rules"]} == {24}
    assert (body["group_ratio_numerator"], body["group_ratio_denominator"]) == (2, 3)
    assert body["notice_unit"] == "working_days" and body["notice_length"] == rule_set.notice_length
    assert body["validity_years"] == rule_set.validity_years and body["issuer"] == rule_set.issuer

    detail = client.get(f"{RULE_SETS}{rule_set.pk}/", **bearer(reader))
    assert detail.status_code == 200 and detail.json() == body
    # Session users who see applications see the rules they are measured by.
    client.force_login(ent_hr_a)
    assert client.get(f"{RULE_SETS}{rule_set.pk}/", **EN).status_code == 200


# Veto events ----------------------------------------------------------------------------------------


def test_client_records_a_veto_event_that_revokes_the_title(client, writer, reader, certificate, ent_a_old):
    payload = {
        "enterprise": str(ent_a_old.pk),
        "kind": "wage_arrears_blacklist",
        "occurred_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        "source": "柳人社监〔2026〕12号",
        "origin": "inspection",
    }
    assert client.post(VETOES, payload, content_type=JSON, **bearer(reader)).status_code == 403
    bad = client.post(
        VETOES, payload | {"kind": "littering", "source": ""}, content_type=JSON, **bearer(writer)
    )
    assert set(error(bad, 400)["fields"]) == {"kind", "source"}

    response = client.post(VETOES, payload, content_type=JSON, **bearer(writer))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind_name"] == "被列入拖欠农民工工资失信联合惩戒对象名单"
    assert body["origin"] == "inspection" and body["enterprise"]["id"] == str(ent_a_old.pk)
    certificate.refresh_from_db()
    assert (
        certificate.status == Certificate.Status.REVOKED and "柳人社监〔2026〕12号" in certificate.end_reason
    )
    verified = client.get(f"{CERTS}verify/", {"number": certificate.number}, **bearer(reader)).json()
    assert verified["state"] == "revoked"

    assert ids(client.get(VETOES, **bearer(reader))) == [body["id"]]
    assert ids(client.get(VETOES, {"enterprise": str(ent_a_old.pk)}, **bearer(reader))) == [body["id"]]


def test_restricted_client_cannot_record_vetoes_outside_its_area(client, api_client_factory, ent_a, ent_b):
    _, key = api_client_factory(
        name="洛埠镇监察系统", scopes=["certification:read", "certification:write"], area=ent_b.town
    )
    payload = {
        "enterprise": str(ent_a.pk),
        "kind": "child_labour",
        "occurred_on": timezone.localdate().isoformat(),
        "source": "案件号 2026-001",
    }
    assert (
        "enterprise" in error(client.post(VETOES, payload, content_type=JSON, **bearer(key)), 400)["fields"]
    )
    assert not VetoEvent.objects.exists()
    ok = client.post(VETOES, payload | {"enterprise": str(ent_b.pk)}, content_type=JSON, **bearer(key))
    assert ok.status_code == 201, ok.content
    assert ok.json()["origin"] == "manual"
    VetoEvent.objects.create(
        enterprise=ent_a,
        kind="child_labour",
        kind_name="使用童工",
        occurred_on=timezone.localdate(),
        source="x",
    )
    assert ids(client.get(VETOES, **bearer(key))) == [ok.json()["id"]]


def test_detail_query_count_does_not_grow_with_history(client, writer, submitted):
    client.get(url(submitted), **bearer(writer))  # the key's first use
    with CaptureQueriesContext(connection) as before:
        client.get(url(submitted), **bearer(writer))
    client.post(url(submitted, "start_review"), **bearer(writer))
    client.post(url(submitted, "return"), {"reason": "补充材料"}, content_type=JSON, **bearer(writer))
    with CaptureQueriesContext(connection) as after:
        body = client.get(url(submitted), **bearer(writer)).json()
    assert len(body["history"]) == 3
    assert len(after) == len(before)
    assert client.options(APPS, **bearer(writer)).status_code == 200


def test_lifecycle_endpoints_take_who_may_call_them_from_the_tables():
    """Scopes and permissions of the lifecycle endpoints are the transition tables'; the enterprise's
    own acts (submit, withdraw) have no scope, so no API client reaches them."""
    scopes, perms = ApplicationViewSet.required_scopes, ApplicationViewSet.required_perms
    for action, method in [
        ("start_review", "start_review"),
        ("return", "return_for_revision"),
        ("reject", "reject"),
        ("propose", "propose"),
    ]:
        assert scopes[method] == WORKFLOW.get(action).scope == "certification:write"
        assert perms[method] == WORKFLOW.get(action).permission == "certification.review_application"
    assert scopes["submit"] is None and scopes["withdraw"] is None
    assert perms["submit"] == perms["withdraw"] == "certification.prepare_application"
    assert CertificateViewSet.required_scopes["revoke"] == CERTIFICATE_WORKFLOW.get("revoke").scope
    assert CertificateViewSet.required_perms["revoke"] == "certification.revoke_certificate"


def test_a_client_with_every_scope_may_not_submit_or_withdraw(client, writer, submitted):
    for action in ("submit", "withdraw"):
        refusal = error(client.post(url(submitted, action), {}, content_type=JSON, **bearer(writer)), 403)
        assert refusal["message"] == "This endpoint is not available to API clients."
    assert Application.objects.get(pk=submitted.pk).status == Application.Status.SUBMITTED
