import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """UUID primary key (safe to show in URLs) and timestamps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class YearCounter(models.Model):
    """The last number given in a year (serial numbers of cases, requests, appeals): `take(year)`
    allocates the next one under a row lock, inside the caller's transaction, so a number is
    unique and never reused."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.year}: {self.last}"

    @classmethod
    def take(cls, year: int) -> int:
        cls.objects.get_or_create(year=year)
        counter = cls.objects.select_for_update().get(year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
        return counter.last


class ScopedQuerySet(models.QuerySet):
    """Base for every queryset that principals read. Subclasses implement `visible_to`, the one
    place that decides what a principal may see (pages, API, exports and PDFs all call it)."""

    def visible_to(self, principal):  # pragma: no cover - abstract
        raise NotImplementedError


def object_ref(obj) -> tuple[str, str]:
    """How audit events and documents point at any object without a foreign key."""
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


class ObjectRefQuerySet(models.QuerySet):
    def for_object(self, obj):
        object_type, object_id = object_ref(obj)
        return self.filter(object_type=object_type, object_id=object_id)


class ObjectRef(models.Model):
    """A loose reference to any object (type label + primary key), which outlives the object."""

    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)

    class Meta:
        abstract = True


class Area(BaseModel):
    """An administrative area: the district and its towns / sub-districts (镇、街道)."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("District")
        TOWN = "town", _("Town / sub-district")

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("division code"),
        max_length=12,
        unique=True,
        help_text=_("Administrative division code (GB/T 2260)."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self):
        return self.name


class CalendarOverride(BaseModel):
    """An administrator's correction to the official holiday calendar: marks one date as a working
    day or a day off. Wins over chinese-calendar and over the estimate for unknown years."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("is a working day"))
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("E.g. the State Council notice.")
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self):
        return f"{self.date} {'+' if self.is_working_day else '-'}"


class StatusHistory(models.Model):
    """Append-only status history of a case-like object; a module subclasses it with a foreign
    key named `subject` to its object. Written by `apps.audit.history.transition` only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=50)
    from_status = models.CharField(_("from"), max_length=30, blank=True)
    to_status = models.CharField(_("to"), max_length=30)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at"]
