"""Reads of the written-review room (书面审查, 劳动保障监察条例 art. 14): what the platform already
knows of an enterprise's year (the prefill), the scoped report list and page, the reports to
check, the enterprises whose report is missing (one anti-join, paginated by the page), the
findings an inspector reads beside a report, and the look-ups of the daily reminders.

The prefill reads the other apps through their doors (models and selectors): the yearly survey
(`enterprises.EnterpriseSurvey`), the contract book (`contracts.LabourContract`, counted on the
year's last day) and the contracts policy's minimum wage (`contracts.selectors.policy_in_force`).
It is a platform look-up, unscoped by design: it yields counts and one amount, never a worker,
and the report it fills is visible only to the enterprise's HR, the area's inspectors and park
administrators.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Membership
from apps.accounts.roles import Role
from apps.contracts import selectors as contract_selectors
from apps.contracts.models import Kind as ContractKind
from apps.contracts.models import LabourContract
from apps.core.calendar import DeadlineDate
from apps.core.scoping import get_visible_or_404
from apps.enterprises.choices import Status as EnterpriseStatus
from apps.enterprises.models import Enterprise, EnterpriseSurvey

from .. import rules
from .. import selectors as common
from ..models import InspectionCase, Source, WrittenReview, WrittenReviewHistory
from ..workflow import WRITTEN_REVIEW_WORKFLOW, holds

WR = WrittenReview.Status
#: A report counts as filed once submitted (and stays filed when accepted).
FILED = (WR.SUBMITTED, WR.ACCEPTED)
#: The figures of the report, in the form's order (rules.WRITTEN_REVIEW_FIELDS).
FIELDS = rules.WRITTEN_REVIEW_FIELDS
#: The list's order: the newest year, then the enterprise; the key makes it total.
LIST_ORDER = ("-year", "enterprise__name", "id")


# The due day --------------------------------------------------------------------------------------------


def report_year(today: dt.date | None = None) -> int:
    """The year whose report is filed now: the last one ended."""
    return (today or timezone.localdate()).year - 1


def due_on(year: int) -> DeadlineDate:
    """[POLICY] The last day to file the report of `year`, by the inspection policy in force when
    the filing year begins (1 January of `year` + 1), moved past a rest day or holiday."""
    return rules.written_review_due(year, common.policy_in_force(dt.date(year + 1, 1, 1)))


# The prefill ---------------------------------------------------------------------------------------------


#: Source codes of the prefill → their label (the code is stored, the label is read in the
#: reader's language).
SOURCE_LABELS = {
    "survey": lambda d: _("Yearly survey %(year)s: employees") % d,
    "registry": lambda d: _("Enterprise registry: employees (current figure, no survey for the year)"),
    "survey_signing_rate": lambda d: (
        _("Yearly survey %(year)s: contract signing rate %(rate)s%% × employees") % d
    ),
    "contract_book": lambda d: _("Contract book: workers with a contract in force on %(date)s") % d,
    "contract_book_insured": lambda d: (
        _("Contract book: workers whose contract in force on %(date)s states social insurance") % d
    ),
    "contract_book_wage": lambda d: (
        _("Contract book: lowest monthly pay of the full-time contracts in force on %(date)s") % d
    ),
}


def source_label(entry: dict | None) -> str:
    """The human label of a prefill entry's source ("" for none)."""
    if not entry:
        return ""
    label = SOURCE_LABELS.get(entry.get("source"))
    if label is None:
        return str(entry.get("source") or "")
    try:
        return str(label(entry.get("detail") or {}))
    except (KeyError, TypeError, ValueError):
        return str(entry.get("source"))


def _entry(value, source: str, **detail) -> dict:
    if isinstance(value, Decimal):
        value = str(value)
    return {"value": value, "source": source, "detail": detail}


def contract_book_figures(enterprise, on: dt.date) -> dict:
    """The contract book on day `on` (one aggregate): workers with a contract in force that day
    (started, not ended and not terminated before it), those whose contract states social
    insurance, and the lowest monthly pay of the full-time ones."""
    in_force = LabourContract.objects.filter(enterprise=enterprise, start__lte=on).filter(
        Q(end__isnull=True) | Q(end__gte=on), Q(terminated_on__isnull=True) | Q(terminated_on__gte=on)
    )
    return in_force.aggregate(
        workers=Count("worker", distinct=True),
        insured=Count("worker", distinct=True, filter=Q(social_insurance=True)),
        lowest=Min("monthly_pay", filter=~Q(kind=ContractKind.PART_TIME) & Q(monthly_pay__isnull=False)),
    )


def prefill_for(enterprise, year: int) -> dict:
    """The figures the platform already knows for `enterprise`'s report of `year`, by field:
    {"headcount": {"value": 120, "source": "survey", "detail": {"year": 2025}}, ...}. Employees from
    the yearly survey of that year (the registry's current count when there is none); contracts
    signed, employees insured and the lowest monthly wage from the contract book on 31 December
    (the survey's signing rate when the book is empty). Fields the platform does not know are
    left out. Amounts are strings."""
    year_end = rules.written_review_year_end(year)
    prefill: dict[str, dict] = {}
    survey = EnterpriseSurvey.objects.filter(enterprise=enterprise, year=year).first()
    if survey is not None:
        prefill["headcount"] = _entry(survey.employees, "survey", year=year)
    elif enterprise.employees:
        prefill["headcount"] = _entry(enterprise.employees, "registry")
    book = contract_book_figures(enterprise, year_end)
    date = year_end.isoformat()
    if book["workers"]:
        prefill["contracts_signed"] = _entry(book["workers"], "contract_book", date=date)
        prefill["social_insurance_insured"] = _entry(book["insured"], "contract_book_insured", date=date)
    elif survey is not None and survey.contract_signing_rate is not None:
        signed = int(survey.employees * survey.contract_signing_rate / 100)
        prefill["contracts_signed"] = _entry(
            signed, "survey_signing_rate", year=year, rate=str(survey.contract_signing_rate)
        )
    if book["lowest"] is not None:
        prefill["lowest_monthly_wage"] = _entry(book["lowest"], "contract_book_wage", date=date)
    return prefill


def prefill_value(review: WrittenReview, field: str):
    """The platform's value of a field typed as the model's (None when it proposed none)."""
    entry = (review.prefill or {}).get(field)
    if not entry or entry.get("value") is None:
        return None
    value = entry["value"]
    if field in ("lowest_monthly_wage", "average_weekly_hours"):
        return Decimal(str(value))
    if field == "wages_paid_on_time":
        return bool(value)
    return int(value)


def changed_fields(review: WrittenReview) -> list[str]:
    """The fields whose value differs from the platform's proposal (fields it proposed only)."""
    changed = []
    for field in FIELDS:
        proposed = prefill_value(review, field)
        if proposed is None:
            continue
        value = getattr(review, field)
        if value is None or (Decimal(str(value)) != Decimal(str(proposed))):
            changed.append(field)
    return changed


def field_rows(review: WrittenReview, form=None) -> list[dict]:
    """One row per figure for the page: its label, the form field (when editing), the value, the
    platform's value and source, and whether the HR changed it."""
    rows = []
    for field in FIELDS:
        entry = (review.prefill or {}).get(field)
        rows.append(
            {
                "name": field,
                "label": WrittenReview._meta.get_field(field).verbose_name,
                "field": form[field] if form is not None else None,
                "value": getattr(review, field),
                "prefill": entry.get("value") if entry else None,
                "has_prefill": bool(entry),
                "source": source_label(entry),
                "changed": field in (review.changed or []),
            }
        )
    return rows


def minimum_wage_at(year: int) -> Decimal | None:
    """The local monthly minimum wage on the year's last day (the contracts policy), if set."""
    policy = contract_selectors.policy_in_force(rules.written_review_year_end(year))
    return policy.monthly_minimum_wage if policy is not None else None


def findings(review: WrittenReview) -> list:
    """What the report's figures suggest to the inspector, each with its matter and source."""
    return rules.written_review_findings(review, minimum_wage_at(review.year))


# Lists and pages -----------------------------------------------------------------------------------------


def visible_reviews(principal) -> QuerySet:
    return WrittenReview.objects.visible_to(principal).select_related(
        "enterprise", "enterprise__town", "submitted_by", "reviewed_by"
    )


def review_detail(principal, pk) -> WrittenReview:
    """One report the principal may see, or 404."""
    return get_visible_or_404(visible_reviews(principal), principal, pk=pk)


def review_list(principal, *, year: int | None = None, status: str = "", late: bool = False) -> QuerySet:
    """The reports the principal sees, filtered by year (indexed with status), status and
    lateness (submitted after the due day, or not submitted and past it)."""
    qs = visible_reviews(principal)
    if year:
        qs = qs.filter(year=year)
    if status in WR.values:
        qs = qs.filter(status=status)
    if late:
        qs = qs.filter(
            Q(submitted_on__gt=F("due_on"))
            | Q(status__in=(WR.DRAFT, WR.RETURNED), due_on__lt=timezone.localdate())
        )
    return qs.order_by(*LIST_ORDER)


def reviews_to_check(principal) -> QuerySet:
    """Submitted reports waiting for the inspector's acceptance or return, oldest first."""
    return visible_reviews(principal).filter(status=WR.SUBMITTED).order_by("submitted_on", "created_at", "id")


def available_actions(review: WrittenReview, principal) -> list:
    return WRITTEN_REVIEW_WORKFLOW.available(review, principal)


def history(review: WrittenReview) -> list:
    return common.labelled_history(
        WrittenReviewHistory.objects.filter(subject=review).select_related("actor").order_by("at"),
        WRITTEN_REVIEW_WORKFLOW,
        {"start": _("Report started")},
    )


def hr_enterprises(principal) -> QuerySet:
    """The enterprises the principal files reports for (as their HR)."""
    if principal.is_api_client or not principal.is_authenticated:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(
        organisation_id__in=principal.organisation_ids(Role.ENTERPRISE_HR)
    ).select_related("town")


def is_hr_of(principal, enterprise) -> bool:
    return (
        not principal.is_api_client
        and principal.is_authenticated
        and enterprise.organisation_id in set(principal.organisation_ids(Role.ENTERPRISE_HR))
    )


def may_review(principal) -> bool:
    """Inspectors and park administrators (and API clients with the write scope)."""
    return holds(principal, "inspection.review_written_report")


def review_reference(review: WrittenReview) -> str:
    """The source reference of the case a report turns into: one case per report."""
    return f"{review.year}-{review.pk}"


def case_for_review(review: WrittenReview) -> InspectionCase | None:
    """The inspection case registered from this report's findings, if any."""
    return InspectionCase.objects.filter(
        source=Source.WRITTEN_REVIEW, source_reference=review_reference(review)
    ).first()


# Missing and late reports --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingReports:
    year: int
    due: DeadlineDate
    #: Whether the due day has passed (the enterprises listed are then late).
    late: bool
    #: The enterprises without a submitted or accepted report, each annotated with its report's
    #: status and id when one was started (`review_status`, `review_id`), by name.
    enterprises: QuerySet


def _required_to_file(qs, year: int):
    """Operating enterprises established by the year's end (or with no date recorded)."""
    year_end = rules.written_review_year_end(year)
    return qs.filter(status=EnterpriseStatus.OPERATING).filter(
        Q(established_on__isnull=True) | Q(established_on__lte=year_end)
    )


def _not_filed(qs, year: int):
    filed = WrittenReview.objects.filter(enterprise=OuterRef("pk"), year=year, status__in=FILED)
    started = WrittenReview.objects.filter(enterprise=OuterRef("pk"), year=year)
    return qs.filter(~Exists(filed)).annotate(
        review_status=Subquery(started.values("status")[:1]),
        review_id=Subquery(started.values("pk")[:1]),
        reminded_on=Subquery(started.values("reminded_on")[:1]),
    )


def missing_reports(principal, year: int, today: dt.date | None = None) -> MissingReports:
    """The enterprises the principal sees (inspectors: their area) that must file for `year` and
    have no submitted or accepted report: one anti-join (NOT EXISTS), ordered for paging. They are
    late once the due day (moved past a holiday) has passed."""
    today = today or timezone.localdate()
    due = due_on(year)
    qs = _not_filed(_required_to_file(Enterprise.objects.visible_to(principal), year), year)
    return MissingReports(
        year=year,
        due=due,
        late=today > due.date,
        enterprises=qs.select_related("town").order_by("name", "id"),
    )


def to_remind(year: int, today: dt.date) -> QuerySet:
    """For the daily job (unscoped by design): the enterprises with an active HR user that have
    not filed the report of `year` and were not reminded in the last week."""
    since = today - dt.timedelta(days=rules.WRITTEN_REVIEW_REMIND_EVERY_DAYS)
    has_hr = Membership.objects.filter(
        organisation_id=OuterRef("organisation_id"), role=Role.ENTERPRISE_HR, user__is_active=True
    )
    recent = WrittenReview.objects.filter(enterprise=OuterRef("pk"), year=year, reminded_on__gt=since)
    qs = _required_to_file(Enterprise.objects.all(), year).filter(Exists(has_hr)).filter(~Exists(recent))
    return _not_filed(qs, year).order_by("name", "id")


def hr_users_by_organisation(organisation_ids) -> dict:
    """Active HR users by organisation id, in one query (the reminders' recipients)."""
    users = defaultdict(list)
    for m in Membership.objects.filter(
        organisation_id__in=list(organisation_ids), role=Role.ENTERPRISE_HR, user__is_active=True
    ).select_related("user"):
        users[m.organisation_id].append(m.user)
    return users


def inspectors_of(enterprise) -> list:
    """The inspectors of the enterprise's town (or its district), told when a report is submitted."""
    return list(common.inspector_users(enterprise))


# The home page -------------------------------------------------------------------------------------------


def home_cards(principal) -> list[dict]:
    """The inspector's card: submitted reports waiting to be checked."""
    if not may_review(principal) or principal.is_api_client:
        return []
    return [
        {
            "label": _("Written review reports to check"),
            "value": reviews_to_check(principal).count(),
            "url": reverse("inspection:reviews") + "?status=submitted",
            "icon": "journal-check",
        }
    ]
