import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import BaseModel, ScopedQuerySet

from .roles import Role


class User(AbstractUser):
    """A person who logs in. What they may do comes from their memberships (roles.py)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(
        _("language"), max_length=10, default="zh-hans", choices=[("zh-hans", "简体中文"), ("en", "English")]
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username


class OrganisationQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Park administrators and unrestricted API clients see every organisation; a client with
        a district restriction sees those in its area; other users see their own organisations."""
        if principal.sees_everything:
            return self
        if principal.is_api_client:
            return self.filter(area__in=principal.area_ids) if principal.area_ids else self
        return self.filter(pk__in=principal.organisation_ids())


class Organisation(BaseModel):
    class Kind(models.TextChoices):
        PARK = "park", _("Park administration")
        DISTRICT = "district", _("District authority")
        ENTERPRISE = "enterprise", _("Enterprise")
        UNION = "union", _("Trade union")
        MEDIATION = "mediation", _("Mediation organisation")
        INSPECTION = "inspection", _("Labour inspection brigade")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    code = models.CharField(
        _("code"),
        max_length=30,
        blank=True,
        help_text=_("Unified social credit code, where the organisation has one."),
    )
    area = models.ForeignKey(
        "core.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    #: The organisation's public contact (issue 20): a labour-inspection brigade's is shown on the
    #: public tracking page to a complainant who lost the access code.
    #: A database default too: code written against an earlier state of this table (a data
    #: migration of another app) inserts organisations without these columns.
    phone = models.CharField(_("public phone"), max_length=30, blank=True, default="", db_default="")
    address = models.CharField(_("public address"), max_length=200, blank=True, default="", db_default="")

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"], condition=~models.Q(code=""), name="uniq_org_kind_code"
            ),
        ]

    def __str__(self):
        return self.name


class Membership(BaseModel):
    """A user acts in an organisation with a role. A user may have several memberships."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="uniq_membership"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class ApiClient(BaseModel):
    """A district system calling the REST API. The key is shown once at creation and stored only
    as a SHA-256 digest (keys are 256-bit random, so a fast digest is safe: no dictionary to try)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    key_prefix = models.CharField(_("key prefix"), max_length=12, unique=True)
    key_hash = models.CharField(_("key digest"), max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    area = models.ForeignKey(
        "core.Area",
        verbose_name=_("district restriction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("If set, the client sees only data of this area and the areas below it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Lifecycle (issue 15): expiry, rotation with a grace period, revocation. Written only by
    # apps.accounts.services (audited); the key itself is never stored, only its SHA-256 digest.
    expires_at = models.DateTimeField(
        _("expires"),
        null=True,
        blank=True,
        help_text=_("After this moment the key is refused (401). Empty: the key does not expire."),
    )
    key_issued_at = models.DateTimeField(_("key issued"), null=True, blank=True)
    previous_key_prefix = models.CharField(_("previous key prefix"), max_length=12, blank=True, db_index=True)
    previous_key_hash = models.CharField(_("previous key digest"), max_length=64, blank=True)
    previous_key_valid_until = models.DateTimeField(
        _("previous key valid until"),
        null=True,
        blank=True,
        help_text=_("After a rotation the previous key keeps working until this moment."),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)

    #: How `apps.core.principal.principal_for_request` tells a district system's request apart.
    is_api_client = True

    class Status(models.TextChoices):
        """Derived from the fields above, never stored."""

        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self):
        return self.name

    def status_at(self, now) -> str:
        """Revoked (for good), expired (past `expires_at`) or active at `now`."""
        if not self.is_active:
            return self.Status.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    def previous_key_works_at(self, now) -> bool:
        """Whether the key replaced by the last rotation is still accepted (grace period)."""
        return bool(
            self.previous_key_hash
            and self.previous_key_valid_until is not None
            and now < self.previous_key_valid_until
        )
