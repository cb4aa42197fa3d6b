from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from .models import Organisation


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
