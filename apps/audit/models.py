import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import ObjectRef, ObjectRefQuerySet

#: The API scope that reads the audit trail (apps.accounts.scopes.AUDIT_SCOPE; the audit app sits
#: below accounts and names it here).
AUDIT_READ_SCOPE = "audit:read"


class AuditEventQuerySet(ObjectRefQuerySet):
    """Append-only: bulk updates and deletes are refused (PostgreSQL also refuses them with a
    trigger, see migration 0002)."""

    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")

    def visible_to(self, principal):
        """Park administrators; and API clients holding `audit:read` without an area restriction
        (the trail is not divided by area, so a restricted client reads none: issue 15)."""
        if principal.is_api_client:
            return self if principal.has_scope(AUDIT_READ_SCOPE) and not principal.area_ids else self.none()
        return self if principal.is_park_admin else self.none()


class AuditEvent(ObjectRef):
    """One write, or one full view of sensitive personal data. Never updated, never deleted, and
    not tied to its object by a foreign key, so it outlives the object."""

    class Kind(models.TextChoices):
        WRITE = "write", _("Write")
        SENSITIVE_VIEW = "sensitive_view", _("Full view of personal data")
        AUTH = "auth", _("Authentication")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WRITE)
    action = models.CharField(_("action"), max_length=100)
    # Who: a user or an API client. No database constraint: the event survives them.
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    api_client = models.ForeignKey(
        "accounts.ApiClient",
        verbose_name=_("API client"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=200, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id", "occurred_at"]),
            # The audit API's filters by action and by actor, newest first (issue 15).
            models.Index(fields=["action", "occurred_at"], name="audit_action_occurred_idx"),
            models.Index(fields=["actor_label", "occurred_at"], name="audit_actor_occurred_idx"),
        ]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")
