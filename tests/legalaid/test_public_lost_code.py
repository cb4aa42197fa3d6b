"""Whom a worker who lost the legal-aid access code calls (issue 20): the tracking page lists the
park's active federations with their phones, the park federation first, the same list whatever
was typed (a wrong code, no code, an unknown serial), and nothing of any request."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from apps.legalaid import selectors
from apps.unions.models import Union
from tests.factories import UnionFactory

pytestmark = pytest.mark.django_db

TRACK = reverse("legalaid:track")


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def whom_to_call(response) -> str:
    assert response.status_code == 200
    return re.search(r'data-testid="whom-to-call".*?</section>', response.content.decode(), re.S).group(0)


def test_the_federations_with_their_phones_alike_for_every_answer(en, make_request, federation, union_a):
    Union.objects.filter(pk=federation.pk).update(chair_phone="0772-2888888")
    town_fed = UnionFactory(
        name="雒容镇总工会", kind=Union.Kind.FEDERATION, parent=federation, chair_phone="0772-2777777"
    )
    UnionFactory(
        name="已撤销工会联合会", kind=Union.Kind.FEDERATION, is_active=False, chair_phone="0772-2000000"
    )
    req, code = make_request()
    wrong = en.post(TRACK, {"serial": req.serial, "code": "WRONGCODE1"})
    unknown = en.post(TRACK, {"serial": "FY1999-99999", "code": "WRONGCODE1"})
    no_code = en.post(TRACK, {"serial": req.serial, "code": ""})
    listed = whom_to_call(wrong)
    assert listed == whom_to_call(unknown) == whom_to_call(no_code) == whom_to_call(en.get(TRACK))
    assert listed.index(federation.name) < listed.index(town_fed.name)  # the park federation first
    assert 'href="tel:0772-2888888"' in listed and 'href="tel:0772-2777777"' in listed
    # Not an inactive federation; not the enterprise's union that handles the request.
    assert "已撤销工会联合会" not in listed and union_a.name not in listed
    assert req.serial not in listed and "工人1" not in listed


def test_the_right_code_shows_the_request_not_the_list(en, make_request, federation):
    req, code = make_request()
    page = en.post(TRACK, {"serial": req.serial, "code": code}).content.decode()
    assert 'data-testid="track-result"' in page and 'data-testid="whom-to-call"' not in page


def test_without_a_federation_the_page_still_says_whom_to_ask(en):
    assert selectors.lost_code_unions() == []
    assert "Lost the access code?" in whom_to_call(en.get(TRACK))
