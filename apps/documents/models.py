from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import BaseModel, ObjectRef, ObjectRefQuerySet, ScopedQuerySet


class GeneratedDocumentQuerySet(ScopedQuerySet, ObjectRefQuerySet):
    def visible_to(self, principal):
        """Administrators see all; others see documents they requested. Modules that own
        documents (certificates, agreements) serve them through their own scoped objects."""
        if principal.is_park_admin:
            return self
        if principal.user is None:
            return self.none()
        return self.filter(created_by=principal.user)


class GeneratedDocument(BaseModel, ObjectRef):
    """A PDF the platform produced, with the SHA-256 of its bytes so it can be verified later."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being generated")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=50, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    template_name = models.CharField(_("template"), max_length=200)
    context = models.JSONField(_("context"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = GeneratedDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return self.title
