"""A worker who lost the access code (issue 18 item 8). The tracking page answers a serial number
without its right code (a wrong code, none, an unknown serial) in the same words, and names whom
to ask for a new code with the phone: the organisation handling the case; for an enterprise's own
committee (whose name names the enterprise) the town-level organisation covering the case's town;
for an unknown serial or a case nobody handles, the park's general mediation contact (the
park-level organisation). The organisation re-issues the code after checking who the worker is,
audited; the old code stops working. The throttle still counts these answers."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from apps.api.throttling import PublicLookupThrottle
from apps.audit.models import AuditEvent
from apps.core.principal import SYSTEM
from apps.mediation import services
from apps.mediation.models import MediationOrganisation

from .conftest import applicant

pytestmark = pytest.mark.django_db

TRACK = reverse("mediation:track")
TOWN_PHONE = "0772-3111111"
PARK_PHONE = "0772-3999999"
COMMITTEE_PHONE = "0772-3555555"


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def park_org(ent_a):
    return services.create_organisation(
        SYSTEM, name="园区劳动人事争议调解中心", kind=MediationOrganisation.Kind.ARBITRATION, phone=PARK_PHONE
    )


@pytest.fixture
def town_org(med_org):
    MediationOrganisation.objects.filter(pk=med_org.pk).update(phone=TOWN_PHONE)
    return MediationOrganisation.objects.get(pk=med_org.pk)


def answer(response) -> str:
    """The not-found alert, whitespace folded."""
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="track-result"' not in html
    alert = re.search(r'data-testid="track-not-found">(.*?)</div>\s*</div>', html, re.S).group(1)
    return " ".join(alert.split())


def shape(text: str, org) -> str:
    """The answer with the organisation's name and phone taken out: its wording."""
    return text.replace(org.name, "<org>").replace(org.phone, "<phone>")


def test_the_answer_names_the_handling_organisation_in_the_same_words(en, make_case, park_org, town_org):
    case, code = make_case(applicants=[applicant(1, name="王小明")])
    assert case.organisation == town_org
    wrong = answer(
        en.post(TRACK, {"serial": case.serial, "code": "ABCDEFGH" if code != "ABCDEFGH" else "HGFEDCBA"})
    )
    empty = answer(en.post(TRACK, {"serial": case.serial, "code": ""}))
    unknown = answer(en.post(TRACK, {"serial": "TJ1999-99999", "code": code}))
    assert wrong == empty
    assert town_org.name in wrong and TOWN_PHONE in wrong
    assert park_org.name in unknown and PARK_PHONE in unknown
    # One wording, whatever the organisation; nothing of the case.
    assert shape(wrong, town_org) == shape(unknown, park_org)
    for secret in ("王小明", case.respondent_name, case.claims, str(case.received_on)):
        assert secret not in wrong


def test_an_unknown_serial_reads_like_a_case_of_the_park_organisation(
    en, make_case, park_org, town_org, ent_a
):
    """A serial handled by the park-level organisation (or by nobody yet) and one that does not
    exist get the very same answer."""
    case, _code = make_case(organisation=park_org)
    assert case.organisation == park_org
    handled = answer(en.post(TRACK, {"serial": case.serial, "code": "WRONG123"}))
    unknown = answer(en.post(TRACK, {"serial": "TJ2099-00001", "code": "WRONG123"}))
    assert handled == unknown and PARK_PHONE in unknown


def test_an_enterprise_committee_is_never_named(en, make_case, ent_b, med_org_b, park_org, town_org):
    MediationOrganisation.objects.filter(pk=med_org_b.pk).update(phone=COMMITTEE_PHONE)
    case, _code = make_case(respondent_enterprise=ent_b, town=ent_b.town, organisation=med_org_b)
    assert case.organisation == med_org_b
    text = answer(en.post(TRACK, {"serial": case.serial, "code": "WRONG123"}))
    for secret in (med_org_b.name, COMMITTEE_PHONE, ent_b.name, "乙公司"):
        assert secret not in text
    # ent_b's town has no town organisation: the park's contact.
    assert park_org.name in text and PARK_PHONE in text
    # Once a town organisation covers ent_b's town, it is the one named.
    other = services.create_organisation(
        SYSTEM,
        name="乙镇劳动争议调解中心",
        kind=MediationOrganisation.Kind.TOWN,
        towns=[ent_b.town],
        phone="0772-3222222",
    )
    text = answer(en.post(TRACK, {"serial": case.serial, "code": "WRONG123"}))
    assert other.name in text and "0772-3222222" in text and med_org_b.name not in text


def test_without_any_contact_the_page_still_answers(en, make_case):
    case, _code = make_case()
    text = answer(en.post(TRACK, {"serial": "TJ1999-99999", "code": "WRONG123"}))
    assert "Lost the access code?" in text


def test_a_new_code_is_audited_and_opens_the_case(en, make_case, mediator_user, town_org):
    case, old_code = make_case()
    en.force_login(mediator_user)
    response = en.post(reverse("mediation:access_code", args=[case.pk]), follow=True)
    message = next(m.message for m in response.context["messages"])
    new_code = re.search(r"(?<![A-Z0-9-])[A-HJ-NP-Z2-9]{8}(?![A-Z0-9-])", message).group(0)
    event = AuditEvent.objects.get(action="mediation.reissue_access_code")
    assert (
        event.actor == mediator_user and new_code not in str(event.after) and old_code not in str(event.after)
    )
    en.logout()
    assert (
        'data-testid="track-result"'
        in en.post(TRACK, {"serial": case.serial, "code": new_code}).content.decode()
    )
    assert town_org.name in answer(en.post(TRACK, {"serial": case.serial, "code": old_code}))


def test_lost_code_answers_are_throttled(en, make_case, monkeypatch, town_org):
    monkeypatch.setattr(
        PublicLookupThrottle,
        "THROTTLE_RATES",
        {**PublicLookupThrottle.THROTTLE_RATES, "public_lookup": "2/hour"},
    )
    case, _code = make_case()
    for _ in range(2):
        assert en.post(TRACK, {"serial": case.serial, "code": ""}).status_code == 200
    response = en.post(TRACK, {"serial": case.serial, "code": ""})
    assert response.status_code == 429 and town_org.name not in response.content.decode()
