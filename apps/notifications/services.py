"""Sending notifications: an in-app inbox row per recipient, and an e-mail sent by Celery after
the surrounding transaction commits (so a rolled-back action never mails anyone)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from apps.accounts.models import User
from apps.core.cache import figures_changed
from apps.core.principal import Role
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


def alert_park_admins_of_sensitive_views(event_id: str, actor_label: str, count: int) -> int:
    """Notify every active park administrator (in their language) of unusual full views of
    personal data, with a link to the audit trail. Idempotent per audit event."""
    link = "/audit/?" + urlencode({"q": actor_label, "event": event_id})  # that principal's trail
    if Notification.objects.filter(link=link).exists():
        return 0
    admins = User.objects.filter(is_active=True, memberships__role=Role.PARK_ADMIN).distinct()
    with transaction.atomic():
        created = notify(
            admins,
            title=lambda: gettext("Unusual access to personal data: %(who)s") % {"who": actor_label},
            body=lambda: (
                gettext(
                    "%(who)s viewed %(count)s ID numbers or other personal data in full within one hour. "
                    "Check the audit trail; revoke the key or the account if this was not expected."
                )
                % {"who": actor_label, "count": count}
            ),
            link=link,
        )
    return len(created)


def notify_account_locked(username: str, ip_address: str | None) -> int:
    """Tell the owner of `username` that their account is locked after failed logins from
    `ip_address` (django-axes' `user_locked_out`). Nothing happens for an unknown username."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        return 0
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    address = ip_address or "?"
    with transaction.atomic():
        created = notify(
            [user],
            title=lambda: gettext("Your account was locked after failed logins"),
            body=lambda: (
                gettext(
                    "%(count)s wrong passwords were entered for your account from the address %(address)s, so "
                    "logins from that address are refused for %(minutes)s minutes. If this was not you, "
                    "change your password and tell a park administrator."
                )
                % {"count": settings.AXES_FAILURE_LIMIT, "address": address, "minutes": minutes}
            ),
            link="/accounts/password/",
        )
    return len(created)


def on_user_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    """Receiver of django-axes' `user_locked_out` (NotificationsConfig.ready)."""
    if username:
        notify_account_locked(username, ip_address)
