"""The API answers in English unless Accept-Language asks for Chinese (issue 15, point 5); the pages
stay in Chinese unless the user chose English (the language switch), whatever the browser asks.

Messages are compared with the catalogue's own translation of the same message id (the catalogue
may not translate a new string yet: the check then still proves which language was active)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from apps.contracts.models import Kind

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
CONTRACTS = "/api/v1/contracts/"
#: DRF's message for a request without credentials (translated by DRF's own catalogue).
NOT_AUTHENTICATED = "Authentication credentials were not provided."


def message_in(language: str, msgid: str = NOT_AUTHENTICATED) -> str:
    with translation.override(language):
        return gettext(msgid)


def api_message(client, **extra) -> str:
    response = client.get(ME, **extra)
    assert response.status_code == 401, response.content
    return response.json()["error"]["message"]


def test_the_two_languages_differ_for_the_message_used():
    assert message_in("en") != message_in("zh-hans")


def test_english_without_accept_language(client):
    response = client.get(ME)
    assert response.json()["error"]["message"] == message_in("en")
    assert response["Content-Language"] == "en"


@pytest.mark.parametrize("header", ["zh-hans", "zh-CN", "zh", "zh-Hans-CN", "fr-FR, zh;q=0.8, en;q=0.5"])
def test_chinese_when_accept_language_asks_for_it(client, header):
    response = client.get(ME, HTTP_ACCEPT_LANGUAGE=header)
    assert response.json()["error"]["message"] == message_in("zh-hans")
    assert response["Content-Language"] == "zh-hans"


@pytest.mark.parametrize("header", ["en", "en-US,en;q=0.9", "fr", "*", "zh;q=0, en;q=0.5", "not a header;;"])
def test_english_for_any_other_request(client, header):
    assert api_message(client, HTTP_ACCEPT_LANGUAGE=header) == message_in("en")


def test_the_pages_language_cookie_does_not_choose_the_apis(client, park_admin):
    client.force_login(park_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(CONTRACTS)  # a signed-in user through the session
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    denied = client.post("/api/v1/contracts/batch/", {"not": "a list"}, content_type="application/json")
    assert denied.status_code == 400, denied.content
    assert denied.json()["error"]["message"] == message_in("en", "The request has invalid fields.")
    assert denied.json()["error"]["fields"]["non_field_errors"] == [
        message_in("en", "Send a list of contracts (objects of columns).")
    ]
    assert denied["Content-Language"] == "en"


def test_an_api_client_reads_labels_and_rule_messages_in_english_by_default(
    client, api_client_factory, ent_a, park_admin
):
    from apps.contracts import services
    from apps.core.principal import principal_for_user
    from tests.contracts.conftest import row

    _, key = api_client_factory(name="区人社局", scopes=["contracts:read", "contracts:write"])
    assert not services.file_batch(principal_for_user(park_admin), [row(ent_a, 1)]).errors
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    [item] = client.get(CONTRACTS, **auth).json()["results"]
    with translation.override("en"):
        english = str(Kind.FIXED_TERM.label)
    with translation.override("zh-hans"):
        chinese = str(Kind.FIXED_TERM.label)
    assert english != chinese
    assert item["kind_label"] == english
    [item] = client.get(CONTRACTS, HTTP_ACCEPT_LANGUAGE="zh-hans", **auth).json()["results"]
    assert item["kind_label"] == chinese
    # A rule's refusal, through the one error format.
    refused = client.post(
        CONTRACTS, row(ent_a, 2, end="2025-12-31"), content_type="application/json", **auth
    ).json()["error"]
    assert refused["fields"]["end"][0].startswith(message_in("en", "The contract must end after it starts."))
    refused = client.post(
        CONTRACTS,
        row(ent_a, 2, end="2025-12-31"),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        **auth,
    ).json()["error"]
    assert refused["fields"]["end"][0].startswith(
        message_in("zh-hans", "The contract must end after it starts.")
    )


def test_pages_stay_chinese_whatever_the_browser_asks(client, park_admin):
    client.force_login(park_admin)
    page = client.get(reverse("dashboard:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in page.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("dashboard:home"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert '<html lang="en">' in page.content.decode()
