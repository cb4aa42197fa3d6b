"""The public directory of mediation organisations and whom to call for a lost access code
(issue 20). The directory lists the active organisations with their kind, address, phone and
towns, in a constant number of queries; the tracking page lists the organisations a worker who
lost the code may phone, the same list whatever was typed (a wrong code, an unknown serial), never
an enterprise's own committee."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.principal import SYSTEM
from apps.mediation import selectors, services
from apps.mediation.models import MediationOrganisation
from tests.factories import TownFactory

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("mediation:public_organisations")
TRACK = reverse("mediation:track")
K = MediationOrganisation.Kind


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def organisation(name, kind=K.TOWN, *, phone="", address="", active=True, **extra):
    org = services.create_organisation(SYSTEM, name=name, kind=kind, phone=phone, address=address, **extra)
    if not active:
        MediationOrganisation.objects.filter(pk=org.pk).update(is_active=False)
    return org


@pytest.fixture
def park_org(db):
    return organisation(
        "园区劳动人事争议调解中心", K.ARBITRATION, phone="0772-3999999", address="文昌路88号政务服务中心三楼"
    )


@pytest.fixture
def town_org(ent_a):
    return organisation(
        "雒容镇劳动争议调解中心",
        K.TOWN,
        phone="0772-3111111",
        address="雒容镇人民政府一楼",
        towns=[ent_a.town],
    )


@pytest.fixture
def committee(ent_b):
    return organisation(
        "乙公司劳动争议调解委员会",
        K.ENTERPRISE,
        phone="0772-3555555",
        address="乙公司行政楼",
        enterprises=[ent_b],
    )


@pytest.fixture
def closed_org(db):
    return organisation("已撤销调解室", K.PEOPLE, phone="0772-3000000", address="旧址", active=False)


def rows(page: str) -> list[str]:
    return re.findall(r'data-testid="directory-organisation">(.*?)</section>', page, re.S)


def test_the_directory_lists_the_active_organisations_with_address_and_phone(
    en, park_org, town_org, committee, closed_org, ent_a
):
    response = en.get(DIRECTORY)
    assert response.status_code == 200
    page = response.content.decode()
    found = rows(page)
    # The park-level organisation first, then the town's, the enterprise committee last.
    assert [next(o.name for o in (park_org, town_org, committee) if o.name in row) for row in found] == [
        park_org.name,
        town_org.name,
        committee.name,
    ]
    for org in (park_org, town_org, committee):
        row = next(r for r in found if org.name in r)
        assert org.address in row and f'href="tel:{org.phone}"' in row
        assert str(org.get_kind_display()) in row
    assert ent_a.town.name in next(r for r in found if town_org.name in r)
    # An inactive organisation is not listed.
    assert closed_org.name not in page and closed_org.phone not in page
    # The way on: apply, track.
    assert reverse("mediation:apply") in page and reverse("mediation:track") in page


def test_the_directory_needs_no_login_and_shows_nothing_internal(en, town_org):
    from apps.accounts.roles import Role
    from tests.factories import user_with_role

    user = user_with_role(Role.MEDIATOR, town_org.organisation, full_name="李调解")
    page = en.get(DIRECTORY).content.decode()
    assert town_org.name in page and "李调解" not in page and user.username not in page
    assert 'data-testid="user-menu"' not in page


def test_one_kind(en, park_org, town_org, committee):
    page = en.get(DIRECTORY, {"kind": "town"}).content.decode()
    assert [town_org.name in r for r in rows(page)] == [True]
    # An unknown kind and a junk page number are ignored, never a 500.
    page = en.get(DIRECTORY, {"kind": "nonsense';--", "page": "x"}).content.decode()
    assert len(rows(page)) == 3


def test_the_directory_costs_the_same_queries_for_few_or_many(en, ent_a):
    towns = [TownFactory() for _ in range(3)]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert en.get(DIRECTORY).status_code == 200
        return len(captured)

    organisation("调解中心1", K.TOWN, phone="1", towns=towns[:1])
    few = queries()
    for n in range(2, 12):
        organisation(f"调解中心{n}", K.TOWN, phone=str(n), address=f"地址{n}", towns=towns)
    assert queries() == few


def test_the_directory_pages(en, monkeypatch):
    from apps.mediation import views_public

    monkeypatch.setattr(views_public, "DIRECTORY_PAGE_SIZE", 2)
    for n in range(5):
        organisation(f"调解中心{n}", K.INDUSTRY, phone=str(n))
    first = en.get(DIRECTORY).content.decode()
    last = en.get(DIRECTORY, {"page": 3}).content.decode()
    assert len(rows(first)) == 2 and len(rows(last)) == 1 and "Page 3 of 3" in last


def test_an_empty_directory_says_so(en):
    page = en.get(DIRECTORY).content.decode()
    assert 'data-testid="directory-empty"' in page


# Whom to call for a lost access code ------------------------------------------------------------


def whom_to_call(response) -> str:
    page = response.content.decode()
    assert response.status_code == 200
    return re.search(r'data-testid="whom-to-call".*?</section>', page, re.S).group(0)


def test_the_tracking_page_lists_whom_to_call_alike_for_a_wrong_code_and_an_unknown_serial(
    en, make_case, park_org, town_org, committee, closed_org
):
    case, code = make_case()
    wrong = en.post(TRACK, {"serial": case.serial, "code": "ABCDEFGH" if code != "ABCDEFGH" else "HGFEDCBA"})
    unknown = en.post(TRACK, {"serial": "TJ1999-99999", "code": "ABCDEFGH"})
    no_code = en.post(TRACK, {"serial": case.serial, "code": ""})
    listed = whom_to_call(wrong)
    assert listed == whom_to_call(unknown) == whom_to_call(no_code)
    for org in (park_org, town_org):
        assert org.name in listed and f'href="tel:{org.phone}"' in listed
    # Never an enterprise's own committee (its name names the enterprise), nor a closed one.
    for org in (committee, closed_org):
        assert org.name not in listed and org.phone not in listed
    assert f'href="{DIRECTORY}"' in listed
    # Nothing of the case.
    assert case.respondent_name not in listed and case.serial not in listed


def test_the_form_alone_names_them_too(en, park_org):
    assert park_org.name in whom_to_call(en.get(TRACK))


def test_the_right_code_shows_the_case_not_the_list(en, make_case, park_org):
    case, code = make_case()
    page = en.post(TRACK, {"serial": case.serial, "code": code}).content.decode()
    assert 'data-testid="track-result"' in page and 'data-testid="whom-to-call"' not in page


def test_an_organisation_without_a_phone_is_not_listed_for_a_lost_code(en, park_org):
    silent = organisation("无电话调解室", K.PEOPLE)
    names = [o.name for o in selectors.lost_code_organisations()]
    assert names == [park_org.name] and silent.name not in names


def test_without_any_organisation_the_page_still_says_whom_to_ask(en):
    listed = whom_to_call(en.post(TRACK, {"serial": "TJ1999-99999", "code": "ABCDEFGH"}))
    assert "Lost the access code?" in listed and f'href="{DIRECTORY}"' in listed
