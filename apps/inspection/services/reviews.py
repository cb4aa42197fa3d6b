"""Writes of the written-review room (书面审查, 劳动保障监察条例 art. 14): the enterprise's HR start
the yearly report (prefilled with what the platform knows), correct and save it (every figure
checked, the fields they changed from the proposal recorded) and submit it; an inspector of the
area accepts it or returns it with a reason, or turns its findings into a case; the daily job
reminds the HR of reports due within 30 days or late, at most once a week.

Status changes go through `apps.audit.history.transition` (row lock, the table
`workflow.WRITTEN_REVIEW_WORKFLOW` checked again on the locked row, history, audit). Bad input is
one DomainError naming every field (nothing is written).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.audit.history import transition
from apps.core.errors import InvalidTransition, NotAllowed, raise_fields
from apps.core.principal import SYSTEM
from apps.enterprises.models import Enterprise
from apps.notifications.services import notify

from .. import rules
from ..models import InspectionCase, Source, WrittenReview
from ..selectors import reviews as selectors
from ..workflow import FILE_WRITTEN, WRITTEN_REVIEW_WORKFLOW, written_review_edit_refusal
from ._common import _require, _text, _today, _user
from .intake import register_case

WR = WrittenReview.Status
COUNT_FIELDS = ("headcount", "contracts_signed", "social_insurance_insured")
TRUE_WORDS = {"true", "yes", "1", "on", "是"}
FALSE_WORDS = {"false", "no", "0", "off", "否"}


def _link(review: WrittenReview) -> str:
    return reverse("inspection:review_detail", args=[review.pk])


# Who -----------------------------------------------------------------------------------------------------


def _require_hr(principal, review_or_enterprise, permission: str = FILE_WRITTEN) -> None:
    """The HR of the report's enterprise, holding `permission`."""
    enterprise = getattr(review_or_enterprise, "enterprise", review_or_enterprise)
    if not selectors.is_hr_of(principal, enterprise):
        raise NotAllowed(_("Only the enterprise's HR may fill in and submit its written review report."))
    _require(principal, permission)


def _require_reviewer(principal, review: WrittenReview) -> None:
    """An inspector of the report's area, a park administrator (or an API client with the scope)."""
    if not selectors.may_review(principal):
        raise NotAllowed(_("Your role may not review written review reports."))
    if not WrittenReview.objects.visible_to(principal).filter(pk=review.pk).exists():
        raise NotAllowed(_("This report is not in your area."))


# Start ---------------------------------------------------------------------------------------------------


def _clean_year(value, errors: dict, today: dt.date) -> int | None:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        errors["year"] = [_("Enter the year reported, e.g. %(year)s.") % {"year": today.year - 1}]
        return None
    if year < rules.FIRST_REVIEW_YEAR or year > today.year - 1:
        errors["year"] = [
            _("A report is filed only for a year that has ended: choose a year from %(first)s to %(last)s.")
            % {"first": rules.FIRST_REVIEW_YEAR, "last": today.year - 1}
        ]
        return None
    return year


def _create(principal, enterprise: Enterprise, year: int) -> tuple[WrittenReview, bool]:
    existing = WrittenReview.objects.filter(enterprise=enterprise, year=year).first()
    if existing is not None:
        return existing, False
    prefill = selectors.prefill_for(enterprise, year)
    values = {
        field: selectors.prefill_value(WrittenReview(prefill=prefill), field)
        for field in rules.WRITTEN_REVIEW_FIELDS
    }
    try:
        with transaction.atomic():
            review = WrittenReview.objects.create(
                enterprise=enterprise,
                year=year,
                due_on=selectors.due_on(year).date,
                prefill=prefill,
                changed=[],
                **values,
            )
    except IntegrityError:
        # Started at the same moment by another request: the report is the one it created.
        return WrittenReview.objects.get(enterprise=enterprise, year=year), False
    review.history.create(
        action="start",
        from_status="",
        to_status=WR.DRAFT,
        actor=_user(principal),
        actor_label=principal.label,
    )
    audit.record("inspection.start_written_review", review, after=audit.snapshot(review))
    return review, True


@transaction.atomic
def start_written_review(principal, enterprise: Enterprise, year) -> WrittenReview:
    """Start (or open, when it exists: idempotent) the report of `enterprise` for `year`, a year
    that has ended: a draft due on the policy's day of the next year (moved past a holiday), its
    figures prefilled from the yearly survey and the contract book. By the enterprise's HR, or
    by an inspector of its area (e.g. a report brought on paper)."""
    if selectors.is_hr_of(principal, enterprise):
        _require(principal, "inspection.add_writtenreview")
    elif not (
        selectors.may_review(principal)
        and Enterprise.objects.visible_to(principal).filter(pk=enterprise.pk).exists()
    ):
        raise NotAllowed(_("Only the enterprise's HR or an inspector of its area may start its report."))
    errors: dict[str, list] = {}
    year = _clean_year(year, errors, _today())
    raise_fields(errors)
    review, _created = _create(principal, enterprise, year)
    return review


# Save ----------------------------------------------------------------------------------------------------


def _count(value, field: str, errors: dict):
    if value is None or value == "":
        return None
    if isinstance(value, bool | float):
        errors[field] = [_("Enter a whole number.")]
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors[field] = [_("Enter a whole number.")]
        return None
    if number < 0:
        errors[field] = [_("The number cannot be negative.")]
    elif number > rules.REVIEW_MAX_HEADCOUNT:
        errors[field] = [_("Enter a realistic number (at most %(n)s).") % {"n": rules.REVIEW_MAX_HEADCOUNT}]
    return number


def _decimal(value, field: str, errors: dict, *, places: str, maximum: Decimal, message: str):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors[field] = [message]
        return None
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
        number = number.quantize(Decimal(places), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        errors[field] = [message]
        return None
    if number < 0:
        errors[field] = [_("The value cannot be negative.")]
    elif number > maximum:
        errors[field] = [message]
    return number


def _yes_no(value, field: str, errors: dict):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    errors[field] = [_("Answer yes or no.")]
    return None


def _clean_figures(data: dict, review: WrittenReview, errors: dict) -> dict:
    """The figures present in `data`, typed; every refusal per field."""
    cleaned = {}
    for field in COUNT_FIELDS:
        if field in data:
            cleaned[field] = _count(data[field], field, errors)
    if "wages_paid_on_time" in data:
        cleaned["wages_paid_on_time"] = _yes_no(data["wages_paid_on_time"], "wages_paid_on_time", errors)
    if "lowest_monthly_wage" in data:
        cleaned["lowest_monthly_wage"] = _decimal(
            data["lowest_monthly_wage"],
            "lowest_monthly_wage",
            errors,
            places="0.01",
            maximum=rules.REVIEW_MAX_MONTHLY_WAGE,
            message=_("Enter an amount in yuan, e.g. 2100.00."),
        )
    if "average_weekly_hours" in data:
        cleaned["average_weekly_hours"] = _decimal(
            data["average_weekly_hours"],
            "average_weekly_hours",
            errors,
            places="0.1",
            maximum=rules.REVIEW_MAX_WEEKLY_HOURS,
            message=_("Enter the average hours a week, from 0 to %(max)s.")
            % {"max": rules.REVIEW_MAX_WEEKLY_HOURS},
        )
    if "note" in data:
        cleaned["note"] = _text(data["note"], 4000)
    return cleaned


def _check_consistency(values: dict, errors: dict) -> None:
    """Parts of the workforce cannot exceed it (on the values after the change)."""
    headcount = values.get("headcount")
    if headcount is None:
        return
    if "contracts_signed" not in errors and (values.get("contracts_signed") or 0) > headcount:
        errors["contracts_signed"] = [
            _("The employees with a written contract cannot be more than the %(n)s employees.")
            % {"n": headcount}
        ]
    if "social_insurance_insured" not in errors and (values.get("social_insurance_insured") or 0) > headcount:
        errors["social_insurance_insured"] = [
            _("The employees insured cannot be more than the %(n)s employees.") % {"n": headcount}
        ]


@transaction.atomic
def save_written_review(principal, review: WrittenReview, data: dict) -> WrittenReview:
    """The HR save the figures of a draft or returned report. Only the fields present in `data`
    change; each is checked (whole numbers and amounts not negative, at most 84 hours a week,
    contracts signed and employees insured not more than the employees) and every refusal is
    reported at once, per field, with nothing written. The fields now differing from the
    platform's proposal are recorded in `changed`."""
    _require_hr(principal, review)
    locked = WrittenReview.objects.select_for_update().get(pk=review.pk)
    refusal = written_review_edit_refusal(locked)
    if refusal:
        raise InvalidTransition(refusal)
    if not isinstance(data, dict):
        raise_fields({"headcount": [_("Enter the figures of the report.")]})
    errors: dict[str, list] = {}
    cleaned = _clean_figures(data, locked, errors)
    values = {field: getattr(locked, field) for field in rules.WRITTEN_REVIEW_FIELDS}
    values.update({k: v for k, v in cleaned.items() if k in values})
    _check_consistency(values, errors)
    raise_fields(errors)
    before = audit.snapshot(locked)
    for field, value in cleaned.items():
        setattr(locked, field, value)
    locked.changed = selectors.changed_fields(locked)
    locked.save()
    audit.record("inspection.save_written_review", locked, before=before, after=audit.snapshot(locked))
    return locked


# The table -----------------------------------------------------------------------------------------------


@transaction.atomic
def submit_written_review(principal, review: WrittenReview) -> WrittenReview:
    """The HR submit the report, every figure filled in and consistent; the inspectors of the area
    are told. A report submitted after its due day stays visibly late."""
    _require_hr(principal, review)
    locked = WrittenReview.objects.select_for_update().get(pk=review.pk)
    errors: dict[str, list] = {}
    _check_consistency({f: getattr(locked, f) for f in rules.WRITTEN_REVIEW_FIELDS}, errors)
    raise_fields(errors)
    review = transition(
        locked,
        WRITTEN_REVIEW_WORKFLOW,
        "submit",
        principal,
        changes={"submitted_on": _today(), "submitted_by": _user(principal), "return_reason": ""},
    )
    name, year = review.enterprise.name, review.year
    notify(
        selectors.inspectors_of(review.enterprise),
        title=lambda: (
            _("%(enterprise)s submitted its written review report for %(year)s")
            % {"enterprise": name, "year": year}
        ),
        body=lambda: str(rules.WRITTEN_REVIEW_SOURCE),
        link=_link(review),
    )
    return review


def _tell_hr(review: WrittenReview, title, body="") -> None:
    users = selectors.hr_users_by_organisation([review.enterprise.organisation_id])
    notify(users.get(review.enterprise.organisation_id, []), title=title, body=body, link=_link(review))


@transaction.atomic
def accept_written_review(principal, review: WrittenReview) -> WrittenReview:
    """An inspector of the area accepts the submitted report; the HR are told."""
    _require_reviewer(principal, review)
    review = transition(
        review,
        WRITTEN_REVIEW_WORKFLOW,
        "accept",
        principal,
        changes={"reviewed_on": _today(), "reviewed_by": _user(principal)},
    )
    year = review.year
    _tell_hr(review, lambda: _("Your written review report for %(year)s was accepted") % {"year": year})
    return review


@transaction.atomic
def return_written_review(principal, review: WrittenReview, *, reason: str) -> WrittenReview:
    """An inspector of the area returns the submitted report for correction with a reason
    (required); the HR are told why and may correct and submit it again."""
    _require_reviewer(principal, review)
    reason = _text(reason, 4000)
    review = transition(
        review,
        WRITTEN_REVIEW_WORKFLOW,
        "return",
        principal,
        reason=reason,
        changes={"reviewed_on": _today(), "reviewed_by": _user(principal), "return_reason": reason},
    )
    year = review.year
    _tell_hr(
        review,
        lambda: _("Your written review report for %(year)s was returned for correction") % {"year": year},
        body=reason,
    )
    return review


# Findings → a case ---------------------------------------------------------------------------------------


@transaction.atomic
def review_to_case(principal, review: WrittenReview, *, matters, facts: str = "") -> InspectionCase:
    """Register an inspection case (source: written-review finding) from a submitted or accepted
    report, against its enterprise, with the matters and facts the inspector gives; the workers
    concerned default to the largest gap the report shows (employees without a contract or
    without insurance). One case per report: asked again, the same case is returned."""
    _require_reviewer(principal, review)
    locked = WrittenReview.objects.select_for_update().get(pk=review.pk)
    if locked.status not in (WR.SUBMITTED, WR.ACCEPTED):
        raise InvalidTransition(_("A case is registered from a submitted or accepted report."))
    headcount = locked.headcount or 0
    gaps = [headcount - (locked.contracts_signed or 0), headcount - (locked.social_insurance_insured or 0)]
    case, created = register_case(
        principal,
        source=Source.WRITTEN_REVIEW,
        enterprise=locked.enterprise,
        matters=list(matters or []),
        facts=_text(facts, 8000)
        or _("Written review report for %(year)s of %(enterprise)s.")
        % {"year": locked.year, "enterprise": locked.enterprise.name},
        workers_count=max(1, *gaps),
        source_reference=selectors.review_reference(locked),
    )
    if created:
        audit.record("inspection.review_to_case", locked, after={"case": case.serial}, note=case.serial)
    return case


# The daily reminders -------------------------------------------------------------------------------------


def remind_written_reviews(today: dt.date | None = None) -> int:
    """Remind the HR of every enterprise that has not filed last year's report when it is due
    within 30 days or late, at most once a week (`reminded_on`). An enterprise without a report
    gets a prefilled draft, so the reminder opens it. Returns the enterprises reminded."""
    today = today or _today()
    year = selectors.report_year(today)
    due = selectors.due_on(year).date
    if today < due - dt.timedelta(days=rules.WRITTEN_REVIEW_REMIND_DAYS):
        return 0
    since = today - dt.timedelta(days=rules.WRITTEN_REVIEW_REMIND_EVERY_DAYS)
    candidates = list(selectors.to_remind(year, today))
    recipients = selectors.hr_users_by_organisation({e.organisation_id for e in candidates})
    late = today > due
    reminded = 0
    for enterprise in candidates:
        with transaction.atomic():
            review, _created = _create(SYSTEM, enterprise, year)
            claimed = (
                WrittenReview.objects.filter(pk=review.pk, status__in=(WR.DRAFT, WR.RETURNED))
                .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lte=since))
                .update(reminded_on=today)
            )
            if not claimed:
                continue
            if late:
                title = lambda y=year, d=due: (  # noqa: E731
                    _("Your written review report for %(year)s was due on %(date)s: submit it now")
                    % {"year": y, "date": d}
                )
                body = lambda: str(rules.WRITTEN_REVIEW_REFUSAL_SOURCE)  # noqa: E731
            else:
                title = lambda y=year, d=due: (  # noqa: E731
                    _("Submit your written review report for %(year)s by %(date)s") % {"year": y, "date": d}
                )
                body = lambda: str(rules.WRITTEN_REVIEW_SOURCE)  # noqa: E731
            notify(recipients.get(enterprise.organisation_id, []), title=title, body=body, link=_link(review))
            reminded += 1
    return reminded
