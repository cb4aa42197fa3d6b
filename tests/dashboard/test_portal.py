"""The public portal (issue 20): `/` for anyone not signed in shows the way in for workers and the
public (apply and track mediation, labour inspection and legal aid, the certification notice, the
certificate check by number, the directory of mediation organisations, the staff sign-in) and
nothing of the staff pages; for a signed-in user `/` stays the staff home, and `/portal/` shows the
portal to everyone."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from apps.accounts.roles import Role
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

ROOT = reverse("dashboard:home")
PORTAL = reverse("dashboard:portal")
#: Where the portal's cards lead.
LINKS = {
    "mediation:apply",
    "mediation:track",
    "inspection:complain",
    "inspection:track",
    "legalaid:apply",
    "legalaid:track",
    "certification:public_notice",
    "mediation:public_organisations",
    "accounts:login",
}


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_root_is_the_portal_for_anonymous_visitors(en):
    response = en.get(ROOT)
    page = html(response)
    assert [t.name for t in response.templates][0] == "dashboard/portal.html"
    assert 'data-testid="portal"' in page and "Labour relations services" in page
    for name in LINKS:
        assert f'href="{reverse(name)}"' in page, name
    # The certificate check: a form sending the typed number to /verify/.
    assert f'action="{reverse("verify_form")}"' in page and 'name="number"' in page
    assert 'data-testid="staff-login"' in page and settings.PARK_NAME in page


def test_the_portal_shows_nothing_of_the_staff_pages(en, park_admin, ent_a):
    page = html(en.get(ROOT))
    for staff in (
        'data-testid="user-menu"',
        'data-testid="home-cards"',
        'data-testid="unread-count"',
        f'href="{reverse("audit:event_list")}"',
        f'href="{reverse("mediation:list")}"',
        f'href="{reverse("enterprises:list")}"',
        park_admin.full_name,
        ent_a.name,
    ):
        assert staff not in page, staff


def test_the_portal_reads_nothing_from_the_database(en, django_assert_num_queries):
    with django_assert_num_queries(0):
        html(en.get(ROOT))


def test_the_portal_is_chinese_by_default(client):
    page = html(client.get(ROOT))
    assert '<html lang="zh-hans">' in page
    assert "English" in page  # the way to the English pages


def test_signed_in_users_keep_their_home_at_root(en, park_admin):
    en.force_login(park_admin)
    response = en.get(ROOT)
    page = html(response)
    assert "dashboard/home.html" in [t.name for t in response.templates]
    assert "dashboard/portal.html" not in [t.name for t in response.templates]
    assert 'data-testid="portal"' not in page


@pytest.mark.parametrize("role", [Role.ENTERPRISE_HR, Role.MEDIATOR])
def test_signed_in_users_see_the_portal_at_its_own_address(en, role):
    en.force_login(user_with_role(role))
    page = html(en.get(PORTAL))
    assert 'data-testid="portal"' in page
    # No sign-in button for someone signed in: the way back to their workspace instead.
    assert 'data-testid="staff-login"' not in page and 'data-testid="staff-home"' in page
    assert f'href="{ROOT}"' in page


def test_anonymous_visitors_see_the_portal_at_its_own_address_too(en):
    page = html(en.get(PORTAL))
    assert 'data-testid="portal"' in page and 'data-testid="staff-login"' in page


def test_the_public_pages_lead_back_to_the_portal(en):
    for name in ("mediation:track", "inspection:track", "legalaid:track", "certification:public_notice"):
        page = html(en.get(reverse(name)))
        assert 'data-testid="portal-link"' in page, name
        link = page.split('data-testid="portal-link"')[0].rsplit("<a", 1)[1]
        assert f'href="{ROOT}"' in link, name


def test_a_signed_in_user_is_led_back_to_the_portal_not_to_the_home(en, park_admin):
    en.force_login(park_admin)
    page = html(en.get(reverse("mediation:track")))
    link = page.split('data-testid="portal-link"')[0].rsplit("<a", 1)[1]
    assert f'href="{PORTAL}"' in link


def test_logging_out_lands_on_a_page_with_the_portal_at_root(en, park_admin):
    en.force_login(park_admin)
    en.post(reverse("accounts:logout"))
    page = html(en.get(ROOT))
    assert 'data-testid="portal"' in page and 'data-testid="staff-login"' in page


def test_every_page_an_anonymous_visitor_reaches_from_the_portal(client, ent_a):
    """Crawled from `/` without an account: every page answers below 500, with the security
    headers and nothing inline (the CSP), and each of the portal's services is reached."""
    from apps.core.principal import SYSTEM
    from apps.mediation import services
    from apps.mediation.models import MediationOrganisation
    from tests.core.test_security_headers import crawl

    services.create_organisation(
        SYSTEM,
        name="雒容镇劳动争议调解中心",
        kind=MediationOrganisation.Kind.TOWN,
        towns=[ent_a.town],
        phone="0772-3111111",
        address="雒容镇人民政府一楼",
    )
    statuses = crawl(client, "/")
    assert all(code < 500 for code in statuses.values()), statuses
    for name in LINKS - {"accounts:login"}:
        assert statuses.get(reverse(name)) == 200, (name, statuses)
    assert statuses.get(reverse("accounts:login")) == 200
