"""Public mediation pages for workers without an account (no login): the application form, the
page that shows the serial number and access code once, and the tracking page.

Both forms are throttled per client IP. The tracking page takes the serial number and the code by
POST only (the code never appears in a URL) and shows nothing about people: the serial, dates,
the organisation, the status, the next step and the public timeline. Without the right code (a
wrong one, none, or an unknown serial) it answers in the same words and names whom to ask for a
new code (`selectors.lost_code_contact`)."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from apps.api.throttling import MediationApplicationThrottle, PublicLookupThrottle, throttled_page
from apps.core.errors import DomainError, NotAllowed
from apps.core.pagination import paginate

from . import rules, selectors, services
from .forms_intake import PublicApplicationForm, TrackForm, place_service_errors
from .models import MediationOrganisation

#: Session key holding the serial number and access code until the done page has shown them.
SESSION_KEY = "mediation_applied"


def _period_context() -> dict:
    return {
        "decision_days": rules.DECISION_PERIOD.days,
        "mediation_days": rules.MEDIATION_PERIOD.days,
    }


@never_cache
def apply(request):
    form = PublicApplicationForm(
        request.POST or None,
        enterprises=selectors.public_enterprises(),
        organisations=selectors.public_organisations(),
    )
    if request.method == "POST":
        throttle = MediationApplicationThrottle()
        if not throttle.allow_request(request, None):
            return throttled_page(request, throttle, "mediation/public_throttled.html")
        if form.is_valid():
            try:
                case, code = services.apply_online(**form.service_kwargs())
            except NotAllowed as exc:  # not expected for the public; shown, never a 500
                form.add_error(None, str(exc))
            except DomainError as exc:
                place_service_errors(form, exc, form.field_map())
            else:
                warning = rules.limitation(case)
                request.session[SESSION_KEY] = {
                    "serial": case.serial,
                    "code": code,
                    "received_on": case.received_on.isoformat(),
                    "decision_due_on": case.decision_due_on.isoformat(),
                    "due_on": case.due_on.isoformat(),
                    "limitation": (
                        {
                            "level": warning["level"],
                            "message": warning["message"],
                            "source": warning["source"],
                        }
                        if warning
                        else None
                    ),
                }
                return redirect("mediation:apply_done")
    return render(request, "mediation/public_apply.html", {"form": form, **_period_context()})


@never_cache
def apply_done(request):
    """Shows the serial number and access code once, then forgets them."""
    applied = request.session.pop(SESSION_KEY, None)
    if not applied:
        return render(request, "mediation/public_apply_shown.html")
    return render(request, "mediation/public_apply_done.html", {"applied": applied, **_period_context()})


@never_cache
def track(request):
    form = TrackForm(request.POST or None)
    case = None
    not_found = False
    contact = None
    if request.method == "POST":
        throttle = PublicLookupThrottle()
        if not throttle.allow_request(request, None):
            return throttled_page(request, throttle, "mediation/public_throttled.html")
        if form.is_valid():
            case = selectors.track(form.cleaned_data["serial"], form.cleaned_data.get("code") or "")
            not_found = case is None
            if not_found:
                # Whom to ask for a new code (never an enterprise's own committee; the park's
                # contact for an unknown serial), in the same words whatever it is.
                contact = selectors.lost_code_contact(form.cleaned_data["serial"])
    context = {
        "form": form,
        "not_found": not_found,
        "case": None,
        "contact": {"name": contact.name, "phone": contact.phone} if contact else None,
        # Whom to phone for a lost code: one list whatever was typed (issue 20).
        "whom_to_call": selectors.lost_code_organisations() if case is None else [],
    }
    if case is not None:
        context.update(
            {
                "case": {
                    "serial": case.serial,
                    "received_on": case.received_on,
                    "organisation": case.organisation.name if case.organisation else "",
                    "organisation_phone": case.organisation.phone if case.organisation else "",
                    "respondent": case.respondent_name,
                    "status": case.get_status_display(),
                    "status_code": case.status,
                    "outcome": case.get_outcome_display() if case.outcome else "",
                },
                "next_step": selectors.next_step(case),
                "timeline": selectors.public_timeline(case),
            }
        )
    response = render(request, "mediation/public_track.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


#: Organisations per page of the public directory.
DIRECTORY_PAGE_SIZE = 30


@never_cache
def organisations(request):
    """The public directory of mediation organisations (issue 20): the active ones with their kind,
    address, phone and towns, optionally of one kind (`?kind=`, an unknown kind is ignored)."""
    kind = request.GET.get("kind", "")
    if kind not in MediationOrganisation.Kind.values:
        kind = ""
    page = paginate(request, selectors.public_directory(kind), DIRECTORY_PAGE_SIZE)
    return render(
        request,
        "mediation/public_organisations.html",
        {"page": page, "kind": kind, "kinds": [(k.value, k.label) for k in selectors.DIRECTORY_KINDS]},
    )
