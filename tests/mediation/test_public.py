"""The public mediation pages (no login): the application form with consent and throttling, the
page that shows the serial number and access code once, and the tracking page that needs the
right code and shows nothing about people."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.api.throttling import MediationApplicationThrottle, PublicFormThrottle, PublicLookupThrottle
from apps.mediation import rules, services
from apps.mediation.forms_intake import OTHER
from apps.mediation.models import Case

from .conftest import accepted, applicant, valid_id_number

pytestmark = pytest.mark.django_db

APPLY = reverse("mediation:apply")
DONE = reverse("mediation:apply_done")
TRACK = reverse("mediation:track")


@pytest.fixture
def en(client):
    """The test client with pages in English (the msgids)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def application(ent, **fields) -> dict:
    data = {
        "name": "张三",
        "id_number": valid_id_number(7),
        "phone": "13807710007",
        "job": "装配工",
        "employed_from": "2023-03-01",
        "employed_until": "",
        "employer": str(ent.pk),
        "types": ["remuneration"],
        "claims": "支付拖欠的 8、9 月工资 12000 元",
        "facts": "公司 8 月起未发工资",
        "amount_claimed": "12000",
        "infringed_on": (timezone.localdate() - dt.timedelta(days=20)).isoformat(),
        "workers_count": "1",
        "common_claim": "on",
        "organisation": "",
        "consent": "on",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


# The application form -------------------------------------------------------------------------------


def test_get_form_anonymous(en, ent_a, med_org):
    response = en.get(APPLY)
    assert response.status_code == 200
    html = response.content.decode()
    assert ent_a.name in html  # the registry enterprises by name
    assert "Not in the list" in html and "Let the park decide" in html
    assert med_org.name in html
    assert 'data-testid="privacy-notice"' in html
    assert "What we collect:" in html and "How long it is kept:" in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_default_language_is_chinese(client, ent_a):
    response = client.get(APPLY)
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()


def test_apply_shows_serial_and_code_once(en, ent_a, med_org):
    response = en.post(APPLY, application(ent_a))
    assert response.status_code == 302 and response["Location"] == DONE
    case = Case.objects.get()
    assert case.channel == Case.Channel.ONLINE and case.consent_at is not None
    assert case.respondent_enterprise == ent_a and case.organisation == med_org
    person = case.applicants.get()
    assert person.name == "张三" and person.employer == ent_a.name and person.employed_until is None

    done = en.get(DONE)
    assert done.status_code == 200
    html = done.content.decode()
    assert case.serial in html
    code = html.split('data-testid="access-code">')[1].split("<")[0]
    assert rules.check_access_code(case, code)
    assert "shown only this once" in html
    assert "3 working days" in html and "15 days" in html
    assert reverse("mediation:track") in html
    assert 'data-testid="limitation"' not in html

    again = en.get(DONE)
    assert again.status_code == 200
    html = again.content.decode()
    assert code not in html and case.serial not in html
    assert 'data-testid="apply-already-shown"' in html


def test_apply_done_without_an_application(en):
    response = en.get(DONE)
    assert response.status_code == 200
    assert 'data-testid="apply-already-shown"' in response.content.decode()


def test_employer_not_in_the_list(en, ent_a):
    response = en.post(APPLY, application(ent_a, employer=OTHER, employer_other="柳州某某劳务派遣公司"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.respondent_enterprise is None and case.respondent_name == "柳州某某劳务派遣公司"
    # "Not in the list" without a name: the error is on the free-text field.
    response = en.post(APPLY, application(ent_a, employer=OTHER, employer_other=""))
    assert response.status_code == 200
    assert response.context["form"].errors["employer_other"]
    # Nothing chosen at all: on the select.
    response = en.post(APPLY, application(ent_a, employer=""))
    assert response.context["form"].errors["employer"]


def test_apply_without_consent_is_refused(en, ent_a):
    response = en.post(APPLY, application(ent_a, consent=None))
    assert response.status_code == 200
    assert not Case.objects.exists()
    assert response.context["form"].errors["consent"]
    assert "Agree to the processing of your personal data" in response.content.decode()


def test_apply_with_a_bad_id_number(en, ent_a):
    good = valid_id_number(8)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = en.post(APPLY, application(ent_a, id_number=bad, phone="12345"))
    assert response.status_code == 200
    assert not Case.objects.exists()
    errors = response.context["form"].errors
    assert "check character" in errors["id_number"][0]
    assert errors["phone"]  # all problems at once


def test_apply_requires_id_phone_claims_and_types(en, ent_a):
    response = en.post(APPLY, application(ent_a, id_number="", phone="", claims="", types=[]))
    errors = response.context["form"].errors
    assert {"id_number", "phone", "claims", "types"} <= set(errors)


def test_apply_with_a_limitation_warning(en, ent_a):
    old = timezone.localdate() - dt.timedelta(days=500)
    response = en.post(APPLY, application(ent_a, types=["dismissal"], infringed_on=old.isoformat()))
    assert response.status_code == 302
    html = en.get(DONE).content.decode()
    assert 'data-testid="limitation"' in html and "limitation period ended" in html


def test_apply_is_throttled(en, ent_a, monkeypatch):
    monkeypatch.setattr(
        MediationApplicationThrottle,
        "THROTTLE_RATES",
        {**PublicFormThrottle.THROTTLE_RATES, "mediation_application": "10/hour"},
    )
    for _ in range(10):
        response = en.post(APPLY, application(ent_a, consent=None), REMOTE_ADDR="10.1.2.3")
        assert response.status_code == 200
    response = en.post(APPLY, application(ent_a), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert 'data-testid="throttled"' in response.content.decode()
    assert not Case.objects.exists()
    assert en.get(APPLY, REMOTE_ADDR="10.1.2.3").status_code == 200  # reading is not throttled
    # Another address still gets through.
    assert en.post(APPLY, application(ent_a), REMOTE_ADDR="10.9.9.9").status_code == 302


# Tracking -------------------------------------------------------------------------------------------


@pytest.fixture
def tracked(make_case, ent_a):
    return make_case(
        applicants=[applicant(3, name="王小明", phone="13900001234")],
        respondent_phone="0772-7654321",
        respondent_contact="刘经理",
        amount_claimed="54321",
    )


def _private(case) -> list[str]:
    person = case.applicants.get()
    return [person.name, person.id_number, person.phone, "0772-7654321", "刘经理", "54321", "54,321"]


def test_track_with_the_right_code(en, tracked, mediator_user):
    case, code = tracked
    response = en.post(TRACK, {"serial": case.serial, "code": code})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="track-result"' in html
    assert case.serial in html and "Received" in html
    assert "Application received" in html  # the public timeline
    assert "will contact you by phone" in html  # next step while received
    assert case.organisation.name in html
    for secret in _private(case):
        assert secret not in html, secret
    assert code not in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]

    accepted(case, mediator_user)
    html = en.post(TRACK, {"serial": case.serial.lower(), "code": code.lower()}).content.decode()
    assert "In mediation" in html and "李调解" not in html  # no mediator's name
    for secret in _private(case):
        assert secret not in html, secret


def test_wrong_code_and_unknown_serial_give_the_same_answer(en, tracked):
    case, code = tracked
    wrong = en.post(TRACK, {"serial": case.serial, "code": "ABCDEFGH" if code != "ABCDEFGH" else "HGFEDCBA"})
    unknown = en.post(TRACK, {"serial": "TJ1999-99999", "code": code})
    for response in (wrong, unknown):
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="track-not-found"' in html and 'data-testid="track-result"' not in html
        for secret in _private(case):
            assert secret not in html
    assert wrong.context["not_found"] and unknown.context["not_found"]

    def message(response):
        html = response.content.decode()
        return html.split('data-testid="track-not-found">')[1].split("<")[0]

    assert message(wrong) == message(unknown)


def test_track_get_shows_only_the_form_and_ignores_query_strings(en, tracked):
    case, code = tracked
    response = en.get(TRACK, {"serial": case.serial, "code": code})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="track-form"' in html and 'data-testid="track-result"' not in html


def test_refusal_reason_is_shown_to_the_applicant(en, tracked, mediator_user):
    from .conftest import p

    case, code = tracked
    services.refuse(p(mediator_user), case, "不属于劳动争议")
    html = en.post(TRACK, {"serial": case.serial, "code": code}).content.decode()
    assert "不属于劳动争议" in html and "Not accepted" in html


def test_tracking_is_throttled(en, tracked, monkeypatch):
    monkeypatch.setattr(
        PublicLookupThrottle,
        "THROTTLE_RATES",
        {**PublicLookupThrottle.THROTTLE_RATES, "public_lookup": "3/hour"},
    )
    case, code = tracked
    for _ in range(3):
        assert en.post(TRACK, {"serial": case.serial, "code": "WRONG123"}).status_code == 200
    response = en.post(TRACK, {"serial": case.serial, "code": code})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert case.serial not in response.content.decode()


def test_track_limit_is_configured():
    assert PublicLookupThrottle.scope == "public_lookup"
    assert "public_lookup" in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]


# Junk -----------------------------------------------------------------------------------------------

JUNK = {
    "name": "x" * 500,
    "id_number": "<script>alert(1)</script>",
    "phone": "\x00",
    "employer": "00000000-0000-0000-0000-000000000000",
    "employer_other": "y" * 900,
    "employed_from": "2026-02-31",
    "employed_until": "tomorrow",
    "types": ["nonsense"],
    "amount_claimed": "-Infinity",
    "infringed_on": "31/31/2031",
    "workers_count": "1e9",
    "organisation": "not-a-uuid",
    "consent": "maybe",
    "serial": "' OR 1=1 --" * 10,
    "code": ["a", "b"],
}


def test_junk_never_gives_500(client, ent_a, med_org, monkeypatch):
    for throttle in (PublicFormThrottle, PublicLookupThrottle):
        monkeypatch.setattr(
            throttle,
            "THROTTLE_RATES",
            {"public_form": "1000/hour", "mediation_application": "1000/hour", "public_lookup": "1000/hour"},
        )
    for url in (APPLY, DONE, TRACK):
        for method in ("get", "post"):
            response = getattr(client, method)(url, JUNK)
            assert response.status_code < 500, (method, url, response.status_code)
    # Each field junk on its own next to a good application.
    for key, value in JUNK.items():
        response = client.post(APPLY, application(ent_a, **{key: value}))
        assert response.status_code in (200, 302), key
    assert client.post(APPLY, application(ent_a, workers_count="99999999999999999999999")).status_code < 500
    assert client.post(APPLY, application(ent_a, amount_claimed="1" * 40)).status_code < 500
