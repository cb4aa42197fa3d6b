import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PO = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_pages_are_simplified_chinese_by_default(client, park_admin):
    client.force_login(park_admin)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "欢迎" in page
    assert "审计日志" in page


def test_an_english_browser_still_gets_chinese_pages(client, park_admin):
    client.force_login(park_admin)
    page = client.get(reverse("dashboard:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in page


def test_english_switch(client, park_admin):
    client.force_login(park_admin)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get(reverse("dashboard:home")).content.decode()
    assert '<html lang="en">' in page
    assert "Welcome" in page and "Audit log" in page
    assert "欢迎" not in page


def test_api_errors_follow_the_language(client):
    # English unless Accept-Language asks for Chinese (issue 15; tests/api/test_api_language.py).
    zh = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["error"]["message"]
    en = client.get("/api/v1/me/").json()["error"]["message"]
    assert zh != en


def test_catalogue_is_fully_translated():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_language_choice_is_remembered_on_the_profile_and_at_next_login(client, park_admin):
    from tests.factories import PASSWORD

    client.force_login(park_admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    park_admin.refresh_from_db()
    assert park_admin.language == "en"
    fresh = client.__class__()
    fresh.post(reverse("accounts:login"), {"username": park_admin.username, "password": PASSWORD})
    assert '<html lang="en">' in fresh.get(reverse("dashboard:home")).content.decode()


def test_unknown_language_is_ignored(client, park_admin):
    client.force_login(park_admin)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    park_admin.refresh_from_db()
    assert park_admin.language == "zh-hans"
