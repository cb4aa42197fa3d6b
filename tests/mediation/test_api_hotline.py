"""District intake through `/api/v1/mediation/cases/` (issue 15, deliverable 7): the 12345 hotline
channel, the `mediation:intake` scope (sends cases, reads only those it sent, acts on none),
`source_reference` searchable and idempotent per channel (sending the same referral again, even at
the same moment, answers the case registered the first time), and a district system that may not
withdraw a case on the worker's behalf (人民调解法第二十三条)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections
from django.utils import timezone

from apps.accounts.scopes import SCOPES
from apps.accounts.services import create_api_client
from apps.audit.models import AuditEvent
from apps.core.errors import DomainError
from apps.core.principal import SYSTEM, principal_for_api_client
from apps.mediation import rules, selectors, services
from apps.mediation.models import Applicant, Case, MediationOrganisation
from tests.factories import EnterpriseFactory

from .conftest import accepted, applicant, valid_id_number

pytestmark = pytest.mark.django_db

CASES = "/api/v1/mediation/cases/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
JSON = "application/json"
WORK_ORDER = "12345-20260302-000187"


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", **EN}


def post(client, path, key, data=None):
    return client.post(path, data if data is not None else {}, content_type=JSON, **bearer(key))


def url(case_id, action=""):
    return f"{CASES}{case_id}/" + (f"{action}/" if action else "")


def error(response, code):
    assert response.status_code == code, response.content
    return response.json()["error"]


def today():
    return timezone.localdate()


def hotline_payload(enterprise, **extra):
    return {
        "channel": "hotline",
        "source_reference": WORK_ORDER,
        "applicants": [{"name": "黄小梅", "id_number": valid_id_number(41), "phone": "13907720041"}],
        "types": ["remuneration"],
        "claims": "来电反映公司拖欠 2 月工资 5200 元，请求调解",
        "amount_claimed": "5200.00",
        "respondent_enterprise": str(enterprise.pk),
        "received_on": (today() - dt.timedelta(days=1)).isoformat(),
        **extra,
    }


@pytest.fixture
def hotline(api_client_factory):
    """The 12345 hotline's system: sends cases and follows those it sent."""
    return api_client_factory(name="12345热线", scopes=["mediation:intake"])


@pytest.fixture
def other_hotline(api_client_factory):
    return api_client_factory(name="区信访系统", scopes=["mediation:intake"])


@pytest.fixture
def writer(api_client_factory):
    return api_client_factory(name="区法院调解平台", scopes=["mediation:read", "mediation:write"])[1]


# Sending a referral ---------------------------------------------------------------------------------


def test_the_scope_is_declared():
    assert "mediation:intake" in SCOPES
    assert Case.Channel.HOTLINE in rules.API_CHANNELS
    assert Case.Channel.HOTLINE in rules.STAFF_CHANNELS  # a work order forwarded on paper


def test_an_intake_client_sends_a_hotline_referral(client, hotline, ent_a, med_org):
    api_client, key = hotline
    response = post(client, CASES, key, hotline_payload(ent_a))
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    received = today() - dt.timedelta(days=1)
    assert body["channel"] == "hotline" and case.channel == Case.Channel.HOTLINE
    assert body["source_reference"] == WORK_ORDER == case.source_reference
    # The ordinary mediation period (LDMAL art. 14), not a court's 30 days.
    assert body["due_on"] == rules.MEDIATION_PERIOD.due(received).date.isoformat()
    assert body["organisation"]["id"] == str(med_org.pk)  # routed by the enterprise's town
    assert len(body["access_code"]) == 8 and rules.check_access_code(case, body["access_code"])
    assert case.created_by_client == api_client and case.created_by is None
    assert case.history.get().actor_label == "api:12345热线"
    # It acts on nothing: no action is offered.
    assert body["available_actions"] == []
    # The ID number it sent comes back masked (no `personal_data:read`).
    assert body["applicants"][0]["id_number"] == "4502**********" + valid_id_number(41)[-4:]


def test_a_hotline_referral_needs_its_work_order_number(client, hotline, ent_a, med_org):
    _client, key = hotline
    for reference in ("", "   "):
        response = post(client, CASES, key, hotline_payload(ent_a, source_reference=reference))
        assert set(error(response, 400)["fields"]) == {"source_reference"}
    too_long = post(client, CASES, key, hotline_payload(ent_a, source_reference="1" * 61))
    assert "source_reference" in error(too_long, 400)["fields"]
    assert not Case.objects.exists()


def test_bad_input_from_an_intake_client_is_a_400_and_writes_nothing(client, hotline, ent_a, med_org):
    _client, key = hotline
    before = (Case.objects.count(), Applicant.objects.count(), AuditEvent.objects.count())
    # Channels a district system may not send; a type outside the law's list; a bad ID number.
    for channel in ("online", "walk_in", "phone", "fax"):
        assert (
            "channel"
            in error(post(client, CASES, key, hotline_payload(ent_a, channel=channel)), 400)["fields"]
        )
    fields = error(post(client, CASES, key, hotline_payload(ent_a, types=["gossip"])), 400)["fields"]
    assert "types.0" in fields
    payload = hotline_payload(ent_a)
    payload["applicants"][0]["id_number"] = "450205199003071234"
    assert "applicants.0.id_number" in error(post(client, CASES, key, payload), 400)["fields"]
    assert (
        "source_reference"
        in error(post(client, CASES, key, hotline_payload(ent_a, source_reference=[1])), 400)["fields"]
    )
    assert error(post(client, CASES, key, "[1, 2"), 400)
    assert (Case.objects.count(), Applicant.objects.count(), AuditEvent.objects.count()) == before


def test_court_and_inspection_cases_too(client, hotline, ent_a, med_org):
    """The scope limits what the client may do with a case, not where it comes from: a court's or
    an inspection system holding only `mediation:intake` sends its own channel."""
    _client, key = hotline
    court = post(
        client,
        CASES,
        key,
        hotline_payload(
            ent_a,
            channel="court",
            court_name="柳州市柳江区人民法院",
            source_reference="(2026)桂0206民诉前调88号",
        ),
    )
    assert court.status_code == 201, court.content
    assert (
        court.json()["due_on"]
        == rules.COURT_MEDIATION_PERIOD.due(today() - dt.timedelta(days=1)).date.isoformat()
    )
    inspection = post(client, CASES, key, hotline_payload(ent_a, channel="inspection", source_reference=""))
    assert inspection.status_code == 201, inspection.content  # a reference is optional there


# Sending it again -----------------------------------------------------------------------------------


def test_sending_the_same_referral_again_answers_the_same_case(client, hotline, ent_a, med_org):
    _client, key = hotline
    first = post(client, CASES, key, hotline_payload(ent_a))
    assert first.status_code == 201, first.content
    counts = (Case.objects.count(), Applicant.objects.count(), AuditEvent.objects.count())
    again = post(client, CASES, key, hotline_payload(ent_a))
    assert again.status_code == 200, again.content
    body, original = again.json(), first.json()
    assert body["id"] == original["id"] and body["serial"] == original["serial"]
    # The same body, but the access code: it was given once, with the 201.
    assert body["access_code"] is None
    assert {k: v for k, v in body.items() if k != "access_code"} == {
        k: v for k, v in original.items() if k != "access_code"
    }
    assert (Case.objects.count(), Applicant.objects.count(), AuditEvent.objects.count()) == counts
    # A corrected body does not change the case: the first registration stands.
    corrected = post(
        client, CASES, key, hotline_payload(ent_a, claims="拖欠工资 9999 元", amount_claimed="9999")
    )
    assert corrected.status_code == 200 and corrected.json()["id"] == original["id"]
    case = Case.objects.get(pk=original["id"])
    assert case.amount_claimed == 5200 and case.claims.startswith("来电反映")
    assert Case.objects.count() == counts[0]


def test_the_reference_is_per_channel(client, hotline, writer, ent_a, med_org):
    _client, key = hotline
    first = post(client, CASES, key, hotline_payload(ent_a))
    court = post(
        client, CASES, writer, hotline_payload(ent_a, channel="court", court_name="柳州市柳江区人民法院")
    )
    assert court.status_code == 201 and court.json()["id"] != first.json()["id"]
    # A `mediation:write` client of the whole park finds the hotline's case when it sends it again.
    again = post(client, CASES, writer, hotline_payload(ent_a))
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Case.objects.filter(source_reference=WORK_ORDER).count() == 2


def test_another_systems_referral_is_not_shown(client, hotline, other_hotline, ent_a, med_org):
    _client, key = hotline
    first = post(client, CASES, key, hotline_payload(ent_a))
    before = Case.objects.count()
    response = post(client, CASES, other_hotline[1], hotline_payload(ent_a))
    err = error(response, 400)
    assert set(err["fields"]) == {"source_reference"}
    assert (
        first.json()["id"] not in response.content.decode()
        and first.json()["serial"] not in response.content.decode()
    )
    assert Case.objects.count() == before


def test_staff_typing_a_reference_twice_is_told(ent_a, med_org):
    """A person registering the same court entrustment twice on the page is refused on the
    reference (only a district system's referral answers the case registered before)."""
    data = {
        "channel": Case.Channel.COURT,
        "court_name": "柳州市柳江区人民法院",
        "source_reference": "(2026)桂0206民诉前调5号",
        "applicants": [applicant(5)],
        "types": ["remuneration"],
        "claims": "支付拖欠工资",
        "respondent_enterprise": ent_a,
    }
    case, code = services.register_case(SYSTEM, **data)
    assert code
    with pytest.raises(DomainError) as exc:
        services.register_case(SYSTEM, **data)
    assert exc.value.code == "duplicate_reference" and set(exc.value.fields) == {"source_reference"}
    found, none = services.receive_referral(SYSTEM, **data)
    assert found == case and none is None
    assert Case.objects.count() == 1


def test_a_race_lost_between_the_check_and_the_insert_answers_the_winner(
    client, hotline, ent_a, med_org, monkeypatch
):
    """The other request commits between this one's look-up and its insert: the unique constraint
    refuses the second row, and the answer is the case registered by the first (no gap in the
    serial numbers either)."""
    _client, key = hotline
    winner = post(client, CASES, key, hotline_payload(ent_a)).json()
    real = selectors.case_by_reference
    calls = []

    def not_yet(channel, reference):
        calls.append(reference)
        return None if len(calls) == 1 else real(channel, reference)

    monkeypatch.setattr(selectors, "case_by_reference", not_yet)
    response = post(client, CASES, key, hotline_payload(ent_a))
    assert response.status_code == 200, response.content
    assert response.json()["id"] == winner["id"] and len(calls) == 2
    assert Case.objects.count() == 1
    monkeypatch.setattr(selectors, "case_by_reference", real)
    nxt = post(client, CASES, key, hotline_payload(ent_a, source_reference="12345-20260302-000188")).json()
    assert int(nxt["serial"].rsplit("-", 1)[1]) == int(winner["serial"].rsplit("-", 1)[1]) + 1


def _run_at_once(*functions, timeout=30):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(i, fn):
        try:
            barrier.wait(timeout=timeout)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_identical_referrals_at_once_leave_one_case():
    enterprise = EnterpriseFactory(name="柳州并发热线测试有限公司")
    services.create_organisation(
        SYSTEM, name="并发热线调解中心", kind=MediationOrganisation.Kind.TOWN, towns=[enterprise.town]
    )
    api_client, _key = create_api_client(name="12345并发", scopes=["mediation:intake"])
    data = {
        "channel": Case.Channel.HOTLINE,
        "source_reference": WORK_ORDER,
        "applicants": [applicant(7)],
        "types": ["remuneration"],
        "claims": "拖欠工资",
        "respondent_enterprise": enterprise,
    }

    def send():
        return services.receive_referral(principal_for_api_client(api_client), **data)

    results = _run_at_once(send, send, send)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({case.pk for case, _code in results}) == 1
    assert sorted(code is None for _case, code in results) == [False, True, True]
    assert Case.objects.count() == 1
    assert Case.objects.get().history.count() == 1


# What an intake client reads -------------------------------------------------------------------------


def test_an_intake_client_reads_only_the_cases_it_sent(
    client, hotline, other_hotline, writer, ent_a, med_org, make_case
):
    _client, key = hotline
    ours = post(client, CASES, key, hotline_payload(ent_a)).json()
    theirs = post(
        client, CASES, other_hotline[1], hotline_payload(ent_a, source_reference="12345-X-1")
    ).json()
    court = post(client, CASES, writer, hotline_payload(ent_a, channel="court", court_name="某法院")).json()
    online, _code = make_case()

    listed = client.get(CASES, **bearer(key))
    assert listed.status_code == 200, listed.content
    assert [row["id"] for row in listed.json()["results"]] == [ours["id"]]
    assert client.get(url(ours["id"]), **bearer(key)).status_code == 200
    assert client.get(url(ours["id"], "timeline"), **bearer(key)).status_code == 200
    for other in (theirs["id"], court["id"], online.pk):
        assert error(client.get(url(other), **bearer(key)), 404)
        assert error(client.get(url(other, "timeline"), **bearer(key)), 404)
    # The park's district system sees them all.
    all_rows = client.get(CASES, **bearer(writer)).json()["results"]
    assert {ours["id"], theirs["id"], court["id"], str(online.pk)} == {row["id"] for row in all_rows}
    # Filters stay within its own cases.
    assert client.get(CASES, {"source_reference": "12345-X-1"}, **bearer(key)).json()["results"] == []
    # Not the mediators' file: session notes, referrals and documents.
    detail = client.get(url(ours["id"]), **bearer(key)).json()
    assert detail["documents"] == [] and detail["referrals"] == []
    # Nor the organisations' list (it sends cases; routing is the platform's).
    assert client.get("/api/v1/mediation/organisations/", **bearer(key)).status_code == 403


def test_an_intake_client_acts_on_nothing(client, hotline, ent_a, med_org, mediator_user):
    _client, key = hotline
    body = post(client, CASES, key, hotline_payload(ent_a)).json()
    case = Case.objects.get(pk=body["id"])
    mediator = str(case.organisation.mediators.get().pk)
    for action, data in [
        ("accept", {"mediator": mediator}),
        ("refuse", {"reason": "不属于劳动争议"}),
        ("withdraw", {"reason": "申请人来电撤回", "applicant_request": True}),
        ("transfer", {"to_organisation": str(case.organisation.pk), "reason": "移交"}),
        ("archive", {}),
    ]:
        err = error(post(client, url(case.pk, action), key, data), 403)
        assert "mediation:write" in err["message"], (action, err)
    assert "mediation:read" in error(client.get(url(case.pk, "agreement_pdf"), **bearer(key)), 403)["message"]
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED and case.history.count() == 1
    # Accepted by the organisation, it still acts on nothing.
    accepted(case, mediator_user)
    assert client.get(url(case.pk), **bearer(key)).json()["available_actions"] == []
    assert error(post(client, url(case.pk, "close_no_agreement"), key, {"reason": "x"}), 403)


# Withdrawing is the applicant's act ------------------------------------------------------------------


def test_a_district_system_may_not_withdraw_on_the_workers_behalf(
    client, writer, ent_a, med_org, mediator_user
):
    body = post(client, CASES, writer, hotline_payload(ent_a)).json()
    case = accepted(Case.objects.get(pk=body["id"]), mediator_user)
    # Its own decision, however worded, is refused with the law it rests on.
    for data in ({"reason": "系统自动撤回"}, {"reason": "系统自动撤回", "applicant_request": False}):
        err = error(post(client, url(case.pk, "withdraw"), writer, data), 403)
        assert err["code"] == "applicant_request_required"
        assert set(err["fields"]) == {"applicant_request"}
        assert err["source"] == rules.WITHDRAW_SOURCE
    case.refresh_from_db()
    assert case.status == Case.Status.IN_MEDIATION and not case.history.filter(action="withdraw").exists()
    # Bad input: not a yes/no; the applicant's request without how and when.
    assert (
        "applicant_request"
        in error(
            post(client, url(case.pk, "withdraw"), writer, {"applicant_request": "perhaps", "reason": "x"}),
            400,
        )["fields"]
    )
    assert (
        "reason"
        in error(post(client, url(case.pk, "withdraw"), writer, {"applicant_request": True}), 400)["fields"]
    )
    case.refresh_from_db()
    assert case.status == Case.Status.IN_MEDIATION
    # The applicant's own request, recorded with how and when: closed as withdrawn.
    reason = "申请人黄小梅 3 月 5 日致电 12345 热线，称工资已结清，要求撤回调解申请"
    response = post(client, url(case.pk, "withdraw"), writer, {"applicant_request": True, "reason": reason})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed" and response.json()["outcome"] == "withdrawn"
    row = case.history.get(action="withdraw")
    assert row.reason == reason and row.actor_label == "api:区法院调解平台"


def test_a_mediator_records_the_applicants_withdrawal_on_the_page(ent_a, med_org, mediator_user, make_case):
    """Staff record the applicant's withdrawal when the applicant tells them (the page's act)."""
    from apps.core.principal import principal_for_user

    case, _code = make_case()
    case = accepted(case, mediator_user)
    done = services.perform(principal_for_user(mediator_user), case, "withdraw", reason="申请人当面撤回")
    assert done.status == Case.Status.CLOSED and done.outcome == Case.Outcome.WITHDRAWN


# Finding a referral by its number --------------------------------------------------------------------


def test_source_reference_filter_and_search(client, writer, hotline, ent_a, med_org, make_case):
    _client, key = hotline
    ours = post(client, CASES, key, hotline_payload(ent_a)).json()
    post(client, CASES, key, hotline_payload(ent_a, source_reference="12345-20260302-000999"))
    make_case()

    def ids(params, who=writer):
        response = client.get(CASES, params, **bearer(who))
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids({"source_reference": WORK_ORDER}) == [ours["id"]]
    assert ids({"source_reference": f"  {WORK_ORDER} "}) == [ours["id"]]
    assert ids({"source_reference": WORK_ORDER[:-1]}) == []  # exact, not a prefix
    assert ids({"search": WORK_ORDER}) == [ours["id"]]
    assert ids({"search": WORK_ORDER}, key) == [ours["id"]]
    assert ids({"source_reference": WORK_ORDER, "channel": "hotline"}) == [ours["id"]]
    assert ids({"source_reference": WORK_ORDER, "channel": "court"}) == []
    assert ids({"channel": "hotline"}) and len(ids({"channel": "hotline"})) == 2
    # The serial search still works, and the list rows carry the reference.
    serial = ours["serial"]
    assert ours["id"] in ids({"search": serial})
    row = client.get(CASES, {"source_reference": WORK_ORDER}, **bearer(writer)).json()["results"][0]
    assert row["source_reference"] == WORK_ORDER
    # Bad input: longer than any reference; an unknown channel.
    assert (
        "source_reference"
        in error(client.get(CASES, {"source_reference": "9" * 61}, **bearer(writer)), 400)["fields"]
    )
    assert "channel" in error(client.get(CASES, {"channel": "fax"}, **bearer(writer)), 400)["fields"]


def test_the_reference_filter_reads_an_index(ent_a, med_org, make_case):
    """`source_reference=` reads the unique index whose first column it is (no scan of the cases)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    make_case()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = Case.objects.filter(source_reference=WORK_ORDER).query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "uniq_case_channel_reference" in plan, plan


def test_the_intake_clients_list_reads_its_index(hotline, ent_a, med_org):
    """The cases a `mediation:intake` client sent, in the list's order, from `case_client_order`
    (no scan of the park's cases, whatever their number)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    api_client, _key = hotline
    _filterset, cases = selectors.case_list(principal_for_api_client(api_client), {})
    keys = selectors.page_keys(cases)[:50]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            sql, params = keys.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "case_client_order" in plan and "Sort" not in plan, plan
