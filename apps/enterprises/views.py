"""Pages of the enterprise registry: list, profile (the seed of the 一户一册 dossier), forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.forms import call_service
from apps.core.pagination import paginate
from apps.core.scoping import principal_for_request

from . import selectors, services, workflow
from .choices import SizeBand, size_band
from .forms import EnterpriseForm, SurveyForm

PAGE_SIZE = 50
SORTS = [
    ("name", gettext_lazy("Name")),
    ("-employees", gettext_lazy("Employees, most first")),
    ("employees", gettext_lazy("Employees, fewest first")),
    ("-established_on", gettext_lazy("Newest first")),
    ("established_on", gettext_lazy("Oldest first")),
    ("town", gettext_lazy("Town")),
    ("-updated_at", gettext_lazy("Recently updated")),
]


@login_required
@permission_required("enterprises.view_enterprise", raise_exception=True)
def enterprise_list(request):
    principal = principal_for_request(request)
    filterset, qs = selectors.enterprise_list(principal, request.GET)
    page = paginate(request, qs, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "enterprises/enterprise_list.html",
        {
            "filter": filterset,
            "page": page,
            "sorts": [(value, str(label)) for value, label in SORTS],
            "current_sort": request.GET.get("ordering", ""),
            "query": query.urlencode(),
            "can_create": request.user.has_perm("enterprises.add_enterprise"),
            "can_import": workflow.can_import(principal),
            "can_export": workflow.can_export(principal),
        },
    )


@login_required
@permission_required("enterprises.view_enterprise", raise_exception=True)
def enterprise_detail(request, pk):
    principal = principal_for_request(request)
    enterprise = selectors.get_enterprise(principal, pk)
    surveys = list(selectors.surveys_of(principal, enterprise))
    return render(
        request,
        "enterprises/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "principal": principal,
            "latest": enterprise.latest_survey,
            "surveys": surveys,
            "size_band": SizeBand(band).label if (band := size_band(enterprise.employees)) else None,
            "sections": selectors.dossier_sections(principal, enterprise),
            "can_edit": workflow.can_edit(principal, enterprise),
            "can_record_survey": workflow.can_record_survey(principal, enterprise),
        },
    )


@login_required
@permission_required("enterprises.add_enterprise", raise_exception=True)
def enterprise_create(request):
    principal = principal_for_request(request)
    form = EnterpriseForm(request.POST or None, initial={"status": "operating"})
    if request.method == "POST" and form.is_valid():
        enterprise = call_service(form, services.create_enterprise, principal, **form.cleaned_data)
        if enterprise is not None:
            messages.success(request, _("Enterprise “%(name)s” registered.") % {"name": enterprise.name})
            return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/enterprise_form.html", {"form": form, "enterprise": None})


@login_required
@permission_required("enterprises.change_enterprise", raise_exception=True)
def enterprise_edit(request, pk):
    principal = principal_for_request(request)
    enterprise = selectors.get_enterprise(principal, pk)
    if not workflow.can_edit(principal, enterprise):
        raise PermissionDenied(_("You may edit only your own enterprise."))
    form = EnterpriseForm(
        request.POST or None,
        instance=enterprise,
        can_change_controlled=workflow.can_change_controlled_fields(principal),
    )
    if request.method == "POST" and form.is_valid():
        result = call_service(
            form, services.update_enterprise, principal, enterprise, **form.changed_values()
        )
        if result is not None:
            messages.success(request, _("Changes saved."))
            return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/enterprise_form.html", {"form": form, "enterprise": enterprise})


@login_required
@permission_required("enterprises.add_enterprisesurvey", raise_exception=True)
def survey_edit(request, pk):
    """Record the survey of a year (an existing year is shown for correction)."""
    principal = principal_for_request(request)
    enterprise = selectors.get_enterprise(principal, pk)
    if not workflow.can_record_survey(principal, enterprise):
        raise PermissionDenied(_("You may record surveys only for your own enterprise."))
    instance = None
    year = request.GET.get("year")
    if year and year.isdigit():
        instance = selectors.surveys_of(principal, enterprise).filter(year=int(year)).first()
    form = SurveyForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        survey = call_service(form, services.record_survey, principal, enterprise, **form.cleaned_data)
        if survey is not None:
            messages.success(request, _("Survey %(year)d saved.") % {"year": survey.year})
            return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/survey_form.html", {"form": form, "enterprise": enterprise})
