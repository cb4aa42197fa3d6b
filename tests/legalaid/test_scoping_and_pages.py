import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.legalaid import selectors, services
from apps.legalaid.models import LegalAidRequest
from tests.factories import user_with_role

from .conftest import p

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_hr_never_sees_requests(make_request, ent_hr_a, client):
    req, _ = make_request()
    assert not selectors.requests_for(p(ent_hr_a)).exists()
    _login(client, ent_hr_a)
    assert client.get(reverse("legalaid:list")).status_code == 403
    assert client.get(reverse("legalaid:detail", args=[req.pk])).status_code == 403


def test_mediator_and_inspector_see_nothing(make_request):
    make_request()
    for role in (Role.MEDIATOR, Role.INSPECTOR):
        assert not selectors.requests_for(p(user_with_role(role))).exists()


def test_other_union_gets_404(make_request, official_b, client):
    req, _ = make_request()
    _login(client, official_b)
    assert client.get(reverse("legalaid:detail", args=[req.pk])).status_code == 404
    assert client.post(reverse("legalaid:action", args=[req.pk, "accept"])).status_code == 404
    req.refresh_from_db()
    assert req.status == "received"


def test_park_admin_and_federation_see(make_request, park_admin, fed_official):
    req, _ = make_request()
    assert selectors.requests_for(p(park_admin)).filter(pk=req.pk).exists()
    assert selectors.requests_for(p(fed_official)).filter(pk=req.pk).exists()


def test_official_pages_list_detail_accept(make_request, official_a, client):
    req, _ = make_request()
    _login(client, official_a)
    page = client.get(reverse("legalaid:list"))
    assert page.status_code == 200 and req.serial in page.content.decode()
    detail = client.get(reverse("legalaid:detail", args=[req.pk])).content.decode()
    assert "**********" in detail or "*" in detail  # masked ID number
    assert req.applicant.id_number not in detail
    response = client.post(reverse("legalaid:action", args=[req.pk, "accept"]))
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "accepted"


def test_reveal_is_audited(make_request, official_a, client):
    from apps.audit.models import AuditEvent

    req, _ = make_request()
    _login(client, official_a)
    html = client.get(reverse("legalaid:detail", args=[req.pk]) + "?reveal=id_number").content.decode()
    assert req.applicant.id_number in html
    assert AuditEvent.objects.filter(object_id=str(req.applicant.pk)).exists()


def test_refuse_without_reason_on_page_keeps_status(make_request, official_a, client):
    req, _ = make_request()
    _login(client, official_a)
    response = client.post(reverse("legalaid:action", args=[req.pk, "refuse"]), {"reason": ""})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "received"


def test_counter_form_registers(official_a, ent_a, client):
    _login(client, official_a)
    assert client.get(reverse("legalaid:create")).status_code == 200
    response = client.post(
        reverse("legalaid:create"),
        {
            "name": "柜台工人",
            "id_number": "",
            "phone": "13807719999",
            "enterprise": str(ent_a.pk),
            "kind": "advice",
            "facts": "加班费未付",
            "claims": "咨询",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    assert LegalAidRequest.objects.get().channel == "counter"


def test_counter_form_bad_input_is_a_form_error(official_a, client):
    _login(client, official_a)
    response = client.post(reverse("legalaid:create"), {"name": "", "phone": "1", "kind": "advice"})
    assert response.status_code == 200
    assert not LegalAidRequest.objects.exists()


def test_figures_and_union_figures(make_request, official_a, park_admin, ent_hr_a, client):
    req, _ = make_request()
    services.close(p(official_a), services.accept(p(official_a), req), outcome="won", amount_recovered="500")
    tables = selectors.union_figures(p(park_admin), req.received_on.year)
    keys = [t["key"] for t in tables]
    assert keys == [
        "legal_aid_totals",
        "legal_aid_by_kind",
        "legal_aid_by_decision",
        "legal_aid_by_outcome",
        "legal_aid_by_town",
    ]
    totals = {str(r["label"]): r["value"] for r in tables[0]["rows"]}
    assert 1 in totals.values()
    won = next(r for r in tables[3]["rows"] if r["code"] == "won")
    assert won["count"] == 1
    assert selectors.union_figures(p(ent_hr_a), req.received_on.year) == []
    _login(client, official_a)
    assert client.get(reverse("legalaid:figures")).status_code == 200


def test_dossier_section_hidden_for_hr(make_request, ent_a, ent_hr_a, official_a):
    make_request()
    assert selectors.dossier_sections(p(ent_hr_a), ent_a)[0]["hidden"] is True
    section = selectors.dossier_sections(p(official_a), ent_a)[0]
    assert section["key"] == "legal_aid" and section["context"]["counts"]["total"] == 1
