"""The risk watch list (风险预警, issue 17 item 1; domain guide §9).

- `RiskPolicy` + `RiskWeight`: [POLICY] the weights of the signal kinds and the level thresholds,
  versioned: editing the policy in the admin makes a new version, older ones are kept read-only,
  and every score names the version that computed it. A signal code without a weight row weighs
  its `SignalKind.weight` (apps.core.facts), capped at its `SignalKind.cap` records.
- `EnterpriseRisk`: the current score of each enterprise, with its explanation ("why is this
  enterprise here"), who must act, and town and industry copied for the list's filters.
- `RiskMonth`: the score at the end of each month (the current month: the latest run), for the
  history, the trend and the park's chart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.roles import Role
from apps.core.models import Area, BaseModel, ScopedQuerySet
from apps.enterprises.models import Enterprise

# The rules' vocabulary ------------------------------------------------------------------------------


class Level(models.TextChoices):
    """Risk levels, lowest first (rules.LEVEL_ORDER)."""

    NONE = "none", _("No risk")
    WATCH = "watch", _("Watch")
    WARNING = "warning", _("Warning")
    SERIOUS = "serious", _("Serious")


#: The roles that read the watch list (their `Enterprise.visible_to` scope), besides the park.
RISK_ROLES = (Role.PARK_ADMIN, Role.UNION_OFFICIAL, Role.MEDIATOR, Role.INSPECTOR)


def _risk_principal(principal):
    """The principal as a reader of the watch list: only its memberships in a risk-reading role
    (an HR membership of the same user does not add its own enterprise to the list)."""
    import dataclasses

    kept = tuple(m for m in principal.memberships if m[2] in RISK_ROLES)
    if kept == principal.memberships:
        return principal
    return dataclasses.replace(principal, memberships=kept, _memo={})


class RiskQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        """Park administrators: all. API clients: their area, or all. Union officials, mediators and
        inspectors: the enterprises they see in the registry (`Enterprise.visible_to`: their
        organisation's area; a union's officials also the enterprises it covers). Enterprise HR
        and anyone else: none (the watch list is the authorities' tool)."""
        if principal.sees_everything:
            return self
        if principal.is_api_client:
            return self.filter(town__in=principal.area_ids) if principal.area_ids else self
        if not principal.is_authenticated or not principal.has_role(*RISK_ROLES):
            return self.none()
        visible = Enterprise.objects.visible_to(_risk_principal(principal)).values("pk")
        return self.filter(enterprise__in=visible)


# Policy ------------------------------------------------------------------------------------------------


class RiskPolicy(BaseModel):
    """[POLICY] One version of the park's risk policy: the level thresholds (a score at or above a
    threshold reaches that level) and, in `RiskWeight` rows, the weight per record of each signal
    kind. The newest version in effect on a day computes that day's scores."""

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    valid_from = models.DateField(_("in effect from"))
    watch_from = models.PositiveIntegerField(_("watch from (points)"), default=10)
    warning_from = models.PositiveIntegerField(_("warning from (points)"), default=25)
    serious_from = models.PositiveIntegerField(_("serious from (points)"), default=50)
    note = models.CharField(_("note"), max_length=300, blank=True, help_text=_("Why this version."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("risk policy")
        verbose_name_plural = _("risk policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(watch_from__gt=0)
                & Q(warning_from__gt=models.F("watch_from"))
                & Q(serious_from__gt=models.F("warning_from")),
                name="risk_policy_thresholds_ascending",
            )
        ]

    def __str__(self):
        return _("Risk policy v%(version)s from %(date)s") % {
            "version": self.version,
            "date": self.valid_from,
        }

    @property
    def thresholds(self) -> dict[str, int]:
        return {
            Level.WATCH: self.watch_from,
            Level.WARNING: self.warning_from,
            Level.SERIOUS: self.serious_from,
        }


class RiskWeight(models.Model):
    """[POLICY] The weight of one signal kind in one policy version: `weight` points per record,
    counted up to `cap` records (0 switches the signal off)."""

    policy = models.ForeignKey(
        RiskPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="weights"
    )
    code = models.CharField(_("signal"), max_length=80)
    weight = models.PositiveSmallIntegerField(_("points per record"))
    cap = models.PositiveSmallIntegerField(_("counted up to (records)"), default=1)

    class Meta:
        ordering = ["code"]
        verbose_name = _("signal weight")
        verbose_name_plural = _("signal weights")
        constraints = [models.UniqueConstraint(fields=["policy", "code"], name="uniq_risk_weight_code")]

    def __str__(self):
        return f"{self.code} × {self.weight}"


# Scores ------------------------------------------------------------------------------------------------


class EnterpriseRisk(models.Model):
    """The current risk of one enterprise (one row per enterprise, written by services.recompute).
    `explanation` lists the signals behind the score, highest points first: [{code, label, count,
    last_on, points, detail, ref_type, ref_id, url, permission, actor}]. `digest` fingerprints the
    result: a run that finds the same result leaves the row (and its `updated_at`) alone."""

    enterprise = models.OneToOneField(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="risk",
    )
    # Copied from the enterprise for the list's filters (kept by every run).
    town = models.ForeignKey(
        Area, verbose_name=_("town / sub-district"), on_delete=models.PROTECT, related_name="+"
    )
    industry = models.CharField(_("industry"), max_length=1)
    score = models.PositiveIntegerField(_("score"), default=0)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.NONE)
    explanation = models.JSONField(_("why"), default=list)
    #: Who must act (apps.core.facts.ACTORS), in that order.
    actors = models.JSONField(_("who must act"), default=list)
    #: The signal codes, space-separated with a space at each end (" a b "): the list's signal filter.
    signal_codes = models.CharField(_("signals"), max_length=1000, blank=True, default="")
    policy_version = models.PositiveIntegerField(_("policy version"))
    computed_at = models.DateTimeField(_("computed at"))
    level_since = models.DateField(_("level since"))
    previous_level = models.CharField(_("previous level"), max_length=10, choices=Level.choices, blank=True)
    digest = models.CharField(max_length=32, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RiskQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise risk")
        verbose_name_plural = _("enterprise risks")
        indexes = [
            # The list's order (score, then enterprise), whole park and per filter.
            models.Index(fields=["score", "enterprise"], name="risk_order"),
            models.Index(fields=["level", "score", "enterprise"], name="risk_level_order"),
            models.Index(fields=["town", "score", "enterprise"], name="risk_town_order"),
            models.Index(fields=["industry", "score", "enterprise"], name="risk_industry_order"),
            models.Index(fields=["updated_at", "enterprise"], name="risk_updated"),
        ]

    def __str__(self):
        return f"{self.enterprise_id} {self.level} {self.score}"

    @property
    def pk_str(self) -> str:
        return str(self.enterprise_id)


class RiskMonthQuerySet(ScopedQuerySet):
    def visible_to(self, principal):
        return self.filter(enterprise__in=EnterpriseRisk.objects.visible_to(principal).values("enterprise"))


class RiskMonth(BaseModel):
    """An enterprise's score in a month (`month` is its first day): the latest run of the month
    wins, so a past month holds its last score."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="risk_months",
    )
    month = models.DateField(_("month"))
    score = models.PositiveIntegerField(_("score"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    town = models.ForeignKey(
        Area, verbose_name=_("town / sub-district"), on_delete=models.PROTECT, related_name="+"
    )
    policy_version = models.PositiveIntegerField(_("policy version"))

    objects = RiskMonthQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "-month"]
        verbose_name = _("monthly risk")
        verbose_name_plural = _("monthly risks")
        constraints = [models.UniqueConstraint(fields=["enterprise", "month"], name="uniq_risk_month")]
        indexes = [models.Index(fields=["month", "level"], name="risk_month_level")]

    def __str__(self):
        return f"{self.enterprise_id} {self.month:%Y-%m} {self.level}"
