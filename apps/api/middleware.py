"""Rate-limit headers on API responses (issue 15).

`PrincipalRateThrottle` leaves the state of the caller's budget on the request; this middleware
writes it on the response, whatever the view answered (200, 4xx, the 429 itself). Requests the
throttle never saw (refused before it: 401, a missing scope's 403; anonymous callers) carry no
such headers. A 429 also carries `Retry-After` (DRF's `Throttled`, kept by apps.api.errors).
"""

from .throttling import RATE_LIMIT_ATTR


class RateLimitHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        state = getattr(request, RATE_LIMIT_ATTR, None)
        if state:
            for header, value in state.items():
                response.headers.setdefault(header, value)
        return response
