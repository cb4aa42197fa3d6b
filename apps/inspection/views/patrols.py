"""The patrol pages (日常巡视检查): the plans and the patrols, a new plan, a plan with its targets
(due first), the record of a visit (one card per checklist item, usable on a phone at 375 px), a
patrol with its findings and attachments, and a violation turned into a case, or a case with an
order to rectify, in one step.

Reads go through selectors/patrols.py, writes through services/patrols.py. A refusal of the
principal (NotAllowed) is a 403; any other refusal is shown on the form with its source, never a
500. An enterprise, plan, patrol or file out of the principal's scope is a 404; files are served
only by `attachment_download`, never from /media/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.roles import Role
from apps.core.errors import DomainError, NotAllowed
from apps.core.forms import add_domain_error
from apps.core.models import Area
from apps.core.pagination import paginate
from apps.core.scoping import get_visible_or_404, principal_for_request
from apps.enterprises.models import Enterprise, areas_of

from .. import services
from ..forms.patrols import AttachmentForm, FindingCaseForm, PatrolForm, PlanForm
from ..models import PatrolFinding
from ..selectors import patrols as selectors

PATROL = "inspection.handle_patrol"
PAGE_SIZE = 50


def _principal(request):
    return principal_for_request(request)


@login_required
@permission_required(PATROL, raise_exception=True)
def patrol_index(request):
    """The plans (newest first) or, with ?view=patrols, the patrols recorded (newest first)."""
    principal = _principal(request)
    view = "patrols" if request.GET.get("view") == "patrols" else "plans"
    qs = selectors.patrol_list(principal) if view == "patrols" else selectors.plan_list(principal)
    return render(
        request,
        "inspection/patrols/index.html",
        {"view": view, "page": paginate(request, qs, PAGE_SIZE), "today": timezone.localdate()},
    )


def _towns_for(principal):
    towns = Area.objects.filter(kind=Area.Kind.TOWN)
    if not principal.sees_everything:
        towns = towns.filter(pk__in=areas_of(principal, (Role.INSPECTOR,)))
    return towns.order_by("code", "name")


@login_required
@permission_required(PATROL, raise_exception=True)
@require_http_methods(["GET", "POST"])
def plan_create(request):
    principal = _principal(request)
    form = PlanForm(request.POST if request.method == "POST" else None, towns=_towns_for(principal))
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(principal, **form.service_kwargs())
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Plan “%(name)s” created.") % {"name": plan.name})
            return redirect("inspection:patrol_plan", pk=plan.pk)
    return render(request, "inspection/patrols/plan_form.html", {"form": form})


@login_required
@permission_required(PATROL, raise_exception=True)
def plan_detail(request, pk):
    """The plan and its targets, due first, one page at a time (one query for the page)."""
    principal = _principal(request)
    plan = selectors.plan_detail(principal, pk)
    today = timezone.localdate()
    page = paginate(request, selectors.plan_targets(principal, plan, today), PAGE_SIZE)
    for target in page:
        target.state = selectors.target_state(target, today)
    return render(
        request,
        "inspection/patrols/plan_detail.html",
        {
            "plan": plan,
            "towns": list(plan.towns.all()),
            "page": page,
            "today": today,
            "recent": list(selectors.patrol_list(principal, plan=plan)[:10]),
        },
    )


def _put_errors(form, exc: DomainError) -> None:
    """The service's field errors on the form's fields (`findings.<code>` on the item's radios)."""
    if not exc.fields:
        form.add_error(None, str(exc))
        return
    for key, texts in exc.fields.items():
        field = form.field_for(key) if hasattr(form, "field_for") else (key if key in form.fields else None)
        for text in texts:
            form.add_error(field, f"{text} ({exc.source})" if exc.source else str(text))


@login_required
@permission_required(PATROL, raise_exception=True)
@require_http_methods(["GET", "POST"])
def patrol_create(request):
    """Record a visit (?enterprise=, optionally ?plan=): one card per checklist item with its
    result, a note and photos taken with the phone. All or nothing: a refused photo leaves no
    patrol recorded."""
    principal = _principal(request)
    source = request.POST if request.method == "POST" else request.GET
    enterprise = None
    if source.get("enterprise"):
        enterprise = get_visible_or_404(
            Enterprise.objects.select_related("town"), principal, pk=source["enterprise"]
        )
    plan = selectors.plan_detail(principal, source["plan"]) if source.get("plan") else None
    checklist = selectors.checklist_for(timezone.localdate())
    enterprises = selectors.targetable_enterprises(principal)
    posted = request.method == "POST"
    form = PatrolForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        checklist=checklist,
        enterprises=enterprises,
        initial={"visited_on": timezone.localdate(), "enterprise": enterprise},
    )
    if posted and form.is_valid():
        enterprise = enterprise or form.cleaned_data.get("enterprise")
        if enterprise is None:
            form.add_error("enterprise", _("Choose the enterprise visited."))
        else:
            try:
                with transaction.atomic():
                    patrol = services.record_patrol(
                        principal,
                        enterprise,
                        visited_on=form.cleaned_data["visited_on"],
                        findings=form.findings(),
                        summary=form.cleaned_data["summary"],
                        plan=plan,
                    )
                    by_item = {f.item: f for f in patrol.findings.all()}
                    for code, finding in by_item.items():
                        for upload in request.FILES.getlist(f"photo_{code}"):
                            services.add_attachment(principal, finding, upload, field=f"photo_{code}")
            except NotAllowed as exc:
                raise PermissionDenied(str(exc)) from exc
            except DomainError as exc:
                _put_errors(form, exc)
                if any(k.startswith("photo_") for k in exc.fields):
                    form.add_error(None, _("Nothing was saved: choose the photos again."))
            else:
                messages.success(request, _("Patrol recorded."))
                return redirect("inspection:patrol", pk=patrol.pk)
    return render(
        request,
        "inspection/patrols/record.html",
        {"form": form, "enterprise": enterprise, "plan": plan, "cards": form.items()},
    )


@login_required
@permission_required(PATROL, raise_exception=True)
def patrol_detail(request, pk):
    principal = _principal(request)
    patrol = selectors.patrol_detail(principal, pk)
    return render(
        request,
        "inspection/patrols/detail.html",
        {
            "patrol": patrol,
            "findings": list(patrol.findings.all()),
            "attachment_form": AttachmentForm(),
            "may_register": request.user.has_perm("inspection.register_case")
            and request.user.has_perm("inspection.handle_case"),
        },
    )


@login_required
@permission_required(PATROL, raise_exception=True)
@require_POST
def attachment_add(request, pk):
    """Add a photo or PDF to a finding (typed by content, size-limited)."""
    principal = _principal(request)
    finding = selectors.finding_for(principal, pk)
    form = AttachmentForm(request.POST, request.FILES)
    upload = request.FILES.get("file")
    if not form.is_valid() or upload is None:
        messages.error(request, _("Choose a photo or PDF to add."))
    else:
        try:
            services.add_attachment(principal, finding, upload)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("“%(name)s” added.") % {"name": upload.name})
    return redirect("inspection:patrol", pk=finding.patrol_id)


@login_required
def attachment_download(request, pk):
    """The file under its original name, as an attachment, to those who see the patrol (inspectors
    of its area, park administrators); a 404 for everyone else."""
    attachment = selectors.attachment_for(_principal(request), pk)
    if not attachment.file:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-SHA256"] = attachment.sha256
    return response


@login_required
@permission_required(PATROL, raise_exception=True)
@require_http_methods(["GET", "POST"])
def finding_case(request, pk):
    """GET: the order's form (items prefilled from the finding). POST: turn the violation into a
    case (`with_order` unset) or a case with an order to rectify, in one step."""
    principal = _principal(request)
    finding = selectors.finding_for(principal, pk)
    if finding.case_id:
        messages.info(
            request, _("This finding is already case %(serial)s.") % {"serial": finding.case.serial}
        )
        return redirect("inspection:detail", pk=finding.case_id)
    if request.method == "POST":
        form = FindingCaseForm(request.POST)
        if form.is_valid():
            with_order = form.cleaned_data["with_order"]
            try:
                case = services.finding_to_case(
                    principal,
                    finding,
                    with_order=with_order,
                    items=form.items_list(),
                    order_due_on=form.cleaned_data.get("order_due_on"),
                )
            except NotAllowed as exc:
                raise PermissionDenied(str(exc)) from exc
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                if with_order:
                    messages.success(
                        request,
                        _("Case %(serial)s opened with an order to rectify.") % {"serial": case.serial},
                    )
                else:
                    messages.success(request, _("Case %(serial)s registered.") % {"serial": case.serial})
                return redirect("inspection:detail", pk=case.pk)
    else:
        items = finding.item_label + (f"：{finding.note}" if finding.note else "")
        form = FindingCaseForm(initial={"with_order": True, "items": items})
    return render(
        request,
        "inspection/patrols/finding_case.html",
        {
            "finding": finding,
            "patrol": finding.patrol,
            "form": form,
            "violation": PatrolFinding.Result.VIOLATION,
        },
    )
