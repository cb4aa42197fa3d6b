"""Public legal-aid pages for workers without an account (no login): the request form, the page
that shows the serial number and access code once, and the tracking page.

As mediation's public pages: every POST is throttled per client address
(`apps.core.net.client_address`, through the throttle); the serial and code reach the done page
through the session, never the URL, and are forgotten once shown; the tracking page takes the
serial and code by POST only, answers alike for an unknown serial, a wrong code and no code, and
shows nothing about people but the union and the lawyer's name.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from apps.api.throttling import PublicFormThrottle, PublicLookupThrottle, throttled_page
from apps.core.errors import DomainError
from apps.core.forms import add_domain_error

from . import rules, selectors, services
from .forms import RequestForm, TrackForm

SESSION_KEY = "legalaid_applied"
THROTTLED = "legalaid/public/throttled.html"


class LegalAidApplicationThrottle(PublicFormThrottle):
    """The public legal-aid form: its own budget per client address (LEGALAID_APPLICATION_THROTTLE_RATE)."""

    scope = "legalaid_application"


def _noindex(response):
    response["X-Robots-Tag"] = "noindex"
    return response


def _periods() -> dict:
    policy = selectors.policy_in_force()
    return {"decision_days": policy.decision_days, "consent_source": rules.CONSENT_SOURCE}


@never_cache
def apply(request):
    form = RequestForm(
        request.POST or None, enterprises=selectors.public_enterprises(), towns=selectors.public_towns()
    )
    if request.method == "POST":
        throttle = LegalAidApplicationThrottle()
        if not throttle.allow_request(request, None):
            return throttled_page(request, throttle, THROTTLED)
        if form.is_valid():
            try:
                req, code = services.apply_online(**form.service_kwargs())
            except DomainError as exc:  # per field; never a 500
                add_domain_error(form, exc)
            else:
                request.session[SESSION_KEY] = {
                    "serial": req.serial,
                    "code": code,
                    "union": req.union.name,
                    "decision_due_on": req.decision_due_on.isoformat(),
                }
                return redirect("legalaid:apply_done")
    return _noindex(render(request, "legalaid/public/apply.html", {"form": form, **_periods()}))


@never_cache
def apply_done(request):
    """Shows the serial number and access code once, then forgets them."""
    done = request.session.pop(SESSION_KEY, None)
    if not done:
        return _noindex(render(request, "legalaid/public/shown.html"))
    return _noindex(render(request, "legalaid/public/done.html", {"done": done, **_periods()}))


@never_cache
def track(request):
    form = TrackForm(request.POST or None)
    answer, not_found = None, False
    if request.method == "POST":
        throttle = PublicLookupThrottle()
        if not throttle.allow_request(request, None):
            return throttled_page(request, throttle, THROTTLED)
        if form.is_valid():
            found = selectors.track(form.cleaned_data["serial"], form.cleaned_data["code"])
            answer = selectors.public_view(found) if found is not None else None
            not_found = found is None
    return _noindex(
        render(
            request,
            "legalaid/public/track.html",
            {
                "form": form,
                "req": answer,
                "not_found": not_found,
                # Whom to phone for a lost code: one list whatever was typed (issue 20).
                "whom_to_call": selectors.lost_code_unions() if answer is None else [],
            },
        )
    )
