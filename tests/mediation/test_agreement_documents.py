"""The mediation agreement exists before the case is closed (issue 18 item 1): once its result and
items are recorded, the version for signing (待签署) is generated without any signature or seal
date; after the signatures the case closes and the final PDF shows the dates. Both versions name
the parties as judicial confirmation and arbitration review need them: each applicant's full ID
number, the respondent's credit code and legal representative (a blank line for an employer
outside the registry). Both are personal data: mediators of the case's organisation and park
administrators download them, the respondent's HR do not (403), nor an API client without
`personal_data:read`. The PDFs are read back as text."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from apps.core.errors import DomainError, NotAllowed
from apps.documents.models import GeneratedDocument
from apps.mediation import selectors, services
from apps.mediation.models import Case

from .conftest import accepted, applicant, p, valid_id_number

pytestmark = pytest.mark.django_db

ITEMS = [{"kind": "wages", "description": "支付 8-9 月工资", "amount": "12000", "due_on": None}]


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text_of(response) -> str:
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF")
    # The title is letter-spaced: compare without spaces.
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(" ", "")


def _items(case):
    return [{**ITEMS[0], "due_on": case.received_on.isoformat()}]


@pytest.fixture
def two_workers(make_case, mediator_user):
    case, _code = make_case(applicants=[applicant(11, name="王小明"), applicant(12, name="李小红")])
    return accepted(case, mediator_user)


def url(name, case):
    return reverse(f"mediation:{name}", args=[case.pk])


def test_agreement_for_signing_then_final_pdf(
    en, two_workers, ent_a, mediator_user, django_capture_on_commit_callbacks
):
    case = two_workers
    me = p(mediator_user)
    en.force_login(mediator_user)
    # No agreement yet: nothing to download.
    assert en.get(url("agreement_draft_pdf", case)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        services.save_agreement(me, case, result="被申请人同意支付拖欠工资", items=_items(case))
    agreement = case.agreement
    draft = selectors.agreement_draft(agreement)
    assert draft is not None and draft.status == GeneratedDocument.Status.READY
    assert draft.kind == "mediation_agreement_draft" and agreement.document is None
    # The stored context never holds an ID number in clear.
    for number in (valid_id_number(11), valid_id_number(12)):
        assert number not in str(draft.context)

    html = en.get(url("detail", case)).content.decode()
    assert 'data-testid="agreement-draft-pdf"' in html
    text = text_of(en.get(url("agreement_draft_pdf", case)))
    assert "待签署" in text and case.serial in text
    assert valid_id_number(11) in text and valid_id_number(12) in text  # each applicant, in full
    assert "王小明" in text and "李小红" in text
    assert ent_a.uscc in text and "法定代表人" in text and ent_a.legal_representative in text
    assert "被申请人同意支付拖欠工资" in text and "12,000.00" in text
    # No signature, seal or effective date: blank lines to fill by hand.
    assert case.received_on.isoformat() not in text.split("四、效力与后续")[1]
    assert "本协议自" not in text

    # Signed and sealed; closing with the agreement generates the final PDF with the dates.
    day = case.received_on
    services.record_signatures(
        me, case, applicant_signed_on=day, respondent_signed_on=day, mediator_signed_on=day, sealed_on=day
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.close(me, case, "close_agreement")
    case = Case.objects.get(pk=case.pk)
    assert case.agreement.document.status == GeneratedDocument.Status.READY
    final = text_of(en.get(url("agreement_pdf", case)))
    assert "待签署" not in final
    assert f"签署日期：{day.isoformat()}" in final and f"盖章日期：{day.isoformat()}" in final
    assert f"本协议自{day.isoformat()}起生效" in final
    assert valid_id_number(11) in final and ent_a.uscc in final and ent_a.legal_representative in final
    # The version for signing is still there, unchanged: no dates.
    assert "本协议自" not in text_of(en.get(url("agreement_draft_pdf", case)))


def test_an_employer_outside_the_registry_leaves_blank_lines(
    make_case, ent_a, mediator_user, django_capture_on_commit_callbacks
):
    case, _code = make_case(
        respondent_enterprise=None,
        respondent_name="柳州园外劳务有限公司",
        town=ent_a.town,
        applicants=[applicant(5)],
    )
    case = accepted(case, mediator_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_agreement(p(mediator_user), case, result="支付工资", items=_items(case))
    context = selectors.agreement_draft(case.agreement).context
    assert context["respondent_legal_representative"] == "" and context["draft"] is True
    assert context["applicant_signed_on"] == "" and context["effective_on"] == ""


def test_only_identity_readers_download_the_agreement(
    en,
    two_workers,
    mediator_user,
    mediator_b_user,
    park_admin,
    ent_hr_a,
    django_capture_on_commit_callbacks,
):
    case = two_workers
    me = p(mediator_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_agreement(me, case, result="支付工资", items=_items(case))
    day = case.received_on
    services.record_signatures(
        me, case, applicant_signed_on=day, respondent_signed_on=day, mediator_signed_on=day, sealed_on=day
    )
    en.force_login(park_admin)
    assert en.get(url("agreement_draft_pdf", case)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.close(me, case, "close_agreement")
    for user in (mediator_user, park_admin):
        en.force_login(user)
        assert en.get(url("agreement_pdf", case)).status_code == 200
        assert en.get(url("agreement_draft_pdf", case)).status_code == 200
    # The respondent's HR: the agreement on the case page, not the PDF with the ID numbers.
    en.force_login(ent_hr_a)
    for name in ("agreement_pdf", "agreement_draft_pdf"):
        assert en.get(url(name, case)).status_code == 403
    html = en.get(url("detail", case)).content.decode()
    assert 'data-testid="agreement-items"' in html and 'data-testid="agreement-pdf-withheld"' in html
    assert 'data-testid="agreement-pdf"' not in html and url("agreement_pdf", case) not in html
    # Another organisation's mediator does not see the case at all.
    en.force_login(mediator_b_user)
    assert en.get(url("agreement_pdf", case)).status_code == 404


def test_generating_the_version_for_signing(
    en, two_workers, mediator_user, ent_hr_a, django_capture_on_commit_callbacks
):
    case = two_workers
    me = p(mediator_user)
    # Before the agreement is drafted: refused.
    with pytest.raises(DomainError):
        services.generate_agreement_draft(me, case)
    with pytest.raises(NotAllowed):
        services.generate_agreement_draft(p(ent_hr_a), case)
    services.save_agreement(me, case, result="支付工资", items=_items(case))  # queued, not run
    en.force_login(mediator_user)
    html = en.get(url("detail", case)).content.decode()
    assert 'data-testid="agreement-draft-pending"' in html
    GeneratedDocument.objects.filter(kind="mediation_agreement_draft").update(
        status=GeneratedDocument.Status.FAILED
    )
    html = en.get(url("detail", case)).content.decode()
    assert 'data-testid="agreement-draft-generate"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = en.post(url("agreement_draft_generate", case))
    assert response.status_code == 302
    assert selectors.agreement_draft(case.agreement).status == GeneratedDocument.Status.READY
    en.force_login(ent_hr_a)
    assert en.post(url("agreement_draft_generate", case)).status_code == 403
