"""Bad input never reaches a 500: every certification page, GET and POST with junk, for each kind
of user. (The rules themselves are tested in test_rules / test_pages / test_notice_pages.)"""

import pytest
from django.urls import reverse

from apps.certification.models import Application, Certificate, Evidence

from .conftest import build, complete

JUNK = {
    "round": "not-a-uuid",
    "target_level": "x" * 300,
    "enterprise": "-1",
    "starts_on": "2026-02-31",
    "posted_from": "yesterday",
    "congress_attendance": "-5",
    "score": "NaN",
    "reason": "",
    "uphold": "maybe",
    "kind": "../../etc",
    "occurred_on": "31/31/2031",
    "phone": "<script>",
    "applications": ["00000000-0000-0000-0000-000000000000", "junk"],
    "form-TOTAL_FORMS": "abc",
    "members-TOTAL_FORMS": "9999999",
}


@pytest.fixture
def objects(ent_a_old, ent_hr_a, cert_round):
    app = complete(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a)
    evidence = Evidence.objects.filter(application=app).first()
    return {"app": app, "evidence": evidence}


def _urls(objects):
    app, ev = objects["app"], objects["evidence"]
    item = app.scores.first().item
    names = [
        ("certification:list", []),
        ("certification:create", []),
        ("certification:figures", []),
        ("certification:detail", [app.pk]),
        ("certification:wizard", [app.pk, item.category.code]),
        ("certification:wizard", [app.pk, "group"]),
        ("certification:wizard", [app.pk, "disclosure"]),
        ("certification:wizard", [app.pk, "submit"]),
        ("certification:wizard", [app.pk, "no-such-step"]),
        ("certification:evidence", [app.pk, ev.pk]),
        ("certification:evidence_delete", [app.pk, ev.pk]),
        ("certification:review", [app.pk]),
        ("certification:action", [app.pk, "reject"]),
        ("certification:action", [app.pk, "nonsense"]),
        ("certification:notice_list", []),
        ("certification:notice_create", []),
        ("certification:veto_list", []),
        ("certification:veto_create", []),
        ("certification:certificate", ["NO-SUCH-NUMBER"]),
        ("certification:public_notice", []),
        ("verify", ["HX0000-A-0000"]),
    ]
    return [reverse(name, args=args) for name, args in names] + [
        reverse("certification:list")
        + "?round=junk&status=zzz&ordering=--x&has_open_objection=maybe&level=%00",
        "/certification/00000000-0000-0000-0000-000000000000/",
    ]


@pytest.mark.parametrize("who", ["anonymous", "hr", "other_hr", "admin"])
def test_no_page_answers_500_to_junk(client, objects, who, ent_hr_a, ent_hr_b, cert_admin):
    user = {"anonymous": None, "hr": ent_hr_a, "other_hr": ent_hr_b, "admin": cert_admin}[who]
    if user is not None:
        client.force_login(user)
    for url in _urls(objects):
        for method in ("get", "post"):
            response = getattr(client, method)(url, JUNK if method == "post" else None)
            assert response.status_code < 500, (who, method, url, response.status_code)
    # Nothing was written by junk: the application is still the same draft.
    app = Application.objects.get(pk=objects["app"].pk)
    assert app.status == Application.Status.DRAFT
    assert Certificate.objects.count() == 0
