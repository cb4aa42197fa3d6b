"""Sending notifications: an in-app inbox row per recipient, and an e-mail sent by Celery after
the surrounding transaction commits (so a rolled-back action never mails anyone)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from apps.core.cache import figures_changed
from apps.core.tasks import enqueue_on_commit

from . import selectors
from .models import Notification

MAX_EMAIL_ATTEMPTS = 5


def notify(
    recipients: Iterable,
    *,
    title: str | Callable[[], str],
    body: str | Callable[[], str] = "",
    link: str = "",
    email: bool = True,
) -> list[Notification]:
    """Notify users. `title`/`body` may be lazy translations or callables; they are rendered in
    each recipient's language."""
    created = []
    for user in {u.pk: u for u in recipients if u is not None and u.is_active}.values():
        with translation.override(user.language or settings.LANGUAGE_CODE):
            text_title = str(title() if callable(title) else title)
            text_body = str(body() if callable(body) else body)
        wants_email = email and bool(user.email)
        created.append(
            Notification(
                recipient=user,
                title=text_title[:200],
                body=text_body,
                link=link,
                email_status=Notification.EmailStatus.PENDING
                if wants_email
                else Notification.EmailStatus.SKIPPED,
            )
        )
    Notification.objects.bulk_create(created)
    figures_changed(*{selectors.inbox_topic(n.recipient_id) for n in created})
    for n in created:
        if n.email_status == Notification.EmailStatus.PENDING:
            enqueue_on_commit("notifications.send_email", str(n.pk))
    return created


def send_email_for(notification_id) -> str:
    """Send the e-mail of one notification. Idempotent: a sent or skipped one is left alone.
    The row is locked so two workers never send the same mail twice."""
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if n is None or n.email_status != Notification.EmailStatus.PENDING:
            return "skipped"
        link = f"{settings.PUBLIC_BASE_URL}{n.link}" if n.link.startswith("/") else n.link
        message = f"{n.body}\n\n{link}".strip()
        n.email_attempts += 1
        try:
            send_mail(n.title, message, settings.DEFAULT_FROM_EMAIL, [n.recipient.email])
        except Exception:  # noqa: BLE001 - any transport error: retried by the beat job
            if n.email_attempts >= MAX_EMAIL_ATTEMPTS:
                n.email_status = Notification.EmailStatus.FAILED
            n.save(update_fields=["email_attempts", "email_status", "updated_at"])
            return "failed"
        n.email_status = Notification.EmailStatus.SENT
        n.email_sent_at = timezone.now()
        n.save(update_fields=["email_attempts", "email_status", "email_sent_at", "updated_at"])
        return "sent"


def mark_read(principal, notification_ids=None) -> int:
    qs = Notification.objects.visible_to(principal).unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    if principal.user is not None:
        figures_changed(selectors.inbox_topic(principal.user.pk))
    return qs.update(read_at=timezone.now())
