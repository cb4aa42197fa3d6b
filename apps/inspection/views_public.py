"""Public labour-inspection pages for people without an account (no login): the complaint or
report form, the page that shows the serial number and access code once, and the tracking page.

As mediation's public pages: every POST is throttled per client address
(`apps.core.net.client_address`: a forged X-Forwarded-For opens no new budget); the serial and
code reach the done page through the session, never the URL, and are forgotten once shown; the
tracking page takes the serial and code by POST only and shows nothing about people.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from apps.api.throttling import PublicFormThrottle, PublicLookupThrottle, throttled_page
from apps.core.errors import DomainError
from apps.core.forms import add_domain_error
from apps.core.net import client_address

from . import rules, services
from .forms.public import ComplaintForm, TrackForm
from .selectors import public as public_selectors

#: Session key holding the serial number and access code until the done page has shown them.
SESSION_KEY = "inspection_complained"
THROTTLED = "inspection/public/throttled.html"


class InspectionComplaintThrottle(PublicFormThrottle):
    """The public complaint form: its own budget per client address
    (INSPECTION_COMPLAINT_THROTTLE_RATE)."""

    scope = "inspection_complaint"


def _periods() -> dict:
    return {
        "acceptance_days": rules.ACCEPTANCE_PERIOD.days,
        "acceptance_source": rules.ACCEPTANCE_PERIOD.source,
        "investigation_days": rules.INVESTIGATION_PERIOD.days,
        "confidentiality_source": rules.REPORTER_CONFIDENTIALITY_SOURCE,
    }


def _noindex(response):
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
def complain(request):
    form = ComplaintForm(
        request.POST or None,
        enterprises=public_selectors.public_enterprises(),
        towns=public_selectors.public_towns(),
    )
    if request.method == "POST":
        throttle = InspectionComplaintThrottle()
        if not throttle.allow_request(request, None):
            return throttled_page(request, throttle, THROTTLED)
        if form.is_valid():
            try:
                case, code = services.submit_complaint(
                    form.service_data(), client_address=client_address(request)
                )
            except DomainError as exc:  # per field; never a 500
                add_domain_error(form, exc)
            else:
                warning = rules.limitation_warning(case.violation_ended_on, case.received_on)
                request.session[SESSION_KEY] = {
                    "serial": case.serial,
                    "code": code,
                    "kind": case.source,
                    "received_on": case.received_on.isoformat(),
                    "decision_due_on": case.decision_due_on.isoformat(),
                    "limitation": (
                        {"message": warning.message, "source": warning.source} if warning else None
                    ),
                }
                return redirect("inspection:complain_done")
    return _noindex(render(request, "inspection/public/complain.html", {"form": form, **_periods()}))


@never_cache
def complain_done(request):
    """Shows the serial number and access code once, then forgets them."""
    done = request.session.pop(SESSION_KEY, None)
    if not done:
        return _noindex(render(request, "inspection/public/shown.html"))
    return _noindex(render(request, "inspection/public/done.html", {"done": done, **_periods()}))


@never_cache
def track(request):
    form = TrackForm(request.POST or None)
    answer = None
    not_found = False
    if request.method == "POST":
        throttle = PublicLookupThrottle()
        if not throttle.allow_request(request, None):
            return throttled_page(request, throttle, THROTTLED)
        if form.is_valid():
            answer = public_selectors.track(form.cleaned_data["serial"], form.cleaned_data["code"])
            not_found = answer is None
    return _noindex(
        render(
            request,
            "inspection/public/track.html",
            {
                "form": form,
                "case": answer,
                "not_found": not_found,
                # Whom to phone for a lost code: one answer whatever was typed (issue 20).
                "whom_to_call": public_selectors.lost_code_contacts() if answer is None else None,
            },
        )
    )
