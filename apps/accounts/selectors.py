import datetime as dt

from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .models import ApiClient, Organisation


def organisations_visible_to(principal):
    return Organisation.objects.visible_to(principal).select_related("area", "parent")


def current_login_locks(principal):
    """The (username, address) pairs django-axes locks now: AXES_FAILURE_LIMIT failures or more
    within the cool-off. Park administrators only; nobody else sees any."""
    if not principal.is_park_admin:
        return AccessAttempt.objects.none()
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")


# --- API clients (issue 15) --------------------------------------------------------------------
# Requests are counted per client and day in the cache (Redis in production: one INCR per request,
# no database write), read live by the pages. A counter lives USAGE_DAYS + 1 days, so the last
# seven days can always be summed; a flushed cache loses the counts (they are operational figures,
# not records: every write a client makes is in the audit trail).

USAGE_DAYS = 7
USAGE_TTL_SECONDS = (USAGE_DAYS + 1) * 24 * 60 * 60


def usage_key(client_id, day: dt.date) -> str:
    """The cache key of a client's request counter for one (local) day."""
    return f"api-client-usage:{client_id}:{day:%Y%m%d}"


def request_counts(client_ids, today: dt.date | None = None) -> dict:
    """{client id: {"today": n, "week": n}}: requests today and over the last seven days (today
    included), for all `client_ids` in one cache round trip."""
    today = today or timezone.localdate()
    days = [today - dt.timedelta(days=n) for n in range(USAGE_DAYS)]
    keys = {(cid, day): usage_key(cid, day) for cid in client_ids for day in days}
    found = cache.get_many(list(keys.values())) if keys else {}
    counts = {}
    for cid in client_ids:
        values = [int(found.get(keys[(cid, day)]) or 0) for day in days]
        counts[cid] = {"today": values[0], "week": sum(values)}
    return counts


def api_clients_visible_to(principal):
    """API clients are managed by park administrators only; nobody else sees any."""
    if not principal.is_park_admin or principal.is_api_client:
        return ApiClient.objects.none()
    return ApiClient.objects.select_related("area", "created_by", "revoked_by").order_by("name")
