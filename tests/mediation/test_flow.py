"""The whole road of a case through the services: public application, acceptance, a session, the
agreement and its PDF, performance, archive."""

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from apps.core.errors import InvalidTransition
from apps.mediation import rules, services
from apps.mediation.models import Agreement, Case, FollowUp

from .conftest import accepted, applicant, p, signed_agreement

pytestmark = pytest.mark.django_db


def test_from_public_application_to_archive(
    make_case, mediator_user, ent_hr_a, django_capture_on_commit_callbacks
):
    case, code = make_case(applicants=[applicant(1, name="张三")])
    assert case.status == Case.Status.RECEIVED
    assert case.serial.startswith(f"TJ{case.received_on.year}-")
    assert len(code) == 8 and rules.check_access_code(case, code)
    assert case.organisation is not None  # routed to the township organisation of ent_a's town

    case = accepted(case, mediator_user)
    assert case.status == Case.Status.IN_MEDIATION
    services.record_session(
        p(mediator_user),
        case,
        held_at=dt.datetime.now(),
        mode="in_person",
        attendees="张三、企业人事",
        notes="双方陈述",
    )
    signed_agreement(case, mediator_user)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.close(p(mediator_user), case, "close_agreement")
    case.refresh_from_db()
    assert case.outcome == Case.Outcome.AGREEMENT
    assert case.agreed_amount == 12000
    agreement = case.agreement
    kinds = set(agreement.follow_ups.values_list("kind", flat=True))
    assert kinds == {
        FollowUp.Kind.ARBITRATION_CONFIRMATION,
        FollowUp.Kind.JUDICIAL_CONFIRMATION,
        FollowUp.Kind.PAYMENT_ORDER,
    }
    doc = agreement.document
    doc.refresh_from_db()
    assert doc.status == "ready"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(doc.file.read())).pages)
    assert "张三" in text and "柳州甲汽车零部件有限公司" in text
    # Judicial confirmation needs the parties identified: the applicant's full ID number, the
    # respondent's credit code (issue 18; only identity readers download it).
    assert case.applicants.get().id_number in text and case.respondent_enterprise.uscc in text

    services.record_payment(p(mediator_user), case, amount="12000", paid_on=dt.date.today())
    case = services.archive(p(mediator_user), case)
    assert case.status == Case.Status.ARCHIVED
    assert [h.action for h in case.history.order_by("at")] == [
        "receive",
        "accept",
        "close_agreement",
        "archive",
    ]


def test_a_new_access_code_replaces_the_old_one(client, make_case, mediator_user, ent_hr_a):
    case, old_code = make_case()
    client.force_login(ent_hr_a)
    assert client.post(f"/mediation/{case.pk}/access-code/").status_code == 403
    client.force_login(mediator_user)
    response = client.post(f"/mediation/{case.pk}/access-code/", follow=True)
    assert response.status_code == 200
    case.refresh_from_db()
    assert not rules.check_access_code(case, old_code)
    message = next(m.message for m in response.context["messages"])
    new_code = re.search(r"(?<![A-Z0-9-])[A-HJ-NP-Z2-9]{8}(?![A-Z0-9-])", message).group(0)
    assert rules.check_access_code(case, new_code)


def test_a_missing_agreement_pdf_can_be_generated_again(
    client, make_case, mediator_user, ent_hr_a, django_capture_on_commit_callbacks
):
    """An agreement whose PDF failed (or was never made) can be rendered again; the case can then
    be archived once performed."""
    from apps.documents.models import GeneratedDocument

    case, _code = make_case()
    case = accepted(case, mediator_user)
    signed_agreement(case, mediator_user)
    case = services.close(p(mediator_user), case, "close_agreement")
    pdf = GeneratedDocument.objects.get(pk=Agreement.objects.get(case=case).document_id)
    pdf.status = "failed"
    pdf.save()
    services.record_payment(p(mediator_user), case, amount="12000", paid_on=dt.date.today())
    client.force_login(ent_hr_a)
    assert client.post(f"/mediation/{case.pk}/agreement/pdf/generate/").status_code == 403
    client.force_login(mediator_user)
    page = client.get(f"/mediation/{case.pk}/").content.decode()
    assert 'data-testid="agreement-pdf-generate"' in page
    with pytest.raises(InvalidTransition, match="PDF"):
        services.archive(p(mediator_user), case)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/mediation/{case.pk}/agreement/pdf/generate/")
    assert response.status_code == 302
    assert Agreement.objects.get(case=case).document.status == "ready"
    # A second request while a PDF exists is refused with a message, nothing new is made.
    count = GeneratedDocument.objects.count()
    client.post(f"/mediation/{case.pk}/agreement/pdf/generate/")
    assert GeneratedDocument.objects.count() == count
    assert services.archive(p(mediator_user), case).status == Case.Status.ARCHIVED
