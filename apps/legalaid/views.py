"""Pages of legal aid for signed-in users: the list (overdue decisions first), the detail with
the union's actions, registering a request at the counter, and the figures. Thin: the selectors
read, the services write."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core import exports
from apps.core.db import for_reports
from apps.core.errors import DomainError, NotAllowed
from apps.core.forms import call_service
from apps.core.models import Area
from apps.core.pagination import paginate
from apps.core.principal import principal_for_request
from apps.core.scoping import get_visible_or_404
from apps.enterprises.models import Enterprise

from . import selectors, services
from .filters import RequestFilter
from .forms import CloseForm, DecisionForm, LawyerForm, LinkForm, RequestForm
from .models import Lawyer

PAGE_SIZE = 25
VIEW = "legalaid.view_legalaidrequest"


def _get(request, pk):
    principal = principal_for_request(request)
    return principal, get_visible_or_404(selectors.detail_queryset(principal), principal, pk=pk)


def _filtered(request, principal):
    """The list's filter set and rows (the page and its export read the same)."""
    filterset = RequestFilter(request.GET, queryset=selectors.list_queryset(principal), request=request)
    qs = filterset.qs if filterset.is_valid() else selectors.list_queryset(principal).none()
    return filterset, qs


@login_required
@permission_required(VIEW, raise_exception=True)
def request_list(request):
    principal = principal_for_request(request)
    filterset, qs = _filtered(request, principal)
    page = paginate(request, qs, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "legalaid/request_list.html",
        {"page": page, "filter": filterset, "query": query.urlencode(), "today": timezone.localdate()},
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def request_export(request):
    """The list as filtered on the page (same parameters, same scope), as .xlsx; ID numbers masked."""
    principal = principal_for_request(request)
    _filterset, qs = _filtered(request, principal)
    name = f"legal-aid-requests-{timezone.localdate():%Y%m%d}.xlsx"
    return exports.xlsx_response(name, selectors.export_sheets(principal, for_reports(qs)))


@login_required
@permission_required(VIEW, raise_exception=True)
def request_detail(request, pk):
    principal, req = _get(request, pk)
    reveal = request.GET.get("reveal") == "id_number"
    context = selectors.detail_context(principal, req, reveal=reveal)
    context.update(
        {
            "decision_form": DecisionForm(),
            "close_form": CloseForm(),
            "lawyer_form": LawyerForm(
                lawyers=context["lawyers"] or Lawyer.objects.none(), initial={"lawyer": req.lawyer_id}
            ),
            "link_form": LinkForm(
                initial={
                    "case_reference": req.case_reference,
                    "serial": req.mediation_case.serial if req.mediation_case else "",
                }
            ),
        }
    )
    return render(request, "legalaid/request_detail.html", context)


@login_required
@permission_required("legalaid.register_request", raise_exception=True)
def request_create(request):
    """Register a request at the counter (a union official for their union)."""
    principal = principal_for_request(request)
    form = RequestForm(
        request.POST or None,
        enterprises=Enterprise.objects.visible_to(principal).order_by("name"),
        towns=Area.objects.filter(kind=Area.Kind.TOWN).order_by("code"),
        public=False,
    )
    if request.method == "POST" and form.is_valid():
        result = call_service(form, lambda: services.register_request(principal, **form.service_kwargs()))
        if result is not None:
            req, code = result
            messages.success(
                request,
                _(
                    "Request %(serial)s registered. Give the worker the access code %(code)s to follow it online (shown once)."
                )
                % {"serial": req.serial, "code": code},
            )
            if selectors.requests_for(principal).filter(pk=req.pk).exists():
                return redirect("legalaid:detail", pk=req.pk)
            return redirect("legalaid:list")
    return render(request, "legalaid/request_form.html", {"form": form})


def _done(request, req, text):
    messages.success(request, text)
    return redirect("legalaid:detail", pk=req.pk)


def _refused(request, req, exc: DomainError):
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(str(exc)) from exc
    messages.error(request, str(exc))
    return redirect("legalaid:detail", pk=req.pk)


@login_required
@require_POST
def request_action(request, pk, action):
    principal, req = _get(request, pk)
    try:
        if action == "accept":
            services.accept(principal, req)
        elif action == "refuse":
            services.refuse(principal, req, reason=request.POST.get("reason", ""))
        elif action == "withdraw":
            services.withdraw(principal, req, reason=request.POST.get("reason", ""))
        elif action == "close":
            form = CloseForm(request.POST)
            if not form.is_valid():
                messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
                return redirect("legalaid:detail", pk=req.pk)
            services.close(
                principal,
                req,
                outcome=form.cleaned_data["outcome"],
                amount_recovered=form.cleaned_data.get("amount_recovered"),
                note=form.cleaned_data.get("reason", ""),
            )
        else:
            raise Http404
    except DomainError as exc:
        return _refused(request, req, exc)
    return _done(request, req, _("Done."))


@login_required
@require_POST
def request_lawyer(request, pk):
    principal, req = _get(request, pk)
    form = LawyerForm(request.POST, lawyers=selectors.lawyers_for(principal, req))
    if not form.is_valid():
        messages.error(request, _("Choose an active lawyer or volunteer of the handling union."))
        return redirect("legalaid:detail", pk=req.pk)
    try:
        services.assign_lawyer(principal, req, form.cleaned_data["lawyer"])
    except DomainError as exc:
        return _refused(request, req, exc)
    return _done(request, req, _("Lawyer or volunteer saved."))


@login_required
@require_POST
def request_link(request, pk):
    principal, req = _get(request, pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the numbers."))
        return redirect("legalaid:detail", pk=req.pk)
    try:
        services.link_case(
            principal,
            req,
            serial=form.cleaned_data["serial"],
            case_reference=form.cleaned_data["case_reference"],
        )
    except DomainError as exc:
        return _refused(request, req, exc)
    return _done(request, req, _("Linked case saved."))


@login_required
@require_POST
def access_code(request, pk):
    principal, req = _get(request, pk)
    try:
        code = services.reissue_access_code(principal, req)
    except DomainError as exc:
        return _refused(request, req, exc)
    return _done(
        request, req, _("New access code (give it to the worker; shown once): %(code)s") % {"code": code}
    )


@login_required
@permission_required("legalaid.view_legalaid_figures", raise_exception=True)
def figures(request):
    principal = principal_for_request(request)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        dt.date(year, 1, 1)
    except ValueError:
        year = today.year
    town = Area.objects.filter(kind=Area.Kind.TOWN, code=request.GET.get("town", "")).first()
    return render(
        request,
        "legalaid/figures.html",
        {
            "year": year,
            "years": list(range(today.year, today.year - 6, -1)),
            "town": town,
            "towns": Area.objects.filter(kind=Area.Kind.TOWN).order_by("code"),
            "tables": selectors.union_figures(principal, year, town),
        },
    )
