"""The written-review pages (书面审查, 劳动保障监察条例 art. 14).

- `reviews/`: the reports the user sees (filters: year, status, late; paginated). The enterprise's
  HR find their year's report at the top (start it, or open it); inspectors the reports of their
  area.
- `reviews/<pk>/`: the report. The HR edit the figures while it is a draft or returned: each shows
  the platform's value and its source, and a mark where they changed it; they save or submit.
  Inspectors read the findings and accept, return or turn the report into a case.
- `reviews/missing/`: the enterprises of the inspector's area without a submitted report.

Pages check the model's scoping (`WrittenReview.visible_to`: 404 outside) and the room's
permissions (`view_writtenreview` to read, which HR and inspectors hold; `review_written_report`
to review), never the case-list permission. Writes go through services/reviews.py; a refusal is
shown on the form or as a message with its source, never a 500."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.errors import DomainError, NotAllowed
from apps.core.forms import call_service
from apps.core.pagination import paginate
from apps.core.scoping import get_visible_or_404, principal_for_request
from apps.enterprises.models import Enterprise

from .. import rules, services
from ..forms.reviews import ReturnForm, ReviewCaseForm, ReviewFilterForm, ReviewForm, StartForm
from ..models import WrittenReview
from ..selectors import reviews as selectors
from ..workflow import FILE_WRITTEN, REVIEW_WRITTEN, holds, written_review_edit_refusal

VIEW = "inspection.view_writtenreview"
PAGE_SIZE = 50
WR = WrittenReview.Status


def _run(request, action, *args, success: str, **kwargs):
    """Run a service from a button: a refusal of the principal is a 403, any other refusal a
    message with its source; returns the result or None."""
    try:
        result = action(*args, **kwargs)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, str(exc))
        return None
    messages.success(request, success)
    return result


def _is_late(review: WrittenReview, today) -> bool:
    if review.submitted_on:
        return review.submitted_on > review.due_on
    return review.due_on < today


@login_required
@permission_required(VIEW, raise_exception=True)
def review_list(request):
    principal = principal_for_request(request)
    today = timezone.localdate()
    filters = ReviewFilterForm(request.GET or None)
    year, status, late = None, "", False
    if filters.is_bound and filters.is_valid():
        year = filters.cleaned_data["year"]
        status = filters.cleaned_data["status"]
        late = filters.cleaned_data["late"]
    page = paginate(request, selectors.review_list(principal, year=year, status=status, late=late), PAGE_SIZE)
    for review in page:
        review.late = _is_late(review, today)
    current = selectors.report_year(today)
    mine = []
    enterprises = list(selectors.hr_enterprises(principal))
    if enterprises:
        reports = {
            r.enterprise_id: r for r in WrittenReview.objects.filter(enterprise__in=enterprises, year=current)
        }
        mine = [{"enterprise": e, "review": reports.get(e.pk)} for e in enterprises]
    return render(
        request,
        "inspection/reviews/list.html",
        {
            "page": page,
            "filters": filters,
            "mine": mine,
            "current_year": current,
            "current_due": selectors.due_on(current),
            "may_review": selectors.may_review(principal),
            "may_start": holds(principal, "inspection.add_writtenreview"),
            "due_source": rules.WRITTEN_REVIEW_DUE_SOURCE,
            "source": rules.WRITTEN_REVIEW_SOURCE,
        },
    )


def _editable(principal, review: WrittenReview) -> bool:
    return (
        selectors.is_hr_of(principal, review.enterprise)
        and holds(principal, FILE_WRITTEN)
        and written_review_edit_refusal(review) is None
    )


def _form_for(review: WrittenReview, data=None) -> ReviewForm:
    form = ReviewForm(data, initial=ReviewForm.initial_for(review))
    for name in rules.WRITTEN_REVIEW_FIELDS:
        entry = (review.prefill or {}).get(name)
        if entry and entry.get("value") is not None:
            value = entry["value"]
            if name == "wages_paid_on_time":
                value = "yes" if value else "no"
            form.fields[name].widget.attrs["data-prefill"] = str(value)
        form.fields[name].widget.attrs["data-review-field"] = name
    return form


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def review_detail(request, pk):
    principal = principal_for_request(request)
    review = selectors.review_detail(principal, pk)
    editable = _editable(principal, review)
    form = None
    if request.method == "POST":
        if not selectors.is_hr_of(principal, review.enterprise):
            raise PermissionDenied(_("Only the enterprise's HR may fill in its written review report."))
        form = _form_for(review, request.POST)
        if form.is_valid():
            saved = call_service(form, services.save_written_review, principal, review, form.service_data())
            if saved is not None:
                if "submit" not in request.POST:
                    messages.success(request, _("The report is saved."))
                    return redirect("inspection:review_detail", pk=review.pk)
                submitted = call_service(form, services.submit_written_review, principal, saved)
                if submitted is not None:
                    messages.success(request, _("The report is submitted."))
                    return redirect("inspection:review_detail", pk=review.pk)
                review = saved
    elif editable:
        form = _form_for(review)
    today = timezone.localdate()
    reviewer = selectors.may_review(principal)
    return render(
        request,
        "inspection/reviews/detail.html",
        {
            "review": review,
            "form": form,
            "rows": selectors.field_rows(review, form),
            "editable": form is not None,
            "late": _is_late(review, today),
            "may_review": reviewer,
            "actions": [t.action for t in selectors.available_actions(review, principal)],
            "findings": selectors.findings(review) if reviewer else [],
            "case": selectors.case_for_review(review) if reviewer else None,
            "history": list(selectors.history(review)),
            "source": rules.WRITTEN_REVIEW_SOURCE,
            "due_source": rules.WRITTEN_REVIEW_DUE_SOURCE,
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def review_start(request):
    """Start (or open) the report of a year: the HR for their enterprise, an inspector for an
    enterprise of the area (`enterprise`)."""
    principal = principal_for_request(request)
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Enter the year reported, e.g. %(year)s.") % {"year": selectors.report_year()}
        )
        return redirect("inspection:reviews")
    enterprise_id = form.cleaned_data["enterprise"]
    if enterprise_id:
        enterprise = get_visible_or_404(Enterprise.objects.all(), principal, pk=enterprise_id)
    else:
        enterprise = selectors.hr_enterprises(principal).first()
        if enterprise is None:
            raise Http404
    review = _run(
        request,
        services.start_written_review,
        principal,
        enterprise,
        form.cleaned_data["year"],
        success=_("The report is open."),
    )
    if review is None:
        return redirect("inspection:reviews")
    return redirect("inspection:review_detail", pk=review.pk)


@login_required
@permission_required(FILE_WRITTEN, raise_exception=True)
@require_POST
def review_submit(request, pk):
    principal = principal_for_request(request)
    review = selectors.review_detail(principal, pk)
    _run(request, services.submit_written_review, principal, review, success=_("The report is submitted."))
    return redirect("inspection:review_detail", pk=review.pk)


@login_required
@permission_required(REVIEW_WRITTEN, raise_exception=True)
@require_POST
def review_accept(request, pk):
    principal = principal_for_request(request)
    review = selectors.review_detail(principal, pk)
    _run(request, services.accept_written_review, principal, review, success=_("The report is accepted."))
    return redirect("inspection:review_detail", pk=review.pk)


@login_required
@permission_required(REVIEW_WRITTEN, raise_exception=True)
@require_http_methods(["GET", "POST"])
def review_return(request, pk):
    principal = principal_for_request(request)
    review = selectors.review_detail(principal, pk)
    form = ReturnForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = call_service(
            form, services.return_written_review, principal, review, reason=form.cleaned_data["reason"]
        )
        if result is not None:
            messages.success(request, _("The report is returned to the enterprise."))
            return redirect("inspection:review_detail", pk=review.pk)
    return render(
        request,
        "inspection/reviews/return.html",
        {"review": review, "form": form, "possible": "return" in _actions(review, principal)},
    )


def _actions(review, principal) -> list[str]:
    return [t.action for t in selectors.available_actions(review, principal)]


@login_required
@permission_required(REVIEW_WRITTEN, raise_exception=True)
@require_http_methods(["GET", "POST"])
def review_case(request, pk):
    """Register an inspection case from the report's findings (one per report)."""
    principal = principal_for_request(request)
    review = selectors.review_detail(principal, pk)
    findings = selectors.findings(review)
    initial = {
        "matters": list(dict.fromkeys(f.matter for f in findings)),
        "facts": "\n".join(f"{f.message} ({f.source})" for f in findings),
    }
    form = ReviewCaseForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        case = call_service(
            form,
            services.review_to_case,
            principal,
            review,
            matters=form.cleaned_data["matters"],
            facts=form.cleaned_data["facts"],
        )
        if case is not None:
            messages.success(
                request, _("Case %(serial)s registered from the report.") % {"serial": case.serial}
            )
            return redirect("inspection:detail", pk=case.pk)
    return render(
        request,
        "inspection/reviews/case.html",
        {"review": review, "form": form, "findings": findings, "case": selectors.case_for_review(review)},
    )


@login_required
@permission_required(REVIEW_WRITTEN, raise_exception=True)
def reviews_missing(request):
    """The enterprises of the area without a submitted report for the year (late once the due
    day, moved past a holiday, has passed)."""
    principal = principal_for_request(request)
    today = timezone.localdate()
    current = selectors.report_year(today)
    try:
        year = int(request.GET.get("year") or current)
    except ValueError:
        year = current
    if not rules.FIRST_REVIEW_YEAR <= year <= current:
        year = current
    missing = selectors.missing_reports(principal, year, today)
    page = paginate(request, missing.enterprises, PAGE_SIZE)
    return render(
        request,
        "inspection/reviews/missing.html",
        {
            "missing": missing,
            "page": page,
            "year": year,
            "years": list(range(current, max(rules.FIRST_REVIEW_YEAR, current - 5) - 1, -1)),
            "statuses": dict(WR.choices),
            "due_source": rules.WRITTEN_REVIEW_DUE_SOURCE,
            "refusal_source": rules.WRITTEN_REVIEW_REFUSAL_SOURCE,
        },
    )
