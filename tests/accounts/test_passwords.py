"""Issue 14, finding 6 (passwords): at least 12 characters (OWASP ASVS 4 §2.1.1), not a common
password, not like the user's own name or e-mail; the demo logins of `make run` still work."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.demo.users import DEMO_PASSWORD
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def validators():
    return {v["NAME"].rsplit(".", 1)[1]: v.get("OPTIONS", {}) for v in settings.AUTH_PASSWORD_VALIDATORS}


def test_the_validators_in_force():
    found = validators()
    assert found["MinimumLengthValidator"] == {"min_length": 12}
    assert "CommonPasswordValidator" in found
    assert "UserAttributeSimilarityValidator" in found


def test_eleven_characters_are_refused_and_twelve_accepted():
    with pytest.raises(ValidationError) as refused:
        validate_password("Harbor-Gate")  # 11
    assert refused.value.error_list[0].code == "password_too_short"
    validate_password("Harbor-Gate7")  # 12


def test_common_and_similar_passwords_are_refused():
    with pytest.raises(ValidationError) as common:
        validate_password("password1234")
    assert "password_too_common" in [e.code for e in common.value.error_list]
    user = UserFactory.build(username="zhangli.hr", email="zhangli.hr@park.example.cn", full_name="")
    with pytest.raises(ValidationError) as similar:
        validate_password("zhangli.hr2026", user)
    assert "password_too_similar" in [e.code for e in similar.value.error_list]


def test_the_password_change_page_applies_them(client, hr_a):
    client.force_login(hr_a)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Harbor-Gate", "new_password2": "Harbor-Gate"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    hr_a.refresh_from_db()
    assert hr_a.check_password(PASSWORD)


def test_demo_logins_still_work_for_make_run(client):
    """The demo users are made by code (`set_password`, as seed_demo does), not through the
    validators, so the documented demo password keeps working although it is shorter than 12."""
    with pytest.raises(ValidationError):
        validate_password(DEMO_PASSWORD)
    user = UserFactory(username="admin")
    user.set_password(DEMO_PASSWORD)
    user.save()
    response = client.post(reverse("accounts:login"), {"username": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("dashboard:home")
