"""Absolute URLs from the configured site URL (issue 15, bug 9 and deliverable 1): links in API
answers and documents (pagination, a certificate's verify_url, the contract book's lists) are
built from SITE_URL, never from the request's Host; production refuses to start without it."""

import pytest
from django.db import transaction

from apps.accounts.services import create_api_client
from apps.certification.selectors import verification_url
from apps.core.urls_helpers import absolute_url
from tests.core.test_settings import GOOD_KEY, run_manage
from tests.factories import EnterpriseFactory, OrganisationFactory

SITE = "https://hr.park.example.cn"


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["testserver", "internal-backend"]
    return SITE


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def make_key(*scopes):
    with transaction.atomic():
        return create_api_client(name="区人社局系统", scopes=list(scopes))[1]


def test_absolute_url_puts_a_path_or_a_url_on_the_site(site):
    assert absolute_url("/verify/HX2026-A-0001") == f"{SITE}/verify/HX2026-A-0001"
    assert absolute_url("verify/x?a=1") == f"{SITE}/verify/x?a=1"
    assert absolute_url("http://internal-backend:8000/api/v1/x/?page=2") == f"{SITE}/api/v1/x/?page=2"
    assert absolute_url("") == f"{SITE}/"


def test_the_default_is_the_development_address():
    from django.conf import settings

    assert settings.SITE_URL == settings.PUBLIC_BASE_URL
    assert settings.SITE_URL.startswith("http")


def test_a_certificates_verify_url_is_on_the_site(site):
    assert verification_url("HX2026-A-0001") == f"{SITE}/verify/HX2026-A-0001"


@pytest.mark.django_db
def test_page_links_are_on_the_site_whatever_the_host(client, site):
    for _ in range(3):
        OrganisationFactory()
    key = make_key("organisations:read")
    response = client.get(
        "/api/v1/organisations/", {"page_size": 1}, HTTP_HOST="internal-backend", **bearer(key)
    )
    assert response.status_code == 200
    following = response.json()["next"]
    assert following.startswith(f"{SITE}/api/v1/organisations/?") and "page=2" in following
    back = client.get(following.removeprefix(SITE), HTTP_HOST="internal-backend", **bearer(key)).json()[
        "previous"
    ]
    assert back.startswith(f"{SITE}/api/v1/organisations/")


@pytest.mark.django_db
def test_cursor_links_are_on_the_site(client, site):
    key = make_key("audit:read")
    for n in range(3):  # each creation is an event of the trail
        with transaction.atomic():
            create_api_client(name=f"系统{n}", scopes=["organisations:read"])
    response = client.get("/api/v1/audit/", {"page_size": 1}, HTTP_HOST="internal-backend", **bearer(key))
    assert response.status_code == 200
    assert response.json()["next"].startswith(f"{SITE}/api/v1/audit/?")


@pytest.mark.django_db
def test_the_contract_books_links_are_on_the_site(client, site):
    enterprise = EnterpriseFactory()
    key = make_key("contracts:read")
    response = client.get(
        f"/api/v1/enterprises/{enterprise.pk}/contract-book/", HTTP_HOST="internal-backend", **bearer(key)
    )
    assert response.status_code == 200, response.content
    lists = response.json()["lists"]
    assert lists and all(url.startswith(f"{SITE}/api/v1/contracts/?enterprise=") for url in lists.values())


def test_production_refuses_to_start_without_a_site_url():
    result = run_manage("check", SECRET_KEY=GOOD_KEY, SITE_URL="")
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_production_refuses_a_site_url_that_is_not_a_scheme_and_host():
    result = run_manage("check", SECRET_KEY=GOOD_KEY, SITE_URL="hr.park.example.cn/app")
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_production_still_reads_the_former_name():
    code = "from django.conf import settings; print(settings.SITE_URL)"
    result = run_manage("shell", "-c", code, SECRET_KEY=GOOD_KEY, SITE_URL="", PUBLIC_BASE_URL=SITE + "/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == SITE
