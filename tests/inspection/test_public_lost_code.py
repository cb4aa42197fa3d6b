"""Whom a complainant who lost the access code calls (issue 20): the tracking page names the park's
labour-inspection brigades and the 12333 hotline, in the same words whatever was typed (a wrong
code, no code, an unknown serial), and nothing of any case."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from apps.accounts.models import Organisation
from apps.inspection import services
from apps.inspection.selectors import public as public_selectors

from .conftest import valid_id_number

pytestmark = pytest.mark.django_db

TRACK = reverse("inspection:track")


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def filed(ent_a, brigade):
    return services.submit_complaint(
        {
            "kind": "complaint",
            "name": "王小明",
            "id_number": valid_id_number(3),
            "phone": "13900001234",
            "employer": str(ent_a.pk),
            "matters": ["wage_arrears"],
            "facts": "拖欠工资 54321 元",
            "amount_owed": "54321",
            "workers_count": 2,
            "consent": True,
        },
        client_address="127.0.0.2",
    )


def whom_to_call(response) -> str:
    assert response.status_code == 200
    return re.search(r'data-testid="whom-to-call".*?</section>', response.content.decode(), re.S).group(0)


def test_the_brigade_and_the_hotline_alike_for_every_answer(en, filed, brigade, ent_b):
    case, code = filed
    brigade.phone, brigade.address = "0772-3160000", "柳东政务服务中心三楼"
    brigade.save()
    Organisation.objects.create(name="已撤销监察中队", kind=Organisation.Kind.INSPECTION, is_active=False)
    wrong = en.post(TRACK, {"serial": case.serial, "code": "WRONGCODE"})
    unknown = en.post(TRACK, {"serial": "JC1999-99999", "code": "WRONGCODE"})
    no_code = en.post(TRACK, {"serial": case.serial, "code": ""})
    listed = whom_to_call(wrong)
    assert listed == whom_to_call(unknown) == whom_to_call(no_code) == whom_to_call(en.get(TRACK))
    assert brigade.name in listed and 'href="tel:12333"' in listed
    assert 'href="tel:0772-3160000"' in listed and "柳东政务服务中心三楼" in listed
    assert "已撤销监察中队" not in listed
    for secret in ("王小明", "13900001234", "54321", case.serial):
        assert secret not in listed
    # The not-found answer itself is unchanged: one wording for both.
    for response in (wrong, unknown):
        assert 'data-testid="track-not-found"' in response.content.decode()


def test_the_right_code_shows_the_case_not_the_list(en, filed):
    case, code = filed
    page = en.post(TRACK, {"serial": case.serial, "code": code}).content.decode()
    assert 'data-testid="track-result"' in page and 'data-testid="whom-to-call"' not in page


def test_without_a_brigade_on_record_the_hotline_still_answers(en):
    assert public_selectors.lost_code_contacts() == {"brigades": [], "hotline": "12333"}
    assert 'href="tel:12333"' in whom_to_call(en.get(TRACK))
