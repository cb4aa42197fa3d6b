"""The public complaint pages (no login): the complaint and report form, the page that shows the
serial number and access code once, the tracking page (the same answer for an unknown serial and
a wrong code, nothing about people), bad input reported per field without a write, and the
throttle per client address that a forged X-Forwarded-For cannot bypass."""

from __future__ import annotations

import datetime as dt
import http.client
import itertools
import re
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from apps.api.throttling import PublicFormThrottle, PublicLookupThrottle
from apps.audit.models import AuditEvent
from apps.core.errors import DomainError
from apps.core.personal_data import lookup_hash
from apps.inspection import rules, services
from apps.inspection.models import (
    InspectionCase,
    InspectionSerialCounter,
    Reporter,
    Source,
    Worker,
)
from apps.inspection.selectors import public as public_selectors
from apps.inspection.services.public import OTHER
from apps.inspection.views_public import InspectionComplaintThrottle
from tests.factories import valid_uscc

from .conftest import p, valid_id_number

pytestmark = pytest.mark.django_db

COMPLAIN = reverse("inspection:complain")
DONE = reverse("inspection:complain_done")
TRACK = reverse("inspection:track")
forged = (f"203.0.113.{n}" for n in itertools.count(1))


@pytest.fixture
def en(client):
    """The test client with pages in English (the msgids)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def generous(monkeypatch):
    """Budgets large enough for the tests that are not about throttling."""
    rates = {
        **PublicFormThrottle.THROTTLE_RATES,
        "inspection_complaint": "1000/hour",
        "public_lookup": "1000/hour",
    }
    for throttle in (InspectionComplaintThrottle, PublicLookupThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", rates)
    return rates


def complaint(ent, **fields) -> dict:
    data = {
        "kind": "complaint",
        "name": "张三",
        "id_number": valid_id_number(7),
        "phone": "13807710007",
        "contact": "",
        "employer": str(ent.pk),
        "employer_name": "",
        "employer_code": "",
        "employer_address": "柳东新区车园路 1 号",
        "town": "",
        "matters": ["wage_arrears", "hours_overtime"],
        "facts": "公司 8 月起未发工资，每天加班 4 小时",
        "amount_owed": "12000",
        "workers_count": "3",
        "violation_ended_on": "",
        "consent": "on",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def report(ent, **fields) -> dict:
    base = {
        "kind": "report",
        "name": "",
        "id_number": "",
        "phone": "",
        "anonymous": "on",
        "consent": None,
        "matters": ["child_labour"],
        "facts": "车间里有看起来不满 16 岁的孩子在干活",
        "amount_owed": "",
        "workers_count": "5",
    }
    return complaint(ent, **{**base, **fields})


def written() -> tuple:
    return (
        InspectionCase.objects.count(),
        Worker.objects.count(),
        Reporter.objects.count(),
        InspectionSerialCounter.objects.filter(last__gt=0).count(),
        AuditEvent.objects.filter(action__startswith="inspection.").count(),
    )


NOTHING = (0, 0, 0, 0, 0)


def shown_code(html: str) -> str:
    return html.split('data-testid="access-code">')[1].split("<")[0]


def no_inline_code(html: str) -> None:
    """CSP: no inline <script> (every script has a src), no <style> element, no style="" attribute."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "<style" not in html
    assert not re.search(r"\sstyle\s*=", html)
    assert not re.search(r"\son[a-z]+\s*=", html)  # no onclick= and the like


# The form ------------------------------------------------------------------------------------------


def test_form_needs_no_login_and_explains_privacy(en, ent_a):
    response = en.get(COMPLAIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="complain-form"' in html
    assert ent_a.name in html and "Not in the list" in html  # the registry by name
    assert html.count('type="checkbox" name="matters"') == len(rules.MATTERS)
    for name in ("employer_name", "employer_address", "employer_code", "amount_owed", "workers_count"):
        assert f'name="{name}"' in html
    assert 'name="violation_ended_on"' in html and 'type="date"' in html
    assert 'data-testid="privacy-notice"' in html and "What we keep:" in html
    assert 'data-testid="reporter-confidential"' in html and rules.REPORTER_CONFIDENTIALITY_SOURCE in html
    assert rules.LIMITATION_SOURCE in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "inspection-public.css" in html
    no_inline_code(html)


def test_pages_default_to_chinese(client, ent_a):
    html = client.get(COMPLAIN).content.decode()
    assert 'lang="zh-hans"' in html


@pytest.mark.parametrize("url", [COMPLAIN, DONE, TRACK])
def test_every_public_page_renders_without_inline_code(en, ent_a, url):
    response = en.get(url)
    assert response.status_code == 200
    no_inline_code(response.content.decode())


def test_complaint_is_registered_online_and_shows_the_code_once(en, ent_a):
    response = en.post(COMPLAIN, complaint(ent_a), REMOTE_ADDR="127.0.0.2")
    assert response.status_code == 302 and response["Location"] == DONE
    case = InspectionCase.objects.get()
    assert case.source == Source.COMPLAINT and case.channel == InspectionCase.Channel.ONLINE
    assert case.status == InspectionCase.Status.RECEIVED
    assert case.enterprise == ent_a and case.town == ent_a.town and case.employer_name == ent_a.name
    assert case.matters == ["wage_arrears", "hours_overtime"]
    assert case.amount_owed == Decimal("12000.00") and case.workers_count == 3
    assert case.decision_due_on == rules.acceptance_due(case.received_on).date
    person = case.workers.get()
    assert person.is_complainant and person.name == "张三" and person.phone == "13807710007"
    assert person.id_number_hash == lookup_hash(valid_id_number(7))
    assert not Reporter.objects.exists()
    event = AuditEvent.objects.get(action="inspection.submit_online")
    assert event.actor is None and event.actor_label == "anonymous" and "127.0.0.2" in event.note
    assert case.access_code_hash and len(case.access_code_hash) == 64

    done = en.get(DONE)
    html = done.content.decode()
    assert case.serial in html
    code = shown_code(html)
    assert len(code) == rules.ACCESS_CODE_LENGTH and rules.check_access_code(case, code)
    assert code not in case.access_code_hash and code not in response["Location"]
    assert "shown only this once" in html and reverse("inspection:track") in html
    assert 'data-testid="limitation"' not in html
    no_inline_code(html)

    again = en.get(DONE).content.decode()
    assert code not in again and case.serial not in again
    assert 'data-testid="complain-already-shown"' in again

    tracked = en.post(TRACK, {"serial": case.serial, "code": code}).content.decode()
    assert 'data-testid="track-result"' in tracked and "Received" in tracked
    assert f"({rules.ACCEPTANCE_PERIOD.source})" in tracked or rules.ACCEPTANCE_PERIOD.source in tracked


def test_anonymous_report_keeps_the_reporter_apart(en, ent_a):
    response = en.post(COMPLAIN, report(ent_a, phone="13900001111"))
    assert response.status_code == 302
    case = InspectionCase.objects.get()
    assert case.source == Source.REPORT and case.channel == InspectionCase.Channel.ONLINE
    assert not case.workers.exists() and case.workers_count == 5
    reporter = Reporter.objects.get(case=case)
    assert reporter.anonymous and reporter.name == "" and reporter.id_number == ""
    assert reporter.phone == "13900001111"
    html = en.get(DONE).content.decode()
    code = shown_code(html)
    assert "Your report has been received." in html
    assert public_selectors.track(case.serial, code)["kind"] == str(Source.REPORT.label)


def test_named_report(en, ent_a):
    data = report(ent_a, anonymous=None, name="李四", id_number=valid_id_number(9), consent="on")
    assert en.post(COMPLAIN, data).status_code == 302
    reporter = Reporter.objects.get()
    assert not reporter.anonymous and reporter.name == "李四"
    assert reporter.id_number_hash == lookup_hash(valid_id_number(9))


def test_employer_not_in_the_registry(en, ent_a):
    code = valid_uscc()
    data = complaint(
        ent_a,
        employer=OTHER,
        employer_name="柳州某某劳务派遣公司",
        town=str(ent_a.town_id),
        employer_code=code.lower(),
    )
    assert en.post(COMPLAIN, data).status_code == 302
    case = InspectionCase.objects.get()
    assert case.enterprise is None and case.employer_name == "柳州某某劳务派遣公司"
    assert case.town == ent_a.town and case.employer_code == code


def test_a_violation_ended_long_ago_is_received_with_a_warning(en, ent_a):
    old = timezone.localdate() - dt.timedelta(days=800)
    assert en.post(COMPLAIN, complaint(ent_a, violation_ended_on=old.isoformat())).status_code == 302
    html = en.get(DONE).content.decode()
    assert 'data-testid="limitation"' in html and rules.LIMITATION_SOURCE in html


# Bad input: a form error, nothing written -------------------------------------------------------------

good_id = valid_id_number(8)
bad_check = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "gossip"}, "kind"),
        ({"name": "张" * 51}, "name"),
        ({"name": ""}, "name"),
        ({"id_number": bad_check}, "id_number"),
        ({"id_number": "12345"}, "id_number"),
        ({"id_number": ""}, "id_number"),
        ({"id_number": "1" * 31}, "id_number"),
        ({"phone": "12345"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"phone": "1" * 31}, "phone"),
        ({"anonymous": "on"}, "anonymous"),
        ({"contact": "x" * 201}, "contact"),
        ({"employer": ""}, "employer"),
        ({"employer": "00000000-0000-0000-0000-000000000000"}, "employer"),
        ({"employer": "'; drop table x"}, "employer"),
        ({"employer": OTHER, "employer_name": "", "town": "placeholder"}, "employer_name"),
        ({"employer": OTHER, "employer_name": "某公司", "town": ""}, "town"),
        ({"employer": OTHER, "employer_name": "某公司", "town": "not-a-uuid"}, "town"),
        ({"employer": OTHER, "employer_name": "某" * 201, "town": "placeholder"}, "employer_name"),
        (
            {
                "employer": OTHER,
                "employer_name": "某公司",
                "town": "placeholder",
                "employer_code": "91450200MA5",
            },
            "employer_code",
        ),
        (
            {
                "employer": OTHER,
                "employer_name": "某公司",
                "town": "placeholder",
                "employer_code": "914502001234567890",
            },
            "employer_code",
        ),
        ({"employer_address": "路" * 201}, "employer_address"),
        ({"matters": []}, "matters"),
        ({"matters": ["nonsense"]}, "matters"),
        ({"facts": ""}, "facts"),
        ({"facts": "字" * 8001}, "facts"),
        ({"amount_owed": "-1"}, "amount_owed"),
        ({"amount_owed": "abc"}, "amount_owed"),
        ({"amount_owed": "1" * 40}, "amount_owed"),
        ({"amount_owed": "NaN"}, "amount_owed"),
        ({"workers_count": "0"}, "workers_count"),
        ({"workers_count": "-3"}, "workers_count"),
        ({"workers_count": "1e9"}, "workers_count"),
        ({"workers_count": "999999999"}, "workers_count"),
        ({"violation_ended_on": tomorrow}, "violation_ended_on"),
        ({"violation_ended_on": "2026-02-31"}, "violation_ended_on"),
        ({"consent": None}, "consent"),
    ],
)
def test_bad_input_gives_a_field_error_and_writes_nothing(en, ent_a, fields, field):
    if fields.get("town") == "placeholder":
        fields = {**fields, "town": str(ent_a.town_id)}
    response = en.post(COMPLAIN, complaint(ent_a, **fields))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors.get(field), (field, dict(errors))
    assert 'data-testid="form-errors"' in response.content.decode()
    assert written() == NOTHING
    assert en.get(DONE).context.get("done") is None


def test_a_bad_check_character_is_named(en, ent_a):
    response = en.post(COMPLAIN, complaint(ent_a, id_number=bad_check))
    message = response.context["form"].errors["id_number"][0]
    # Issue 20: what to do, in words a worker understands, without the standard's number.
    assert message.startswith("This ID number is not valid: please check it")
    assert "check character" in message and "GB" not in message and "11643" not in message


def test_a_mistyped_credit_code_of_the_employer_does_not_name_the_standard(en, ent_a):
    fields = {
        "employer": OTHER,
        "employer_name": "某公司",
        "town": str(ent_a.town_id),
        "employer_code": "914502001234567890",
    }
    response = en.post(COMPLAIN, complaint(ent_a, **fields))
    message = response.context["form"].errors["employer_code"][0]
    assert "check character" in message and "GB" not in message and "32100" not in message


def test_named_report_needs_a_name_or_phone(en, ent_a):
    response = en.post(COMPLAIN, report(ent_a, anonymous=None, consent="on"))
    assert response.status_code == 200 and response.context["form"].errors["name"]
    assert written() == NOTHING


def test_every_problem_is_reported_at_once(en, ent_a):
    """The service's own checks and register_case's checks land together."""
    response = en.post(
        COMPLAIN,
        complaint(
            ent_a,
            id_number="",
            phone="12345",
            amount_owed="-5",
            violation_ended_on=tomorrow,
            matters=[],
            consent=None,
        ),
    )
    errors = response.context["form"].errors
    assert {"id_number", "phone", "amount_owed", "violation_ended_on", "matters", "consent"} <= set(errors)
    assert written() == NOTHING


JUNK = {
    "kind": ["<b>x</b>", "\x00"],
    "name": "x" * 500,
    "id_number": "<script>alert(1)</script>",
    "phone": "\x00",
    "anonymous": "maybe",
    "contact": "y" * 900,
    "employer": "00000000-0000-0000-0000-000000000000",
    "employer_name": "z" * 900,
    "employer_code": "☃" * 40,
    "employer_address": "\u202e" * 300,
    "town": "not-a-uuid",
    "matters": ["nonsense", "' OR 1=1 --"],
    "facts": "\x00" * 10,
    "amount_owed": "-Infinity",
    "workers_count": "99999999999999999999999",
    "violation_ended_on": "31/31/2031",
    "consent": "maybe",
    "serial": "' OR 1=1 --" * 10,
    "code": ["a", "b"],
}


def test_junk_in_every_field_never_gives_500_nor_writes(client, ent_a):
    for url in (COMPLAIN, DONE, TRACK):
        for method in ("get", "post"):
            response = getattr(client, method)(url, JUNK)
            assert response.status_code < 500, (method, url, response.status_code)
    assert written() == NOTHING
    # Each field junk on its own next to a good complaint.
    for key, value in JUNK.items():
        if key in ("serial", "code", "consent"):
            continue
        response = client.post(COMPLAIN, complaint(ent_a, **{key: value}))
        assert response.status_code == 200, key
        assert written() == NOTHING, key


@pytest.mark.parametrize(
    "data",
    [
        None,
        "text",
        {"kind": {"a": 1}, "name": ["x"], "matters": "wage_arrears", "town": 5, "employer": 7},
        {
            "kind": "report",
            "anonymous": True,
            "matters": [None],
            "facts": 12,
            "employer": OTHER,
            "employer_name": "",
        },
        {"kind": "complaint", "workers_count": "x", "amount_owed": [], "violation_ended_on": 3},
    ],
)
def test_the_service_refuses_junk_per_field(data):
    with pytest.raises(DomainError) as caught:
        services.submit_complaint(data, client_address="127.0.0.2")
    assert caught.value.fields
    assert written() == NOTHING


def test_the_service_reports_in_chinese(ent_a):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(DomainError) as caught:
        services.submit_complaint({"kind": "complaint", "employer": str(ent_a.pk)}, client_address="")
    assert "facts" in caught.value.fields and "consent" in caught.value.fields
    assert written() == NOTHING


# Tracking -------------------------------------------------------------------------------------------


@pytest.fixture
def filed(ent_a):
    case, code = services.submit_complaint(
        {
            "kind": "complaint",
            "name": "王小明",
            "id_number": valid_id_number(3),
            "phone": "13900001234",
            "employer": str(ent_a.pk),
            "matters": ["wage_arrears"],
            "facts": "拖欠工资 54321 元，车间主任刘经理说没钱",
            "amount_owed": "54321",
            "workers_count": 2,
            "consent": True,
        },
        client_address="127.0.0.2",
    )
    return case, code


def _private(case) -> list[str]:
    person = case.workers.get()
    return [person.name, person.id_number, person.phone, "54321", "54,321", "刘经理", case.facts[:6]]


def test_track_answers_status_dates_and_next_step_only(en, filed, inspector):
    case, code = filed
    response = en.post(TRACK, {"serial": case.serial, "code": code})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="track-result"' in html and case.serial in html
    assert case.decision_due_on.isoformat() in html and 'data-testid="next-step"' in html
    for secret in [*_private(case), code]:
        assert secret not in html, secret
    assert set(response.context["case"]) == {"serial", "kind", "status", "status_code", "dates", "next_step"}
    assert response["X-Robots-Tag"] == "noindex"
    no_inline_code(html)

    services.accept(p(inspector), case)
    case.refresh_from_db()
    html = en.post(TRACK, {"serial": case.serial.lower(), "code": code.lower()}).content.decode()
    assert "Accepted" in html and case.due_on.isoformat() in html and "韦监察" not in html
    for secret in _private(case):
        assert secret not in html, secret


def test_unknown_serial_and_wrong_code_give_the_same_answer(en, filed):
    case, code = filed
    wrong_code = "ABCDEFGH" if code != "ABCDEFGH" else "HGFEDCBA"
    wrong = en.post(TRACK, {"serial": case.serial, "code": wrong_code})
    unknown = en.post(TRACK, {"serial": "JC1999-99999", "code": wrong_code})
    unknown_right_code = en.post(TRACK, {"serial": "JC1999-99999", "code": code})
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    pages = []
    for response in (wrong, unknown, unknown_right_code):
        assert response.status_code == 200 and response.context["not_found"]
        html = response.content.decode()
        assert 'data-testid="track-not-found"' in html and 'data-testid="track-result"' not in html
        assert case.serial not in html.replace('value="' + case.serial + '"', "")
        pages.append(token.sub("", html).replace(case.serial, "JC1999-99999"))
    assert pages[0] == pages[1] == pages[2]
    assert public_selectors.track(case.serial, wrong_code) is None
    assert public_selectors.track("JC1999-99999", code) is None


def test_a_case_registered_by_staff_has_no_code(en, make_case):
    case = make_case()
    assert case.access_code_hash == ""
    for code in ("", "ABCDEFGH", "0" * 64):
        assert public_selectors.track(case.serial, code) is None
    response = en.post(TRACK, {"serial": case.serial, "code": "ABCDEFGH"})
    assert response.context["not_found"]


def test_track_by_get_shows_only_the_form(en, filed):
    case, code = filed
    html = en.get(TRACK, {"serial": case.serial, "code": code}).content.decode()
    assert 'data-testid="track-form"' in html and 'data-testid="track-result"' not in html


def test_a_refusal_says_the_ground_and_points_to_mediation(en, filed, inspector):
    case, code = filed
    services.refuse(
        p(inspector), case, basis=InspectionCase.RefusalBasis.NOT_LABOUR_MATTER, reason="个人纠纷"
    )
    html = en.post(TRACK, {"serial": case.serial, "code": code}).content.decode()
    assert "Not accepted" in html and "Not a labour-inspection matter" in html
    assert "个人纠纷" not in html  # the inspector's free text is not published


# Throttling per client address -------------------------------------------------------------------------


@pytest.fixture
def small(monkeypatch):
    rates = {**PublicFormThrottle.THROTTLE_RATES, "inspection_complaint": "3/hour", "public_lookup": "3/hour"}
    for throttle in (InspectionComplaintThrottle, PublicLookupThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", rates)
    return rates


def test_the_rate_is_configured():
    assert InspectionComplaintThrottle.scope == "inspection_complaint"
    assert issubclass(InspectionComplaintThrottle, PublicFormThrottle)
    assert "inspection_complaint" in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]


def test_a_forged_forwarded_for_does_not_reset_the_budget(en, ent_a, small, settings):
    settings.TRUSTED_PROXIES = []
    for _ in range(3):  # invalid submissions count too
        response = en.post(
            COMPLAIN,
            complaint(ent_a, consent=None),
            REMOTE_ADDR="127.0.0.2",
            HTTP_X_FORWARDED_FOR=next(forged),
        )
        assert response.status_code == 200
    for _ in range(3):
        response = en.post(
            COMPLAIN, complaint(ent_a), REMOTE_ADDR="127.0.0.2", HTTP_X_FORWARDED_FOR=next(forged)
        )
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0 and 'data-testid="throttled"' in response.content.decode()
    assert written() == NOTHING
    assert en.get(COMPLAIN, REMOTE_ADDR="127.0.0.2").status_code == 200  # reading is not throttled
    # Another address has its own budget.
    assert en.post(COMPLAIN, complaint(ent_a), REMOTE_ADDR="127.0.0.3").status_code == 302


def test_tracking_is_throttled(en, filed, small):
    case, code = filed
    for _ in range(3):
        assert (
            en.post(TRACK, {"serial": case.serial, "code": "WRONG123"}, REMOTE_ADDR="127.0.0.2").status_code
            == 200
        )
    response = en.post(
        TRACK,
        {"serial": case.serial, "code": code},
        REMOTE_ADDR="127.0.0.2",
        HTTP_X_FORWARDED_FOR=next(forged),
    )
    assert response.status_code == 429 and case.serial not in response.content.decode()


def _post_complaint(base, source, xff, ent):
    """One complaint over a real TCP connection from `source` (a loopback address)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10, source_address=(source, 0))
    try:
        conn.request("GET", COMPLAIN)
        response = conn.getresponse()
        html = response.read().decode()
        cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        body = urlencode({"csrfmiddlewaretoken": token, **complaint(ent, consent=None)}, doseq=True)
        conn.request(
            "POST",
            COMPLAIN,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie}",
                "X-Forwarded-For": xff,
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_over_real_sockets_from_two_loopback_addresses(live_server, ent_a, small, settings):
    settings.TRUSTED_PROXIES = []
    assert urlsplit(live_server.url).hostname in {"localhost", "127.0.0.1"}
    statuses = [_post_complaint(live_server.url, "127.0.0.2", next(forged), ent_a) for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert _post_complaint(live_server.url, "127.0.0.3", next(forged), ent_a) == 200


def test_mediation_apply_page_links_to_the_complaint_page(en):
    html = en.get(reverse("mediation:apply")).content.decode()
    assert 'data-testid="inspection-link"' in html and COMPLAIN in html


def test_the_brigade_of_the_area_is_told_of_an_online_complaint(ent_a, inspector, far_inspector):
    from apps.notifications.models import Notification

    case, _code = services.submit_complaint(complaint(ent_a), client_address="127.0.0.2")
    told = Notification.objects.get(recipient=inspector)
    assert case.serial in told.title and told.link == f"/inspection/{case.pk}/"
    # Another brigade's inspector is not told.
    assert not Notification.objects.filter(recipient=far_inspector).exists()


def test_staff_give_a_new_access_code_and_the_old_one_stops_working(
    client, ent_a, inspector, far_inspector, ent_hr_a, make_case
):
    case, old = services.submit_complaint(complaint(ent_a), client_address="127.0.0.2")
    url = reverse("inspection:access_code", args=[case.pk])
    client.force_login(inspector)
    page = client.get(reverse("inspection:detail", args=[case.pk])).content.decode()
    assert 'data-testid="access-code-issue"' in page
    response = client.post(url, follow=True)
    new = re.search(r"[A-Z0-9]{8}", str(list(response.context["messages"])[0])).group()
    case.refresh_from_db()
    assert rules.check_access_code(case, new) and not rules.check_access_code(case, old)
    assert (
        public_selectors.track(case.serial, new) is not None
        and public_selectors.track(case.serial, old) is None
    )
    assert AuditEvent.objects.filter(action="inspection.issue_access_code", object_id=str(case.pk)).exists()
    # Only a complaint or a report has one; HR may not give codes; another brigade does not see the case.
    patrol_case = make_case(source="patrol")
    response = client.post(reverse("inspection:access_code", args=[patrol_case.pk]), follow=True)
    patrol_case.refresh_from_db()
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "Only a complaint or a report is followed on the public tracking page."
        )
    assert patrol_case.access_code_hash == "" and str(list(response.context["messages"])[0]) == expected
    client.force_login(far_inspector)
    assert client.post(url).status_code == 404
    assert client.get(url).status_code in (404, 405)
