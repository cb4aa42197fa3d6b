"""Pages of the public notice (公示), objections, certificates, annual reports and veto events, and
the public pages that need no login: the running notice with its printable PDF, the objection
form and the certificate verification page (the QR code on the certificate points there).

Reads go through selectors.py and the models' `visible_to`, writes through services.py; a
service's refusal is a form error (DomainError) or a 403 (NotAllowed). The public pages show only
what the notice itself publishes: the enterprise's name, its USCC and the proposed level."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.api.throttling import CertificateVerifyThrottle, CertificationObjectionThrottle, throttled_page
from apps.core.errors import DomainError, NotAllowed
from apps.core.forms import add_domain_error, call_service
from apps.core.pagination import paginate
from apps.core.scoping import get_visible_or_404, principal_for_request
from apps.documents.selectors import document_state
from apps.documents.views import pdf_response
from apps.enterprises.models import Enterprise

from . import rules, selectors, services, workflow
from .forms import ReasonForm
from .forms_notice import (
    AnnualReportForm,
    NoticeForm,
    PublicObjectionForm,
    ResolveObjectionForm,
    RevokeForm,
    VerifyNumberForm,
    VetoEventForm,
    search_enterprises,
)
from .models import AnnualReport, Application, Certificate, Objection, PublicNotice, Round, VetoEvent

PAGE_SIZE = 30

#: Badge colours of the verification states (selectors.verify_certificate).
VERIFY_BADGES = {
    "valid": "success",
    "expired": "secondary",
    "lapsed": "warning",
    "revoked": "danger",
    "not_yet_valid": "info",
}

CERTIFICATE_BADGES = {
    Certificate.Status.VALID: "success",
    Certificate.Status.LAPSED: "warning",
    Certificate.Status.REVOKED: "danger",
}


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# Public notices (administrators) -----------------------------------------------------------------------


NOTICE_STATES = {
    "upcoming": ("info", gettext_lazy("Not yet started")),
    "running": ("success", gettext_lazy("Running")),
    "ended": ("warning", gettext_lazy("Ended, not yet closed")),
    "closed": ("secondary", pgettext_lazy("public notice", "Closed")),
}


@login_required
def notice_list(request):
    principal = principal_for_request(request)
    if not workflow.may_see_notices(principal):
        raise PermissionDenied
    today = timezone.localdate()
    page = paginate(request, selectors.notice_list(), PAGE_SIZE)
    open_notices = []
    for notice in page:
        notice.state = rules.notice_state(notice, today)
        notice.badge, notice.state_label = (str(x) for x in NOTICE_STATES[notice.state])
        notice.document_state = document_state(notice.document)
        notice.flagged = []
        if notice.state in ("running", "ended"):
            open_notices.append(notice)
    if open_notices:
        objections = Objection.objects.visible_to(principal).filter(status=Objection.Status.OPEN)
        flagged = (
            Application.objects.filter(notice__in=open_notices)
            .filter(
                Exists(Objection.objects.filter(application=OuterRef("pk"), status=Objection.Status.OPEN))
            )
            .select_related("enterprise", "proposed_level", "target_level")
            .prefetch_related(
                Prefetch("objections", queryset=objections.order_by("created_at"), to_attr="open_objections")
            )
            .order_by("enterprise__name")
        )
        by_notice = {n.pk: n for n in open_notices}
        for app in flagged:
            by_notice[app.notice_id].flagged.append(app)
    return render(
        request,
        "certification/notice_list.html",
        {
            "page": page,
            "today": today,
            "can_publish": workflow.may_publish_notice(principal),
            "can_resolve": workflow.may_resolve_objections(principal),
        },
    )


def _round_from(request) -> Round | None:
    pk = request.POST.get("round") or request.GET.get("round")
    if not pk:
        return None
    try:
        return Round.objects.select_related("rule_set").get(pk=pk)
    except (Round.DoesNotExist, ValueError, ValidationError):
        return None


@login_required
@permission_required("certification.publish_notice", raise_exception=True)
def notice_create(request):
    principal = principal_for_request(request)
    round_ = _round_from(request)
    if round_ is None and request.method != "POST":
        candidates = list(selectors.rounds_with_proposed()[:2])
        if len(candidates) == 1:
            round_ = candidates[0]
    form = NoticeForm(request.POST or None, round_=round_)
    if request.method == "POST" and form.is_valid():
        notice = call_service(form, services.publish_notice, principal, **form.service_kwargs())
        if notice is not None:
            ends_on, estimated = rules.notice_period(notice.round.rule_set, notice.starts_on)
            text = _(
                "The public notice is published: it runs from %(start)s to %(end)s, %(n)s applications."
            ) % {
                "start": notice.starts_on.isoformat(),
                "end": ends_on.isoformat(),
                "n": notice.applications.count(),
            }
            if estimated:
                text += " " + _(
                    "The end date is estimated: the holiday calendar of that year is not yet official."
                )
            messages.success(request, text)
            return redirect("certification:notice_list")
    preview = None
    if round_ is not None:
        starts_on = timezone.localdate()
        chosen = getattr(form, "cleaned_data", {}).get("starts_on")
        if chosen:
            starts_on = chosen
        ends_on, estimated = rules.notice_period(round_.rule_set, starts_on)
        preview = {
            "starts_on": starts_on,
            "ends_on": ends_on,
            "estimated": estimated,
            "length": round_.rule_set.notice_length,
            "unit": round_.rule_set.get_notice_unit_display(),
        }
    return render(
        request,
        "certification/notice_form.html",
        {"form": form, "round": round_, "preview": preview},
    )


@login_required
@permission_required("certification.resolve_objection", raise_exception=True)
def objection_resolve(request, pk):
    """GET shows the objection with the decision form; POST upholds or dismisses it."""
    principal = principal_for_request(request)
    objection = get_visible_or_404(
        Objection.objects.select_related(
            "application__enterprise",
            "application__notice",
            "application__proposed_level",
            "application__target_level",
            "resolved_by",
        ),
        principal,
        pk=pk,
    )
    form = ResolveObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resolve_objection(
                principal,
                objection,
                uphold=form.cleaned_data["decision"] == "uphold",
                reason=form.cleaned_data["reason"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except DomainError as exc:
            if not exc.fields:
                messages.error(request, str(exc))
                return redirect("certification:objection_resolve", pk=objection.pk)
            add_domain_error(form, exc)
        else:
            if form.cleaned_data["decision"] == "uphold":
                messages.success(request, _("The objection is upheld; the application is rejected."))
            else:
                messages.success(request, _("The objection is dismissed."))
            return redirect(_next_url(request, reverse("certification:notice_list")))
    return render(
        request,
        "certification/notice_objection.html",
        {
            "objection": objection,
            "form": form,
            "next": _next_url(request, ""),
            "can": {"resolve": workflow.may_resolve_objection(principal, objection)},
        },
    )


# Certificates ----------------------------------------------------------------------------------------


def _get_certificate(principal, number) -> Certificate:
    return get_visible_or_404(
        Certificate.objects.select_related(
            "enterprise", "level", "round", "document", "application", "application__rule_set"
        ),
        principal,
        number=number.strip().upper(),
    )


REPORT_STATES = {
    "submitted": ("success", gettext_lazy("Handed in")),
    "overdue": ("danger", gettext_lazy("Overdue")),
    "open": ("warning", gettext_lazy("To hand in")),
    "upcoming": ("secondary", gettext_lazy("Not yet due")),
}


def _certificate_page(request, principal, cert, *, revoke_form=None, status=200):
    today = timezone.localdate()
    grace = cert.application.rule_set.report_grace_days
    reports = list(cert.reports.order_by("year_no"))
    for report in reports:
        report.state = rules.report_state(report, grace, today)
        badge, label = REPORT_STATES[report.state]
        report.badge, report.state_label = badge, str(label)
    can_revoke = "revoke" in workflow.certificate_actions(cert, principal)
    if can_revoke and revoke_form is None:
        revoke_form = RevokeForm()
    verification = selectors.verify_certificate(cert.number)
    labels = dict(Certificate.Status.choices)
    history = list(cert.history.select_related("actor").order_by("at"))
    for entry in history:
        entry.from_label = labels.get(entry.from_status, entry.from_status)
        entry.to_label = labels.get(entry.to_status, entry.to_status)
    return render(
        request,
        "certification/certificate_detail.html",
        {
            "cert": cert,
            "badge": CERTIFICATE_BADGES.get(cert.status, "secondary"),
            "verification": verification,
            "verify_badge": VERIFY_BADGES[verification.state],
            "reports": reports,
            "document_state": document_state(cert.document),
            "history": history,
            "revoke_form": revoke_form if can_revoke else None,
            "verify_url": reverse("verify", args=[cert.number]),
            "today": today,
        },
        status=status,
    )


@login_required
@permission_required("certification.view_certificate", raise_exception=True)
def certificate_detail(request, number):
    principal = principal_for_request(request)
    cert = _get_certificate(principal, number)
    if request.GET.get("download") == "pdf":
        # The certificate's PDF is served through the certificate's own scope (HR of the enterprise
        # did not request the document, so the generic documents download would refuse them).
        if document_state(cert.document) != "ready":
            raise Http404
        return pdf_response(cert.document, inline=request.GET.get("inline") == "1")
    return _certificate_page(request, principal, cert)


@login_required
@require_POST
def certificate_revoke(request, number):
    principal = principal_for_request(request)
    cert = _get_certificate(principal, number)
    if not request.user.has_perm("certification.revoke_certificate"):
        raise PermissionDenied
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke(principal, cert, form.cleaned_data["reason"])
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except DomainError as exc:
            if not exc.fields:
                messages.error(request, str(exc))
                return redirect("certification:certificate", number=cert.number)
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The certificate is revoked; the verification page shows it now."))
            return redirect("certification:certificate", number=cert.number)
    cert = _get_certificate(principal, number)
    return _certificate_page(request, principal, cert, revoke_form=form, status=400)


# Annual reports --------------------------------------------------------------------------------------


@login_required
@permission_required("certification.view_certificate", raise_exception=True)
def annual_report(request, pk):
    principal = principal_for_request(request)
    report = get_visible_or_404(
        AnnualReport.objects.select_related(
            "certificate__enterprise", "certificate__level", "certificate__round", "submitted_by"
        ),
        principal,
        pk=pk,
    )
    can_fill = workflow.may_fill_report(principal, report)
    if request.method == "POST" and not can_fill:
        raise PermissionDenied
    cert = report.certificate
    initial = {"employees": cert.enterprise.employees} if can_fill else None
    form = AnnualReportForm(request.POST or None, initial=initial) if can_fill else None
    if form is not None and request.method == "POST" and form.is_valid():
        saved = call_service(form, services.submit_annual_report, principal, report, **form.service_kwargs())
        if saved is not None:
            messages.success(request, _("The annual report is handed in. Thank you."))
            return redirect("certification:annual_report", pk=report.pk)
    grace = cert.application.rule_set.report_grace_days if cert.application_id else 0
    state = rules.report_state(report, grace, timezone.localdate())
    badge, label = REPORT_STATES[state]
    return render(
        request,
        "certification/report_form.html",
        {
            "report": report,
            "cert": cert,
            "form": form,
            "state": state,
            "badge": badge,
            "state_label": label,
            "anniversary": report.due_on - dt.timedelta(days=grace),
        },
    )


# Veto events ------------------------------------------------------------------------------------------


VETO_BADGES = {
    VetoEvent.Status.PROPOSED: "warning",
    VetoEvent.Status.CONFIRMED: "danger",
    VetoEvent.Status.DISMISSED: "secondary",
}


@login_required
@permission_required("certification.view_vetoevent", raise_exception=True)
def veto_list(request, *, bound=None, http_status=200):
    """The veto events, filtered by enterprise, kind and status; the platform's proposals carry
    confirm / dismiss (with a reason) buttons. `bound`: (event id, the dismiss form posted with an
    error), re-shown open with what was typed."""
    principal = principal_for_request(request)
    qs = VetoEvent.objects.visible_to(principal).select_related("enterprise", "recorded_by")
    params = request.GET
    q = params.get("q", "").strip()
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__istartswith=q))
    catalogue = selectors.veto_catalogue()
    kinds = sorted(set(catalogue.items()) | set(qs.values_list("kind", "kind_name").distinct()))
    kind = params.get("kind", "")
    if kind and kind in {code for code, _ in kinds}:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    status = params.get("status", "")
    if status in VetoEvent.Status.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    page = paginate(request, qs.order_by("-occurred_on", "-created_at", "-id"), PAGE_SIZE)
    for event in page:
        event.actions = workflow.veto_actions(event, principal)
        event.badge = VETO_BADGES.get(event.status, "secondary")
        if "dismiss" in event.actions:
            if bound and bound[0] == event.pk:
                event.dismiss_form, event.dismiss_open = bound[1], True
            else:
                event.dismiss_form, event.dismiss_open = ReasonForm(prefix=f"dismiss-{event.pk}"), False
    proposed = VetoEvent.objects.visible_to(principal).filter(status=VetoEvent.Status.PROPOSED).count()
    return render(
        request,
        "certification/veto_list.html",
        {
            "page": page,
            "q": q,
            "kind": kind,
            "kinds": kinds,
            "status": status,
            "statuses": VetoEvent.Status.choices,
            "n_proposed": proposed,
            # Where a decision returns to: this list as filtered (after a refused post, the list).
            "here": request.get_full_path()
            if request.method == "GET"
            else reverse("certification:veto_list"),
            "can_add": workflow.may_record_veto_event(principal),
        },
        status=http_status,
    )


@login_required
@require_POST
def veto_decide(request, pk, action):
    """Confirm or dismiss (with a reason) a veto event the platform proposed."""
    if action not in ("confirm", "dismiss"):
        raise Http404
    principal = principal_for_request(request)
    if not request.user.has_perm("certification.view_vetoevent"):
        raise PermissionDenied
    event = get_visible_or_404(VetoEvent.objects.select_related("enterprise"), principal, pk=pk)
    form = ReasonForm(request.POST, prefix=f"dismiss-{event.pk}") if action == "dismiss" else None
    reason = form.cleaned_data["reason"] if form is not None and form.is_valid() else ""
    if form is not None and form.errors:
        return veto_list(request, bound=(event.pk, form), http_status=400)
    try:
        if action == "confirm":
            held = list(
                Certificate.objects.filter(
                    enterprise=event.enterprise, status=Certificate.Status.VALID
                ).values_list("number", flat=True)
            )
            services.confirm_veto_event(principal, event)
        else:
            services.dismiss_veto_event(principal, event, reason)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        if form is not None and exc.fields:
            add_domain_error(form, exc)
            return veto_list(request, bound=(event.pk, form), http_status=400)
        messages.error(request, str(exc))
    else:
        if action == "confirm":
            text = _("The veto event is confirmed.")
            if held:
                text += " " + _("Certificates revoked: %(numbers)s.") % {"numbers": ", ".join(held)}
        else:
            text = _("The proposed veto event is dismissed.")
        messages.success(request, text)
    return redirect(_veto_list_url(request))


def _veto_list_url(request) -> str:
    url = request.POST.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return reverse("certification:veto_list")


@login_required
@permission_required("certification.add_vetoevent", raise_exception=True)
def veto_create(request):
    principal = principal_for_request(request)
    q = request.GET.get("q", "").strip()
    initial = {"occurred_on": timezone.localdate()}
    chosen = request.GET.get("enterprise")
    if chosen:
        enterprise = get_visible_or_404(Enterprise.objects.all(), principal, pk=chosen)
        initial["enterprise"] = enterprise.pk
    form = VetoEventForm(request.POST or None, principal=principal, q=q, initial=initial)
    if request.method == "POST" and form.is_valid():
        held = list(
            Certificate.objects.filter(
                enterprise=form.cleaned_data["enterprise"], status=Certificate.Status.VALID
            ).values_list("number", flat=True)
        )
        event = call_service(form, services.record_veto_event, principal, **form.service_kwargs())
        if event is not None:
            text = _("The veto event is recorded.")
            if held:
                text += " " + _("Certificates revoked: %(numbers)s.") % {"numbers": ", ".join(held)}
            messages.success(request, text)
            return redirect(reverse("certification:veto_list") + f"?q={event.enterprise.uscc}")
    # The enterprise in the form (chosen, searched or submitted) and its valid titles, for the warning.
    enterprise = None
    value = form["enterprise"].value()
    if value:
        enterprise = (
            Enterprise.objects.visible_to(principal).filter(pk=value).first() if _is_uuid(value) else None
        )
    valid = []
    if enterprise is not None:
        valid = list(
            Certificate.objects.valid_on(timezone.localdate())
            .filter(enterprise=enterprise)
            .select_related("level")
        )
    n_matches = search_enterprises(Enterprise.objects.visible_to(principal), q).count() if q else None
    return render(
        request,
        "certification/veto_form.html",
        {"form": form, "q": q, "n_matches": n_matches, "enterprise": enterprise, "valid_certificates": valid},
    )


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# Public pages: no login -------------------------------------------------------------------------------


@never_cache
def public_notice(request):
    notices = list(selectors.running_notices())
    for notice in notices:
        notice.document_ready = document_state(notice.document) == "ready"
        for app in notice.listed:
            app.level_code = (app.proposed_level or app.target_level).code
    return render(request, "certification/public_notice.html", {"notices": notices})


@never_cache
def public_notice_pdf(request, notice_pk):
    today = timezone.localdate()
    notice = (
        PublicNotice.objects.filter(pk=notice_pk, starts_on__lte=today).select_related("document").first()
    )
    if notice is None:
        raise Http404
    if document_state(notice.document) != "ready":
        return render(request, "certification/public_notice_pending.html", {"notice": notice}, status=404)
    return pdf_response(notice.document, inline=True)


@never_cache
def public_objection(request, notice_pk, pk):
    application = selectors.notice_application(notice_pk, pk)
    if application is None:
        raise Http404
    if request.GET.get("filed") == "1" and request.method == "GET":
        return render(request, "certification/public_objection_done.html", {"application": application})
    form = PublicObjectionForm(request.POST or None)
    if request.method == "POST":
        throttle = CertificationObjectionThrottle()
        if not throttle.allow_request(request, None):
            return throttled_page(request, throttle, "certification/public_throttled.html")
        if form.is_valid():
            objection = call_service(form, services.file_objection, application, **form.service_kwargs())
            if objection is not None:
                return redirect(reverse("certification:public_objection", args=[notice_pk, pk]) + "?filed=1")
    return render(
        request,
        "certification/public_objection.html",
        {
            "application": application,
            "notice": application.notice,
            "level": (application.proposed_level or application.target_level).code,
            "form": form,
        },
    )


@never_cache
def verify(request, number):
    throttle = CertificateVerifyThrottle()
    if not throttle.allow_request(request, None):
        return throttled_page(request, throttle, "certification/public_throttled.html")
    verification = selectors.verify_certificate(number)
    if verification is None:
        return render(request, "certification/verify_unknown.html", {"number": number}, status=404)
    cert = verification.certificate
    response = render(
        request,
        "certification/verify.html",
        {
            "v": verification,
            "cert": cert,
            "badge": VERIFY_BADGES[verification.state],
            "ended": verification.state in ("lapsed", "revoked"),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
def verify_form(request):
    """`/verify/`: anyone types a certificate number. A number that can be one goes to its
    verification page (`verify`, which looks it up and is throttled: this form reads nothing);
    an empty or malformed one is a form error (400)."""
    if "number" not in request.GET:
        form, status = VerifyNumberForm(), 200
    else:
        form = VerifyNumberForm(request.GET)
        if form.is_valid():
            return redirect("verify", number=form.cleaned_data["number"])
        status = 400
    response = render(request, "certification/verify_form.html", {"form": form}, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response
