"""The pages of orders to rectify and interviews (约谈): the interview list (scoped, filtered by
status, paginated), the interview page with the facts that fired it, its actions, its links to
the case and the order and its notice PDF; the proposal page; the order's PDF (generate, download).

Reads go through selectors, writes through services. A refusal of the principal (NotAllowed) is a
403; any other refusal is shown on the form, never a 500; out of scope is a 404. The enterprise's
HR open their own enterprise's interviews and download the notice and the order, nothing else."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.core.errors import NotAllowed
from apps.core.forms import call_button, call_service
from apps.core.pagination import paginate
from apps.core.scoping import principal_for_request
from apps.documents.selectors import document_state
from apps.documents.views import pdf_response
from apps.enterprises.models import Enterprise

from .. import rules, selectors, services
from ..forms.interviews import InterviewActionForm, ProposeInterviewForm
from ..models import InspectionCase, Interview
from ..selectors import interviews as reads
from ..workflow import HANDLE, HANDLE_INTERVIEW, INTERVIEW_WORKFLOW, holds

VIEW = "inspection.view_interview"
VIEW_ORDER = "inspection.view_rectificationorder"
PAGE_SIZE = 50
IS = Interview.Status


@login_required
@permission_required(VIEW, raise_exception=True)
def interview_list(request):
    principal = principal_for_request(request)
    qs = reads.visible_interviews(principal)
    status = request.GET.get("status", "")
    if status in IS.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs.order_by("-proposed_on", "-created_at", "-id"), PAGE_SIZE)
    for interview in page:
        interview.trigger_labels = [
            Interview.Trigger(t.get("code")).label
            for t in interview.triggers or []
            if t.get("code") in Interview.Trigger.values
        ]
    return render(
        request,
        "inspection/interviews/list.html",
        {
            "page": page,
            "statuses": IS.choices,
            "status": status,
            "may_propose": holds(principal, HANDLE_INTERVIEW),
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def interview_detail(request, pk):
    principal = principal_for_request(request)
    interview = reads.interview_detail(principal, pk)
    notice = reads.latest_document(interview)
    order = interview.order
    order_visible = (
        order is not None
        and request.user.has_perm(VIEW_ORDER)
        and (InspectionCase.objects.visible_to(principal).filter(pk=order.case_id).exists())
    )
    order_doc = reads.latest_document(order) if order_visible else None
    case_visible = (
        interview.case_id is not None
        and InspectionCase.objects.visible_to(principal).filter(pk=interview.case_id).exists()
    )
    may_handle = holds(principal, HANDLE_INTERVIEW)
    return render(
        request,
        "inspection/interviews/detail.html",
        {
            "interview": interview,
            "triggers": reads.triggers_for_display(interview, principal),
            "history": list(reads.interview_history(interview)),
            "actions": [
                {"action": t.action, "label": t.label} for t in reads.interview_actions(interview, principal)
            ],
            "notice_state": document_state(notice),
            "notice": notice,
            "may_generate_notice": may_handle and interview.status in (IS.NOTIFIED, IS.HELD, IS.CLOSED),
            "order": order if order_visible else None,
            "order_state": document_state(order_doc),
            "case_visible": case_visible,
            "source": rules.INTERVIEW_SOURCE,
            "trigger_source": rules.INTERVIEW_TRIGGER_SOURCE,
        },
    )


def _perform(action, principal, interview, data):
    if action == "send_notice":
        return services.send_interview_notice(
            principal, interview, scheduled_at=data.get("scheduled_at"), place=data.get("place", "")
        )
    if action == "record":
        return services.record_interview(
            principal,
            interview,
            held_on=data.get("held_on"),
            attendees=data.get("attendees", ""),
            representative_attended=data.get("representative_attended", False),
            record=data.get("record", ""),
            commitments=data.get("commitments", ""),
            rectify_by=data.get("rectify_by"),
        )
    if action == "follow_up":
        return services.record_interview_follow_up(
            principal,
            interview,
            checked_on=data.get("checked_on"),
            result=data.get("result", ""),
            note=data.get("note", ""),
        )
    if action == "dismiss":
        return services.dismiss_interview(principal, interview, reason=data.get("reason", ""))
    raise Http404


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def interview_action(request, pk, action):
    """GET: the form of the action (or why it is not possible now); POST: perform it."""
    if action not in INTERVIEW_WORKFLOW.transitions:
        raise Http404
    principal = principal_for_request(request)
    interview = reads.interview_detail(principal, pk)
    transition = INTERVIEW_WORKFLOW.transitions[action]
    if not request.user.has_perm(transition.permission):
        raise PermissionDenied(_("Your role may not perform “%(action)s”.") % {"action": transition.label})
    posted = request.method == "POST"
    form = InterviewActionForm(request.POST if posted else None, action=action)
    refusal = None
    if posted:
        if form.is_valid():
            result = call_service(form, _perform, action, principal, interview, form.cleaned_data)
            if result is not None:
                messages.success(request, _("Done."))
                return redirect("inspection:interview", pk=interview.pk)
    else:
        error = INTERVIEW_WORKFLOW.refusal(interview, transition, principal)
        if isinstance(error, NotAllowed):
            raise PermissionDenied(str(error))
        refusal = str(error) if error else ""
    return render(
        request,
        "inspection/interviews/action.html",
        {
            "interview": interview,
            "action": action,
            "label": transition.label,
            "form": form,
            "refusal": refusal,
        },
    )


@login_required
@permission_required(HANDLE_INTERVIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def interview_propose(request):
    """An inspector proposes an interview: of an enterprise of their area, or from a case
    (`?case=<id>`: its enterprise, the case and its newest order linked)."""
    principal = principal_for_request(request)
    case = None
    case_id = request.GET.get("case") or request.POST.get("case")
    if case_id:
        case = selectors.case_detail(principal, case_id)
        if case.enterprise_id is None:
            messages.error(
                request, _("Link the case to an enterprise of the registry before proposing an interview.")
            )
            return redirect("inspection:detail", pk=case.pk)
    enterprises = Enterprise.objects.visible_to(principal)
    if case is not None:
        enterprises = enterprises.filter(pk=case.enterprise_id)
    posted = request.method == "POST"
    form = ProposeInterviewForm(request.POST if posted else None, enterprises=enterprises)
    if case is not None and not posted:
        form.initial["enterprise"] = case.enterprise_id
    if posted and form.is_valid():
        order = None
        if case is not None:
            orders = list(case.orders.all())
            order = orders[-1] if orders else None
        interview = call_service(
            form,
            lambda: services.propose_interview(
                principal,
                form.cleaned_data["enterprise"],
                case=case,
                order=order,
                reason=form.cleaned_data["reason"],
            ),
        )
        if interview is not None:
            messages.success(request, _("Interview proposed."))
            return redirect("inspection:interview", pk=interview.pk)
    return render(request, "inspection/interviews/propose.html", {"form": form, "case": case})


def _generate(request, render, principal, obj, success: str) -> None:
    """Queue a PDF's rendering (none yet, or the last one failed) and say so."""
    ok, _result = call_button(request, render, principal, obj)
    if ok:
        messages.success(request, success)


def _serve(request, owner):
    """The newest ready PDF of `owner` (404 while there is none)."""
    document = reads.latest_document(owner)
    if document_state(document) != "ready":
        raise Http404
    return pdf_response(document, inline=request.GET.get("inline") == "1")


@login_required
@permission_required(HANDLE_INTERVIEW, raise_exception=True)
@require_http_methods(["POST"])
def interview_notice_generate(request, pk):
    """Generate the notice PDF again (none yet, or its rendering failed)."""
    principal = principal_for_request(request)
    interview = reads.interview_detail(principal, pk)
    _generate(
        request,
        services.render_interview_notice,
        principal,
        interview,
        _("The interview notice PDF is being generated."),
    )
    return redirect("inspection:interview", pk=interview.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def interview_notice_pdf(request, pk):
    """The notice PDF, once generated, to everyone who sees the interview (the enterprise's HR too)."""
    return _serve(request, reads.interview_detail(principal_for_request(request), pk))


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_http_methods(["POST"])
def order_pdf_generate(request, pk):
    """Generate the order to rectify as a PDF (numbered now if it has no number)."""
    principal = principal_for_request(request)
    order = reads.order_detail(principal, pk)
    _generate(
        request,
        services.render_order_document,
        principal,
        order,
        _("The order to rectify PDF is being generated."),
    )
    return redirect("inspection:detail", pk=order.case_id)


@login_required
@permission_required(VIEW_ORDER, raise_exception=True)
def order_pdf(request, pk):
    """The order PDF, once generated, to everyone who sees its case (the enterprise's HR too)."""
    return _serve(request, reads.order_detail(principal_for_request(request), pk))
