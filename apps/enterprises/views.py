"""Pages of the enterprise registry: list, profile (the seed of the 一户一册 dossier), forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.errors import NotAllowed
from apps.core.forms import call_service
from apps.core.pagination import paginate
from apps.core.scoping import principal_for_request
from apps.documents.views import pdf_response

from . import selectors, services, workflow
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
    sections = selectors.dossier_sections(principal, enterprise)
    return render(
        request,
        "enterprises/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "principal": principal,
            "sections": sections,
            "dossier_pdf": selectors.dossier_pdf_state(
                principal, enterprise, selectors.visible_sections_key(sections)
            ),
            "can_edit": workflow.can_edit(principal, enterprise),
        },
    )


@login_required
@permission_required("enterprises.view_enterprise", raise_exception=True)
@require_POST
def dossier_pdf_generate(request, pk):
    """Queue the whole dossier as a PDF for the viewer (Celery, `services.request_dossier_pdf`);
    the page shows it pending, then offers the download."""
    principal = principal_for_request(request)
    enterprise = selectors.get_enterprise(principal, pk)
    try:
        services.request_dossier_pdf(principal, enterprise)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(
        request, _("The dossier's PDF is being generated: it is offered on this page when ready.")
    )
    return redirect(reverse("enterprises:detail", args=[enterprise.pk]) + "#dossier-pdf")


@login_required
@permission_required("enterprises.view_enterprise", raise_exception=True)
def dossier_pdf_state(request, pk):
    """The PDF's state as the page's fragment (htmx asks every few seconds while it is pending)."""
    principal = principal_for_request(request)
    enterprise = selectors.get_enterprise(principal, pk)
    state = selectors.dossier_pdf_state(principal, enterprise, request.GET.get("sections") or None)
    return render(request, "enterprises/_dossier_pdf.html", {"enterprise": enterprise, "dossier_pdf": state})


@login_required
@permission_required("enterprises.view_enterprise", raise_exception=True)
def dossier_pdf(request, pk):
    """The viewer's newest dossier PDF, once Celery has rendered it, holding exactly the sections
    the viewer may see now (404 before, or when their view changed since: the page offers to
    generate it again). The download is audited."""
    principal = principal_for_request(request)
    enterprise = selectors.get_enterprise(principal, pk)
    key = selectors.visible_sections_key(selectors.dossier_sections(principal, enterprise))
    document = selectors.dossier_pdf_document(principal, enterprise, key)
    if selectors.document_state(document) != "ready":
        raise Http404
    services.record_dossier_download(enterprise, document)
    return pdf_response(document, inline=request.GET.get("inline") == "1")


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
    initial, origins, marks = {}, {}, {}
    if request.method != "POST":
        if instance is None:
            # A new survey starts from last year's answers and the platform's records.
            initial, origins = selectors.survey_prefill(principal, enterprise, SurveyForm.default_year())
        else:
            marks = selectors.survey_checks(principal, enterprise, instance)
    form = SurveyForm(request.POST or None, instance=instance, initial=initial, origins=origins, marks=marks)
    if request.method == "POST":
        if form.is_valid():
            survey = call_service(form, services.record_survey, principal, enterprise, **form.cleaned_data)
            if survey is not None:
                messages.success(request, _("Survey %(year)d saved.") % {"year": survey.year})
                _warn_disagreements(request, form, selectors.survey_checks(principal, enterprise, survey))
                return redirect("enterprises:detail", pk=enterprise.pk)
        form.marks = selectors.survey_checks(principal, enterprise, form.answers())
    return render(request, "enterprises/survey_form.html", {"form": form, "enterprise": enterprise})


def _warn_disagreements(request, form, marks: dict) -> None:
    """A saved survey is what the enterprise reports; where it disagrees with the platform's
    records, say so (the survey form shows each record's value)."""
    if marks:
        messages.warning(
            request,
            _(
                "Saved as reported, but these answers disagree with the platform's records: %(fields)s. "
                "Open the survey to see what the records say."
            )
            % {"fields": ", ".join(str(form.fields[name].label) for name in marks if name in form.fields)},
        )
