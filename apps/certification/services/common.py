"""What the certification services share: the date, the acting user, the row lock, the link and
the notification to the enterprise's HR."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from apps.notifications.services import notify

from ..models import Application
from ..selectors import hr_users


def park_today() -> dt.date:
    return timezone.localdate()


def user_of(principal):
    user = principal.user
    return user if user is not None and user.is_authenticated else None


def lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("rule_set", "round", "enterprise")
        .get(pk=application.pk)
    )


def app_link(application: Application) -> str:
    return reverse("certification:detail", args=[application.pk])


def notify_hr(application: Application, title, body="") -> None:
    notify(hr_users(application.enterprise), title=title, body=body, link=app_link(application))
