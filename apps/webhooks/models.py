"""The outbox (events), the subscriptions of API clients and the delivery log.

- `Event`: one audited change of an object of a registered source (`registry`), written in the
  transaction of the change. It carries no personal data: its type, the object's type, id, town
  and status, and the object's API address; receivers fetch the object with their own scopes.
  `sequence` is the feed's cursor: numbered after commit, in commit order, by
  `services.publish_events` (a cursor numbered at insert would let a reader pass an event whose
  transaction commits late).
- `Subscription`: an API client's receiving URL, the event families it wants, its signing secret.
- `Delivery`: one row per (event, subscription): status, attempts, next attempt, last answer.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import BaseModel
from apps.core.personal_data import EncryptedCharField

#: Subscribe to every family the client's scopes allow (now and later).
ALL_EVENTS = "*"


class Event(models.Model):
    id = models.UUIDField(_("event id"), primary_key=True, default=uuid.uuid4, editable=False)
    #: The feed's cursor: NULL until published (after commit), then strictly increasing in the
    #: order the events became visible.
    sequence = models.BigIntegerField(_("sequence"), null=True, blank=True, unique=True)
    type = models.CharField(_("type"), max_length=150)
    #: The source (model label): `mediation.case`. The type is `<family>.<verb>`.
    family = models.CharField(_("family"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    occurred_at = models.DateTimeField(_("time"))
    #: The object's town, for clients restricted to an area (NULL: no town, park-wide clients only).
    area = models.ForeignKey(
        "core.Area",
        verbose_name=_("town / sub-district"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    #: {"status": ..., "path": "/api/v1/..."}: never personal data.
    data = models.JSONField(_("data"), default=dict)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            # The feed of a client limited to some families: WHERE family IN (...) AND sequence > n.
            models.Index(fields=["family", "sequence"], name="webhooks_event_family_seq"),
            # What `publish_events` numbers next.
            models.Index(
                fields=["occurred_at", "id"],
                condition=models.Q(sequence__isnull=True),
                name="webhooks_event_unpublished",
            ),
            # Replays of a time range and the retention purge.
            models.Index(fields=["occurred_at"], name="webhooks_event_occurred"),
        ]

    def __str__(self):
        return f"{self.type} {self.object_id}"


class Subscription(BaseModel):
    client = models.ForeignKey(
        "accounts.ApiClient",
        verbose_name=_("API client"),
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
    )
    url = models.URLField(_("URL"), max_length=500)
    #: Families (`mediation.case`, ...) or ["*"]: every family the client's scopes allow.
    event_types = models.JSONField(_("event types"), default=list)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = EncryptedCharField(_("signing secret"))
    is_active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("reason for disabling"), max_length=300, blank=True)
    #: Failed attempts in a row (any success resets it) and when the streak began.
    failure_count = models.PositiveIntegerField(_("failures in a row"), default=0)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self):
        return f"{self.client} → {self.url}"

    @property
    def all_events(self) -> bool:
        return ALL_EVENTS in (self.event_types or [])


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        #: Claimed by a worker (until `lease_until`: past it, another sweep takes it over).
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        #: Its subscription is disabled; pending again when it is enabled.
        PAUSED = "paused", _("Paused")

    id = models.BigAutoField(primary_key=True)
    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(
        Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    #: No attempt after this (24 h after publication, or after a replay).
    expires_at = models.DateTimeField(_("retries until"))
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim = models.UUIDField(_("claim"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    replays = models.PositiveIntegerField(_("replays"), default=0)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="uniq_webhook_delivery"),
        ]
        indexes = [
            # The delivery log of a subscription, newest first.
            models.Index(fields=["subscription", "id"], name="webhooks_delivery_log"),
            # What a sweep claims next.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(status="pending"),
                name="webhooks_delivery_due",
            ),
            # Claims of workers that died (lease passed).
            models.Index(
                fields=["lease_until"], condition=models.Q(status="sending"), name="webhooks_delivery_leased"
            ),
            # Deliveries that ran out of time without being sent.
            models.Index(
                fields=["expires_at"],
                condition=models.Q(status__in=["pending", "paused"]),
                name="webhooks_delivery_expiry",
            ),
        ]

    def __str__(self):
        return f"{self.event_id} → {self.subscription_id}: {self.status}"
