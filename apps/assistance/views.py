"""Pages of worker assistance: the hardship files (list with filters and export, detail with history
and aid, forms, lifecycle actions), the aid list, the Spring Festival campaign, the "no omission"
candidates, the reviews due and the figures. Reads through selectors.py, writes through
services.py; a refusal is a form error with its source (DomainError) or a 403 (NotAllowed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from apps.audit.services import record_sensitive_view
from apps.core.exports import Sheet, csv_response, xlsx_response
from apps.core.forms import call_service
from apps.core.pagination import paginate
from apps.core.scoping import principal_for_request

from . import selectors, services, workflow
from .forms import AidForm, ApproveForm, AssessForm, CampaignForm, ExitForm, FileForm, ReasonForm, ReviewForm

PAGE_SIZE = 50
VIEW = "assistance.view_hardshipfile"
EXPORT_LIMIT = 50_000


def _export_files(qs, fmt):
    header = [
        pgettext("person", "Name"),
        _("ID number"),
        _("Enterprise"),
        _("Town"),
        _("Kinds of difficulty"),
        _("Household members"),
        _("Income per head a month (yuan)"),
        _("Threshold (yuan)"),
        _("Status"),
        _("Approved on"),
        _("Review due"),
        _("Exited on"),
        _("Exit reason"),
    ]
    rows = (
        [
            f.name,
            selectors.masked(f),
            f.enterprise.name,
            f.enterprise.town.name if f.enterprise.town_id else "",
            "、".join(f.get_difficulties_display()),
            f.household_size,
            f.income_per_head,
            f.threshold,
            f.get_status_display(),
            f.approved_on,
            f.review_due,
            f.exited_on,
            f.exit_reason,
        ]
        for f in qs[:EXPORT_LIMIT].iterator(chunk_size=1000)
    )
    if fmt == "csv":
        return csv_response("hardship-files.csv", header, rows)
    return xlsx_response("hardship-files.xlsx", [Sheet(_("Hardship files"), header, rows, money=[6, 7])])


@login_required
@permission_required(VIEW, raise_exception=True)
def file_list(request):
    principal = principal_for_request(request)
    filterset, qs = selectors.file_list(principal, request.GET)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "csv"):
        return _export_files(qs, fmt)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "assistance/file_list.html",
        {
            "filter": filterset,
            "page": paginate(request, qs, PAGE_SIZE),
            "query": params.urlencode(),
            "can_add": workflow.can_create(principal),
            "can_pay": workflow.can_pay(principal),
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def file_detail(request, pk):
    principal = principal_for_request(request)
    file = selectors.get_file(principal, pk)
    aid = selectors.aid_of(file)
    return render(
        request,
        "assistance/file_detail.html",
        {
            "file": file,
            "id_masked": selectors.masked(file),
            "may_see_full_id": selectors.may_see_full_id(principal),
            "history": selectors.history(file),
            "action_labels": selectors.action_labels(),
            "aid": aid,
            "aid_summary": selectors.aid_summary(aid),
            "actions": selectors.available_actions(file, principal),
            "can_edit": workflow.can_edit(principal, file),
            "can_pay": workflow.can_pay(principal) and file.status == file.Status.APPROVED,
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def reveal_id(request, pk):
    """The full ID number, for those allowed, audited (PIPL art. 28)."""
    principal = principal_for_request(request)
    file = selectors.get_file(principal, pk)
    if not selectors.may_see_full_id(principal):
        raise PermissionDenied
    record_sensitive_view(file, "id_number")
    return render(request, "assistance/id_number.html", {"file": file})


@login_required
@permission_required("assistance.add_hardshipfile", raise_exception=True)
def file_create(request):
    principal = principal_for_request(request)
    initial, applicant = {}, None
    pk = request.GET.get("applicant") or request.POST.get("applicant")
    if pk:
        applicant = selectors.candidate_applicant(principal, pk)
        if applicant is None:
            raise Http404
        initial = {
            "applicant": applicant.pk,
            "name": applicant.name,
            "phone": applicant.phone,
            "enterprise": applicant.case.respondent_enterprise_id,
        }
    elif request.GET.get("enterprise"):
        initial = {"enterprise": request.GET["enterprise"]}
    form = FileForm(request.POST or None, principal=principal, initial=initial)
    if request.method == "POST" and form.is_valid():
        file = call_service(form, services.create_file, principal, **form.service_kwargs())
        if file is not None:
            messages.success(request, _("The hardship file is opened."))
            return redirect("assistance:detail", pk=file.pk)
    return render(request, "assistance/file_form.html", {"form": form, "file": None, "applicant": applicant})


@login_required
@permission_required("assistance.change_hardshipfile", raise_exception=True)
def file_edit(request, pk):
    principal = principal_for_request(request)
    file = selectors.get_file(principal, pk)
    if not workflow.can_edit(principal, file):
        raise PermissionDenied
    initial = {
        "name": file.name,
        "phone": file.phone,
        "difficulties": file.difficulties,
        "situation": file.situation,
        "household_size": file.household_size,
        "household_monthly_income": file.household_monthly_income,
    }
    form = FileForm(request.POST or None, principal=principal, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = call_service(form, services.update_file, principal, file, **form.cleaned_data)
        if saved is not None:
            messages.success(request, _("The file is saved."))
            return redirect("assistance:detail", pk=file.pk)
    return render(request, "assistance/file_form.html", {"form": form, "file": file})


ACTIONS = {
    "assess": (AssessForm, lambda p, f, d: services.assess(p, f, **d)),
    "approve": (ApproveForm, lambda p, f, d: services.approve(p, f, **d)),
    "reject": (ReasonForm, lambda p, f, d: services.reject(p, f, **d)),
    "review": (ReviewForm, lambda p, f, d: services.review(p, f, **d)),
    "exit": (ExitForm, lambda p, f, d: services.exit_file(p, f, **d)),
}


@login_required
@permission_required(VIEW, raise_exception=True)
def file_action(request, pk, action):
    principal = principal_for_request(request)
    file = selectors.get_file(principal, pk)
    if action not in ACTIONS:
        raise Http404
    if action not in {t.action for t in selectors.available_actions(file, principal)}:
        raise PermissionDenied
    form_class, perform = ACTIONS[action]
    initial = {}
    if action == "review":
        initial = {
            "household_size": file.household_size,
            "household_monthly_income": file.household_monthly_income,
        }
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = call_service(form, perform, principal, file, form.cleaned_data)
        if done is not None:
            messages.success(request, _("Done: %(action)s.") % {"action": selectors.action_labels()[action]})
            return redirect("assistance:detail", pk=file.pk)
    return render(
        request,
        "assistance/action.html",
        {"file": file, "form": form, "action": action, "label": selectors.action_labels()[action]},
    )


@login_required
@permission_required("assistance.pay_aid", raise_exception=True)
def pay_aid(request, pk):
    principal = principal_for_request(request)
    file = selectors.get_file(principal, pk)
    form = AidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        aid = call_service(form, services.pay_aid, principal, file, **form.cleaned_data)
        if aid is not None:
            messages.success(request, _("The aid is recorded."))
            return redirect("assistance:detail", pk=file.pk)
    return render(request, "assistance/aid_form.html", {"file": file, "form": form})


@login_required
@permission_required("assistance.view_aid", raise_exception=True)
def aid_list(request):
    principal = principal_for_request(request)
    filterset, qs = selectors.aid_list(principal, request.GET)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "csv"):
        header = [
            pgettext("person", "Name"),
            _("Enterprise"),
            _("Kind of aid"),
            _("Amount (yuan)"),
            _("Paid on"),
            _("Funding source"),
            _("Approved by"),
            _("Campaign"),
        ]
        rows = (
            [
                a.file.name,
                a.file.enterprise.name,
                a.get_kind_display(),
                a.amount,
                a.paid_on,
                a.funding_source,
                a.approved_by,
                a.campaign,
            ]
            for a in qs[:EXPORT_LIMIT].iterator(chunk_size=1000)
        )
        if fmt == "csv":
            return csv_response("aid.csv", header, rows)
        return xlsx_response("aid.xlsx", [Sheet(_("Aid paid"), header, rows, money=[3])])
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "assistance/aid_list.html",
        {
            "filter": filterset,
            "page": paginate(request, qs, PAGE_SIZE),
            "query": params.urlencode(),
            "totals": selectors.yearly_totals(principal),
            "can_pay": workflow.can_pay(principal),
        },
    )


@login_required
@permission_required("assistance.pay_aid", raise_exception=True)
def campaign(request):
    principal = principal_for_request(request)
    form = CampaignForm(request.POST or None, principal=principal)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        files = data.pop("files")
        paid = call_service(form, services.spring_festival_campaign, principal, files, **data)
        if paid is not None:
            messages.success(request, _("%(count)s payments recorded.") % {"count": len(paid)})
            return redirect("assistance:aid_list")
    return render(request, "assistance/campaign.html", {"form": form})


@login_required
@permission_required(VIEW, raise_exception=True)
def candidates(request):
    principal = principal_for_request(request)
    return render(
        request,
        "assistance/candidates.html",
        {
            "rows": selectors.candidates(principal),
            "shown": selectors.CANDIDATES_SHOWN,
            "can_add": workflow.can_create(principal),
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def reviews_due(request):
    principal = principal_for_request(request)
    qs = selectors.reviews_due(principal)
    return render(
        request,
        "assistance/reviews_due.html",
        {"page": paginate(request, qs, PAGE_SIZE), "today": timezone.localdate()},
    )


@login_required
@permission_required("assistance.view_assistance_figures", raise_exception=True)
def figures(request):
    principal = principal_for_request(request)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year)
    return render(
        request,
        "assistance/figures.html",
        {
            "year": year,
            "years": list(range(today.year, today.year - 6, -1)),
            "blocks": selectors.union_figures(principal, year),
            "totals": selectors.yearly_totals(principal),
        },
    )
