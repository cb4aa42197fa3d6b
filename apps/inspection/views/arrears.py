"""The pages of the wage-arrears room: the wage-arrears list (拖欠农民工工资失信联合惩戒对象名单,
人社部令第45号; published, so every signed-in user reads it), listing an enterprise, removing it
(early removal shows its three conditions with their source and what is missing; the park
administrator's act is the approval), the published serious violations (重大劳动保障违法行为社会
公布办法) with their record and publish forms, and the credit grades.

Writes go through services (`list_wage_arrears`, `remove_listing`, `record_serious_violation`,
`publish_serious_violation`), kept by park administrators (`inspection.manage_wage_arrears_list`):
a refusal of the principal is a 403, any other refusal lands on the form beside its field with its
source, never a 500 nor a partial write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.core.forms import call_service
from apps.core.pagination import paginate
from apps.core.scoping import principal_for_request
from apps.enterprises.models import Enterprise

from .. import rules, services
from ..forms.arrears import ListingForm, PublishForm, RemovalForm, ViolationForm
from ..models import CreditGrade, InspectionCase, WageArrearsListing
from ..selectors import arrears as selectors
from ..services.listing import MANAGE

PAGE_SIZE = 50
R = WageArrearsListing.Removal


def _search(request) -> str:
    return (request.GET.get("q") or "").strip()[:100]


# The wage-arrears list ------------------------------------------------------------------------------


@login_required
def arrears_list(request):
    principal = principal_for_request(request)
    status, search = request.GET.get("status", ""), _search(request)
    page = paginate(request, selectors.listings(principal, status=status, search=search), PAGE_SIZE)
    return render(
        request,
        "inspection/arrears/list.html",
        {
            "page": page,
            "status": status if status in WageArrearsListing.Status.values else "",
            "statuses": WageArrearsListing.Status.choices,
            "q": search,
            "term_source": rules.LISTING_TERM_SOURCE,
            "removal_source": rules.EARLY_REMOVAL_SOURCE,
            "may_manage": request.user.has_perm(MANAGE),
        },
    )


def _enterprise_form_kwargs(principal):
    return {
        "enterprises": Enterprise.objects.visible_to(principal),
        "cases": InspectionCase.objects.visible_to(principal),
    }


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def arrears_create(request):
    principal = principal_for_request(request)
    form = ListingForm(
        request.POST if request.method == "POST" else None, **_enterprise_form_kwargs(principal)
    )
    if request.method == "POST" and form.is_valid():
        listing = call_service(form, lambda: services.list_wage_arrears(principal, **form.service_kwargs()))
        if listing is not None:
            messages.success(
                request,
                _(
                    "%(enterprise)s is on the wage-arrears list until %(date)s; the certification veto event is recorded."
                )
                % {"enterprise": listing.enterprise.name, "date": listing.expires_on},
            )
            return redirect("inspection:arrears_detail", pk=listing.pk)
    return render(
        request,
        "inspection/arrears/form.html",
        {
            "form": form,
            "title": _("List an enterprise on the wage-arrears list"),
            "note": _("Listed for 3 years from the decision (%(source)s).")
            % {"source": rules.LISTING_TERM_SOURCE},
            "back": "inspection:arrears_list",
            "testid": "listing-form",
        },
    )


@login_required
def arrears_detail(request, pk):
    principal = principal_for_request(request)
    listing = selectors.listing_detail(principal, pk)
    return render(
        request,
        "inspection/arrears/detail.html",
        {
            "listing": listing,
            "term_source": rules.LISTING_TERM_SOURCE,
            "may_manage": request.user.has_perm(MANAGE),
            "early_from": rules.early_removal_from(listing.listed_on),
        },
    )


def early_removal_conditions(listing, *, on, arrears_paid_on, pledge_received_on) -> list[dict]:
    """The three conditions of early removal (Measures art. 12) with whether each is met on `on`
    and, when not, what is missing (rules.early_removal_refusals' message)."""
    refusals = rules.early_removal_refusals(
        listed_on=listing.listed_on,
        on=on,
        arrears_paid_on=arrears_paid_on,
        pledge_received_on=pledge_received_on,
    )
    paid = arrears_paid_on if arrears_paid_on is not None and arrears_paid_on <= on else None
    earliest = rules.early_removal_from(listing.listed_on, paid)
    return [
        {
            "field": "arrears_paid_on",
            "label": _("The arrears are paid in full"),
            "value": arrears_paid_on,
            "missing": refusals.get("arrears_paid_on", ""),
        },
        {
            "field": "removed_on",
            "label": _(
                "6 months on the list since the arrears were paid, or since the listing when they were paid "
                "before it (early removal possible from %(date)s)"
            )
            % {"date": earliest},
            "value": on if on >= earliest else None,
            "missing": refusals.get("removed_on", ""),
        },
        {
            "field": "pledge_received_on",
            "label": _("A written credit pledge is recorded"),
            "value": pledge_received_on,
            "missing": refusals.get("pledge_received_on", ""),
        },
    ]


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def arrears_remove(request, pk):
    """Remove an enterprise from the list: early (the three conditions), at the end of the term or
    when the listing decision is revoked. The park administrator's submission is the approval."""
    principal = principal_for_request(request)
    listing = selectors.listing_detail(principal, pk)
    today = timezone.localdate()
    posted = request.method == "POST"
    form = RemovalForm(request.POST if posted else None, initial={"removal": R.EARLY})
    on, paid, pledge = today, listing.arrears_paid_on, listing.pledge_received_on
    if posted and form.is_valid():
        d = form.cleaned_data
        on, paid, pledge = d["removed_on"] or today, d["arrears_paid_on"], d["pledge_received_on"]
        result = call_service(
            form, lambda: services.remove_listing(principal, listing, **form.service_kwargs())
        )
        if result is not None:
            messages.success(
                request,
                _("%(enterprise)s is removed from the wage-arrears list; the veto event notes it.")
                % {"enterprise": result.enterprise.name},
            )
            return redirect("inspection:arrears_detail", pk=listing.pk)
    return render(
        request,
        "inspection/arrears/remove.html",
        {
            "listing": listing,
            "form": form,
            "conditions": early_removal_conditions(
                listing, on=on, arrears_paid_on=paid, pledge_received_on=pledge
            ),
            "source": rules.EARLY_REMOVAL_SOURCE,
            "term_source": rules.LISTING_TERM_SOURCE,
            "listed": listing.status == WageArrearsListing.Status.LISTED,
        },
    )


# Published serious violations -----------------------------------------------------------------------


@login_required
def violation_list(request):
    principal = principal_for_request(request)
    state, search = request.GET.get("state", ""), _search(request)
    sees_unpublished = selectors.sees_unpublished(principal)
    page = paginate(
        request,
        selectors.serious_violations(principal, state=state if sees_unpublished else "", search=search),
        PAGE_SIZE,
    )
    today = timezone.localdate()
    for violation in page:
        violation.late = (violation.published_on or today) > violation.publish_by
    return render(
        request,
        "inspection/arrears/violation_list.html",
        {
            "page": page,
            "state": state if state in ("published", "waiting") else "",
            "q": search,
            "sees_unpublished": sees_unpublished,
            "may_manage": request.user.has_perm(MANAGE),
            "source": rules.PUBLICATION_PERIOD.source,
        },
    )


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def violation_create(request):
    principal = principal_for_request(request)
    form = ViolationForm(
        request.POST if request.method == "POST" else None, **_enterprise_form_kwargs(principal)
    )
    if request.method == "POST" and form.is_valid():
        violation = call_service(
            form, lambda: services.record_serious_violation(principal, **form.service_kwargs())
        )
        if violation is not None:
            messages.success(request, _("The serious violation is recorded."))
            return redirect("inspection:violation_detail", pk=violation.pk)
    return render(
        request,
        "inspection/arrears/form.html",
        {
            "form": form,
            "title": _("Record a serious violation to publish"),
            "note": _(
                "Published within 20 working days of the decision (%(source)s); publication records the "
                "certification veto event."
            )
            % {"source": rules.PUBLICATION_PERIOD.source},
            "back": "inspection:violation_list",
            "testid": "violation-form",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def violation_detail(request, pk):
    """The record; for those who keep the list, the publish form while it is not published."""
    principal = principal_for_request(request)
    violation = selectors.serious_violation_detail(principal, pk)
    may_manage = request.user.has_perm(MANAGE)
    form = None
    if violation.published_on is None and may_manage:
        form = PublishForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            done = call_service(
                form,
                lambda: services.publish_serious_violation(
                    principal, violation, published_on=form.cleaned_data["published_on"]
                ),
            )
            if done is not None:
                messages.success(request, _("Published; the certification veto event is recorded."))
                return redirect("inspection:violation_detail", pk=violation.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("Your role may not do this."))
    return render(
        request,
        "inspection/arrears/violation_detail.html",
        {
            "violation": violation,
            "form": form,
            "source": rules.PUBLICATION_PERIOD.source,
            "late": (violation.published_on or timezone.localdate()) > violation.publish_by,
        },
    )


# Credit grades --------------------------------------------------------------------------------------


@login_required
@permission_required("inspection.view_creditgrade", raise_exception=True)
def grade_list(request):
    principal = principal_for_request(request)
    years = selectors.credit_grade_years(principal)
    try:
        year = int(request.GET.get("year") or (years[0] if years else 0))
    except (TypeError, ValueError):
        year = years[0] if years else 0
    if not 2000 <= year <= 2100:  # junk: the newest year
        year = years[0] if years else 0
    grade = request.GET.get("grade", "")
    grade = grade if grade in CreditGrade.Grade.values else ""
    page = paginate(request, selectors.credit_grades(principal, year=year or None, grade=grade), PAGE_SIZE)
    for row in page:  # the words of each fact in the reader's language
        row.fact_rows = [{**f, "label": rules.credit_fact_label(f.get("code", ""))} for f in row.facts or []]
    return render(
        request,
        "inspection/arrears/grade_list.html",
        {
            "page": page,
            "years": years,
            "year": year,
            "grade": grade,
            "grades": CreditGrade.Grade.choices,
            "source": rules.DEFAULT_CREDIT_GRADE_RULE["source"],
        },
    )
