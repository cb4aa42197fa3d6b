import math

from django.shortcuts import render
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from apps.core.net import client_address
from apps.core.principal import principal_for_request


class ClientAddressMixin:
    """Throttles count per client address as `apps.core.net.client_address` gives it:
    `X-Forwarded-For` only counts when the connection comes from a trusted proxy (TRUSTED_PROXIES),
    so a made-up header does not open a new budget (issue 14, finding 1)."""

    def get_ident(self, request):
        return client_address(request)


class PrincipalRateThrottle(SimpleRateThrottle):
    """One budget per API client or per user (anonymous callers use AnonThrottle)."""

    scope = "principal"

    def get_cache_key(self, request, view):
        principal = principal_for_request(request)
        if principal.is_api_client:
            ident = f"client:{principal.api_client.pk}"
        elif principal.user is not None:
            ident = f"user:{principal.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}

    # Rate-limit headers (issue 15): the budget, what is left of it and when it grows again are
    # put on the request here and written on the response by apps.api.middleware.
    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        if self.rate is not None and getattr(self, "key", None):
            set_rate_limit(
                request, rate_limit_state(self.num_requests, self.duration, self.history, self.now)
            )
        return allowed


#: Where the state of the principal's budget waits for the response (on the Django HttpRequest).
RATE_LIMIT_ATTR = "_rate_limit_state"


def rate_limit_state(limit: int, duration: int, history: list, now: float) -> dict:
    """`X-RateLimit-Limit` (requests per window), `-Remaining` (left now, this request counted)
    and `-Reset` (seconds until the oldest counted request leaves the sliding window, i.e. until
    `Remaining` grows again; the window's length when nothing is counted)."""
    remaining = max(0, limit - len(history))
    reset = duration - (now - history[-1]) if history else duration
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(max(0, math.ceil(reset))),
    }


def set_rate_limit(request, state: dict) -> None:
    setattr(getattr(request, "_request", request), RATE_LIMIT_ATTR, state)


class AnonThrottle(ClientAddressMixin, AnonRateThrottle):
    """DRF's anonymous throttle, per client address."""


class PublicFormThrottle(ClientAddressMixin, SimpleRateThrottle):
    """Base of the public forms' throttles: per client address, one budget per form (its scope)."""

    scope = "public_form"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class MediationApplicationThrottle(PublicFormThrottle):
    """The public mediation application form."""

    scope = "mediation_application"


class CertificationObjectionThrottle(PublicFormThrottle):
    """The public objection form of a certification notice."""

    scope = "certification_objection"


class PublicLookupThrottle(PublicFormThrottle):
    """For public look-ups by serial number and access code (mediation tracking): per client IP."""

    scope = "public_lookup"


class CertificateVerifyThrottle(PublicFormThrottle):
    """For the public check of a certificate by its number (the QR code printed on it): per
    client address, generous enough for an inspector checking a wall of certificates, not for
    walking every number."""

    scope = "certificate_verify"


class SearchThrottle(SimpleRateThrottle):
    """The search box (issue 20), per signed-in user: enough for a person, not for a script walking
    names or numbers through it. Every search counts."""

    scope = "search"

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class IdSearchThrottle(SearchThrottle):
    """Searches by ID number, per user: a person looks up a few workers an hour; each one is also
    a sensitive look-up counted toward the hourly alert (`audit.services.record_sensitive_lookup`)."""

    scope = "search_id_number"


def throttled_page(request, throttle, template_name: str):
    """The 429 page of a public form whose throttle refused the request, with Retry-After and
    the minutes to wait (`minutes` in the template's context)."""
    wait = throttle.wait()
    minutes = max(1, round((wait or 60) / 60))
    response = render(request, template_name, {"minutes": minutes}, status=429)
    if wait:
        response["Retry-After"] = str(int(wait))
    return response
