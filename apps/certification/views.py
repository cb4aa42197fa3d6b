"""Pages of harmony certification for HR and reviewers: the list (HR's own applications, the
reviewers' queue), starting a self-evaluation, HR's wizard, the application, the review, the
actions of the lifecycle, evidence files and the figures. Reads go through selectors.py, writes
through services.py; a refusal is a form error with its source (DomainError), a message
(InvalidTransition) or a 403 (NotAllowed). Notices, objections, certificates, annual reports,
veto events and the public pages are in views_notice.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.core.forms import add_domain_error, call_service
from apps.core.pagination import paginate
from apps.core.scoping import get_visible_or_404, principal_for_request

from . import rules, selectors, services, workflow
from .forms import (
    ApplicationCreateForm,
    DisclosureForm,
    GroupFormSet,
    ReasonForm,
    ReviewRecordForm,
    ScoresForm,
)
from .models import Application, Certificate, Evidence, GroupMember
from .workflow import WORKFLOW

PAGE_SIZE = 50
S = Application.Status

#: Actions of the lifecycle a page may post, and the service that performs each.
ACTIONS = {
    "submit": lambda principal, app, reason: services.submit(principal, app),
    "withdraw": lambda principal, app, reason: services.withdraw(principal, app, reason),
    "start_review": lambda principal, app, reason: services.start_review(principal, app),
    "return": lambda principal, app, reason: services.return_for_revision(principal, app, reason),
    "reject": lambda principal, app, reason: services.reject(principal, app, reason),
    "propose": lambda principal, app, reason: services.propose(principal, app),
    "certify": lambda principal, app, reason: services.certify(principal, app),
}
#: Actions whose button opens a reason form.
REASON_ACTIONS = ("return", "reject", "withdraw")
ACTION_DONE = {
    "submit": lambda: _("The application is submitted to the leading-group office."),
    "withdraw": lambda: _("The application is withdrawn."),
    "start_review": lambda: _("The review has started."),
    "return": lambda: _("The application is returned to the enterprise for revision."),
    "reject": lambda: _("The application is rejected."),
    "propose": lambda: _("The application is proposed for certification."),
    "certify": lambda: _("The enterprise is certified; the certificate is being issued."),
}


def _group_share(members, rule_set) -> dict:
    reps = sum(1 for m in members if m.role in GroupMember.REPRESENTATIVES)
    total = len(members)
    return {
        "reps": reps,
        "total": total,
        "percent": round(100 * reps / total) if total else None,
        "numerator": rule_set.group_ratio_numerator,
        "denominator": rule_set.group_ratio_denominator,
        "met": rules.group_ratio_met(reps, total, rule_set),
    }


def _next_url(request, default: str) -> str:
    url = request.POST.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return default


def _put_error(form, field: str, exc: DomainError) -> None:
    """All messages of a refusal on one field of `form` (an upload's `file` error on `file_<item>`)."""
    texts = [str(m) for msgs in exc.fields.values() for m in msgs] or [str(exc)]
    for text in texts:
        form.add_error(field, text)


def _add_evidence(form, field, principal, app, uploaded, **kwargs) -> bool:
    try:
        services.add_evidence(principal, app, uploaded, **kwargs)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        _put_error(form, field, exc)
        return False
    return True


# The list ---------------------------------------------------------------------------------------


@login_required
@permission_required("certification.view_application", raise_exception=True)
def application_list(request):
    principal = principal_for_request(request)
    params = request.GET.copy()
    if not principal.is_park_admin:
        # Objections are for administrators only (not even that one exists).
        params.pop("has_open_objection", None)
    filterset, qs = selectors.application_list(principal, params)
    page = paginate(request, qs, PAGE_SIZE)
    user = request.user
    is_reviewer = user.has_perm("certification.review_application")
    may_prepare = user.has_perm("certification.prepare_application") and not principal.is_park_admin
    for app in page:
        app.editable = may_prepare and workflow.may_edit_self_evaluation(principal, app)
    return render(
        request,
        "certification/application_list.html",
        {
            "filter": filterset,
            "page": page,
            "is_reviewer": is_reviewer,
            "show_objections": principal.is_park_admin,
            "show_filters": is_reviewer or not may_prepare,
            "can_start": may_prepare and selectors.open_rounds().exists(),
        },
    )


# Starting a self-evaluation ------------------------------------------------------------------------


def _first_step(app: Application, sections=None) -> str:
    if sections is not None:  # the form's categories, in order, already read
        return sections[0]["category"].code if sections else "group"
    first = app.rule_set.categories.order_by("order").values_list("code", flat=True).first()
    return first or "group"


@login_required
@permission_required("certification.prepare_application", raise_exception=True)
def application_create(request):
    principal = principal_for_request(request)
    rounds = list(selectors.open_rounds().order_by("closes_on"))
    enterprise_qs = selectors.preparable_enterprises(principal).order_by("name")
    enterprises = list(enterprise_qs)
    if not enterprises:
        raise PermissionDenied(_("Only the enterprise's HR may start its self-evaluation."))
    form = None
    if rounds:
        initial = {}
        if len(enterprises) == 1:
            level = selectors.next_level(enterprises[0], rounds[0].rule_set)
            if level is not None:
                initial["target_level"] = level.code
        form = ApplicationCreateForm(
            request.POST or None,
            rounds=selectors.open_rounds().order_by("closes_on"),
            enterprises=enterprise_qs,
            initial=initial,
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            app = call_service(
                form,
                services.create_application,
                principal,
                enterprise=data["enterprise"],
                round=data["round"],
                target_level=data["level"],
            )
            if app is not None:
                messages.success(
                    request, _("The self-evaluation is started. Score each item with its evidence.")
                )
                return redirect("certification:wizard", pk=app.pk, step=_first_step(app))
    return render(
        request,
        "certification/application_create.html",
        {
            "form": form,
            "rounds": rounds,
            "single_enterprise": enterprises[0] if len(enterprises) == 1 else None,
        },
    )


# The HR wizard -----------------------------------------------------------------------------------


def _wizard_context(app, step_key, sections):
    steps = selectors.wizard_steps(app, sections)
    keys = [s.key for s in steps]
    index = keys.index(step_key)
    return_reason = None
    if app.status == S.RETURNED:
        return_reason = app.history.filter(action="return").order_by("-at").first()
    return {
        "application": app,
        "steps": steps,
        "step": steps[index],
        "progress": selectors.progress(steps),
        "previous_step": steps[index - 1] if index > 0 else None,
        "next_step": steps[index + 1] if index + 1 < len(steps) else None,
        "return_reason": return_reason,
    }


@login_required
@permission_required("certification.view_application", raise_exception=True)
def wizard_step(request, pk, step):
    principal = principal_for_request(request)
    app = selectors.get_application(principal, pk)
    if not workflow.can_prepare(principal, app):
        raise PermissionDenied(_("Only the enterprise's HR may prepare its self-evaluation."))
    if app.status not in workflow.EDITABLE:
        messages.info(
            request,
            _("The self-evaluation can no longer be changed; it is “%(status)s”.")
            % {"status": app.get_status_display()},
        )
        return redirect("certification:detail", pk=app.pk)
    sections = selectors.form_sections(app)
    codes = [s["category"].code for s in sections]
    if step not in codes and step not in ("group", "disclosure", "submit"):
        raise Http404
    if step in codes:
        return _category_step(request, principal, app, step, sections)
    return {"group": _group_step, "disclosure": _disclosure_step, "submit": _submit_step}[step](
        request, principal, app, sections
    )


def _after_save(request, app, ctx_step, next_step):
    if "save_next" in request.POST and next_step is not None:
        return redirect("certification:wizard", pk=app.pk, step=next_step.key)
    return redirect("certification:wizard", pk=app.pk, step=ctx_step)


def _category_step(request, principal, app, code, sections):
    section = next(s for s in sections if s["category"].code == code)
    form = ScoresForm(request.POST or None, request.FILES or None, rows=section["rows"])
    if request.method == "POST":
        if form.is_valid():
            # Drafts are saved on each submit: the scores, then each file chosen.
            saved = call_service(form, services.save_self_scores, principal, app, form.scores())
            for item, file in form.uploads():
                _add_evidence(
                    form, f"file_{item.pk}", principal, app, file, purpose=Evidence.Purpose.ITEM, item=item
                )
            if saved is not None and not form.errors:
                messages.success(request, _("Saved."))
                ctx = _wizard_context(app, code, sections)
                return _after_save(request, app, code, ctx["next_step"])
            if saved is not None:
                messages.warning(request, _("The scores are saved, but some files were not accepted."))
            app.refresh_from_db()
        sections = selectors.form_sections(app)
        section = next(s for s in sections if s["category"].code == code)
        form.rows = section["rows"]
    ctx = _wizard_context(app, code, sections)
    # What the platform holds beside each item HR scores (collected once for the page).
    facts = selectors.fact_review(principal, app, sections)
    return render(
        request,
        "certification/wizard_category.html",
        {**ctx, "section": section, "form": form, "facts": facts},
    )


def _group_step(request, principal, app, sections):
    members = list(app.group.all())
    initial = [{"name": m.name, "role": m.role, "position": m.position} for m in members]
    # Bound, the rows are compared with nothing: every filled row counts, whatever was shown.
    if request.method == "POST":
        formset = GroupFormSet(request.POST, prefix="members")
    else:
        formset = GroupFormSet(initial=initial, prefix="members")
    if request.method == "POST" and formset.is_valid():
        try:
            services.save_group(principal, app, formset.members())
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except DomainError as exc:
            if not formset.add_service_errors(exc.fields):
                messages.error(request, str(exc))
        else:
            messages.success(request, _("The self-evaluation group is saved."))
            ctx = _wizard_context(app, "group", selectors.form_sections(app))
            return _after_save(request, app, "group", ctx["next_step"])
    ctx = _wizard_context(app, "group", sections)
    return render(
        request,
        "certification/wizard_group.html",
        {
            **ctx,
            "formset": formset,
            "share": _group_share(members, app.rule_set),
            "share_script": {
                "roles": list(GroupMember.REPRESENTATIVES),
                "template": _("Union and worker representatives: %(reps)s of %(total)s members"),
                "met": _("met"),
                "not_met": _("not met"),
            },
            "source": rules.SOURCE_PROGRAMME,
        },
    )


def _disclosure_step(request, principal, app, sections):
    form = DisclosureForm(request.POST or None, request.FILES or None, application=app)
    if request.method == "POST" and form.is_valid():
        saved = call_service(form, services.save_disclosure, principal, app, **form.service_kwargs())
        if saved is not None and form.cleaned_data.get("file"):
            _add_evidence(
                form, "file", principal, app, form.cleaned_data["file"], purpose=Evidence.Purpose.DISCLOSURE
            )
        if saved is not None and not form.errors:
            messages.success(request, _("The disclosure is saved."))
            ctx = _wizard_context(app, "disclosure", selectors.form_sections(app))
            return _after_save(request, app, "disclosure", ctx["next_step"])
        app.refresh_from_db()
    ctx = _wizard_context(app, "disclosure", sections)
    rs = app.rule_set
    return render(
        request,
        "certification/wizard_disclosure.html",
        {
            **ctx,
            "form": form,
            "files": app.evidence.filter(purpose=Evidence.Purpose.DISCLOSURE),
            "min_days": rs.disclosure_min_days,
            "congress_allowed": rs.disclosure_congress_allowed,
            "days": rules.disclosure_days(app),
            "source": rules.SOURCE_PROGRAMME,
        },
    )


def _problem_groups(app):
    problems = selectors.submission_problems(app)
    return [
        {"key": key, "label": rules.PROBLEM_LABELS.get(key, key), "messages": msgs}
        for key, msgs in problems.items()
    ]


def _submit_step(request, principal, app, sections):
    ctx = _wizard_context(app, "submit", sections)
    facts = selectors.fact_review(principal, app, sections)
    return render(
        request,
        "certification/wizard_submit.html",
        {
            **ctx,
            "facts": facts,
            "checked": list(facts.by_item.values()),
            "sections": sections,
            "problems": _problem_groups(app),
            "max_points": sum((s["max_points"] for s in sections), 0),
        },
    )


# The application --------------------------------------------------------------------------------


def _action_buttons(app, principal):
    buttons = []
    for action in workflow.available_actions(app, principal):
        if action == "edit":
            label = _("Edit the self-evaluation")
        elif action == "score":
            label = _("Score the application")
        else:
            label = WORKFLOW.transitions[action].label
        buttons.append({"action": action, "label": label, "needs_reason": action in REASON_ACTIONS})
    return buttons


def _reason_forms(buttons, bound=None):
    """A reason form under each button that needs one; `bound` (action → form) re-shows errors."""
    bound = bound or {}
    for button in buttons:
        if button["needs_reason"]:
            button["form"] = bound.get(button["action"]) or ReasonForm(prefix=button["action"])
            button["open"] = button["action"] in bound
    return buttons


def _status_label(value: str) -> str:
    return S(value).label if value in S.values else (value or "—")


def _detail_page(request, principal, app, *, reason_forms=None, status=200):
    sections = selectors.form_sections(app)
    members = list(app.group.all())
    actions = _reason_forms(_action_buttons(app, principal), reason_forms)
    history = list(selectors.history(app))
    for row in history:
        transition = WORKFLOW.transitions.get(row.action)
        row.action_label = transition.label if transition else row.action
        row.from_label = _status_label(row.from_status)
        row.to_label = _status_label(row.to_status)
    files = list(app.evidence.exclude(purpose=Evidence.Purpose.ITEM).select_related("uploaded_by"))
    objections = list(selectors.objections_of(app, principal))
    for objection in objections:
        objection.can_resolve = workflow.may_resolve_objection(principal, objection)
    return render(
        request,
        "certification/application_detail.html",
        {
            "application": app,
            "sections": sections,
            "max_points": sum((s["max_points"] for s in sections), 0),
            "members": members,
            "share": _group_share(members, app.rule_set),
            "disclosure_files": [f for f in files if f.purpose == Evidence.Purpose.DISCLOSURE],
            "site_files": [f for f in files if f.purpose == Evidence.Purpose.SITE_VISIT],
            "disclosure_days": rules.disclosure_days(app),
            "objections": objections,
            "certificate": Certificate.objects.filter(application=app).first(),
            "history": history,
            "actions": actions,
            "first_step": _first_step(app, sections),
        },
        status=status,
    )


@login_required
@permission_required("certification.view_application", raise_exception=True)
def application_detail(request, pk):
    principal = principal_for_request(request)
    app = selectors.get_application(principal, pk)
    return _detail_page(request, principal, app)


@login_required
@require_POST
def application_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    principal = principal_for_request(request)
    if not request.user.has_perm("certification.view_application"):
        raise PermissionDenied
    app = selectors.get_application(principal, pk)
    form = ReasonForm(request.POST, prefix=action) if action in REASON_ACTIONS else None
    reason = form.cleaned_data["reason"] if form is not None and form.is_valid() else ""
    if form is not None and form.errors:
        return _detail_page(request, principal, app, reason_forms={action: form})
    try:
        ACTIONS[action](principal, app, reason)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except InvalidTransition as exc:
        messages.error(request, str(exc))
    except DomainError as exc:
        if action == "submit":
            messages.error(request, str(exc))
            return redirect("certification:wizard", pk=app.pk, step="submit")
        if form is not None and exc.fields:
            add_domain_error(form, exc)
            return _detail_page(request, principal, app, reason_forms={action: form})
        for text in [str(m) for msgs in exc.fields.values() for m in msgs] or [str(exc)]:
            messages.error(request, text)
    else:
        messages.success(request, ACTION_DONE[action]())
        if action == "start_review":
            return redirect("certification:review", pk=app.pk)
    return redirect("certification:detail", pk=app.pk)


# Review ---------------------------------------------------------------------------------------------


@login_required
@permission_required("certification.view_application", raise_exception=True)
def review(request, pk):
    principal = principal_for_request(request)
    app = selectors.get_application(principal, pk)
    if not workflow.can_review(principal):
        raise PermissionDenied(_("Your role may not review certification applications."))
    if app.status != S.UNDER_REVIEW:
        messages.info(
            request,
            _("Items are scored while the application is under review; it is “%(status)s”.")
            % {"status": app.get_status_display()},
        )
        return redirect("certification:detail", pk=app.pk)
    sections = selectors.form_sections(app)
    rows = [row for s in sections for row in s["rows"]]
    # One form: the scores and the review record with the on-site check are saved together (or
    # either alone, as sent); a refusal re-shows everything typed, with every error at once.
    posted = request.method == "POST"
    scores_form = ScoresForm(request.POST if posted else None, rows=rows, review=True)
    record_form = ReviewRecordForm(
        request.POST if posted else None, request.FILES if posted else None, application=app
    )
    if posted and _save_review(request, principal, app, scores_form, record_form):
        return redirect("certification:review", pk=app.pk)
    if posted:
        app.refresh_from_db()
        sections = selectors.form_sections(app)
    today = timezone.localdate()
    facts = selectors.fact_review(principal, app, sections, today)
    return render(
        request,
        "certification/review.html",
        {
            "application": app,
            "sections": scores_form.sections_with_fields(sections),
            "scores_form": scores_form,
            "record_form": record_form,
            "facts": facts,
            "max_points": sum((s["max_points"] for s in sections), 0),
            "site_files": app.evidence.filter(purpose=Evidence.Purpose.SITE_VISIT),
            "vetoes": selectors.vetoes_in_window(app.enterprise, app.rule_set, today),
            "proposed_vetoes": selectors.proposed_vetoes(app.enterprise),
            "level": rules.level_reached(app),
            "held": selectors.held_certificate(app.enterprise, today),
            "today": today,
            "actions": _reason_forms([b for b in _action_buttons(app, principal) if b["action"] != "score"]),
            "first_step": _first_step(app, sections),
        },
        status=200,
    )


def _save_review(request, principal, app, scores_form, record_form) -> bool:
    """Save what the review form sent; True when everything (the file too) was accepted. On a
    refusal each message lands on its field of either form; nothing is saved."""
    scores_valid = scores_form.is_valid()
    record_valid = record_form.is_valid()
    if not (scores_valid and record_valid):
        return False
    try:
        services.save_review_and_scores(
            principal, app, scores=scores_form.sent_scores(), record=record_form.sent_kwargs()
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        for field, texts in (exc.fields or {None: [exc.message]}).items():
            form = scores_form if field in scores_form.fields else record_form
            for text in texts:
                form.add_error(field if field in form.fields else None, str(text))
        messages.error(request, _("Nothing was saved; correct the fields marked below."))
        return False
    upload = record_form.cleaned_data.get("file")
    if upload and not _add_evidence(
        record_form, "file", principal, app, upload, purpose=Evidence.Purpose.SITE_VISIT
    ):
        messages.warning(request, _("The scores and the record are saved, but the file was not accepted."))
        return False
    messages.success(request, _("The review is saved."))
    return True


# Evidence files --------------------------------------------------------------------------------------


def _evidence(request, pk, evidence_pk) -> Evidence:
    principal = principal_for_request(request)
    return get_visible_or_404(
        Evidence.objects.select_related("application", "application__enterprise", "item__category"),
        principal,
        pk=evidence_pk,
        application_id=pk,
    )


@login_required
@permission_required("certification.view_application", raise_exception=True)
def evidence_download(request, pk, evidence_pk):
    """The file under its original name, as an attachment; only to those who see the application."""
    evidence = _evidence(request, pk, evidence_pk)
    if not evidence.file:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-SHA256"] = evidence.sha256
    return response


@login_required
@require_POST
def evidence_delete(request, pk, evidence_pk):
    principal = principal_for_request(request)
    evidence = _evidence(request, pk, evidence_pk)
    app = evidence.application
    if evidence.purpose == Evidence.Purpose.SITE_VISIT:
        default = reverse("certification:review", args=[app.pk])
    elif evidence.purpose == Evidence.Purpose.DISCLOSURE:
        default = reverse("certification:wizard", args=[app.pk, "disclosure"])
    else:
        default = reverse("certification:wizard", args=[app.pk, evidence.item.category.code])
    name = evidence.original_name
    try:
        services.delete_evidence(principal, evidence)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("certification:detail", pk=app.pk)
    messages.success(request, _("“%(name)s” is deleted.") % {"name": name})
    return redirect(_next_url(request, default))


# Figures -----------------------------------------------------------------------------------------------


@login_required
@permission_required("certification.view_certification_figures", raise_exception=True)
def figures(request):
    principal = principal_for_request(request)
    data = selectors.certification_figures(principal)
    chart = {
        "towns": [str(row["town__name"] or "—") for row in data["by_town"]],
        "coverage": [row["coverage"] for row in data["by_town"]],
        "target": data["target"],
        "levels": [row["level__code"] for row in data["by_level"]],
        "certified": [row["n"] for row in data["by_level"]],
        "series": [_("Coverage (%)"), _("Certified enterprises")],
    }
    return render(request, "certification/figures.html", {"figures": data, "chart": chart})
