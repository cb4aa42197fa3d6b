"""The mediation agreement: its text and items, the signatures and seal that put it in force
(LDMAL art. 14), the follow-ups it opens (confirmation, payment order, LDMAL art. 16), payments
and performance, and its PDF.

Which status allows which work is the table in workflow.py (`check_work`); the page's buttons
read the same answers.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.core.errors import DomainError, raise_fields
from apps.documents.services import request_document

from .. import rules, selectors
from ..models import Agreement, AgreementItem, Case, FollowUp, Payment
from ..workflow import agreement_draft_refusal, agreement_pdf_refusal, check_work
from ._common import _amount, _date, _lock, _require, _text, _today, _user


@transaction.atomic
def save_agreement(principal, case: Case, *, result: str, items: list[dict]) -> Agreement:
    """Draft or redraft the agreement: the result and its items (what, amount, by when, how).
    Once anyone has signed, the text is fixed."""
    _require(principal, "mediation.mediate_case", case)
    case = _lock(case)
    check_work(case, "agreement")
    agreement = Agreement.objects.filter(case=case).first()
    errors: dict = {}
    result = _text(result, 8000)
    if not result:
        errors["result"] = [_("Write the result the parties agreed on.")]
    cleaned = []
    if not items:
        errors["items"] = [_("Enter at least one item: what is to be done, by when and how.")]
    for i, row in enumerate(items or []):
        prefix = f"items.{i}."
        kind = row.get("kind")
        if kind not in AgreementItem.Kind.values:
            errors.setdefault(prefix + "kind", []).append(_("Choose the kind of item."))
        description = _text(row.get("description"), 300)
        if not description:
            errors.setdefault(prefix + "description", []).append(_("Describe the obligation."))
        amount = _amount(row.get("amount"), prefix + "amount", errors)
        due_on = _date(row.get("due_on"), prefix + "due_on", errors, required=True)
        if due_on and due_on < case.received_on:
            errors.setdefault(prefix + "due_on", []).append(
                _("The performance date cannot predate the application.")
            )
        method = row.get("method") or AgreementItem.Method.TRANSFER
        if method not in AgreementItem.Method.values:
            errors.setdefault(prefix + "method", []).append(_("Choose how it is performed."))
        cleaned.append(
            {
                "kind": kind,
                "description": description,
                "amount": amount,
                "due_on": due_on,
                "method": method,
                "position": i,
            }
        )
    raise_fields(errors, source=rules.AGREEMENT_SOURCE)
    before = audit.snapshot(agreement) if agreement else None
    if agreement is None:
        agreement = Agreement.objects.create(case=case, result=result)
    else:
        agreement.result = result
        agreement.save()
        agreement.items.all().delete()
    AgreementItem.objects.bulk_create([AgreementItem(agreement=agreement, **row) for row in cleaned])
    audit.record(
        "mediation.save_agreement",
        agreement,
        before=before,
        after={**audit.snapshot(agreement), "items": audit._json_safe(cleaned)},
    )
    # The text to sign follows every change of it: the version printed for signing is queued now.
    _queue_agreement_pdf(case, principal, draft=True)
    return agreement


@transaction.atomic
def record_signatures(
    principal,
    case: Case,
    *,
    applicant_signed_on=None,
    respondent_signed_on=None,
    mediator_signed_on=None,
    sealed_on=None,
) -> Agreement:
    """Record who signed or sealed the agreement and when; in force when all four are there (LDMAL art. 14)."""
    _require(principal, "mediation.mediate_case", case)
    case = _lock(case)
    check_work(case, "signatures")
    agreement = Agreement.objects.get(case=case)
    today = _today()
    errors: dict = {}
    values = {}
    for field, value in (
        ("applicant_signed_on", applicant_signed_on),
        ("respondent_signed_on", respondent_signed_on),
        ("mediator_signed_on", mediator_signed_on),
        ("sealed_on", sealed_on),
    ):
        day = _date(value, field, errors, not_after=today)
        if day and day < case.received_on:
            errors.setdefault(field, []).append(_("A signature cannot predate the application."))
        values[field] = day
    raise_fields(errors, source=rules.AGREEMENT_SOURCE)
    before = audit.snapshot(agreement)
    for field, value in values.items():
        setattr(agreement, field, value)
    agreement.effective_on = max(values.values()) if agreement.is_signed else None
    agreement.save()
    audit.record("mediation.record_signatures", agreement, before=before, after=audit.snapshot(agreement))
    return agreement


def open_follow_ups(agreement: Agreement) -> None:
    """Deadlines that start when the agreement takes effect: joint request for arbitration
    confirmation (15 days), judicial confirmation (30 days); a payment order is possible for
    wages, work-injury medical costs, economic compensation or damages (LDMAL art. 16)."""
    start = agreement.effective_on
    FollowUp.objects.get_or_create(
        agreement=agreement,
        kind=FollowUp.Kind.ARBITRATION_CONFIRMATION,
        defaults={"due_on": rules.ARBITRATION_CONFIRMATION_PERIOD.due(start).date},
    )
    FollowUp.objects.get_or_create(
        agreement=agreement,
        kind=FollowUp.Kind.JUDICIAL_CONFIRMATION,
        defaults={"due_on": rules.JUDICIAL_CONFIRMATION_PERIOD.due(start).date},
    )
    if rules.payment_order_eligible(agreement):
        FollowUp.objects.get_or_create(
            agreement=agreement, kind=FollowUp.Kind.PAYMENT_ORDER, defaults={"due_on": None}
        )


def _agreement_after_close(principal, case: Case, work: str) -> Agreement:
    _require(principal, "mediation.mediate_case", case)
    case = _lock(case)
    check_work(case, work)
    return Agreement.objects.select_for_update().get(case=case)


@transaction.atomic
def record_payment(principal, case: Case, *, amount, paid_on, note: str = "") -> Payment:
    """Record performance: an amount paid under the agreement. The agreement counts as performed
    once the payments reach the agreed amount."""
    agreement = _agreement_after_close(principal, case, "payment")
    errors: dict = {}
    amount = _amount(amount, "amount", errors, allow_zero=False)
    paid = _date(paid_on, "paid_on", errors, required=True, not_after=_today())
    if paid and agreement.effective_on and paid < agreement.case.received_on:
        errors.setdefault("paid_on", []).append(_("The payment cannot predate the application."))
    raise_fields(errors)
    payment = Payment.objects.create(
        agreement=agreement, amount=amount, paid_on=paid, note=_text(note, 300), recorded_by=_user(principal)
    )
    total_paid = agreement.payments.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    agreed = agreement.case.agreed_amount
    before = agreement.performance
    agreement.performance = (
        Agreement.Performance.PERFORMED if total_paid >= agreed else Agreement.Performance.PARTLY
    )
    agreement.save(update_fields=["performance", "updated_at"])
    audit.record(
        "mediation.record_payment",
        payment,
        after={**audit.snapshot(payment), "performance": agreement.performance, "performance_before": before},
    )
    return payment


@transaction.atomic
def set_performance(principal, case: Case, performance: str, note: str = "") -> Agreement:
    """Mark the agreement as performed (e.g. a non-monetary item done) or not performed (the
    worker may apply for arbitration, or for a payment order where LDMAL art. 16 allows)."""
    agreement = _agreement_after_close(principal, case, "performance")
    if performance not in (Agreement.Performance.PERFORMED, Agreement.Performance.NOT_PERFORMED):
        raise DomainError(_("Choose performed or not performed."), field="performance")
    before = audit.snapshot(agreement)
    agreement.performance = performance
    agreement.save(update_fields=["performance", "updated_at"])
    audit.record(
        "mediation.set_performance",
        agreement,
        before=before,
        after=audit.snapshot(agreement),
        note=_text(note, 500),
    )
    return agreement


@transaction.atomic
def update_follow_up(
    principal, follow_up: FollowUp, *, status: str, done_on=None, note: str = ""
) -> FollowUp:
    case = follow_up.agreement.case
    _require(principal, "mediation.mediate_case", case)
    check_work(_lock(case), "follow_up")
    errors: dict = {}
    if status not in FollowUp.Status.values:
        errors["status"] = [_("Choose a status.")]
    done = _date(done_on, "done_on", errors, required=status == FollowUp.Status.DONE, not_after=_today())
    raise_fields(errors)
    before = audit.snapshot(follow_up)
    follow_up.status, follow_up.done_on, follow_up.note = status, done, _text(note, 2000)
    follow_up.save()
    audit.record("mediation.update_follow_up", follow_up, before=before, after=audit.snapshot(follow_up))
    return follow_up


@transaction.atomic
def regenerate_agreement_pdf(principal, case: Case):
    """Generate the agreement PDF again when there is none or its rendering failed (the case
    cannot be archived without it)."""
    _require(principal, "mediation.mediate_case", case)
    case = _lock(case)
    refusal = agreement_pdf_refusal(case)
    if refusal is not None:
        raise refusal
    return request_agreement_pdf(case, principal)


@transaction.atomic
def generate_agreement_draft(principal, case: Case):
    """Generate the agreement for signing again (待签署: the text, the parties with ID numbers,
    credit code and legal representative, blank signature and seal dates) while the case is in
    mediation. Saving the agreement queues it already; this is for a failed rendering or an
    agreement saved before the version for signing existed."""
    _require(principal, "mediation.mediate_case", case)
    case = _lock(case)
    refusal = agreement_draft_refusal(case)
    if refusal is not None:
        raise refusal
    return _queue_agreement_pdf(case, principal, draft=True)


def request_agreement_pdf(case: Case, principal):
    """Queue the final agreement PDF, with the dates of the signatures and the seal (Chinese,
    rendered by Celery, stored with its SHA-256)."""
    return _queue_agreement_pdf(case, principal, draft=False)


def _queue_agreement_pdf(case: Case, principal, *, draft: bool):
    """One rendering of the agreement (`selectors.agreement_pdf_context`): the version for signing
    is found by its kind (`selectors.agreement_draft`), the final one is the agreement's
    `document` (the archive waits for it). Requesting it is audited (documents.request)."""
    agreement = Agreement.objects.get(case=case)
    title = (
        _("Mediation agreement for signing %(serial)s") if draft else _("Mediation agreement %(serial)s")
    ) % {"serial": case.serial}
    doc = request_document(
        kind=selectors.AGREEMENT_DRAFT_KIND if draft else selectors.AGREEMENT_PDF_KIND,
        title=title,
        template_name="mediation/pdf/agreement.html",
        context=selectors.agreement_pdf_context(case, draft=draft),
        owner=agreement,
        created_by=_user(principal),
        language="zh-hans",
    )
    if not draft:
        agreement.document = doc
        agreement.save(update_fields=["document", "updated_at"])
    return doc
