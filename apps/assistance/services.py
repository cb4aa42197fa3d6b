"""Every write of worker assistance: one function per named action, in a transaction, with history
(`apps.audit.history.transition`) and audit (`apps.audit.services.record` / `record_many`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit import services as audit
from apps.audit.history import transition
from apps.contracts.models import Worker
from apps.core.cache import figures_changed
from apps.core.errors import DomainError, NotAllowed, raise_fields
from apps.core.money import format_yuan
from apps.core.personal_data import lookup_hash, validate_id_number
from apps.notifications.services import notify
from apps.unions import selectors as union_selectors
from apps.unions.models import UnionCoverage

from . import rules, selectors, workflow
from .models import Aid, AidKind, Difficulty, HardshipFile, visible_enterprises
from .workflow import WORKFLOW

S = HardshipFile.Status
HOUSEHOLD_FIELDS = ("household_size", "household_monthly_income")
EDITABLE = ("name", "phone", "difficulties", "situation", *HOUSEHOLD_FIELDS)


def _user(principal):
    user = principal.user
    return user if user is not None and user.is_authenticated else None


def _check_enterprise(principal, enterprise) -> None:
    enterprises = visible_enterprises(principal)
    if enterprises is not None and not enterprises.filter(pk=enterprise.pk).exists():
        raise DomainError(_("You may not open a file for this enterprise."), field="enterprise")


def _clean_household(errors: dict, size, income) -> tuple[int | None, Decimal | None]:
    try:
        size = int(size)
    except (TypeError, ValueError):
        size = None
    if size is None or size < 1 or size > 30:
        errors.setdefault("household_size", []).append(_("A household has between 1 and 30 members."))
        size = None
    try:
        income = Decimal(str(income))
    except (InvalidOperation, TypeError, ValueError):
        income = None
    if income is None or not income.is_finite() or income < 0 or income >= Decimal("100000000"):
        errors.setdefault("household_monthly_income", []).append(
            _("Enter the household's monthly income in yuan.")
        )
        income = None
    return size, income


def _clean_difficulties(errors: dict, codes) -> list[str]:
    codes = list(dict.fromkeys(codes or []))
    if not codes:
        errors.setdefault("difficulties", []).append(_("Choose at least one kind of difficulty."))
    elif any(code not in Difficulty.values for code in codes):
        errors.setdefault("difficulties", []).append(_("Unknown kind of difficulty."))
    return [c for c in codes if c in Difficulty.values]


@transaction.atomic
def create_file(
    principal,
    *,
    enterprise,
    name: str,
    id_number: str = "",
    difficulties,
    household_size,
    household_monthly_income,
    phone: str = "",
    situation: str = "",
    applicant=None,
    today: dt.date | None = None,
) -> HardshipFile:
    """Open a draft file for a worker of `enterprise`. With `applicant` (a "no omission" candidate,
    `selectors.candidate_applicant`), the number is taken from the mediation record."""
    if not workflow.can_create(principal):
        raise NotAllowed(_("Your role may not open hardship files."))
    _check_enterprise(principal, enterprise)
    errors: dict = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter the worker's name.")]
    if not id_number and applicant is not None:
        id_number = applicant.id_number
    try:
        number = validate_id_number(id_number or "", today)
    except ValidationError as exc:
        errors["id_number"] = list(exc.messages)
        number = ""
    codes = _clean_difficulties(errors, difficulties)
    size, income = _clean_household(errors, household_size, household_monthly_income)
    raise_fields(errors)
    number_hash = lookup_hash(number)
    if selectors.open_file_exists(number_hash):
        raise DomainError(_("This worker already has an open hardship file."), field="id_number")
    coverage = UnionCoverage.objects.filter(enterprise=enterprise).select_related("union").first()
    file = HardshipFile.objects.create(
        name=name,
        id_number=number,
        id_number_hash=number_hash,
        phone=(phone or "").strip(),
        worker=Worker.objects.filter(id_number_hash=number_hash).first(),
        enterprise=enterprise,
        union=coverage.union if coverage else None,
        difficulties=codes,
        situation=situation or "",
        household_size=size,
        household_monthly_income=income,
        income_per_head=rules.income_per_head(income, size),
        origin=(_("Mediation case %(serial)s") % {"serial": applicant.case.serial})
        if applicant is not None
        else "",
    )
    file.history.create(
        action="create",
        from_status="",
        to_status=S.DRAFT,
        actor=_user(principal),
        actor_label=principal.label,
    )
    audit.record("assistance.create_hardshipfile", file, after=audit.snapshot(file, exclude=("id_number",)))
    return file


@transaction.atomic
def update_file(principal, file: HardshipFile, **fields) -> HardshipFile:
    """Correct the worker's situation and household until the file is approved."""
    locked = HardshipFile.objects.select_for_update().get(pk=file.pk)
    if not workflow.can_edit(principal, locked):
        raise NotAllowed(_("This file may no longer be changed: it is approved or closed."))
    errors: dict = {}
    if "name" in fields and not (fields["name"] or "").strip():
        errors["name"] = [_("Enter the worker's name.")]
    if "difficulties" in fields:
        fields["difficulties"] = _clean_difficulties(errors, fields["difficulties"])
    size, income = _clean_household(
        errors,
        fields.get("household_size", locked.household_size),
        fields.get("household_monthly_income", locked.household_monthly_income),
    )
    raise_fields(errors)
    before = audit.snapshot(locked, exclude=("id_number",))
    for key in EDITABLE:
        if key in fields:
            setattr(locked, key, fields[key].strip() if isinstance(fields[key], str) else fields[key])
    locked.household_size, locked.household_monthly_income = size, income
    locked.income_per_head = rules.income_per_head(income, size)
    if locked.status == S.ASSESSED:
        locked.qualifies = rules.qualifies(locked.income_per_head, locked.threshold)
    locked.save()
    audit.record(
        "assistance.update_hardshipfile",
        locked,
        before=before,
        after=audit.snapshot(locked, exclude=("id_number",)),
    )
    return locked


def _day(value, field: str, today: dt.date, *, not_before: dt.date | None = None) -> dt.date:
    if not isinstance(value, dt.date):
        raise DomainError(_("Enter a date."), field=field)
    if value > today:
        raise DomainError(_("The date cannot be in the future."), field=field)
    if not_before is not None and value < not_before:
        raise DomainError(
            _("The date cannot be before %(day)s.") % {"day": not_before.isoformat()}, field=field
        )
    return value


def _threshold(file: HardshipFile, day: dt.date):
    found = selectors.threshold_on(day, file.enterprise.town_id)
    if found is None:
        raise DomainError(
            _("No hardship threshold is in effect on this date: the park sets it in the admin."),
            field="assessed_on",
            source=rules.THRESHOLD_SOURCE,
        )
    return found


def assess(
    principal, file: HardshipFile, *, assessed_on: dt.date, assessor: str, note: str = "", today=None
) -> HardshipFile:
    """Record the assessment and compare the income per head with the threshold in effect."""
    today = today or timezone.localdate()
    _day(assessed_on, "assessed_on", today, not_before=file.created_at.date() if file.created_at else None)
    assessor = (assessor or "").strip()
    if not assessor:
        raise DomainError(_("Name who assessed the household."), field="assessor")
    threshold = _threshold(file, assessed_on)
    return transition(
        file,
        WORKFLOW,
        "assess",
        principal,
        reason=note,
        changes={
            "assessed_on": assessed_on,
            "assessor": assessor[:100],
            "assessment_note": note or "",
            "threshold": threshold.monthly_income_per_head,
            "threshold_source": threshold.source[:300],
            "qualifies": rules.qualifies(file.income_per_head, threshold.monthly_income_per_head),
        },
    )


def approve(principal, file: HardshipFile, *, approved_on: dt.date | None = None, today=None) -> HardshipFile:
    """The union approves: the worker is on file until the review a year later."""
    today = today or timezone.localdate()
    approved_on = _day(approved_on or today, "approved_on", today, not_before=file.assessed_on)
    WORKFLOW.check(file, "approve", principal)
    if not rules.qualifies(file.income_per_head, file.threshold):
        raise DomainError(
            _(
                "The income per head (%(income)s yuan a month) is above the threshold (%(threshold)s "
                "yuan): the worker does not qualify."
            )
            % {"income": format_yuan(file.income_per_head), "threshold": format_yuan(file.threshold)},
            field="household_monthly_income",
            source=file.threshold_source or rules.THRESHOLD_SOURCE,
        )
    return transition(
        file,
        WORKFLOW,
        "approve",
        principal,
        changes={
            "approved_on": approved_on,
            "approved_by": principal.label[:150],
            "review_due": rules.review_due(approved_on),
        },
    )


def reject(principal, file: HardshipFile, *, reason: str) -> HardshipFile:
    return transition(file, WORKFLOW, "reject", principal, reason=reason)


def review(
    principal,
    file: HardshipFile,
    *,
    reviewed_on: dt.date | None = None,
    household_size=None,
    household_monthly_income=None,
    note: str = "",
    today=None,
) -> HardshipFile:
    """The yearly review: the household again against the threshold in effect; a file still under
    it stays on file until the next review a year later, one above it must be closed (exit)."""
    today = today or timezone.localdate()
    reviewed_on = _day(reviewed_on or today, "reviewed_on", today, not_before=file.approved_on)
    WORKFLOW.check(file, "review", principal)
    errors: dict = {}
    size, income = _clean_household(
        errors,
        file.household_size if household_size is None else household_size,
        file.household_monthly_income if household_monthly_income is None else household_monthly_income,
    )
    raise_fields(errors)
    per_head = rules.income_per_head(income, size)
    threshold = _threshold(file, reviewed_on)
    if not rules.qualifies(per_head, threshold.monthly_income_per_head):
        raise DomainError(
            _(
                "The income per head (%(income)s yuan a month) is now above the threshold (%(threshold)s "
                "yuan): close the file (out of difficulty) instead."
            )
            % {"income": format_yuan(per_head), "threshold": format_yuan(threshold.monthly_income_per_head)},
            field="household_monthly_income",
            source=threshold.source,
        )
    return transition(
        file,
        WORKFLOW,
        "review",
        principal,
        reason=note,
        changes={
            "household_size": size,
            "household_monthly_income": income,
            "income_per_head": per_head,
            "threshold": threshold.monthly_income_per_head,
            "threshold_source": threshold.source[:300],
            "qualifies": True,
            "last_reviewed_on": reviewed_on,
            "review_due": rules.review_due(reviewed_on),
        },
    )


def exit_file(principal, file: HardshipFile, *, reason: str, exited_on: dt.date | None = None, today=None):
    """The worker is out of difficulty (脱困): the file closes with its reason and date."""
    today = today or timezone.localdate()
    exited_on = _day(exited_on or today, "exited_on", today, not_before=file.approved_on)
    return transition(
        file,
        WORKFLOW,
        "exit",
        principal,
        reason=reason,
        changes={"exited_on": exited_on, "exit_reason": (reason or "").strip()[:300], "review_due": None},
    )


# Aid ---------------------------------------------------------------------------------------------


def _clean_aid(errors: dict, *, kind, amount, paid_on, funding_source, approved_by, today):
    if kind not in AidKind.values:
        errors["kind"] = [_("Choose a kind of aid.")]
    try:
        amount = Decimal(str(amount))
    except (InvalidOperation, TypeError, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount >= Decimal("10000000"):
        errors["amount"] = [_("Enter an amount in yuan greater than zero.")]
        amount = None
    if not isinstance(paid_on, dt.date):
        errors["paid_on"] = [_("Enter a date.")]
    elif paid_on > today:
        errors["paid_on"] = [_("The date cannot be in the future.")]
    if not (funding_source or "").strip():
        errors["funding_source"] = [_("Name the funding source.")]
    if not (approved_by or "").strip():
        errors["approved_by"] = [_("Name who approved the payment.")]
    return amount


def _refuse_aid(file: HardshipFile, paid_on=None) -> None:
    reason = rules.aid_refusal(file.status)
    if reason:
        raise DomainError(reason, field="file", code="not_on_file", source=rules.AID_SOURCE)
    if paid_on is not None and file.approved_on and paid_on < file.approved_on:
        raise DomainError(
            _("Aid cannot be paid before the file was approved (%(day)s).")
            % {"day": file.approved_on.isoformat()},
            field="paid_on",
            source=rules.AID_SOURCE,
        )


def _aid_summary(aid: Aid) -> dict:
    return {
        "file": str(aid.file_id),
        "kind": aid.kind,
        "amount": str(aid.amount),
        "paid_on": aid.paid_on.isoformat(),
        "funding_source": aid.funding_source,
        "approved_by": aid.approved_by,
        "campaign": aid.campaign,
    }


@transaction.atomic
def pay_aid(
    principal,
    file: HardshipFile,
    *,
    kind: str,
    amount,
    paid_on: dt.date,
    funding_source: str,
    approved_by: str,
    note: str = "",
    today=None,
) -> Aid:
    """Record aid paid to a worker on file (approved, not exited)."""
    if not workflow.can_pay(principal):
        raise NotAllowed(_("Your role may not record aid."))
    today = today or timezone.localdate()
    locked = HardshipFile.objects.select_for_update().get(pk=file.pk)
    _refuse_aid(locked)
    errors: dict = {}
    amount = _clean_aid(
        errors,
        kind=kind,
        amount=amount,
        paid_on=paid_on,
        funding_source=funding_source,
        approved_by=approved_by,
        today=today,
    )
    raise_fields(errors)
    _refuse_aid(locked, paid_on)
    aid = Aid.objects.create(
        file=locked,
        kind=kind,
        amount=amount,
        paid_on=paid_on,
        funding_source=funding_source.strip()[:200],
        approved_by=approved_by.strip()[:150],
        note=(note or "").strip()[:300],
        recorded_by=_user(principal),
    )
    audit.record("assistance.pay_aid", aid, after=_aid_summary(aid))
    return aid


@transaction.atomic
def spring_festival_campaign(
    principal,
    files,
    *,
    amount,
    paid_on: dt.date,
    funding_source: str,
    approved_by: str,
    campaign: str = "",
    kind: str = AidKind.SPRING_FESTIVAL,
    today=None,
) -> list[Aid]:
    """Pay one kind of aid (the Spring Festival visit, 春节送温暖) to many approved files at once:
    one transaction, one audit event per payment (`record_many`). Refused as a whole when a chosen
    file is not on file or was already paid in this campaign."""
    if not workflow.can_pay(principal):
        raise NotAllowed(_("Your role may not record aid."))
    today = today or timezone.localdate()
    errors: dict = {}
    amount = _clean_aid(
        errors,
        kind=kind,
        amount=amount,
        paid_on=paid_on,
        funding_source=funding_source,
        approved_by=approved_by,
        today=today,
    )
    ids = list(dict.fromkeys(getattr(f, "pk", f) for f in files))
    if not ids:
        errors["files"] = [_("Choose the workers on file to visit.")]
    raise_fields(errors)
    campaign = (campaign or "").strip()[:100] or _("%(year)s Spring Festival visits") % {"year": paid_on.year}
    locked = list(
        selectors.files_visible_to(principal)
        .filter(pk__in=ids)
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise DomainError(_("Some of the chosen files do not exist or are not yours."), field="files")
    refused = [f.name for f in locked if rules.aid_refusal(f.status)]
    if refused:
        raise DomainError(
            _("Aid is paid only to workers on file; not on file: %(names)s.")
            % {"names": "、".join(refused[:20])},
            field="files",
            code="not_on_file",
            source=rules.AID_SOURCE,
        )
    early = [f.name for f in locked if f.approved_on and paid_on < f.approved_on]
    if early:
        raise DomainError(
            _("Aid cannot be paid before a file was approved: %(names)s.") % {"names": "、".join(early[:20])},
            field="paid_on",
            source=rules.AID_SOURCE,
        )
    paid = set(
        Aid.objects.filter(file__in=locked, kind=kind, campaign=campaign).values_list("file__name", flat=True)
    )
    if paid:
        raise DomainError(
            _("Already paid in this campaign: %(names)s.") % {"names": "、".join(sorted(paid)[:20])},
            field="files",
        )
    user = _user(principal)
    aid = [
        Aid(
            file=f,
            kind=kind,
            amount=amount,
            paid_on=paid_on,
            funding_source=funding_source.strip()[:200],
            approved_by=approved_by.strip()[:150],
            campaign=campaign,
            recorded_by=user,
        )
        for f in locked
    ]
    Aid.objects.bulk_create(aid)
    figures_changed(selectors.FIGURES_TOPIC)  # a bulk write sends no signal (apps.core.cache)
    audit.record_many("assistance.pay_aid", aid, after=_aid_summary, note=campaign)
    return aid


@transaction.atomic
def notify_reviews_due(today: dt.date | None = None) -> int:
    """The daily job: tell the officials of each file's union that its yearly review falls due
    within `rules.REVIEW_NOTICE_DAYS` or is overdue, once per file and review cycle (the file
    remembers the due date it was told of). Returns how many files were notified."""
    today = today or timezone.localdate()
    files = list(selectors.reviews_to_notify(today).select_for_update(of=("self",)))
    if not files:
        return 0
    officials = union_selectors.officials_of({f.union_id for f in files})
    for f in files:
        notify(
            officials.get(f.union_id, []),
            title=gettext_lazy("Hardship file review due"),
            body=lambda f=f: (
                _("%(name)s (%(enterprise)s): the yearly review is due on %(date)s.")
                % {"name": f.name, "enterprise": f.enterprise.name, "date": f.review_due}
            ),
            link=reverse("assistance:detail", args=[f.pk]),
        )
    HardshipFile.objects.filter(pk__in=[f.pk for f in files]).update(review_notified_for=F("review_due"))
    return len(files)
