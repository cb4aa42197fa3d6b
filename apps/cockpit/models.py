"""The cockpit's own data: the targets it keeps ([POLICY]) and the monthly history of every figure."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import Area, BaseModel

from . import choices


class Target(BaseModel):
    """[POLICY] A target the park sets for one of the cockpit's figures (the park's plan): kept
    with the date from which it holds, so a report of an earlier period shows that period's target.
    Certification coverage and the union rates keep their targets in their modules (the rule set's
    coverage target, `unions.UnionTarget`)."""

    CODES = [(code, choices.BY_CODE[code].label) for code in choices.OWN_TARGETS]

    code = models.CharField(_("figure"), max_length=40, choices=CODES)
    value = models.DecimalField(
        _("target"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    valid_from = models.DateField(_("valid from"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("cockpit target")
        verbose_name_plural = _("cockpit targets")
        ordering = ["code", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["code", "valid_from"], name="cockpit_target_unique")]
        permissions = [
            ("view_cockpit", _("Open the park's cockpit")),
            ("view_statistics", _("Read the park's statistics")),
        ]

    def __str__(self):
        return f"{self.get_code_display()} {self.value} ({self.valid_from:%Y-%m-%d})"


class FigureMonth(models.Model):
    """One month of one figure for one (town, industry) group of the whole park, as it stood at
    the month's end (stocks) or over the month (flows): the cockpit's 24-month trends read these
    rows instead of computing two years of figures on every page. Written once a month ends
    (`services.record_months`), like a statistical return: a later correction of an old record
    does not change a month already recorded (the figures of any date, computed live, do)."""

    month = models.DateField(_("month"))
    code = models.CharField(_("figure"), max_length=40)
    town = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    industry = models.CharField(_("industry"), max_length=1, blank=True, default="")
    numerator = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    denominator = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("figure of a month")
        verbose_name_plural = _("figures of months")
        indexes = [models.Index(fields=["month", "code"], name="cockpit_month_code")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.code}"


class RecordedMonth(models.Model):
    """A month whose figures are all in `FigureMonth` (a month is written in one transaction)."""

    month = models.DateField(_("month"), unique=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recorded month")
        verbose_name_plural = _("recorded months")

    def __str__(self):
        return f"{self.month:%Y-%m}"
