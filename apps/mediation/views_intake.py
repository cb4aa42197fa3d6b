"""Staff pages of mediation intake: registering a walk-in, phone, court-entrusted or transferred
case; the figures; the organisations and their mediators.

Views parse input, call one service or selector and render; a service's refusal is a form error
(DomainError, put on the right field or applicant row) or a 403 (NotAllowed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.core.errors import DomainError, NotAllowed
from apps.core.scoping import principal_for_request

from . import rules, selectors, services
from .forms_intake import ApplicantFormSet, CaseIntakeForm, FiguresForm, default_period, place_service_errors
from .models import Case

APPLICANTS_PREFIX = "applicants"


@login_required
@permission_required("mediation.register_case", raise_exception=True)
def case_create(request):
    principal = principal_for_request(request)
    enterprises = selectors.respondent_enterprises(principal)
    if request.method == "POST":
        form = CaseIntakeForm(request.POST, enterprises=enterprises)
        formset = ApplicantFormSet(request.POST, prefix=APPLICANTS_PREFIX)
        form_ok, rows_ok = form.is_valid(), formset.is_valid()
        if form_ok and rows_ok:
            try:
                case, code = services.register_case(
                    principal, applicants=formset.rows(), **form.service_kwargs()
                )
            except NotAllowed as exc:
                raise PermissionDenied(str(exc)) from exc
            except DomainError as exc:
                place_service_errors(form, exc, CaseIntakeForm.FIELD_MAP, formset)
            else:
                messages.success(
                    request,
                    _(
                        "Case %(serial)s is registered. Access code for the applicant: %(code)s. "
                        "Give it to the applicant now: it is shown only this once and cannot be "
                        "looked up later. With the serial number and the code the applicant follows "
                        "the case on the public tracking page."
                    )
                    % {"serial": case.serial, "code": code},
                )
                warning = rules.limitation(case)
                if warning:
                    messages.warning(request, f"{warning['message']} ({warning['source']})")
                return redirect("mediation:detail", pk=case.pk)
    else:
        form = CaseIntakeForm(enterprises=enterprises)
        formset = ApplicantFormSet(prefix=APPLICANTS_PREFIX)
    return render(
        request,
        "mediation/create.html",
        {
            "form": form,
            "formset": formset,
            "court_channel": Case.Channel.COURT,
            "inspection_channel": Case.Channel.INSPECTION,
            "hotline_channel": Case.Channel.HOTLINE,
            "oral_form": Case.Form.ORAL,
            "collective_threshold": rules.COLLECTIVE_THRESHOLD,
            "collective_source": rules.COLLECTIVE_SOURCE,
            "representatives": (rules.REPRESENTATIVES_MIN, rules.REPRESENTATIVES_MAX),
        },
    )


@login_required
@permission_required("mediation.view_mediation_figures", raise_exception=True)
def figures(request):
    principal = principal_for_request(request)
    if "date_from" in request.GET or "date_to" in request.GET:
        form = FiguresForm(request.GET)
        period = form.period() if form.is_valid() else None
    else:
        period = default_period()
        form = FiguresForm(initial={"date_from": period[0], "date_to": period[1]})
    data, chart = None, None
    if period is not None:
        data = selectors.figures(principal, date_from=period[0], date_to=period[1])
        chart = {
            "months": [row["month"] for row in data["by_month"]],
            "cases": [row["n"] for row in data["by_month"]],
            "workers": [row["workers"] or 0 for row in data["by_month"]],
            "series": [_("Cases"), _("Workers involved")],
        }
    return render(request, "mediation/figures.html", {"form": form, "figures": data, "chart": chart})


@login_required
def organisation_list(request):
    user = request.user
    if not (user.has_perm("mediation.view_case") or user.has_perm("mediation.view_mediationorganisation")):
        raise PermissionDenied
    principal = principal_for_request(request)
    return render(
        request,
        "mediation/organisation_list.html",
        {
            "organisations": selectors.organisations(principal),
            "can_edit": user.is_staff and user.has_perm("mediation.change_mediationorganisation"),
        },
    )
