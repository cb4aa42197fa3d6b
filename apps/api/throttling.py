from rest_framework.throttling import SimpleRateThrottle

from apps.accounts.models import ApiClient


class PrincipalRateThrottle(SimpleRateThrottle):
    """One budget per API client or per user (anonymous callers use AnonRateThrottle)."""

    scope = "principal"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiClient):
            ident = f"client:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class PublicFormThrottle(SimpleRateThrottle):
    """For public forms (mediation applications, objections): per client IP."""

    scope = "public_form"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicLookupThrottle(PublicFormThrottle):
    """For public look-ups by serial number and access code (mediation tracking): per client IP."""

    scope = "public_lookup"


def throttled_page(request, throttle, template_name: str):
    """The 429 page of a public form whose throttle refused the request, with Retry-After and
    the minutes to wait (`minutes` in the template's context)."""
    from django.shortcuts import render

    wait = throttle.wait()
    minutes = max(1, round((wait or 60) / 60))
    response = render(request, template_name, {"minutes": minutes}, status=429)
    if wait:
        response["Retry-After"] = str(int(wait))
    return response
