"""Pages of enterprise appeals: the queue (HR: their enterprise's appeals; the park: all, with
filters), filing, one appeal with its actions, the figures. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core import exports
from apps.core.db import for_reports
from apps.core.forms import call_service
from apps.core.models import Area
from apps.core.pagination import InvalidCursor, KeysetPaginator
from apps.core.scoping import principal_for_request

from . import rules, selectors, services
from .forms import ACTION_FORMS, FileForm
from .models import Appeal
from .workflow import FILE, WORKFLOW, available_actions

PAGE_SIZE = 50


def _get(principal, pk) -> Appeal:
    try:
        return selectors.get_appeal(principal, pk)
    except Appeal.DoesNotExist:
        raise Http404 from None


@login_required
@permission_required(selectors.VIEW, raise_exception=True)
def appeal_list(request):
    principal = principal_for_request(request)
    today = timezone.localdate()
    filterset, qs = selectors.appeal_list(principal, request.GET, request=request)
    for field in filterset.form:
        field.help_text = ""
    paginator = KeysetPaginator(qs, selectors.LIST_ORDER, PAGE_SIZE)
    try:
        page = paginator.page(
            after=request.GET.get("after") or None, before=request.GET.get("before") or None
        )
    except InvalidCursor:
        page = paginator.page()
    page.object_list = selectors.decorate(page.object_list, today)
    return render(
        request,
        "appeals/list.html",
        {
            "filter": filterset,
            "page": page,
            "may_file": request.user.has_perm(FILE),
            "park": principal.is_park_admin,
        },
    )


@login_required
@permission_required(selectors.VIEW, raise_exception=True)
def appeal_export(request):
    """The queue as filtered on the page (same parameters, same scope), as .xlsx."""
    principal = principal_for_request(request)
    _filterset, qs = selectors.appeal_list(principal, request.GET, request=request)
    today = timezone.localdate()
    return exports.xlsx_response(
        f"appeals-{today:%Y%m%d}.xlsx", selectors.export_sheets(for_reports(qs), today)
    )


@login_required
@permission_required(FILE, raise_exception=True)
def appeal_file(request):
    principal = principal_for_request(request)
    enterprises = selectors.filing_enterprises(principal)
    if not enterprises.exists():
        raise PermissionDenied(_("Only an enterprise's HR file appeals, for their own enterprise."))
    form = FileForm(request.POST or None, request.FILES or None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        appeal = call_service(
            form,
            services.file_appeal,
            principal,
            enterprise=form.cleaned_data["enterprise"],
            kind=form.cleaned_data["kind"],
            subject=form.cleaned_data["subject"],
            text=form.cleaned_data["text"],
            contact_name=form.cleaned_data["contact_name"],
            contact_phone=form.cleaned_data["contact_phone"],
            attachment=form.cleaned_data.get("attachment"),
        )
        if appeal is not None:
            messages.success(
                request,
                _("Appeal %(ref)s filed; the answer is due by %(date)s.")
                % {"ref": appeal.reference, "date": appeal.due_on},
            )
            return redirect("appeals:detail", pk=appeal.pk)
    return render(request, "appeals/file.html", {"form": form, "deadlines": selectors.deadlines_in_force()})


def _action_forms(principal, appeal, actions):
    forms = {}
    for name in actions:
        form_class = ACTION_FORMS[name]
        kwargs = {"departments": selectors.active_departments()} if name in ("route", "reroute") else {}
        forms[name] = {"form": form_class(prefix=name, **kwargs), "label": WORKFLOW.get(name).label}
    return forms


@login_required
@permission_required(selectors.VIEW, raise_exception=True)
def appeal_detail(request, pk):
    principal = principal_for_request(request)
    appeal = _get(principal, pk)
    today = timezone.localdate()
    actions = available_actions(appeal, principal)
    return render(
        request,
        "appeals/detail.html",
        {
            "appeal": appeal,
            "overdue": rules.is_overdue(appeal, today),
            "history": selectors.history(appeal),
            "actions": _action_forms(principal, appeal, actions),
        },
    )


@login_required
@permission_required(selectors.VIEW, raise_exception=True)
def appeal_action(request, pk, action):
    principal = principal_for_request(request)
    appeal = _get(principal, pk)  # outside the caller's scope: 404 before anything else
    if action not in ACTION_FORMS:
        raise Http404
    if request.method != "POST":
        return redirect("appeals:detail", pk=appeal.pk)
    kwargs = {"departments": selectors.active_departments()} if action in ("route", "reroute") else {}
    form = ACTION_FORMS[action](request.POST, prefix=action, **kwargs)
    if form.is_valid():
        result = call_service(form, services.perform, principal, appeal, action, **form.cleaned_data)
        if result is not None:
            messages.success(request, _("Done: %(action)s.") % {"action": WORKFLOW.get(action).label})
            return redirect("appeals:detail", pk=appeal.pk)
    if action not in available_actions(appeal, principal):
        # Refused by the table (status, role): say why on the page, keep nothing to re-type.
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect("appeals:detail", pk=appeal.pk)
    return _render_bound(request, principal, appeal, action, form)


def _render_bound(request, principal, appeal, action, form):
    actions = _action_forms(principal, appeal, available_actions(appeal, principal))
    actions[action]["form"] = form
    return render(
        request,
        "appeals/detail.html",
        {
            "appeal": appeal,
            "overdue": rules.is_overdue(appeal, timezone.localdate()),
            "history": selectors.history(appeal),
            "actions": actions,
            "open_action": action,
        },
        status=400,
    )


@login_required
@permission_required(selectors.VIEW, raise_exception=True)
def appeal_attachment(request, pk):
    principal = principal_for_request(request)
    appeal = _get(principal, pk)
    if not appeal.attachment:
        raise Http404
    return FileResponse(appeal.attachment.open("rb"), as_attachment=True, content_type=appeal.attachment_type)


@login_required
@permission_required(selectors.FIGURES, raise_exception=True)
def appeal_figures(request):
    principal = principal_for_request(request)
    years = selectors.years_with_appeals()
    try:
        year = int(request.GET.get("year") or years[0])
    except ValueError:
        year = years[0]
    town = request.GET.get("town") or None
    towns = Area.objects.filter(kind=Area.Kind.TOWN)
    return render(
        request,
        "appeals/figures.html",
        {
            "data": selectors.figures(principal, year, town),
            "years": years,
            "year": year,
            "towns": towns,
            "town": town,
        },
    )
