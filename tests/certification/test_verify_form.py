"""`/verify/` (issue 20): anyone types a certificate number and is sent to its verification page
(`/verify/<number>`, the QR code's target). The number is read as people type it (spaces, lower
case, full-width characters, dashes of a Chinese keyboard); an empty, too long or malformed one is
a form error in the user's language, never a 500; an unknown one gets the verification page's own
answer (no such certificate, 404)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from apps.certification import rules

from .test_notice_pages import cert  # noqa: F401  (the fixture: a certificate issued through the services)

pytestmark = pytest.mark.django_db

FORM = reverse("verify_form")


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def error(response) -> str:
    assert response.status_code == 400, response.status_code
    page = response.content.decode()
    assert 'data-testid="verify-form"' in page and "invalid-feedback" in page
    return page.split('class="invalid-feedback d-block">')[1].split("<")[0]


def test_the_form_is_there(en):
    response = en.get(FORM)
    page = response.content.decode()
    assert response.status_code == 200 and response["X-Robots-Tag"] == "noindex"
    assert 'data-testid="verify-form"' in page and 'name="number"' in page
    assert "invalid-feedback" not in page  # nothing typed yet: no error


@pytest.mark.parametrize(
    "typed",
    [
        "{number}",
        "  {lower}  ",
        "{spaced}",
        "{fullwidth}",
        "{emdash}",
    ],
)
def test_a_number_as_people_type_it_leads_to_its_page(en, cert, typed):  # noqa: F811
    number = cert.number
    variants = {
        "number": number,
        "lower": number.lower(),
        "spaced": " ".join(number),
        "fullwidth": "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in number),
        "emdash": number.replace("-", "—"),
    }
    response = en.get(FORM, {"number": typed.format(**variants)})
    assert response.status_code == 302
    assert response.url == reverse("verify", args=[number])
    page = en.get(response.url).content.decode()
    assert 'data-state="valid"' in page and cert.enterprise.name in page


def test_an_unknown_number_gets_the_verification_pages_answer(en):
    response = en.get(FORM, {"number": "hx1999-a-9999"}, follow=True)
    assert response.redirect_chain == [(reverse("verify", args=["HX1999-A-9999"]), 302)]
    assert response.status_code == 404
    page = response.content.decode()
    assert "No such certificate" in page and "HX1999-A-9999" in page
    assert 'data-testid="verify-again"' in page and reverse("verify_form") in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the certificate number printed on the certificate."),
        ("   ", "Enter the certificate number printed on the certificate."),
        ("HX" + "1" * 39, "A certificate number has at most 40 characters."),
        ("X" * 10_000, "A certificate number has at most 40 characters."),
        ("HX2026/../A", "A certificate number has only letters, digits and dashes, like HX2026-AA-0001."),
        ("<script>alert(1)</script>", "A certificate number has only letters, digits and dashes"),
        ("HX2026-A?x=1", "A certificate number has only letters, digits and dashes"),
        ("HX\x002026", "Null characters are not allowed."),  # Django's own check
    ],
)
def test_a_number_that_cannot_be_one_is_a_form_error(en, typed, message):
    response = en.get(FORM, {"number": typed})
    assert error(response).startswith(message)
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_the_longest_number_is_still_looked_up(en):
    number = "HX" + "1" * 38
    response = en.get(FORM, {"number": number})
    assert response.status_code == 302 and response.url == reverse("verify", args=[number])


def test_the_error_is_in_the_users_language(client):
    """Chinese pages (the default) say it in Chinese once the catalogue has it; never the 500 page."""
    response = client.get(FORM, {"number": ""})
    assert response.status_code == 400
    assert '<html lang="zh-hans">' in response.content.decode()


def test_the_form_reads_nothing_and_is_not_throttled_itself(en, django_assert_num_queries):
    """The look-up is the verification page's (throttled there); the form only checks the text."""
    with django_assert_num_queries(0):
        assert en.get(FORM, {"number": "HX2026-A-0001"}).status_code == 302


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("hx2026-aa-0001", "HX2026-AA-0001"),
        (" HX 2026 - AA - 0001 ", "HX2026-AA-0001"),
        ("ＨＸ２０２６－ＡＡ－０００１", "HX2026-AA-0001"),
        ("HX2026–AA—0001", "HX2026-AA-0001"),
        ("HX2026\u3000AA", "HX2026AA"),
        ("", ""),
    ],
)
def test_normal_certificate_number(typed, normal):
    assert rules.normal_certificate_number(typed) == normal


def test_certificate_number_problem():
    assert rules.certificate_number_problem("HX2026-AA-0001") is None
    assert rules.certificate_number_problem("桂HX2026-A-1") is None  # a region's prefix may be Chinese
    assert rules.certificate_number_problem("") and rules.certificate_number_problem("A/B")
    assert rules.certificate_number_problem("A" * 41) and rules.certificate_number_problem("A" * 40) is None
