"""The inspector's pages: the case list (scoped, filtered by status and source, overdue first),
the case page with its clocks, workers, orders, extensions, history and the actions allowed now,
and one action page per action (the form, or why it is not possible now).

Reads go through selectors.py, writes through services.py. A refusal of the principal
(NotAllowed) is a 403; any other refusal is shown on the form with its legal source, never a 500.
A case out of the principal's scope is a 404. The reporter is shown only on request to those who
may see it, and each view is audited (劳动保障监察条例 art. 9)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from apps.core.errors import NotAllowed
from apps.core.forms import call_button, call_service
from apps.core.pagination import paginate
from apps.core.scoping import principal_for_request
from apps.documents.selectors import document_state
from apps.enterprises.models import Enterprise

from .. import rules, selectors, services
from ..forms import ActionForm, CaseForm
from ..models import InspectionCase, Source
from ..selectors import interviews as interview_reads
from ..workflow import (
    ACTIONS_WITH_FORMS,
    APPROVE,
    DECISIONS,
    HANDLE,
    HANDLE_INTERVIEW,
    WORKFLOW,
    can_request_extension,
    extension_request_refusal,
    follow_up_refusal,
    holds,
    pending_extension,
)

VIEW = "inspection.view_inspectioncase"
PAGE_SIZE = 50
S = InspectionCase.Status

#: Work on a case besides the table, offered as buttons beside its actions.
EXTRA_ACTIONS = {
    "request_extension": gettext_lazy("Request an extension"),
    "record_follow_up": gettext_lazy("Record the follow-up result"),
    "reject_extension": gettext_lazy("Reject the extension"),
    "link_enterprise": gettext_lazy("Link to the registry"),
}


def _label(action):
    transition = WORKFLOW.transitions.get(action)
    return transition.label if transition else EXTRA_ACTIONS[action]


@login_required
@permission_required(VIEW, raise_exception=True)
def case_list(request):
    principal = principal_for_request(request)
    qs = selectors.visible_cases(principal)
    status, source = request.GET.get("status", ""), request.GET.get("source", "")
    if status in S.values:
        qs = qs.filter(status=status)
    if source in dict(InspectionCase._meta.get_field("source").choices):
        qs = qs.filter(source=source)
    overdue = request.GET.get("overdue", "")
    if overdue == "true":
        qs = qs.filter(selectors.overdue_q(timezone.localdate()))
    elif overdue == "false":  # e.g. the decisions still within their deadline (the worklist)
        qs = qs.exclude(selectors.overdue_q(timezone.localdate()))
    # Cases with an order to rectify not yet checked, or past its deadline (the home page's worklist).
    order = request.GET.get("order", "")
    if order in selectors.ORDER_FILTERS:
        qs = qs.filter(selectors.pending_order_q(order, timezone.localdate()))
    else:
        order = ""
    # A bounded count (apps.core.pagination) and a total order served by `inspection_case_order`.
    page = paginate(request, qs.order_by(*selectors.LIST_ORDER), PAGE_SIZE)
    today = timezone.localdate()
    for case in page:
        case.overdue = rules.decision_overdue(case, today) or rules.investigation_overdue(case, today)
    return render(
        request,
        "inspection/case_list.html",
        {
            "page": page,
            "statuses": S.choices,
            "sources": InspectionCase._meta.get_field("source").choices,
            "status": status,
            "source": source,
            # The worklist's narrowings, shown (and removable) in the form like the other filters.
            "overdue": overdue if overdue in ("true", "false") else "",
            "overdue_choices": [
                ("true", _("Past a deadline")),
                ("false", _("Within their deadlines")),
            ],
            "order": order,
            "order_choices": [
                ("open", _("An order not yet checked")),
                ("overdue", _("An order past its deadline")),
            ],
        },
    )


@login_required
@permission_required("inspection.register_case", raise_exception=True)
@require_http_methods(["GET", "POST"])
def case_create(request):
    """Register a case (counter complaint, report, patrol or review finding, campaign, referral)."""
    principal = principal_for_request(request)
    enterprises = Enterprise.objects.visible_to(principal)
    form = CaseForm(request.POST if request.method == "POST" else None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        result = call_service(form, lambda: services.register_case(principal, **form.service_kwargs()))
        if result is not None:
            case, created = result
            if created:
                messages.success(request, _("Case %(serial)s registered.") % {"serial": case.serial})
            else:
                messages.info(
                    request,
                    _("This reference was registered before as %(serial)s.") % {"serial": case.serial},
                )
            return redirect("inspection:detail", pk=case.pk)
    return render(request, "inspection/create.html", {"form": form})


def _unchecked_order(case):
    return next((o for o in case.orders.all() if not o.result), None)


def _buttons(case, principal) -> list[dict]:
    rows = [{"action": t.action, "label": t.label} for t in selectors.available_actions(case, principal)]
    if can_request_extension(case, principal):
        rows.append({"action": "request_extension", "label": EXTRA_ACTIONS["request_extension"]})
    if case.enterprise_id is None and holds(principal, HANDLE):
        rows.append({"action": "link_enterprise", "label": EXTRA_ACTIONS["link_enterprise"]})
    if any(row["action"] == "extend" for row in rows):
        # Whoever may approve the waiting request may also reject it, saying why.
        rows.append({"action": "reject_extension", "label": EXTRA_ACTIONS["reject_extension"]})
    order = _unchecked_order(case)
    if order is not None and follow_up_refusal(case, order) is None and holds(principal, HANDLE):
        rows.append({"action": "record_follow_up", "label": EXTRA_ACTIONS["record_follow_up"]})
    return rows


@login_required
@permission_required(VIEW, raise_exception=True)
def case_detail(request, pk):
    principal = principal_for_request(request)
    case = selectors.case_detail(principal, pk)
    show_reporter = request.GET.get("reveal") == "reporter" and selectors.can_see_reporter(principal)
    return render(
        request,
        "inspection/case_detail.html",
        {
            "case": case,
            "clocks": selectors.clocks(case),
            "limitation": selectors.limitation_warning(case),
            "workers": selectors.workers_for(principal, case),
            "may_see_reporter": selectors.can_see_reporter(principal),
            "reporter": selectors.reporter_for(principal, case) if show_reporter else None,
            "orders": _orders_with_pdf(case),
            "may_render_order": holds(principal, HANDLE),
            "may_issue_code": holds(principal, HANDLE) and case.source in (Source.COMPLAINT, Source.REPORT),
            "interviews": list(case.interviews.all())
            if request.user.has_perm("inspection.view_interview")
            else [],
            "may_propose_interview": case.enterprise_id is not None and holds(principal, HANDLE_INTERVIEW),
            "extensions": list(case.extensions.all()),
            "history": list(selectors.history(case)),
            "actions": _buttons(case, principal),
        },
    )


def _orders_with_pdf(case) -> list:
    """The case's orders, each with the state of its newest PDF (room "orders and interviews")."""
    orders = list(case.orders.all())
    documents = interview_reads.latest_documents(orders)
    for order in orders:
        order.pdf_state = document_state(documents.get(str(order.pk)))
    return orders


def _refusal(case, action, principal):
    if action == "request_extension":
        return extension_request_refusal(case)
    if action == "record_follow_up":
        order = _unchecked_order(case)
        return _("Every order's result is recorded.") if order is None else follow_up_refusal(case, order)
    if action == "reject_extension":
        refusal = pending_extension(case)
        return str(refusal) if refusal else None
    if action == "link_enterprise":
        return _("The case is already linked to the registry.") if case.enterprise_id else None
    refusal = WORKFLOW.refusal(case, WORKFLOW.transitions[action], principal)
    if isinstance(refusal, NotAllowed):
        raise PermissionDenied(str(refusal))
    return str(refusal) if refusal else None


def _perform(action, principal, case, form):
    data = form.cleaned_data
    if action == "accept":
        return services.accept(principal, case)
    if action == "refuse":
        return services.refuse(principal, case, basis=data["refusal_basis"], reason=data["reason"])
    if action == "start_investigation":
        return services.start_investigation(principal, case)
    if action in DECISIONS:
        return services.decide(
            principal,
            case,
            action,
            note=data.get("note", ""),
            items=form.items_list(),
            order_due_on=data.get("order_due_on"),
        )
    if action == "start_follow_up":
        return services.start_follow_up(principal, case)
    if action == "record_follow_up":
        return services.record_follow_up(
            principal,
            _unchecked_order(case),
            result=data["result"],
            escalation=data["escalation"],
            note=data["note"],
        )
    if action == "close":
        return services.close(principal, case, reason=data.get("reason", ""))
    if action == "archive":
        return services.archive(principal, case)
    if action == "request_extension":
        return services.request_extension(principal, case, reason=data["reason"])
    if action == "extend":
        return services.approve_extension(principal, case, note=data.get("note", ""))
    if action == "reject_extension":
        return services.reject_extension(principal, case, note=data.get("note", ""))
    if action == "link_enterprise":
        return services.link_enterprise(principal, case, uscc=data.get("uscc", ""))
    if action == "transfer_to_mediation":
        _case, mediation_case, code = services.transfer_to_mediation(principal, case, reason=data["reason"])
        return mediation_case, code
    raise Http404


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def case_action(request, pk, action):
    """GET: the form of the action (or why it is not possible now); POST: perform it."""
    if action not in WORKFLOW.transitions and action not in EXTRA_ACTIONS:
        raise Http404
    principal = principal_for_request(request)
    case = selectors.case_detail(principal, pk)
    transition = WORKFLOW.transitions.get(action)
    permission = (
        transition.permission if transition else (APPROVE if action == "reject_extension" else HANDLE)
    )
    if permission and not request.user.has_perm(permission):
        raise PermissionDenied(_("Your role may not perform “%(action)s”.") % {"action": _label(action)})
    posted = request.method == "POST"
    form = ActionForm(request.POST if posted else None, action=action)
    refusal = None
    if posted:
        if form.is_valid():
            result = call_service(form, _perform, action, principal, case, form)
            if result is not None:
                if action == "transfer_to_mediation":
                    mediation_case, code = result
                    messages.success(
                        request,
                        _("Transferred to mediation as %(serial)s. Give the worker the access code %(code)s.")
                        % {"serial": mediation_case.serial, "code": code},
                    )
                else:
                    messages.success(request, _("Done."))
                if not selectors.visible_cases(principal).filter(pk=case.pk).exists():
                    # Linked to an enterprise of another brigade's town: the case is theirs now.
                    messages.info(
                        request, _("The case now belongs to the brigade of %(town)s.") % {"town": result.town}
                    )
                    return redirect("inspection:list")
                return redirect("inspection:detail", pk=case.pk)
    else:
        refusal = _refusal(case, action, principal)
        if action == "link_enterprise":
            form.initial = {"uscc": case.employer_code}
    return render(
        request,
        "inspection/action.html",
        {
            "case": case,
            "action": action,
            "label": _label(action),
            "form": form,
            "refusal": refusal or "",
            "has_form": action in ACTIONS_WITH_FORMS or bool(form.fields),
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["POST"])
def access_code_issue(request, pk):
    """A new access code for the complainant or reporter; shown once in the page message."""
    principal = principal_for_request(request)
    case = selectors.case_detail(principal, pk)
    ok, code = call_button(request, services.issue_access_code, principal, case)
    if ok:
        messages.warning(
            request,
            _(
                "New access code for %(serial)s: %(code)s. It is shown only this once; any earlier code no "
                "longer works. Give it with the serial number for the tracking page."
            )
            % {"serial": case.serial, "code": code},
        )
    return redirect("inspection:detail", pk=case.pk)
