"""`/api/v1/inspection/`: cases (create, idempotent referrals, list and filters, detail, the
actions, the timeline), orders and their follow-up, the wage-arrears list, serious violations,
credit grades, interviews and written reviews; scopes, area restriction, masking and the reporter's
confidentiality (劳动保障监察条例 art. 9)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.core.principal import SYSTEM
from apps.inspection import services
from apps.inspection.models import (
    CreditGrade,
    InspectionCase,
    Interview,
    RectificationOrder,
    Reporter,
    SeriousViolation,
    Source,
    WrittenReview,
)
from tests.factories import user_with_role

from .conftest import p, valid_id_number, worker

pytestmark = pytest.mark.django_db

API = "/api/v1/inspection"
CASES = f"{API}/cases/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
JSON = "application/json"
READ, WRITE = "inspection:read", "inspection:write"

REPORTER_NAME, REPORTER_PHONE, REPORTER_ID = "举报人覃秘密", "13977001234", valid_id_number(909)


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", **EN}


def url(case, action=""):
    return f"{CASES}{case.pk}/" + (f"{action}/" if action else "")


def rows(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def serials(response):
    return {row["serial"] for row in rows(response)}


def error(response, code):
    assert response.status_code == code, response.content
    return response.json()["error"]


def post(client, path, key=None, data=None):
    headers = bearer(key) if key else EN
    return client.post(path, data or {}, content_type=JSON, **headers)


def today():
    return timezone.localdate()


@pytest.fixture
def reader(api_client_factory):
    return api_client_factory(name="12345热线只读", scopes=[READ])[1]


@pytest.fixture
def writer(api_client_factory):
    return api_client_factory(name="12345热线", scopes=[READ, WRITE])[1]


@pytest.fixture
def identity_reader(api_client_factory):
    return api_client_factory(name="区监察系统", scopes=[READ, "personal_data:read"])[1]


def referral(ent_a, **extra):
    return {
        "source": "referral",
        "source_reference": "12345-2026-000123",
        "enterprise": str(ent_a.pk),
        "matters": ["wage_arrears", "no_written_contract"],
        "facts": "12345 热线转来：拖欠工资三个月",
        "amount_owed": "36000.00",
        "workers": [worker(1), worker(2, is_complainant=False)],
        "received_on": (today() - dt.timedelta(days=1)).isoformat(),
        **extra,
    }


def report(ent_a, **extra):
    return {
        "source": "report",
        "enterprise": str(ent_a.pk),
        "matters": ["child_labour"],
        "facts": "车间疑似使用童工",
        "reporter": {"name": REPORTER_NAME, "phone": REPORTER_PHONE, "id_number": REPORTER_ID},
        **extra,
    }


# Sending a case -------------------------------------------------------------------------------------


def test_a_referral_is_registered_once_per_source_and_reference(client, writer, ent_a):
    first = post(client, CASES, writer, referral(ent_a))
    assert first.status_code == 201, first.content
    body = first.json()
    case = InspectionCase.objects.get(pk=body["id"])
    assert body["serial"] == case.serial and body["status"] == "received"
    assert body["source"] == "referral" and body["source_reference"] == "12345-2026-000123"
    assert body["matters"] == ["wage_arrears", "no_written_contract"]
    assert body["employer"] == {"name": ent_a.name, "uscc": ent_a.uscc, "enterprise": str(ent_a.pk)}
    assert body["town"]["code"] == ent_a.town.code
    assert body["workers_count"] == 2 and len(body["workers"]) == 2
    assert body["available_actions"] == ["accept", "refuse", "transfer_to_mediation"]
    assert [c["name"] for c in body["clocks"]] == ["decision"]
    assert body["clocks"][0]["unit"] == "working_days" and body["clocks"][0]["days"] == 5
    assert case.history.get().actor_label == "api:12345热线"

    # The same ticket again (even with other details): the case registered before, unchanged.
    again = post(client, CASES, writer, referral(ent_a, facts="重复推送"))
    assert again.status_code == 200, again.content
    assert again.json()["id"] == body["id"] and again.json()["facts"] == body["facts"]
    assert InspectionCase.objects.count() == 1
    # Another ticket is another case.
    other = post(client, CASES, writer, referral(ent_a, source_reference="12345-2026-000124"))
    assert other.status_code == 201 and InspectionCase.objects.count() == 2


def test_an_invalid_case_is_a_400_with_every_field_and_writes_nothing(client, writer, ent_a):
    payload = {
        "source": "complaint",
        "enterprise": str(ent_a.pk),
        "matters": [],
        "amount_owed": "-5",
        "workers": [],
    }
    fields = error(post(client, CASES, writer, payload), 400)["fields"]
    assert "amount_owed" in fields  # the serializer's check first
    payload["amount_owed"] = "100"
    fields = error(post(client, CASES, writer, payload), 400)["fields"]
    assert set(fields) >= {"matters", "workers"}
    assert fields["workers"] == ["A complaint is made by the worker concerned: enter at least one worker."]
    bad_worker = {**payload, "matters": ["wage_arrears"], "workers": [{"name": "", "id_number": "123"}]}
    fields = error(post(client, CASES, writer, bad_worker), 400)["fields"]
    assert {"workers.0.name", "workers.0.id_number"} <= set(fields)
    fields = error(post(client, CASES, writer, {**bad_worker, "matters": ["bribery"]}), 400)["fields"]
    assert "matters.0" in fields
    fields = error(post(client, CASES, writer, {"source": "rumour"}), 400)["fields"]
    assert {"source", "matters"} <= set(fields)
    # An employer outside the registry needs its name and town.
    fields = error(post(client, CASES, writer, {"source": "campaign", "matters": ["other"]}), 400)["fields"]
    assert {"employer_name", "town"} <= set(fields)
    assert not InspectionCase.objects.exists() and not Reporter.objects.exists()


# The reporter ---------------------------------------------------------------------------------------


def _leaks(response) -> bool:
    text = json.dumps(response.json(), ensure_ascii=False)
    return any(secret in text for secret in (REPORTER_NAME, REPORTER_PHONE, REPORTER_ID, REPORTER_ID[-4:]))


def test_the_reporter_is_taken_but_never_returned(client, writer, ent_a, park_admin, inspector):
    response = post(client, CASES, writer, report(ent_a))
    assert response.status_code == 201, response.content
    case = InspectionCase.objects.get(pk=response.json()["id"])
    stored = Reporter.objects.get(case=case)
    assert stored.name == REPORTER_NAME and stored.phone == REPORTER_PHONE
    assert "reporter" not in response.json() and not _leaks(response)
    for path in (CASES, url(case), url(case, "timeline")):
        assert not _leaks(client.get(path, **bearer(writer))), path
    # Not even for those whose role may see the reporter on the pages.
    for user in (park_admin, inspector):
        client.force_login(user)
        for path in (CASES, url(case), url(case, "timeline")):
            answer = client.get(path, **EN)
            assert answer.status_code == 200 and not _leaks(answer), (user, path)
    # Acting on the case does not bring it back either.
    client.logout()
    assert not _leaks(post(client, url(case, "accept"), writer))
    assert not AuditEvent.objects.filter(action="view_full:reporter").exists()


def test_only_a_report_has_a_reporter(client, writer, ent_a):
    payload = referral(ent_a, reporter={"name": REPORTER_NAME})
    assert "reporter" in error(post(client, CASES, writer, payload), 400)["fields"]
    assert not Reporter.objects.exists() and not InspectionCase.objects.exists()


# Workers' identity ----------------------------------------------------------------------------------


def test_workers_are_masked_without_the_personal_data_scope(client, reader, identity_reader, make_case):
    number = valid_id_number(5)
    case = make_case(workers=[worker(5, id_number=number, phone="13807715555")])
    masked = number[:4] + "*" * 10 + number[-4:]
    person = client.get(url(case), **bearer(reader)).json()["workers"][0]
    assert person == {
        "name": "工人5",
        "is_complainant": True,
        "id_number": masked,
        "id_number_full": False,
        "phone": None,
    }
    # The birth date (digits 7-14) is never beside a masked number.
    assert number[6:14] not in json.dumps(client.get(url(case), **bearer(reader)).json())
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW).exists()

    person = client.get(url(case), **bearer(identity_reader)).json()["workers"][0]
    assert person["id_number"] == number and person["id_number_full"] is True
    assert person["phone"] == "13807715555"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SENSITIVE_VIEW)
    assert event.action == "view_full:id_number" and event.actor_label == "api:区监察系统"
    # A list never shows them in full, whatever the scope.
    listed = rows(client.get(CASES, **bearer(identity_reader)))[0]["workers"][0]
    assert listed["id_number"] == masked and listed["phone"] is None
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW).count() == 1


# Lists ----------------------------------------------------------------------------------------------


def test_filters(client, reader, make_case, ent_a, ent_b, inspector):
    complaint = make_case()
    hotline = make_case(
        source=Source.REFERRAL, source_reference="T-1", matters=["social_insurance"], workers=[]
    )
    old = make_case(received_on=today() - dt.timedelta(days=30))  # past its 5 working days
    elsewhere = make_case(enterprise=ent_b)
    accepted = make_case()
    services.accept(p(inspector), accepted)

    def listed(**params):
        return serials(client.get(CASES, params, **bearer(reader)))

    everything = {c.serial for c in (complaint, hotline, old, elsewhere, accepted)}
    assert listed() == everything
    assert listed(status="accepted") == {accepted.serial}
    assert listed(status=["accepted", "received"]) == everything
    assert listed(source="referral") == {hotline.serial}
    assert listed(matter="social_insurance") == {hotline.serial}
    assert listed(matter="wage_arrears") == everything - {hotline.serial}
    assert listed(town=ent_b.town.code) == {elsewhere.serial}
    assert listed(enterprise=str(ent_b.pk)) == {elsewhere.serial}
    assert listed(uscc=ent_b.uscc.lower()) == {elsewhere.serial}
    assert listed(received_to=(today() - dt.timedelta(days=10)).isoformat()) == {old.serial}
    assert old.serial not in listed(received_from=(today() - dt.timedelta(days=10)).isoformat())
    assert listed(overdue="true") == {old.serial}
    assert listed(overdue="false") == everything - {old.serial}
    # Malformed or empty values are a 400 naming the parameter, never the whole list.
    for params, field in [
        ({"status": "nonsense"}, "status"),
        ({"status": ""}, "status"),
        ({"source": "gossip"}, "source"),
        ({"matter": "bribery"}, "matter"),
        ({"town": "nowhere"}, "town"),
        ({"enterprise": "not-an-id"}, "enterprise"),
        ({"received_from": "soon"}, "received_from"),
        ({"overdue": "maybe"}, "overdue"),
        ({"page_size": "0"}, "page_size"),
    ]:
        assert field in error(client.get(CASES, params, **bearer(reader)), 400)["fields"], params


def test_the_list_runs_in_a_constant_number_of_queries(client, writer, make_case, inspector, ent_b):
    def make(n):
        for i in range(n):
            case = make_case(workers=[worker(10 * n + i), worker(10 * n + i + 5)])
            if i % 3 == 1:
                services.accept(p(inspector), case)
            elif i % 3 == 2:
                services.accept(p(inspector), case)
                services.start_investigation(p(inspector), case)
                services.decide(
                    p(inspector),
                    case,
                    "decide_order",
                    items=["补发工资"],
                    order_due_on=today() + dt.timedelta(days=10),
                )

    def count(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, **bearer(writer)).status_code == 200
        return len(queries)

    make(3)
    count(CASES)  # the first call also notes when the key was last used
    few = count(CASES), count(f"{API}/orders/"), count(f"{CASES}?cursor=")
    make(9)
    assert len(rows(client.get(CASES, **bearer(writer)))) == 12
    assert (count(CASES), count(f"{API}/orders/"), count(f"{CASES}?cursor=")) == few


def test_a_cursor_walks_the_whole_list(client, reader, make_case):
    made = {make_case().serial for _ in range(5)}
    seen, path = [], f"{CASES}?cursor=&page_size=2"
    while path:
        body = client.get(path, **bearer(reader)).json()
        seen += [row["serial"] for row in body["results"]]
        path = body["next"]
    assert len(seen) == 5 and set(seen) == made


# Who may call ---------------------------------------------------------------------------------------


def test_scopes(client, api_client_factory, reader, make_case, ent_a):
    case = make_case()
    _, other = api_client_factory(name="企业库系统", scopes=["enterprises:read"])
    assert error(client.get(CASES, **bearer(other)), 403)["message"] == (
        "The API client lacks the scope “inspection:read”."
    )
    assert client.get(url(case), **bearer(other)).status_code == 403
    for path in ("orders", "interviews", "written-reviews", "wage-arrears-listings", "credit-grades"):
        assert client.get(f"{API}/{path}/", **bearer(other)).status_code == 403, path
    # Reading is not acting: nothing is written.
    assert "inspection:write" in error(post(client, CASES, reader, referral(ent_a)), 403)["message"]
    assert post(client, url(case, "accept"), reader).status_code == 403
    assert (
        post(client, url(case, "refuse"), reader, {"refusal_basis": "other", "reason": "x"}).status_code
        == 403
    )
    case.refresh_from_db()
    assert case.status == InspectionCase.Status.RECEIVED and InspectionCase.objects.count() == 1
    # Signed-in roles: a mediator has no inspection permission; no one at all.
    client.force_login(user_with_role(Role.MEDIATOR))
    assert client.get(CASES, **EN).status_code == 403
    client.logout()
    assert client.get(CASES).status_code in (401, 403)


def test_an_area_restricted_client_sees_and_sends_only_its_area(
    client, api_client_factory, make_case, ent_a, ent_b
):
    case = make_case()  # against ent_a
    _, key = api_client_factory(name="洛埠镇系统", scopes=[READ, WRITE], area=ent_b.town)
    assert rows(client.get(CASES, **bearer(key))) == []
    assert client.get(url(case), **bearer(key)).status_code == 404
    assert client.get(url(case, "timeline"), **bearer(key)).status_code == 404
    assert post(client, url(case, "accept"), key).status_code == 404
    case.refresh_from_db()
    assert case.status == InspectionCase.Status.RECEIVED
    ours = make_case(enterprise=ent_b)
    assert serials(client.get(CASES, **bearer(key))) == {ours.serial}

    before = InspectionCase.objects.count()
    # An enterprise outside its area does not exist for it; nor does a town outside it.
    assert "enterprise" in error(post(client, CASES, key, referral(ent_a)), 400)["fields"]
    outside = referral(ent_a, enterprise=None, employer_name="区外某公司", town=ent_a.town.code)
    assert "town" in error(post(client, CASES, key, outside), 400)["fields"]
    assert InspectionCase.objects.count() == before
    # A reference already registered in another area is not shown to it.
    services.register_case(
        SYSTEM, source="referral", source_reference="X-9", enterprise=ent_a, matters=["other"]
    )
    fields = error(post(client, CASES, key, referral(ent_b, source_reference="X-9")), 400)["fields"]
    assert "source_reference" in fields
    response = post(client, CASES, key, referral(ent_b))
    assert response.status_code == 201 and response.json()["town"]["code"] == ent_b.town.code


def test_an_inspector_sees_the_cases_of_the_brigades_area_only(
    client, make_case, inspector, far_inspector, ent_b
):
    case = make_case()
    far = make_case(enterprise=ent_b)
    client.force_login(inspector)
    assert serials(client.get(CASES, **EN)) == {case.serial}
    assert client.get(url(far), **EN).status_code == 404
    body = client.get(url(case), **EN).json()
    # The inspector's role sees the workers in full on the case's detail (audited), as the page.
    assert body["workers"][0]["id_number_full"] is True
    assert "accept" in body["available_actions"]
    client.force_login(far_inspector)
    assert post(client, url(case, "accept")).status_code == 404


# Actions --------------------------------------------------------------------------------------------


def test_the_lifecycle_through_the_api(client, writer, make_case):
    case = make_case()
    response = post(client, url(case, "accept"), writer)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted" and body["accepted_on"] == today().isoformat()
    assert [c["name"] for c in body["clocks"]] == ["decision", "investigation"]
    assert body["clocks"][1]["days"] == 60 and "第十七条" in body["clocks"][1]["source"]
    conflict = error(post(client, url(case, "accept"), writer), 409)
    assert conflict["code"] == "invalid_transition"
    assert case.history.filter(action="accept").count() == 1

    assert post(client, url(case, "start_investigation"), writer).json()["status"] == "investigating"
    # An order without items nor a deadline: 400 on each, nothing written.
    fields = error(post(client, url(case, "decide_order"), writer, {"items": []}), 400)["fields"]
    assert "order_due_on" in fields
    fields = error(
        post(
            client, url(case, "decide_order"), writer, {"items": [" "], "order_due_on": today().isoformat()}
        ),
        400,
    )["fields"]
    assert {"items", "order_due_on"} <= set(fields)
    assert not RectificationOrder.objects.exists()
    case.refresh_from_db()
    assert case.status == InspectionCase.Status.INVESTIGATING
    # A penalty needs a note naming it.
    assert "note" in error(post(client, url(case, "decide_penalty"), writer), 400)["fields"]

    due = (today() + dt.timedelta(days=15)).isoformat()
    body = post(
        client,
        url(case, "decide_order"),
        writer,
        {"items": ["补发工资", "签订劳动合同"], "order_due_on": due},
    ).json()
    assert body["status"] == "decided" and body["decision"] == "order_to_rectify"
    [order] = body["orders"]
    assert order["items"] == ["补发工资", "签订劳动合同"] and order["due_on"] == due
    # Closing before the follow-up is refused by the table's guard: a 409 that says why.
    assert "order to rectify" in error(post(client, url(case, "close"), writer), 409)["message"]
    assert post(client, url(case, "start_follow_up"), writer).json()["status"] == "follow_up"

    order_url = f"{API}/orders/{order['id']}/"
    detail = client.get(order_url, **bearer(writer)).json()
    assert detail["case"]["serial"] == case.serial and detail["available_actions"] == ["record_follow_up"]
    fields = error(post(client, f"{order_url}record_follow_up/", writer, {"result": "maybe"}), 400)["fields"]
    assert "result" in fields
    fields = error(
        post(
            client,
            f"{order_url}record_follow_up/",
            writer,
            {"result": "done", "escalation": "penalty_recorded"},
        ),
        400,
    )["fields"]
    assert "escalation" in fields
    answer = post(client, f"{order_url}record_follow_up/", writer, {"result": "done", "note": "已补发"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["result"] == "done" and answer.json()["available_actions"] == []
    assert error(post(client, f"{order_url}record_follow_up/", writer, {"result": "done"}), 409)

    assert post(client, url(case, "close"), writer, {"reason": "已整改"}).json()["status"] == "closed"
    body = post(client, url(case, "archive"), writer).json()
    assert body["status"] == "archived" and body["available_actions"] == []

    timeline = client.get(url(case, "timeline"), **bearer(writer)).json()
    assert [t["action"] for t in timeline] == [
        "receive",
        "accept",
        "start_investigation",
        "decide_order",
        "start_follow_up",
        "close",
        "archive",
    ]
    assert timeline[0]["action_label"] == "Case received" and timeline[1]["action_label"] == "Accept"
    assert timeline[-2]["actor_label"] == "api:12345热线" and timeline[-2]["reason"] == "已整改"


def test_refuse_needs_a_ground(client, writer, make_case):
    case = make_case()
    assert "refusal_basis" in error(post(client, url(case, "refuse"), writer, {"reason": "x"}), 400)["fields"]
    response = post(
        client, url(case, "refuse"), writer, {"refusal_basis": "time_barred", "reason": "已超过两年"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["refusal_basis"] == "time_barred" and response.json()["available_actions"] == [
        "archive"
    ]
    assert error(post(client, url(case, "accept"), writer), 409)["code"] == "invalid_transition"


def test_the_extension(client, writer, make_case, park_admin):
    case = make_case()
    for action in ("accept", "start_investigation"):
        assert post(client, url(case, action), writer).status_code == 200
    assert (
        "reason" in error(post(client, url(case, "request_extension"), writer, {"reason": ""}), 400)["fields"]
    )
    body = post(
        client, url(case, "request_extension"), writer, {"reason": "涉及人数多，需调取银行流水"}
    ).json()
    assert body["extensions"][0]["status"] == "requested"
    assert "request_extension" not in body["available_actions"]
    assert error(post(client, url(case, "request_extension"), writer, {"reason": "再次"}), 409)
    # Approving or rejecting is a park administrator's, never an API client's.
    assert post(client, url(case, "extend"), writer).status_code == 403
    assert post(client, url(case, "reject_extension"), writer, {"note": "x"}).status_code == 403
    client.force_login(park_admin)
    body = client.get(url(case), **EN).json()
    assert {"extend", "reject_extension"} <= set(body["available_actions"])
    due = InspectionCase.objects.get(pk=case.pk).due_on
    response = post(client, url(case, "extend"), data={"note": "同意"})
    assert response.status_code == 200, response.content
    assert response.json()["due_on"] > due.isoformat()
    assert response.json()["clocks"][1]["days"] == 90
    assert error(post(client, url(case, "extend")), 409)


def test_transfer_to_mediation(client, writer, make_case):
    case = make_case()
    assert "reason" in error(post(client, url(case, "transfer_to_mediation"), writer), 400)["fields"]
    response = post(client, url(case, "transfer_to_mediation"), writer, {"reason": "实为劳动争议"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "closed" and body["mediation_case"]["serial"].startswith("TJ")
    assert len(body["mediation_access_code"]) == 8
    assert "mediation_access_code" not in client.get(url(case), **bearer(writer)).json()


def test_unknown_and_malformed_ids_are_404(client, reader):
    for path in ("cases", "orders", "interviews", "written-reviews", "credit-grades", "serious-violations"):
        assert (
            client.get(f"{API}/{path}/00000000-0000-0000-0000-000000000000/", **bearer(reader)).status_code
            == 404
        )
        assert client.get(f"{API}/{path}/not-a-uuid/", **bearer(reader)).status_code == 404


# Orders for the enterprise --------------------------------------------------------------------------


def _ordered(make_case, inspector, **data):
    case = make_case(**data)
    services.accept(p(inspector), case)
    services.start_investigation(p(inspector), case)
    services.decide(
        p(inspector), case, "decide_order", items=["补发工资"], order_due_on=today() + dt.timedelta(days=10)
    )
    return case


def test_the_enterprises_hr_reads_its_own_orders(client, make_case, inspector, ent_hr_a, ent_b):
    ours = _ordered(make_case, inspector)
    theirs = _ordered(make_case, user_with_role(Role.PARK_ADMIN), enterprise=ent_b)
    client.force_login(ent_hr_a)
    listed = rows(client.get(f"{API}/orders/", **EN))
    assert [row["case"]["serial"] for row in listed] == [ours.serial]
    assert listed[0]["available_actions"] == []
    assert client.get(f"{API}/orders/{theirs.orders.get().pk}/", **EN).status_code == 404
    # The HR see their case with the order, the workers masked, never the reporter.
    body = client.get(url(ours), **EN).json()
    assert body["workers"][0]["id_number_full"] is False and body["available_actions"] == []
    order = ours.orders.get()
    assert (
        post(client, f"{API}/orders/{order.pk}/record_follow_up/", data={"result": "done"}).status_code == 403
    )


def test_order_filters(client, reader, make_case, inspector, ent_b):
    ours = _ordered(make_case, inspector)
    theirs = _ordered(make_case, user_with_role(Role.PARK_ADMIN), enterprise=ent_b)
    RectificationOrder.objects.filter(case=theirs).update(due_on=today() - dt.timedelta(days=1))

    def listed(**params):
        return {row["case"]["serial"] for row in rows(client.get(f"{API}/orders/", params, **bearer(reader)))}

    assert listed() == {ours.serial, theirs.serial}
    assert listed(enterprise=str(ent_b.pk)) == {theirs.serial}
    assert listed(case=str(ours.pk)) == {ours.serial}
    assert listed(overdue="true") == {theirs.serial}
    assert listed(checked="true") == set()
    assert "result" in error(client.get(f"{API}/orders/", {"result": "x"}, **bearer(reader)), 400)["fields"]


# Published lists and grades -------------------------------------------------------------------------


def test_the_wage_arrears_list_and_serious_violations(client, reader, ent_a, ent_b):
    listing = services.list_wage_arrears(
        SYSTEM,
        enterprise=ent_a,
        listed_on=today() - dt.timedelta(days=3),
        decision_reference="柳人社列〔2026〕1号",
    )
    SeriousViolation.objects.create(
        enterprise=ent_b,
        decided_on=today() - dt.timedelta(days=5),
        decision_reference="柳人社罚〔2026〕7号",
        publish_by=today() + dt.timedelta(days=20),
        summary="拖欠 30 名劳动者工资",
    )
    [row] = rows(client.get(f"{API}/wage-arrears-listings/", **bearer(reader)))
    assert row["enterprise"]["uscc"] == ent_a.uscc and row["status"] == "listed" and row["removal"] is None
    assert row["decision_reference"] == "柳人社列〔2026〕1号"
    assert row["expires_on"] == listing.expires_on.isoformat()
    assert rows(client.get(f"{API}/wage-arrears-listings/", {"uscc": ent_b.uscc}, **bearer(reader))) == []
    assert rows(client.get(f"{API}/wage-arrears-listings/", {"status": "removed"}, **bearer(reader))) == []
    assert (
        "status"
        in error(client.get(f"{API}/wage-arrears-listings/", {"status": "x"}, **bearer(reader)), 400)[
            "fields"
        ]
    )
    [row] = rows(client.get(f"{API}/serious-violations/", **bearer(reader)))
    assert row["enterprise"]["id"] == str(ent_b.pk) and row["summary"] == "拖欠 30 名劳动者工资"
    assert (
        rows(client.get(f"{API}/serious-violations/", {"enterprise": str(ent_a.pk)}, **bearer(reader))) == []
    )


def test_credit_grades_and_their_filters(client, reader, ent_a, ent_b, ent_hr_a):
    a = CreditGrade.objects.create(
        enterprise=ent_a,
        year=2025,
        grade="B",
        computed_on=today(),
        facts=[
            {"code": "order_to_rectify", "label": "责令改正", "record": "JC2025-00001", "on": "2025-03-02"}
        ],
    )
    CreditGrade.objects.create(enterprise=ent_a, year=2024, grade="A", computed_on=today())
    CreditGrade.objects.create(enterprise=ent_b, year=2025, grade="C", computed_on=today())

    def listed(**params):
        return {
            (row["enterprise"]["name"], row["year"], row["grade"])
            for row in rows(client.get(f"{API}/credit-grades/", params, **bearer(reader)))
        }

    assert len(listed()) == 3
    assert listed(enterprise=str(ent_a.pk)) == {(ent_a.name, 2025, "B"), (ent_a.name, 2024, "A")}
    assert listed(year="2025") == {(ent_a.name, 2025, "B"), (ent_b.name, 2025, "C")}
    assert listed(grade="C") == {(ent_b.name, 2025, "C")}
    assert listed(uscc=ent_a.uscc, year="2024") == {(ent_a.name, 2024, "A")}
    for params in ({"year": "2.5"}, {"grade": "D"}, {"enterprise": "x"}, {"year": ""}):
        assert set(params) <= set(
            error(client.get(f"{API}/credit-grades/", params, **bearer(reader)), 400)["fields"]
        )
    detail = client.get(f"{API}/credit-grades/{a.pk}/", **bearer(reader)).json()
    assert detail["facts"] == [
        {"code": "order_to_rectify", "label": "责令改正", "record": "JC2025-00001", "on": "2025-03-02"}
    ]
    # An enterprise's HR: its own grades only.
    client.force_login(ent_hr_a)
    assert {row["enterprise"]["id"] for row in rows(client.get(f"{API}/credit-grades/", **EN))} == {
        str(ent_a.pk)
    }


# Interviews and written reviews ---------------------------------------------------------------------


def test_interviews(client, writer, api_client_factory, ent_a, ent_b, inspector, ent_hr_a):
    interview = services.propose_interview(p(inspector), ent_a, reason="一年内三次欠薪投诉")
    [row] = rows(client.get(f"{API}/interviews/", **bearer(writer)))
    assert row["id"] == str(interview.pk) and row["status"] == "proposed"
    assert row["enterprise"]["id"] == str(ent_a.pk)
    assert row["available_actions"] == ["send_notice", "dismiss"]
    assert rows(client.get(f"{API}/interviews/", {"status": "held"}, **bearer(writer))) == []
    path = f"{API}/interviews/{interview.pk}/"
    # Bad input: 400 per field, nothing changes.
    fields = error(post(client, f"{path}send_notice/", writer, {"place": ""}), 400)["fields"]
    assert "scheduled_at" in fields
    assert "reason" in error(post(client, f"{path}dismiss/", writer), 400)["fields"]
    assert (
        error(
            post(
                client,
                f"{path}record/",
                writer,
                {
                    "held_on": today().isoformat(),
                    "attendees": "法定代表人",
                    "representative_attended": True,
                    "record": "x",
                },
            ),
            409,
        )["code"]
        == "invalid_transition"
    )
    interview.refresh_from_db()
    assert interview.status == Interview.Status.PROPOSED
    response = post(client, f"{path}dismiss/", writer, {"reason": "已全部补发"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dismissed" and response.json()["available_actions"] == []
    # The HR of another enterprise do not see it; a read-only client may not act.
    client.force_login(user_with_role(Role.ENTERPRISE_HR, ent_b.organisation))
    assert client.get(path, **EN).status_code == 404
    client.force_login(ent_hr_a)
    assert client.get(path, **EN).status_code == 200
    client.logout()
    _, reader = api_client_factory(name="只读", scopes=[READ])
    assert post(client, f"{path}dismiss/", reader, {"reason": "x"}).status_code == 403


def test_written_reviews(client, writer, ent_a, ent_b, ent_hr_a):
    review = WrittenReview.objects.create(
        enterprise=ent_a,
        year=2025,
        due_on=dt.date(2026, 5, 31),
        status=WrittenReview.Status.SUBMITTED,
        headcount=120,
        contracts_signed=118,
        wages_paid_on_time=True,
        lowest_monthly_wage="2200.00",
        average_weekly_hours="44.0",
        social_insurance_insured=115,
    )
    WrittenReview.objects.create(enterprise=ent_b, year=2025, due_on=dt.date(2026, 5, 31))
    listed = rows(client.get(f"{API}/written-reviews/", {"status": "submitted"}, **bearer(writer)))
    assert [row["id"] for row in listed] == [str(review.pk)]
    assert listed[0]["available_actions"] == ["accept", "return"]
    assert len(rows(client.get(f"{API}/written-reviews/", {"year": "2025"}, **bearer(writer)))) == 2
    path = f"{API}/written-reviews/{review.pk}/"
    assert "reason" in error(post(client, f"{path}return/", writer), 400)["fields"]
    response = post(client, f"{path}return/", writer, {"reason": "参保人数与社保数据不符"})
    assert response.status_code == 200, response.content
    assert (
        response.json()["status"] == "returned"
        and response.json()["return_reason"] == "参保人数与社保数据不符"
    )
    assert error(post(client, f"{path}accept/", writer), 409)["code"] == "invalid_transition"
    # Submitting is the HR's, on the pages or signed in; never an API client's.
    assert post(client, f"{path}submit/", writer).status_code == 403
    client.force_login(ent_hr_a)
    assert {row["enterprise"]["id"] for row in rows(client.get(f"{API}/written-reviews/", **EN))} == {
        str(ent_a.pk)
    }
    response = post(client, f"{path}submit/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
