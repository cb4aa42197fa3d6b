import re

import pytest
from django.urls import reverse

from apps.legalaid.models import LegalAidRequest

pytestmark = pytest.mark.django_db


def _form(ent_a, **extra):
    return {
        "name": "网上工人",
        "id_number": "450205199003070013",
        "phone": "13807712345",
        "enterprise": str(ent_a.pk),
        "kind": "arbitration",
        "facts": "被违法解除劳动合同",
        "claims": "赔偿金",
        "consent": "on",
        **extra,
    }


@pytest.fixture
def valid_id():
    from apps.core.personal_data import with_check_character

    return with_check_character("45020519900307001")


def test_apply_shows_code_once_then_tracks(client, ent_a, union_a, valid_id):
    response = client.post(reverse("legalaid:apply"), _form(ent_a, id_number=valid_id))
    assert response.status_code == 302
    done = client.get(reverse("legalaid:apply_done"))
    html = done.content.decode()
    req = LegalAidRequest.objects.get()
    assert req.serial in html and req.union == union_a
    code = done.context["done"]["code"]
    assert code in html
    again = client.get(reverse("legalaid:apply_done")).content.decode()
    assert code not in again and "legalaid-already-shown" in again
    track = client.post(reverse("legalaid:track"), {"serial": req.serial, "code": code})
    assert track.context["req"]["serial"] == req.serial
    assert valid_id not in track.content.decode() and "网上工人" not in track.content.decode()


def test_without_consent_nothing_is_kept(client, ent_a, union_a, valid_id):
    data = _form(ent_a, id_number=valid_id)
    data.pop("consent")
    response = client.post(reverse("legalaid:apply"), data)
    assert response.status_code == 200 and "form-errors" in response.content.decode()
    assert not LegalAidRequest.objects.exists()


def test_tracking_answers_alike_for_unknown_and_wrong(client, ent_a, union_a, valid_id):
    client.post(reverse("legalaid:apply"), _form(ent_a, id_number=valid_id))
    client.get(reverse("legalaid:apply_done"))
    req = LegalAidRequest.objects.get()
    wrong = client.post(reverse("legalaid:track"), {"serial": req.serial, "code": "WRONGCODE1"})
    unknown = client.post(reverse("legalaid:track"), {"serial": "FY1999-99999", "code": "WRONGCODE1"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["not_found"] and unknown.context["not_found"]

    def body(r):
        text = r.content.decode().replace(req.serial, "").replace("FY1999-99999", "")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    assert body(wrong) == body(unknown)


def test_apply_throttled_per_address(client, monkeypatch, ent_a, union_a, valid_id):
    from apps.api.throttling import PublicFormThrottle
    from apps.legalaid.views_public import LegalAidApplicationThrottle

    monkeypatch.setattr(
        LegalAidApplicationThrottle,
        "THROTTLE_RATES",
        {**PublicFormThrottle.THROTTLE_RATES, "legalaid_application": "2/hour"},
    )
    for _ in range(2):
        assert client.post(reverse("legalaid:apply"), {}, REMOTE_ADDR="10.0.0.1").status_code == 200
    blocked = client.post(reverse("legalaid:apply"), _form(ent_a, id_number=valid_id), REMOTE_ADDR="10.0.0.1")
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    # A forged header from an untrusted address opens no new budget.
    forged = client.post(
        reverse("legalaid:apply"), {}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert forged.status_code == 429
    assert not LegalAidRequest.objects.exists()
    assert client.get(reverse("legalaid:apply"), REMOTE_ADDR="10.0.0.1").status_code == 200  # reading is free
    other = client.post(reverse("legalaid:apply"), _form(ent_a, id_number=valid_id), REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 302
