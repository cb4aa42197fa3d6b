"""Who sees a case's file and downloads its documents (issue 14, finding 8; ADR 0020; README
"Who sees what"): park administrators and the mediators of the organisation handling the case.
Not the respondent's HR (even one who is also a mediator elsewhere), not another organisation's
mediators, not inspectors or union officials, not the organisation a case was transferred from."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.accounts.models import Membership
from apps.accounts.roles import Role
from apps.core.principal import SYSTEM
from apps.mediation import selectors, services
from tests.factories import user_with_role

from .conftest import accepted, p

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n% evidence: pay slips\n"


@pytest.fixture
def case_with_document(make_case, mediator_user):
    case, _code = make_case()
    accepted(case, mediator_user)
    doc = services.add_document(
        p(mediator_user), case, uploaded=SimpleUploadedFile("slips.pdf", PDF), title="工资条"
    )
    return case, doc


def download(client, user, case, doc):
    client.force_login(user)
    return client.get(reverse("mediation:document", args=[case.pk, doc.pk]))


def test_the_case_organisations_mediators_and_park_admins_download(
    client, case_with_document, mediator_user, med_org, park_admin
):
    case, doc = case_with_document
    colleague = user_with_role(Role.MEDIATOR, med_org.organisation)  # same organisation, not assigned
    for user in (mediator_user, colleague, park_admin):
        response = download(client, user, case, doc)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == PDF


def test_the_respondents_hr_does_not_even_if_a_mediator_elsewhere(
    client, case_with_document, ent_hr_a, med_org_b
):
    case, doc = case_with_document
    assert download(client, ent_hr_a, case, doc).status_code == 404
    # The same person also mediates for another organisation: still the respondent's side.
    Membership.objects.create(user=ent_hr_a, organisation=med_org_b.organisation, role=Role.MEDIATOR)
    assert download(client, ent_hr_a, case, doc).status_code == 404
    assert selectors.sees_case_file(p(ent_hr_a), case) is False
    html = client.get(reverse("mediation:detail", args=[case.pk])).content.decode()
    assert "工资条" not in html


def test_other_organisations_inspectors_and_union_officials_do_not(
    client, case_with_document, mediator_b_user
):
    case, doc = case_with_document
    assert download(client, mediator_b_user, case, doc).status_code == 404
    assert download(client, user_with_role(Role.INSPECTOR), case, doc).status_code in (403, 404)
    assert download(client, user_with_role(Role.UNION_OFFICIAL), case, doc).status_code in (403, 404)


def test_a_transfer_takes_the_file_with_the_case(
    client, case_with_document, mediator_user, med_org_b, mediator_b_user
):
    case, doc = case_with_document
    services.transfer(SYSTEM, case, to_organisation=med_org_b, reason="企业调解委员会更合适")
    assert download(client, mediator_b_user, case, doc).status_code == 200
    assert download(client, mediator_user, case, doc).status_code == 404
