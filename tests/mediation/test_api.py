"""`/api/v1/mediation/`: cases (list, filters, detail, create, the actions, the timeline, the
agreement PDF) and organisations, for district systems and signed-in users."""

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from drf_spectacular.generators import SchemaGenerator

from apps.accounts.roles import Role
from apps.audit.models import AuditEvent
from apps.mediation import rules, services
from apps.mediation.api.views import CaseViewSet
from apps.mediation.models import Applicant, Case, Mediator
from apps.mediation.workflow import WORKFLOW
from tests.factories import user_with_role

from .conftest import accepted, applicant, mediator_of, p, signed_agreement, valid_id_number

pytestmark = pytest.mark.django_db

API = "/api/v1/mediation"
CASES = f"{API}/cases/"
ORGS = f"{API}/organisations/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
JSON = "application/json"


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", **EN}


def url(case, action=""):
    return f"{CASES}{case.pk}/" + (f"{action}/" if action else "")


def rows(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def serials(response):
    return [row["serial"] for row in rows(response)]


def error(response, code):
    assert response.status_code == code, response.content
    return response.json()["error"]


def post(client, path, key, data=None):
    return client.post(path, data or {}, content_type=JSON, **bearer(key))


def today():
    return timezone.localdate()


@pytest.fixture
def reader(api_client_factory):
    return api_client_factory(name="区法院调解平台只读", scopes=["mediation:read"])[1]


@pytest.fixture
def writer(api_client_factory):
    return api_client_factory(name="区法院调解平台", scopes=["mediation:read", "mediation:write"])[1]


@pytest.fixture
def identity_reader(api_client_factory):
    return api_client_factory(name="区仲裁院系统", scopes=["mediation:read", "personal_data:read"])[1]


def court_case(make_case, *, received_on=None, **data):
    data.setdefault("court_name", "柳州市柳江区人民法院")
    return make_case(channel=Case.Channel.COURT, received_on=received_on or today(), **data)[0]


def court_payload(ent_a, **extra):
    return {
        "channel": "court",
        "court_name": "柳州市柳江区人民法院",
        "source_reference": "(2026)桂0206民诉前调1234号",
        "applicants": [
            {
                "name": "王五",
                "id_number": valid_id_number(77),
                "phone": "13807770077",
                "job": "焊工",
                "employed_from": "2021-05-01",
                "employed_until": "2026-01-31",
                "lost_job": True,
            }
        ],
        "types": ["remuneration", "compensation"],
        "claims": "支付拖欠工资 8000 元及经济补偿金",
        "amount_claimed": "18000.00",
        "respondent_enterprise": str(ent_a.pk),
        "received_on": (today() - dt.timedelta(days=2)).isoformat(),
        **extra,
    }


# Reading --------------------------------------------------------------------------------------------


def test_list_row(client, reader, writer, make_case, med_org, ent_a):
    case, _code = make_case(applicants=[applicant(1, name="张三")])
    [row] = rows(client.get(CASES, **bearer(reader)))
    assert row["id"] == str(case.pk) and row["serial"] == case.serial
    assert row["status"] == "received" and row["status_label"] == "Received"
    assert row["channel"] == "online" and row["types"] == ["remuneration"]
    assert row["is_collective"] is False and row["workers_count"] == 1
    assert row["amount_claimed"] == "12000.00" and row["agreed_amount"] == "0.00"
    assert row["received_on"] == case.received_on.isoformat()
    assert row["decision_due_on"] == case.decision_due_on.isoformat()
    assert row["due_on"] == case.due_on.isoformat()
    assert row["overdue"] is False and row["closed_on"] is None and row["outcome"] is None
    assert row["organisation"] == {"id": str(med_org.pk), "name": med_org.name}
    assert row["mediator"] is None
    assert row["town"]["code"] == ent_a.town.code
    assert row["respondent"]["name"] == ent_a.name
    assert row["respondent"]["uscc"] == ent_a.uscc
    assert row["respondent"]["enterprise"] == str(ent_a.pk)
    [person] = row["applicants"]
    assert person["name"] == "张三" and person["job"] == "装配工"
    # The list carries no record of the mediation.
    assert "sessions" not in row and "agreement" not in row and "access_code" not in row
    # A read-only client may do nothing; a writing one what the workflow allows now.
    assert row["available_actions"] == []
    assert rows(client.get(CASES, **bearer(writer)))[0]["available_actions"] == [
        "accept",
        "refuse",
        "transfer",
        "withdraw",
        "respondent_refused",
    ]


def test_applicants_are_masked_without_the_personal_data_scope(client, reader, make_case):
    number = valid_id_number(5)
    case, _code = make_case(applicants=[applicant(5, id_number=number, phone="13807715555")])
    person = client.get(url(case), **bearer(reader)).json()["applicants"][0]
    assert person["id_number"] == number[:4] + "*" * 10 + number[-4:]
    assert person["id_number_full"] is False and person["phone"] is None
    assert rows(client.get(CASES, **bearer(reader)))[0]["applicants"][0]["id_number"] == person["id_number"]
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW).exists()


def test_the_personal_data_scope_shows_them_in_full_and_audits_each_view(client, identity_reader, make_case):
    number = valid_id_number(6)
    case, _code = make_case(applicants=[applicant(6, id_number=number, phone="13807716666")])
    person = client.get(url(case), **bearer(identity_reader)).json()["applicants"][0]
    assert person["id_number"] == number and person["id_number_full"] is True
    assert person["phone"] == "13807716666"
    views = AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW)
    event = views.get()
    assert event.action == "view_full:id_number"
    assert event.object_id == str(case.applicants.get().pk)
    assert event.actor_label == "api:区仲裁院系统"
    # A list never shows them in full (nor the phone), whatever the scope: nothing more is audited.
    listed = rows(client.get(CASES, **bearer(identity_reader)))[0]["applicants"][0]
    assert listed["id_number"] == number[:4] + "*" * 10 + number[-4:]
    assert listed["id_number_full"] is False and listed["phone"] is None
    assert views.count() == 1


def test_the_respondents_hr_never_sees_id_numbers_or_phones(client, make_case, ent_hr_a, mediator_user):
    case, _code = make_case(applicants=[applicant(7)])
    client.force_login(ent_hr_a)
    person = rows(client.get(CASES, **EN))[0]["applicants"][0]
    assert person["id_number"] is None and person["phone"] is None
    detail = client.get(url(case), **EN).json()
    assert detail["applicants"][0]["id_number"] is None and detail["available_actions"] == []
    # The mediator sees them masked, with the phone (the full number is a page's audited reveal).
    client.force_login(mediator_user)
    person = client.get(url(case), **EN).json()["applicants"][0]
    assert "*" in person["id_number"] and person["phone"]
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW).exists()


def test_filters(client, reader, make_case, med_org_b, mediator_user):
    plain = court_case(make_case)
    collective = court_case(make_case, workers_count=12, types=["social_insurance"])
    late = court_case(make_case, received_on=today() - dt.timedelta(days=10))
    elsewhere = court_case(make_case, organisation=med_org_b)
    mediating = accepted(court_case(make_case), mediator_user)

    def listed(**params):
        return set(serials(client.get(CASES, params, **bearer(reader))))

    assert listed(status="in_mediation") == {mediating.serial}
    assert listed(status=["in_mediation", "received"]) == {
        plain.serial,
        collective.serial,
        late.serial,
        elsewhere.serial,
        mediating.serial,
    }
    assert listed(collective="true") == {collective.serial}
    assert collective.serial not in listed(collective="false")
    assert listed(overdue="true") == {late.serial}
    assert late.serial not in listed(overdue="false")
    assert listed(type="social_insurance") == {collective.serial}
    assert listed(organisation=str(med_org_b.pk)) == {elsewhere.serial}
    assert listed(search=plain.serial) == {plain.serial}
    # Bad values are a 400 naming the parameter, never a 500.
    fields = error(client.get(CASES, {"status": "nonsense"}, **bearer(reader)), 400)["fields"]
    assert fields["status"] == ["Select a valid choice. nonsense is not one of the available choices."]
    assert "organisation" in error(client.get(CASES, {"organisation": "x"}, **bearer(reader)), 400)["fields"]
    assert (
        "received_from"
        in error(client.get(CASES, {"received_from": "soon"}, **bearer(reader)), 400)["fields"]
    )
    # `mine` means the signed-in mediator's cases; an API client has none.
    assert listed(mine="true") == set()
    client.force_login(mediator_user)
    assert set(serials(client.get(CASES, {"mine": "true"}, **EN))) == {mediating.serial}


def test_default_order_is_most_urgent_first(client, reader, make_case):
    """Issue 20: the nearest deadline first (overdue first), a collective dispute first among equal
    deadlines, decided cases last: an archived collective case never above an open one."""
    later = court_case(make_case)
    sooner = court_case(make_case, received_on=today() - dt.timedelta(days=7))
    collective = court_case(make_case, workers_count=10)
    archived = court_case(make_case, workers_count=30, received_on=today() - dt.timedelta(days=90))
    Case.objects.filter(pk=archived.pk).update(status=Case.Status.ARCHIVED)  # its rank becomes 0
    assert serials(client.get(CASES, **bearer(reader))) == [
        sooner.serial,
        collective.serial,
        later.serial,
        archived.serial,
    ]
    # The cursor walks the same order, a page of one row at a time.
    walked, link = [], CASES + "?cursor=&page_size=1"
    while link:
        body = client.get(link, **bearer(reader)).json()
        walked += [row["serial"] for row in body["results"]]
        link = body["next"]
    assert walked == [sooner.serial, collective.serial, later.serial, archived.serial]
    assert serials(client.get(CASES, {"ordering": "received_on"}, **bearer(reader)))[:2] == [
        archived.serial,
        sooner.serial,
    ]


def test_the_list_runs_in_a_constant_number_of_queries(
    client, writer, identity_reader, make_case, mediator_user
):
    def make(n):
        for i in range(n):
            case = court_case(make_case, applicants=[applicant(100 * n + i), applicant(100 * n + i + 50)])
            if i % 3 == 1:
                accepted(case, mediator_user)
            elif i % 3 == 2:
                signed_agreement(accepted(case, mediator_user), mediator_user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CASES, **bearer(writer)).status_code == 200
        return len(queries)

    make(3)
    count()  # the first call also notes when the key was last used
    few = count()
    make(9)
    assert len(rows(client.get(CASES, **bearer(writer)))) == 12
    assert count() == few


def test_detail_with_the_agreement_and_its_pdf(
    client, reader, identity_reader, make_case, mediator_user, django_capture_on_commit_callbacks
):
    case = accepted(court_case(make_case), mediator_user)
    services.record_session(
        p(mediator_user), case, held_at=dt.datetime.now(), mode="video", attendees="王五、企业人事"
    )
    services.extend(
        p(mediator_user),
        case,
        new_due_on=case.due_on + dt.timedelta(days=5),
        applicant_consent_on=today(),
        respondent_consent_on=today(),
        consent_record="双方书面同意",
    )
    body = client.get(url(case), **bearer(reader)).json()
    assert body["agreement"] is None
    assert body["court_name"] == "柳州市柳江区人民法院" and body["claims"]
    assert body["mediator"]["name"] == "李调解"
    assert [s["mode"] for s in body["sessions"]] == ["video"]
    assert body["extensions"][0]["consent_record"] == "双方书面同意"
    assert error(client.get(url(case, "agreement_pdf"), **bearer(identity_reader)), 404)
    # Asking for a PDF that is not there gets the error as JSON.
    missing = client.get(url(case, "agreement_pdf"), HTTP_ACCEPT="application/pdf", **bearer(identity_reader))
    assert missing["Content-Type"] == "application/json"
    assert error(missing, 404)["message"] == "The agreement PDF is not ready."

    signed_agreement(case, mediator_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.close(p(mediator_user), case, "close_agreement")
    body = client.get(url(case), **bearer(reader)).json()
    assert body["status"] == "closed" and body["outcome"] == "agreement"
    assert body["agreed_amount"] == "12000.00"
    agreement = body["agreement"]
    assert agreement["is_signed"] is True and agreement["items"][0]["kind"] == "wages"
    assert {f["kind"] for f in agreement["follow_ups"]} == {
        "arbitration_confirmation",
        "judicial_confirmation",
        "payment_order",
    }
    assert len(agreement["pdf_sha256"]) == 64
    assert agreement["pdf_url"].endswith(url(case, "agreement_pdf"))

    # The PDF names the applicants with their ID numbers: `personal_data:read` is needed.
    assert error(client.get(url(case, "agreement_pdf"), **bearer(reader)), 403)
    for accept in ("*/*", "application/pdf"):
        pdf = client.get(
            url(case, "agreement_pdf"),
            HTTP_ACCEPT=accept,
            HTTP_AUTHORIZATION=bearer(identity_reader)["HTTP_AUTHORIZATION"],
        )
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        content = b"".join(pdf.streaming_content)
        assert hashlib.sha256(content).hexdigest() == agreement["pdf_sha256"] == pdf["X-Content-SHA256"]


def test_timeline(client, writer, make_case, mediator_user):
    case = court_case(make_case)
    post(client, url(case, "accept"), writer, {"mediator": str(mediator_of(mediator_user).pk)})
    post(client, url(case, "close_no_agreement"), writer, {"reason": "双方差距过大"})
    timeline = client.get(url(case, "timeline"), **bearer(writer)).json()
    assert [(t["action"], t["from_status"], t["to_status"]) for t in timeline] == [
        ("receive", "", "received"),
        ("accept", "received", "in_mediation"),
        ("close_no_agreement", "in_mediation", "closed"),
    ]
    assert timeline[0]["action_label"] == "Application received"
    assert timeline[1]["action_label"] == "Accept"
    assert timeline[2]["actor_label"] == "api:区法院调解平台" and timeline[2]["reason"] == "双方差距过大"
    assert timeline[0]["at"] <= timeline[2]["at"]


# Who may call ---------------------------------------------------------------------------------------


def test_scopes_and_permissions(client, api_client_factory, reader, make_case, mediator_user, ent_a):
    case = court_case(make_case)
    _, other = api_client_factory(name="企业库系统", scopes=["enterprises:read"])
    # Reading takes `mediation:read`, or `mediation:intake` for the cases the client sent (issue 15).
    assert error(client.get(CASES, **bearer(other)), 403)["message"] == (
        "The API client lacks one of the scopes “mediation:read”, “mediation:intake”."
    )
    assert client.get(url(case), **bearer(other)).status_code == 403
    assert client.get(ORGS, **bearer(other)).status_code == 403
    # Reading is not acting.
    before = Case.objects.count()
    assert "mediation:write" in error(post(client, CASES, reader, court_payload(ent_a)), 403)["message"]
    assert Case.objects.count() == before
    mediator = str(mediator_of(mediator_user).pk)
    assert post(client, url(case, "accept"), reader, {"mediator": mediator}).status_code == 403
    assert post(client, url(case, "refuse"), reader, {"reason": "x"}).status_code == 403
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED
    # A signed-in role without mediation permissions; no one at all.
    client.force_login(user_with_role(Role.INSPECTOR))
    assert client.get(CASES, **EN).status_code == 403
    client.logout()
    assert client.get(CASES).status_code in (401, 403)


def test_an_area_restricted_client_sees_and_sends_only_its_area(
    client, api_client_factory, make_case, ent_a, ent_b
):
    case = court_case(make_case)  # against ent_a, in ent_a's town
    _, key = api_client_factory(
        name="洛埠镇系统", scopes=["mediation:read", "mediation:write"], area=ent_b.town
    )
    assert rows(client.get(CASES, **bearer(key))) == []
    assert client.get(url(case), **bearer(key)).status_code == 404
    assert client.get(url(case, "timeline"), **bearer(key)).status_code == 404
    assert post(client, url(case, "refuse"), key, {"reason": "不属于劳动争议"}).status_code == 404
    ours = court_case(make_case, respondent_enterprise=ent_b)
    assert serials(client.get(CASES, **bearer(key))) == [ours.serial]

    before = Case.objects.count()
    # An enterprise outside its area does not exist for it; nor does a case without a town there.
    response = post(client, CASES, key, court_payload(ent_a))
    assert "respondent_enterprise" in error(response, 400)["fields"]
    payload = court_payload(
        ent_a, respondent_enterprise=None, respondent_name="区外某公司", town=ent_a.town.code
    )
    assert "town" in error(post(client, CASES, key, payload), 400)["fields"]
    assert Case.objects.count() == before
    response = post(client, CASES, key, court_payload(ent_b))
    assert response.status_code == 201, response.content
    assert response.json()["town"]["code"] == ent_b.town.code


# Sending a case -------------------------------------------------------------------------------------


def test_send_a_court_entrusted_case(client, writer, ent_a, med_org):
    response = post(client, CASES, writer, court_payload(ent_a))
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    received = today() - dt.timedelta(days=2)
    assert body["serial"] == case.serial and case.serial.startswith(f"TJ{received.year}-")
    assert len(body["access_code"]) == 8 and rules.check_access_code(case, body["access_code"])
    assert body["channel"] == "court" and body["status"] == "received"
    assert body["received_on"] == received.isoformat()
    assert body["due_on"] == rules.COURT_MEDIATION_PERIOD.due(received).date.isoformat()
    assert body["decision_due_on"] == rules.clocks(received, "court")[0].isoformat()
    assert body["source_reference"] == "(2026)桂0206民诉前调1234号"
    assert body["types"] == ["compensation", "remuneration"]
    assert body["organisation"]["id"] == str(med_org.pk)  # routed by the enterprise's town
    assert body["respondent"]["enterprise"] == str(ent_a.pk)
    assert body["applicants"][0]["name"] == "王五" and "*" in body["applicants"][0]["id_number"]
    applicant_row = case.applicants.get()
    assert applicant_row.lost_job and applicant_row.employed_until == dt.date(2026, 1, 31)
    assert body["available_actions"][:2] == ["accept", "refuse"]
    # The code is given once: the detail does not carry it.
    assert "access_code" not in client.get(url(case), **bearer(writer)).json()
    assert case.history.get().actor_label == "api:区法院调解平台"


def test_a_mediator_may_send_a_case_to_another_organisation(client, mediator_b_user, ent_a, med_org):
    client.force_login(mediator_b_user)
    # (A mediator names registry enterprises of its organisation's area only: here, none.)
    payload = court_payload(
        ent_a, respondent_enterprise=None, respondent_name="某建筑劳务公司", town=ent_a.town.code
    )
    response = client.post(CASES, payload, content_type=JSON, **EN)
    assert response.status_code == 201, response.content
    body = response.json()
    # Routed to ent_a's township organisation, which the sender is not part of: it sees what it
    # sent once, with its access code, and nothing more afterwards.
    assert body["organisation"]["id"] == str(med_org.pk) and body["access_code"]
    assert client.get(f"{CASES}{body['id']}/", **EN).status_code == 404


def test_send_an_inspection_case_against_an_employer_outside_the_park(client, writer, med_org):
    payload = {
        "channel": "inspection",
        "source_reference": "柳江监察〔2026〕15号",
        "applicants": [{"name": f"工人{i}"} for i in range(3)],
        "workers_count": 14,
        "types": ["remuneration"],
        "claims": "支付拖欠工资",
        "respondent_name": "某劳务派遣公司",
        "town": med_org.towns.get().code,
    }
    response = post(client, CASES, writer, payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_collective"] is True and body["workers_count"] == 14
    assert body["respondent"] == {
        "name": "某劳务派遣公司",
        "uscc": "",
        "enterprise": None,
        "contact": "",
        "phone": "",
        "address": "",
    }
    assert body["due_on"] == (today() + dt.timedelta(days=15)).isoformat()
    assert body["organisation"]["id"] == str(med_org.pk)


def test_an_invalid_case_is_a_400_with_every_field_and_writes_nothing(client, writer, ent_a):
    before = (Case.objects.count(), Applicant.objects.count(), AuditEvent.objects.count())
    payload = court_payload(ent_a)
    payload["applicants"].append({"name": "赵六", "id_number": "450205199003071234"})
    payload["court_name"] = ""
    fields = error(post(client, CASES, writer, payload), 400)["fields"]
    assert set(fields) == {"applicants.1.id_number", "court_name"}

    payload = court_payload(ent_a, types=["wages?"], amount_claimed="lots")
    payload["applicants"][0]["employed_from"] = "last spring"
    payload["applicants"].append({"id_number": "x"})
    fields = error(post(client, CASES, writer, payload), 400)["fields"]
    assert {"types.0", "amount_claimed", "applicants.0.employed_from", "applicants.1.name"} <= set(fields)

    assert (
        "applicants" in error(post(client, CASES, writer, court_payload(ent_a, applicants=[])), 400)["fields"]
    )
    assert (
        "applicants"
        in error(post(client, CASES, writer, court_payload(ent_a, applicants="王五")), 400)["fields"]
    )
    assert "channel" in error(post(client, CASES, writer, court_payload(ent_a, channel="fax")), 400)["fields"]
    assert (
        "received_on"
        in (error(post(client, CASES, writer, court_payload(ent_a, received_on="2999-01-01")), 400)["fields"])
    )
    junk = client.post(CASES, "{not json", content_type=JSON, **bearer(writer))
    assert junk.status_code == 400
    assert (Case.objects.count(), Applicant.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("channel", ["online", "walk_in", "phone"])
def test_a_client_may_not_send_other_channels(client, writer, ent_a, channel):
    response = post(client, CASES, writer, court_payload(ent_a, channel=channel))
    assert "channel" in error(response, 400)["fields"]
    assert not Case.objects.exists()


# Actions --------------------------------------------------------------------------------------------


def test_accept_once(client, writer, make_case, mediator_user, mediator_b_user):
    case = court_case(make_case)
    mediator = mediator_of(mediator_user)
    # A mediator of another organisation, or no mediator at all.
    wrong = post(client, url(case, "accept"), writer, {"mediator": str(mediator_of(mediator_b_user).pk)})
    assert "mediator" in error(wrong, 400)["fields"]
    assert "mediator" in error(post(client, url(case, "accept"), writer), 400)["fields"]
    assert (
        "mediator" in error(post(client, url(case, "accept"), writer, {"mediator": "nobody"}), 400)["fields"]
    )

    response = post(client, url(case, "accept"), writer, {"mediator": str(mediator.pk)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "in_mediation" and body["mediator"] == {"id": str(mediator.pk), "name": "李调解"}
    assert body["accepted_on"] == today().isoformat()
    assert "extend" in body["available_actions"] and "accept" not in body["available_actions"]
    assert error(post(client, url(case, "accept"), writer, {"mediator": str(mediator.pk)}), 409)
    assert case.history.filter(action="accept").count() == 1


def test_refuse_needs_a_reason(client, writer, make_case):
    case = court_case(make_case)
    assert "reason" in error(post(client, url(case, "refuse"), writer), 400)["fields"]
    assert "reason" in error(post(client, url(case, "refuse"), writer, {"reason": "  "}), 400)["fields"]
    response = post(client, url(case, "refuse"), writer, {"reason": "不属于劳动争议"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "refused" and response.json()["available_actions"] == ["archive"]
    assert error(post(client, url(case, "refuse"), writer, {"reason": "再次"}), 409)
    # Archived: nothing more.
    response = post(client, url(case, "archive"), writer)
    assert response.json()["status"] == "archived" and response.json()["available_actions"] == []


def test_transfer(client, writer, make_case, mediator_user, med_org, med_org_b):
    case = accepted(court_case(make_case, received_on=today() - dt.timedelta(days=5)), mediator_user)
    assert (
        "reason"
        in error(
            post(client, url(case, "transfer"), writer, {"to_organisation": str(med_org_b.pk), "reason": ""}),
            400,
        )["fields"]
    )
    same = post(client, url(case, "transfer"), writer, {"to_organisation": str(med_org.pk), "reason": "x"})
    assert "to_organisation" in error(same, 400)["fields"]
    response = post(
        client,
        url(case, "transfer"),
        writer,
        {"to_organisation": str(med_org_b.pk), "reason": "由企业调委会处理"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "received" and body["mediator"] is None
    assert body["organisation"] == {"id": str(med_org_b.pk), "name": med_org_b.name}
    assert body["due_on"] == (today() + dt.timedelta(days=30)).isoformat()
    assert body["transfers"][0]["from_organisation"]["id"] == str(med_org.pk)
    assert body["transfers"][0]["reason"] == "由企业调委会处理"


def test_a_mediator_transferring_a_case_away_no_longer_sees_it(client, make_case, mediator_user, med_org_b):
    case = court_case(make_case)
    client.force_login(mediator_user)
    response = client.post(
        url(case, "transfer"),
        {"to_organisation": str(med_org_b.pk), "reason": "属企业调委会"},
        content_type=JSON,
        **EN,
    )
    assert response.status_code == 204, response.content
    assert client.get(url(case), **EN).status_code == 404


def test_extend(client, writer, make_case, mediator_user):
    case = accepted(make_case(channel=Case.Channel.WALK_IN)[0], mediator_user)
    consent = {"applicant_consent_on": today().isoformat(), "respondent_consent_on": today().isoformat()}
    too_far = case.due_on + dt.timedelta(days=16)
    response = post(
        client,
        url(case, "extend"),
        writer,
        {"new_due_on": too_far.isoformat(), "consent_record": "电话录音", **consent},
    )
    err = error(response, 400)
    assert "new_due_on" in err["fields"] and "第十四条" in err["source"]
    assert (
        "consent_record"
        in error(
            post(
                client,
                url(case, "extend"),
                writer,
                {"new_due_on": case.due_on.isoformat(), "consent_record": "", **consent},
            ),
            400,
        )["fields"]
    )
    assert set(error(post(client, url(case, "extend"), writer), 400)["fields"]) == {
        "new_due_on",
        "applicant_consent_on",
        "respondent_consent_on",
        "consent_record",
    }
    new_due = case.due_on + dt.timedelta(days=15)
    response = post(
        client,
        url(case, "extend"),
        writer,
        {"new_due_on": new_due.isoformat(), "consent_record": "电话录音", **consent},
    )
    assert response.status_code == 200, response.content
    assert response.json()["due_on"] == new_due.isoformat()
    # The cap is used up: no further extension is offered, and one is a 409.
    assert "extend" not in response.json()["available_actions"]
    assert error(
        post(
            client,
            url(case, "extend"),
            writer,
            {"new_due_on": (new_due + dt.timedelta(days=1)).isoformat(), "consent_record": "x", **consent},
        ),
        409,
    )


@pytest.mark.parametrize(
    ("action", "outcome"),
    [
        ("close_no_agreement", "no_agreement"),
        ("withdraw", "withdrawn"),
        ("respondent_refused", "respondent_refused"),
        ("refer_arbitration", "arbitration"),
        ("refer_court", "court"),
    ],
)
def test_closing_actions(client, writer, make_case, mediator_user, action, outcome):
    case = accepted(court_case(make_case), mediator_user)
    # Withdrawing is the applicant's act: a district system passes on their own request (issue 15).
    extra = {"applicant_request": True} if action == "withdraw" else {}
    assert "reason" in error(post(client, url(case, action), writer, extra), 400)["fields"]
    response = post(client, url(case, action), writer, {"reason": "调解不成", **extra})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "closed" and body["outcome"] == outcome
    assert body["closed_on"] == today().isoformat() and body["outcome_note"] == "调解不成"
    assert body["available_actions"] == ["archive"]
    assert error(post(client, url(case, action), writer, {"reason": "again", **extra}), 409)


def test_guarded_closings_are_409_until_allowed(client, writer, make_case, mediator_user):
    case = accepted(court_case(make_case), mediator_user)
    assert post(client, url(case, "close_timed_out"), writer).status_code == 409
    assert post(client, url(case, "close_agreement"), writer).status_code == 409
    signed_agreement(case, mediator_user)
    response = post(client, url(case, "close_agreement"), writer)
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "agreement"
    # Archiving waits for the performance to be recorded.
    assert post(client, url(case, "archive"), writer).status_code == 409

    late = accepted(court_case(make_case, received_on=today() - dt.timedelta(days=40)), mediator_user)
    response = post(client, url(late, "close_timed_out"), writer)
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "timed_out"


def test_a_mediator_signed_in_may_act_through_the_api(
    client, make_case, mediator_user, mediator_b_user, med_org_b, ent_hr_a
):
    case = court_case(make_case)
    client.force_login(ent_hr_a)
    response = client.post(url(case, "refuse"), {"reason": "x"}, content_type=JSON, **EN)
    assert response.status_code == 403
    client.force_login(mediator_user)
    # Not for another organisation: a mediator accepts for their own.
    response = client.post(
        url(case, "accept"),
        {"mediator": str(mediator_of(mediator_b_user).pk), "organisation": str(med_org_b.pk)},
        content_type=JSON,
        **EN,
    )
    assert "organisation" in error(response, 400)["fields"]
    response = client.post(
        url(case, "accept"), {"mediator": str(mediator_of(mediator_user).pk)}, content_type=JSON, **EN
    )
    assert response.status_code == 200, response.content
    assert client.get(url(case, "timeline"), **EN).json()[-1]["actor_label"] == mediator_user.username


def test_the_action_endpoints_are_the_workflow_table():
    """One endpoint per transition, with the table's scope and permission, and its summary and
    description read from the `Transition` (label, sources, doc, source)."""
    with translation.override("en"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        labels = {name: str(t.label) for name, t in WORKFLOW.transitions.items()}
    assert labels["accept"] == "Accept"  # in the language the schema is generated in
    for name, transition in WORKFLOW.transitions.items():
        assert CaseViewSet.required_scopes[name] == transition.scope == "mediation:write"
        assert CaseViewSet.required_perms[name] == transition.permission
        operation = schema["paths"][f"{CASES}{{id}}/{name}/"]["post"]
        assert operation["summary"] == labels[name]
        assert transition.doc and transition.doc in operation["description"]
        if transition.source:
            assert transition.source in operation["description"]
        assert {"200", "403", "409"} <= set(map(str, operation["responses"]))
    assert CaseViewSet.required_perms["refuse"] == "mediation.accept_case"
    assert CaseViewSet.required_perms["archive"] == "mediation.mediate_case"


# Organisations --------------------------------------------------------------------------------------


def test_organisations(client, reader, med_org, med_org_b, mediator_user, make_case, ent_a):
    court_case(make_case)
    Mediator.objects.create(organisation=med_org, name="退休调解员", is_active=False)
    response = client.get(ORGS, **bearer(reader))
    by_id = {row["id"]: row for row in rows(response)}
    assert set(by_id) == {str(med_org.pk), str(med_org_b.pk)}
    town = by_id[str(med_org.pk)]
    assert town["name"] == "雒容镇劳动争议调解中心" and town["kind"] == "town" and town["active"] is True
    assert town["towns"] == [{"id": str(ent_a.town.pk), "name": ent_a.town.name, "code": ent_a.town.code}]
    assert town["open_cases"] == 1
    assert {(m["name"], m["active"]) for m in town["mediators"]} == {("李调解", True), ("退休调解员", False)}
    assert next(m for m in town["mediators"] if m["name"] == "李调解")["specialities"] == ["remuneration"]
    assert by_id[str(med_org_b.pk)]["kind"] == "enterprise"
    detail = client.get(f"{ORGS}{med_org_b.pk}/", **bearer(reader))
    assert detail.status_code == 200 and detail.json()["name"] == med_org_b.name
    assert client.get(f"{ORGS}00000000-0000-0000-0000-000000000000/", **bearer(reader)).status_code == 404


def test_unknown_and_malformed_ids_are_404(client, reader):
    assert client.get(f"{CASES}00000000-0000-0000-0000-000000000000/", **bearer(reader)).status_code == 404
    assert client.get(f"{CASES}not-a-uuid/", **bearer(reader)).status_code == 404
