"""Many full views of personal data by one principal within an hour alert the park (issue 14)."""

import pytest

from apps.audit import services as audit
from apps.audit.models import AuditEvent
from apps.core.context import acting_as
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_park_is_alerted_once_when_a_principal_passes_the_threshold(
    settings, park_admin, hr_a, django_capture_on_commit_callbacks
):
    settings.SENSITIVE_VIEWS_ALERT_PER_HOUR = 3
    with django_capture_on_commit_callbacks(execute=True), acting_as("api:区仲裁院系统"):
        for _ in range(5):
            audit.record_sensitive_view(hr_a, "id_number")
    alerts = AuditEvent.objects.filter(action="audit.sensitive_views_threshold")
    assert alerts.count() == 1 and "api:区仲裁院系统" in alerts.get().note
    [notice] = Notification.objects.filter(recipient=park_admin)
    assert "api:区仲裁院系统" in notice.title and "audit" in notice.link
    assert not Notification.objects.filter(recipient=hr_a).exists(), "administrators only"


def test_below_the_threshold_nobody_is_alerted(settings, park_admin, hr_a):
    settings.SENSITIVE_VIEWS_ALERT_PER_HOUR = 10
    for _ in range(3):
        audit.record_sensitive_view(hr_a, "id_number")
    assert not AuditEvent.objects.filter(action="audit.sensitive_views_threshold").exists()
    assert not Notification.objects.exists()
