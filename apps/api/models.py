"""What the API plumbing stores itself (no domain data).

`IdempotencyRecord`: the answer to a POST sent with an `Idempotency-Key` header, kept 24 hours per
caller and key (apps/api/idempotency.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """One `Idempotency-Key` of one caller: the request it was first used for (its fingerprint)
    and, once answered, the answer to replay. A row without `status_code` is a request still in
    flight. `caller` is a digest, never a foreign key (apps.api does not know the accounts):
    `key:<SHA-256 of the API key>` (the digest `ApiClient.key_hash` holds) or `user:<user id>`.
    The body is stored encrypted with the personal-data keys: answers may carry ID numbers."""

    caller = models.CharField(_("caller"), max_length=80)
    key = models.CharField(_("idempotency key"), max_length=255)
    #: SHA-256 of the method, the path with its query string and the body.
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    created_at = models.DateTimeField(_("created at"))
    #: When the request that holds the key started (or took it over); null once answered.
    locked_at = models.DateTimeField(_("in flight since"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("answer status"), null=True, blank=True)
    #: The answer's headers that matter to a client (Content-Type, Location, …).
    headers = models.JSONField(_("answer headers"), default=dict, blank=True)
    #: The answer's body, a Fernet token (apps.core.personal_data.fernet).
    body = models.TextField(_("answer body"), blank=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="uniq_idempotency_caller_key"),
        ]
        indexes = [
            # The hourly purge deletes by age.
            models.Index(fields=["created_at"], name="idempotency_created"),
        ]

    def __str__(self):
        return f"{self.caller[:12]}… {self.key}"
