"""Staff pages of a mediation case: the list (mediators' and administrators' cases, HR's cases as
respondent), the case page with its timeline and the actions allowed now, the action forms
(accept, transfer, extend, refuse, close..., archive) and the work on a case (sessions, the
agreement and its signatures and PDF, payments and performance, follow-ups, re-employment
referrals, documents).

Reads go through selectors.py, writes through services.py. A refusal of the principal
(NotAllowed) is a 403; any other refusal (DomainError, InvalidTransition) is shown on the form with
its legal source, never a 500. A case out of the principal's scope is a 404. Intake, figures and
organisations are in views_intake.py, the public pages in views_public.py."""

from __future__ import annotations

from decimal import Decimal
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from apps.core.errors import DomainError, NotAllowed
from apps.core.forms import call_button, call_service
from apps.core.pagination import InvalidCursor, KeysetPaginator, paginate
from apps.core.scoping import get_visible_or_404, principal_for_request
from apps.documents.selectors import document_state
from apps.documents.views import pdf_response

from . import rules, selectors, services
from .forms import (
    AcceptForm,
    AgreementForm,
    AgreementItemFormSet,
    DocumentForm,
    ExtendForm,
    FollowUpForm,
    MassIncidentForm,
    PaymentForm,
    PerformanceForm,
    ReasonForm,
    ReferralForm,
    ReferralResultForm,
    SessionForm,
    SignaturesForm,
    TransferForm,
)
from .models import Case, FollowUp, MediationOrganisation, Mediator, Referral
from .workflow import (
    ACTIONS_WITH_FORMS,
    WORK_STATUSES,
    WORKFLOW,
    can_generate_agreement_draft,
    can_generate_agreement_pdf,
    can_mark_mass_incident,
    can_reissue_access_code,
    can_work,
    mass_incident_refusal,
    may_mark_mass_incident,
    may_mediate,
    work_allowed,
)

PAGE_SIZE = 25
VIEW = "mediation.view_case"
S = Case.Status

#: What the page says once an action is done.
ACTION_DONE = {
    "accept": gettext_lazy("The case is accepted and assigned."),
    "refuse": gettext_lazy(
        "The application is not accepted; the applicant sees the reason on the tracking page."
    ),
    "transfer": gettext_lazy("The case is transferred; the new organisation has been notified."),
    "extend": gettext_lazy("The mediation period is extended."),
    "close_agreement": gettext_lazy("The case is closed with the agreement; its PDF is being generated."),
    "close_no_agreement": gettext_lazy("The case is closed without agreement."),
    "close_timed_out": gettext_lazy("The case is closed as timed out."),
    "withdraw": gettext_lazy("The case is closed: the applicant withdrew."),
    "respondent_refused": gettext_lazy("The case is closed: the respondent refused mediation."),
    "refer_arbitration": gettext_lazy("The case is closed and referred to arbitration."),
    "refer_court": gettext_lazy("The case is closed and referred to court."),
    "archive": gettext_lazy("The case is archived; it is now read-only."),
}

#: What each action page explains above its form.
ACTION_HELP = {
    "accept": gettext_lazy(
        "Accepting starts mediation with the organisation and mediator chosen; the mediator and the "
        "respondent's HR are notified."
    ),
    "refuse": gettext_lazy(
        "The applicant sees the reason on the tracking page and may apply for arbitration directly."
    ),
    "transfer": gettext_lazy(
        "The new organisation receives the case today: its 3-working-day decision and the mediation "
        "period start again from today; the mediator is unassigned."
    ),
    "extend": gettext_lazy("An extension needs both parties' consent, recorded with its date and form."),
    "close_agreement": gettext_lazy(
        "Closing with the agreement fixes the agreed amount, opens the follow-ups (confirmation by the "
        "arbitration commission or a court, payment order) and generates the agreement PDF."
    ),
    "close_timed_out": gettext_lazy(
        "The mediation period has passed without agreement; either party may apply for arbitration."
    ),
    "archive": gettext_lazy("An archived case is read-only, with all its documents and its timeline."),
}

#: The work pages (workflow.WORK_STATUSES) and their titles.
WORK_TITLES = {
    "session": gettext_lazy("Record a mediation session"),
    "agreement": gettext_lazy("The mediation agreement"),
    "signatures": gettext_lazy("Signatures and seal of the agreement"),
    "payment": gettext_lazy("Record a payment"),
    "performance": gettext_lazy("Performance of the agreement"),
    "follow_up": gettext_lazy("Follow-up of the agreement"),
    "referral": gettext_lazy("Re-employment referral"),
    "document": gettext_lazy("Add a document"),
    "mass_incident": gettext_lazy("Mass incident arising from the dispute"),
    "mass_incident_remove": gettext_lazy("Remove the mass-incident mark"),
}

#: Actions shown in red: they end the mediation without a result.
DANGEROUS = ("refuse", "withdraw", "respondent_refused")

STATUS_BADGES = {
    S.RECEIVED: "info",
    S.IN_MEDIATION: "primary",
    S.REFUSED: "secondary",
    S.CLOSED: "success",
    S.ARCHIVED: "dark",
}


def _detail_url(case, anchor: str = "") -> str:
    return reverse("mediation:detail", args=[case.pk]) + (f"#{anchor}" if anchor else "")


# The list ---------------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def case_list(request):
    principal = principal_for_request(request)
    filterset, qs = selectors.case_list(principal, request.GET, request)
    ordering, default_order = selectors.list_ordering(filterset)
    if default_order:
        # The default order is an index's: "next" and "previous" carry the edge row's keys, so a
        # deep page costs what the first does. A cursor of junk shows the first page.
        keys = selectors.page_keys(qs)
        try:
            page = KeysetPaginator(keys, ordering, PAGE_SIZE).page(
                after=request.GET.get("after") or None, before=request.GET.get("before") or None
            )
        except InvalidCursor:
            page = KeysetPaginator(keys, ordering, PAGE_SIZE).page()
        page.object_list = selectors.page_rows(page.object_list, full=False)
    else:
        page = paginate(request, qs, PAGE_SIZE)
    today = timezone.localdate()
    for case in page:
        case.next_due = selectors.next_deadline(case)
        case.overdue = selectors.is_overdue(case, today)
        case.badge = STATUS_BADGES.get(case.status, "secondary")
    return render(
        request,
        "mediation/case_list.html",
        {
            "filter": filterset,
            "page": page,
            "count": page.count if default_order else page.paginator.count,
            "count_is_estimate": page.count_is_estimate
            if default_order
            else page.paginator.count_is_estimate,
            "is_mediator": principal.has_role("mediator"),
            "mine": request.GET.get("mine") == "true",
            "collective_source": rules.COLLECTIVE_SOURCE,
        },
    )


# The case -----------------------------------------------------------------------------------------------


def _timeline(case):
    labels = selectors.action_labels()
    statuses = dict(S.choices)
    rows = []
    for entry in selectors.timeline(case):
        entry.action_label = labels.get(entry.action, entry.action)
        entry.from_label = statuses.get(entry.from_status, entry.from_status)
        entry.to_label = statuses.get(entry.to_status, entry.to_status)
        rows.append(entry)
    return rows


def _action_buttons(case, principal) -> list[dict]:
    return [
        {
            "action": t.action,
            "label": t.label,
            "form": t.action in ACTIONS_WITH_FORMS or t.needs_reason,
            "danger": t.action in DANGEROUS,
        }
        for t in selectors.available_actions(case, principal)
    ]


@login_required
@permission_required(VIEW, raise_exception=True)
def case_detail(request, pk):
    principal = principal_for_request(request)
    case = get_visible_or_404(selectors.case_detail_queryset(principal), principal, pk=pk)
    identity = selectors.can_see_identity(principal, case)
    applicants = selectors.applicant_rows(principal, case, reveal=request.GET.get("reveal") or None)
    agreement = selectors.agreement_of(case)
    mediating = may_mediate(principal, case)
    work = work_allowed(case, principal)
    case_file = selectors.sees_case_file(principal, case)
    payments = list(agreement.payments.all()) if agreement else []
    items = list(agreement.items.all()) if agreement else []
    downloads = selectors.may_download_agreement(principal, case)
    draft = selectors.agreement_draft(agreement) if downloads else None
    return render(
        request,
        "mediation/case_detail.html",
        {
            "case": case,
            "badge": STATUS_BADGES.get(case.status, "secondary"),
            "types": [t.get_code_display() for t in case.types.all()],
            "collective_source": rules.COLLECTIVE_SOURCE,
            "oral_source": rules.ORAL_APPLICATION_SOURCE,
            # Advice for the mediator to give the applicant; not shown to the respondent.
            "limitation": rules.limitation(case) if mediating else None,
            "deadlines": selectors.deadlines(case),
            "overdue": selectors.is_overdue(case),
            "applicants": applicants,
            "can_see_identity": identity,
            "timeline": _timeline(case),
            "sessions": list(case.sessions.all()),
            "extensions": list(case.extensions.all()),
            "transfers": list(case.transfers.all()),
            "agreement": agreement,
            "items": items,
            "items_total": sum((i.amount for i in items), Decimal("0")),
            "follow_ups": list(agreement.follow_ups.all()) if agreement else [],
            "payments": payments,
            "paid_total": sum((p.amount for p in payments), Decimal("0")),
            "document_state": document_state(agreement.document if agreement else None),
            # The version for signing (no dates) while the case is in mediation.
            "draft": draft,
            "draft_state": document_state(draft),
            "agreement_source": rules.AGREEMENT_SOURCE,
            "referrals": list(case.referrals.all()) if case_file else [],
            "documents": list(case.documents.all()) if case_file else [],
            "show_documents": case_file,
            "case_file": case_file,
            "actions": _action_buttons(case, principal),
            "work": work,
            # What the page offers, answered by the workflow (the template only reads it).
            "can": {
                **{kind: kind in work for kind in WORK_STATUSES},
                "reissue_code": can_reissue_access_code(case, principal),
                "generate_pdf": can_generate_agreement_pdf(case, principal),
                "generate_draft": can_generate_agreement_draft(case, principal),
                "mark_mass_incident": can_mark_mass_incident(case, principal),
                # The agreement's PDFs carry the applicants' ID numbers (not for HR).
                "download_agreement": downloads,
            },
            "archived": case.status == S.ARCHIVED,
            "mass_incident_source": rules.MASS_INCIDENT_SOURCE,
        },
    )


def _mass_incident_case(request, pk):
    """The case if the principal may mark it as a mass incident now; else a 403 (role), a 404
    (scope) or a redirect to the case page saying why not (not a collective dispute)."""
    principal = principal_for_request(request)
    case = selectors.get_case(principal, pk)
    if not may_mark_mass_incident(principal, case):
        raise PermissionDenied(_("Only park administrators and the case's mediators mark a mass incident."))
    refusal = mass_incident_refusal(case)
    if refusal is not None:
        messages.error(request, str(refusal))
        return principal, case, redirect(_detail_url(case))
    return principal, case, None


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def mass_incident(request, pk):
    """Mark a collective dispute as having led to a mass incident, or correct the mark."""
    principal, case, refused = _mass_incident_case(request, pk)
    if refused:
        return refused
    posted = request.method == "POST"
    form = MassIncidentForm(
        request.POST if posted else None,
        initial={"occurred_on": case.mass_incident_on, "note": case.mass_incident_note},
    )
    if posted and form.is_valid():
        done = call_service(form, services.mark_mass_incident, principal, case, **form.service_kwargs())
        if done is not None:
            messages.success(
                request, _("The mass incident is recorded; certification will propose its veto event.")
            )
            return redirect(_detail_url(case, "mass-incident"))
    return _work_page(
        request,
        case,
        "mass_incident",
        form,
        intro=_(
            "A collective dispute that led to a mass incident (%(source)s). Certification proposes a veto "
            "event for the enterprise; the park confirms or dismisses it."
        )
        % {"source": rules.MASS_INCIDENT_SOURCE},
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def mass_incident_remove(request, pk):
    """Remove a mass-incident mark set by mistake, with the reason."""
    principal, case, refused = _mass_incident_case(request, pk)
    if refused:
        return refused
    posted = request.method == "POST"
    form = ReasonForm(request.POST if posted else None, needs_reason=True)
    if posted and form.is_valid():
        done = call_service(form, services.unmark_mass_incident, principal, case, **form.service_kwargs())
        if done is not None:
            messages.success(request, _("The mass-incident mark is removed."))
            return redirect(_detail_url(case, "mass-incident"))
    return _work_page(request, case, "mass_incident_remove", form)


@login_required
@permission_required("mediation.accept_case", raise_exception=True)
@require_http_methods(["POST"])
def access_code_reissue(request, pk):
    """A new access code for an applicant who lost theirs; shown once in the page message."""
    principal = principal_for_request(request)
    case = selectors.get_case(principal, pk)
    ok, code = call_button(request, services.reissue_access_code, principal, case)
    if ok:
        messages.warning(
            request,
            _(
                "New access code for %(serial)s: %(code)s. It is shown only this once; the old code no longer works."
            )
            % {"serial": case.serial, "code": code},
        )
    return redirect(_detail_url(case))


@login_required
@permission_required("mediation.mediate_case", raise_exception=True)
@require_http_methods(["POST"])
def agreement_pdf_generate(request, pk):
    """Generate the agreement PDF again (none yet, or the rendering failed)."""
    principal = principal_for_request(request)
    case = selectors.get_case(principal, pk)
    ok, _result = call_button(request, services.regenerate_agreement_pdf, principal, case)
    if ok:
        messages.success(request, _("The agreement PDF is being generated."))
    return redirect(_detail_url(case, "agreement"))


# Lifecycle actions ----------------------------------------------------------------------------------------


def _active_organisations(principal):
    return MediationOrganisation.objects.visible_to(principal).active().order_by("kind", "name")


def _own_mediator(principal, case) -> Mediator | None:
    """The signed-in mediator's roster entry in the case's organisation (the default assignee)."""
    if principal.user is None or case.organisation_id is None:
        return None
    return selectors.mediators_for(case.organisation).filter(user=principal.user).first()


def _action_form(action, transition, principal, case, data):
    if action == "accept":
        own = _own_mediator(principal, case) if data is None else None
        return AcceptForm(
            data,
            organisations=_active_organisations(principal),
            mediators=selectors.mediators_for(None).order_by("organisation__name", "name"),
            initial={"organisation": case.organisation_id, "mediator": own.pk if own else None},
        )
    if action == "transfer":
        return TransferForm(
            data, organisations=_active_organisations(principal).exclude(pk=case.organisation_id)
        )
    if action == "extend":
        return ExtendForm(data)
    return ReasonForm(data, needs_reason=transition.needs_reason, with_reason=action != "archive")


def _perform(action, principal, case, form):
    kwargs = form.service_kwargs()
    if action == "accept":
        return services.accept(principal, case, **kwargs)
    if action == "transfer":
        return services.transfer(principal, case, **kwargs)
    if action == "extend":
        return services.extend(principal, case, **kwargs)
    return services.perform(principal, case, action, **kwargs)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def case_action(request, pk, action):
    """GET: the form of the action (or why it is not possible now); POST: perform it."""
    transition = WORKFLOW.transitions.get(action)
    if transition is None:
        raise Http404
    principal = principal_for_request(request)
    case = selectors.get_case(principal, pk)
    if transition.permission and not request.user.has_perm(transition.permission):
        raise PermissionDenied(_("Your role may not perform “%(action)s”.") % {"action": transition.label})
    posted = request.method == "POST"
    form = _action_form(action, transition, principal, case, request.POST if posted else None)
    refusal = None
    if posted:
        if form.is_valid() and call_service(form, _perform, action, principal, case, form) is not None:
            messages.success(request, str(ACTION_DONE.get(action, _("Done."))))
            return redirect("mediation:detail", pk=case.pk)
    else:
        refusal = WORKFLOW.refusal(case, transition, principal)
        if isinstance(refusal, NotAllowed):
            raise PermissionDenied(str(refusal))
    context = {
        "case": case,
        "badge": STATUS_BADGES.get(case.status, "secondary"),
        "action": action,
        "transition": transition,
        "form": form,
        "refusal": str(refusal) if refusal else "",
        "help": ACTION_HELP.get(action, ""),
        "deadlines": selectors.deadlines(case) if action in ("extend", "close_timed_out") else [],
        "danger": action in DANGEROUS or action == "archive",
    }
    if action == "extend":
        context["extension"] = {
            "max_days": rules.MAX_EXTENSION_DAYS,
            "source": rules.EXTENSION_SOURCE,
            "court": case.is_court_entrusted,
        }
    return render(request, "mediation/action.html", context)


# Work on a case --------------------------------------------------------------------------------------------


def _work_case(request, pk, kind):
    """The case if the principal may do `kind` of work on it now; else a 403 (role), a 404
    (scope) or a redirect to the case page saying why not (status)."""
    principal = principal_for_request(request)
    case = selectors.get_case(principal, pk)
    if not may_mediate(principal, case):
        raise PermissionDenied(_("Your role may not work on mediation cases."))
    if not can_work(case, kind, principal):
        if case.status == S.ARCHIVED:
            text = _("The case is archived and can no longer be changed.")
        else:
            text = _("Not possible while the case is “%(status)s”.") % {"status": case.get_status_display()}
        messages.error(request, text)
        return principal, case, redirect(_detail_url(case))
    return principal, case, None


def _work_page(request, case, kind, form, *, intro="", multipart=False, extra=None):
    return render(
        request,
        "mediation/work_form.html",
        {
            "case": case,
            "badge": STATUS_BADGES.get(case.status, "secondary"),
            "kind": kind,
            "title": WORK_TITLES[kind],
            "form": form,
            "intro": intro,
            "multipart": multipart,
            **(extra or {}),
        },
    )


def _simple_work(
    request, pk, kind, make_form, service, *, done, anchor, intro="", multipart=False, extra=None
):
    """GET shows `make_form(None, case)`; POST parses it and runs `service(principal, case, form)`."""
    principal, case, refused = _work_case(request, pk, kind)
    if refused:
        return refused
    posted = request.method == "POST"
    form = make_form((request.POST, request.FILES) if posted else None, case)
    if posted and form.is_valid() and call_service(form, service, principal, case, form) is not None:
        messages.success(request, str(done))
        return redirect(_detail_url(case, anchor))
    return _work_page(
        request,
        case,
        kind,
        form,
        intro=intro,
        multipart=multipart,
        extra=extra(case) if callable(extra) else extra,
    )


def _bound(form_class, data, **kwargs):
    if data is None:
        return form_class(**kwargs)
    post, files = data
    return form_class(post, files, **kwargs)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def session_create(request, pk):
    return _simple_work(
        request,
        pk,
        "session",
        lambda data, case: _bound(
            SessionForm, data, initial={"held_at": timezone.localtime().replace(second=0, microsecond=0)}
        ),
        lambda principal, case, form: services.record_session(principal, case, **form.service_kwargs()),
        done=_("The session is recorded."),
        anchor="sessions",
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk):
    principal, case, refused = _work_case(request, pk, "agreement")
    if refused:
        return refused
    agreement = selectors.agreement_of(case)
    if request.method == "POST":
        form = AgreementForm(request.POST)
        formset = AgreementItemFormSet(request.POST, prefix="items")
        if form.is_valid() and formset.is_valid():
            rows, index = formset.items()
            try:
                services.save_agreement(principal, case, result=form.cleaned_data["result"], items=rows)
            except NotAllowed as exc:
                raise PermissionDenied(str(exc)) from exc
            except DomainError as exc:
                suffix = f" ({exc.source})" if exc.source else ""
                left = formset.add_service_errors(exc.fields, index)
                for message in exc.fields.get("result", []):
                    form.add_error("result", f"{message}{suffix}")
                for message in left:
                    form.add_error(None, f"{message}{suffix}")
                if not exc.fields:
                    form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "The agreement is saved and its version for signing is being generated: print it, "
                        "have it signed and sealed, then record the dates of the signatures."
                    ),
                )
                return redirect(_detail_url(case, "agreement"))
    else:
        form = AgreementForm(initial={"result": agreement.result if agreement else ""})
        initial = []
        if agreement is not None:
            initial = [
                {
                    "kind": i.kind,
                    "description": i.description,
                    "amount": i.amount,
                    "due_on": i.due_on,
                    "method": i.method,
                }
                for i in agreement.items.all()
            ]
        formset = AgreementItemFormSet(initial=initial, prefix="items")
    return render(
        request,
        "mediation/agreement_form.html",
        {
            "case": case,
            "badge": STATUS_BADGES.get(case.status, "secondary"),
            "form": form,
            "formset": formset,
            "source": rules.AGREEMENT_SOURCE,
            "payment_order_source": rules.PAYMENT_ORDER_SOURCE,
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def agreement_signatures(request, pk):
    def make(data, case):
        agreement = selectors.agreement_of(case)
        initial = {name: getattr(agreement, name) for name in SignaturesForm.base_fields} if agreement else {}
        return _bound(SignaturesForm, data, initial=initial)

    def save(principal, case, form):
        agreement = services.record_signatures(principal, case, **form.service_kwargs())
        if agreement.is_signed:
            messages.info(
                request,
                _("The agreement is in force since %(date)s; the case can now be closed with the agreement.")
                % {"date": agreement.effective_on.isoformat()},
            )
        return agreement

    return _simple_work(
        request,
        pk,
        "signatures",
        make,
        save,
        done=_("The signatures are recorded."),
        anchor="agreement",
        intro=_(
            "Record the dates written on the signed agreement for signing. The agreement takes effect "
            "when both parties have signed or sealed it, the mediator has signed it and the "
            "organisation's seal is affixed (%(source)s); closing the case with it then generates the "
            "final PDF with these dates."
        )
        % {"source": rules.AGREEMENT_SOURCE},
    )


def _agreement_download(request, pk, *, draft: bool):
    principal = principal_for_request(request)
    case = selectors.get_case(principal, pk)
    if not selectors.may_download_agreement(principal, case):
        raise PermissionDenied(
            _(
                "The agreement names the applicants with their ID numbers: only the mediation "
                "organisation and the park administrators download it."
            )
        )
    agreement = selectors.agreement_of(case)
    final = agreement.document if agreement else None
    document = selectors.agreement_draft(agreement) if draft else final
    if document_state(document) != "ready":
        raise Http404
    return pdf_response(document, inline=request.GET.get("inline") == "1")


@login_required
@permission_required(VIEW, raise_exception=True)
def agreement_pdf(request, pk):
    """The final agreement PDF (with the dates of the signatures and the seal), once generated,
    to those who see applicants' identity and the case's file (`may_download_agreement`): it
    carries the applicants' full ID numbers. The respondent's HR get a 403: their enterprise
    holds the original it signed, and the case page shows them the agreement's text."""
    return _agreement_download(request, pk, draft=False)


@login_required
@permission_required(VIEW, raise_exception=True)
def agreement_draft_pdf(request, pk):
    """The newest agreement for signing (待签署, no dates), to the same people as the final one."""
    return _agreement_download(request, pk, draft=True)


@login_required
@permission_required("mediation.mediate_case", raise_exception=True)
@require_http_methods(["POST"])
def agreement_draft_generate(request, pk):
    """Generate the agreement for signing again (saving the agreement queues it already)."""
    principal = principal_for_request(request)
    case = selectors.get_case(principal, pk)
    ok, _result = call_button(request, services.generate_agreement_draft, principal, case)
    if ok:
        messages.success(request, _("The agreement for signing is being generated."))
    return redirect(_detail_url(case, "agreement"))


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def payment_create(request, pk):
    def extra(case):
        agreement = selectors.agreement_of(case)
        paid = sum((p.amount for p in agreement.payments.all()), Decimal("0")) if agreement else Decimal("0")
        return {"agreed": case.agreed_amount, "paid": paid}

    return _simple_work(
        request,
        pk,
        "payment",
        lambda data, case: _bound(PaymentForm, data, initial={"paid_on": timezone.localdate()}),
        lambda principal, case, form: services.record_payment(principal, case, **form.service_kwargs()),
        done=_("The payment is recorded."),
        anchor="agreement",
        extra=extra,
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def performance_set(request, pk):
    return _simple_work(
        request,
        pk,
        "performance",
        lambda data, case: _bound(PerformanceForm, data),
        lambda principal, case, form: services.set_performance(principal, case, **form.service_kwargs()),
        done=_("The performance of the agreement is recorded."),
        anchor="agreement",
        intro=_(
            "If the agreement is not performed, the worker may apply for arbitration; for wages, "
            "work-injury medical costs, compensation or damages also for a payment order (%(source)s)."
        )
        % {"source": rules.PAYMENT_ORDER_SOURCE},
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def follow_up_update(request, pk, follow_up_pk):
    principal, case, refused = _work_case(request, pk, "follow_up")
    if refused:
        return refused
    follow_up = (
        FollowUp.objects.filter(pk=follow_up_pk, agreement__case=case).select_related("agreement").first()
    )
    if follow_up is None:
        raise Http404
    posted = request.method == "POST"
    form = FollowUpForm(
        request.POST if posted else None,
        initial={"status": follow_up.status, "done_on": follow_up.done_on, "note": follow_up.note},
    )
    if posted and form.is_valid():
        saved = call_service(form, services.update_follow_up, principal, follow_up, **form.service_kwargs())
        if saved is not None:
            messages.success(request, _("The follow-up is updated."))
            return redirect(_detail_url(case, "agreement"))
    return _work_page(request, case, "follow_up", form, extra={"follow_up": follow_up})


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def referral_create(request, pk):
    return _simple_work(
        request,
        pk,
        "referral",
        lambda data, case: _bound(
            ReferralForm,
            data,
            applicants=case.applicants.all(),
            initial={"referred_on": timezone.localdate()},
        ),
        lambda principal, case, form: services.add_referral(principal, case, **form.service_kwargs()),
        done=_("The referral is recorded."),
        anchor="referrals",
        intro=_(
            "Refer an applicant who lost the job in the dispute to an employment service: job "
            "matching, vocational training, unemployment insurance or start-up support."
        ),
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def referral_result(request, pk, referral_pk):
    principal, case, refused = _work_case(request, pk, "referral")
    if refused:
        return refused
    referral = Referral.objects.filter(pk=referral_pk, case=case).select_related("applicant", "case").first()
    if referral is None:
        raise Http404
    posted = request.method == "POST"
    form = ReferralResultForm(
        request.POST if posted else None,
        initial={
            "result": referral.result,
            "result_on": referral.result_on,
            "follow_up_on": referral.follow_up_on,
            "follow_up_note": referral.follow_up_note,
            "note": referral.note,
        },
    )
    if posted and form.is_valid():
        saved = call_service(
            form, services.record_referral_result, principal, referral, **form.service_kwargs()
        )
        if saved is not None:
            messages.success(request, _("The follow-up and outcome of the referral are recorded."))
            return redirect(_detail_url(case, "referrals"))
    return _work_page(request, case, "referral", form, extra={"referral": referral})


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def document_upload(request, pk):
    def save(principal, case, form):
        return services.add_document(
            principal, case, uploaded=form.cleaned_data["file"], title=form.cleaned_data.get("title") or ""
        )

    return _simple_work(
        request,
        pk,
        "document",
        lambda data, case: _bound(DocumentForm, data),
        save,
        done=_("The document is added."),
        anchor="documents",
        multipart=True,
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def document_download(request, pk, document_pk):
    """A case document, as an attachment, to those who see the case's file: park administrators
    and the mediators of the organisation handling the case (`workflow.can_see_case_file`); not
    the respondent's HR, nor another organisation's mediators."""
    principal = principal_for_request(request)
    case = selectors.get_case(principal, pk)
    if not selectors.sees_case_file(principal, case):
        raise Http404
    doc = case.documents.filter(pk=document_pk).first()
    if doc is None or not doc.file:
        raise Http404
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    suffix = PurePath(doc.file.name).suffix
    response = FileResponse(
        handle, as_attachment=True, filename=f"{doc.title}{suffix}", content_type=doc.content_type
    )
    response["X-Content-SHA256"] = doc.sha256
    return response
