"""Rule sets and rounds are [POLICY] data edited by administrators in the admin. A rule set that a
round or an application uses is read-only here: the "new version" action copies it, and the copy
is edited (services.new_rule_set_version). Applications, certificates and the rest are written
through the module's pages and API only."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from apps.audit.admin_mixins import AuditedAdminMixin
from apps.core.principal import principal_for_user

from . import rules, selectors, services
from .models import (
    Application,
    Category,
    Certificate,
    FactTest,
    Item,
    Level,
    Objection,
    PublicNotice,
    Round,
    RuleSet,
    VetoEvent,
    VetoRule,
)


class LockedWhenUsedMixin:
    """Inlines and the rule set itself cannot change once the rule set is in use."""

    def _locked(self, obj):
        rule_set = obj if isinstance(obj, RuleSet) else getattr(obj, "rule_set", None)
        return rule_set is not None and rule_set.pk and selectors.rule_set_in_use(rule_set)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and self._locked(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and self._locked(obj))


class LockedInline(LockedWhenUsedMixin, admin.TabularInline):
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj is not None and self._locked(obj))


class LevelInline(LockedInline):
    model = Level
    extra = 0


class VetoRuleInline(LockedInline):
    model = VetoRule
    extra = 0


class CategoryInline(LockedInline):
    model = Category
    extra = 0
    show_change_link = True


@admin.register(RuleSet)
class RuleSetAdmin(LockedWhenUsedMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "region", "year", "version", "min_employees", "notice_length", "notice_unit"]
    list_filter = ["region", "year"]
    inlines = [LevelInline, VetoRuleInline, CategoryInline]
    actions = ["make_new_version"]

    @admin.action(description=_("Copy into a new version (to change a rule set in use)"))
    def make_new_version(self, request, queryset):
        principal = principal_for_user(request.user)
        for rule_set in queryset:
            copy = services.new_rule_set_version(principal, rule_set)
            self.message_user(request, _("Created %(rs)s.") % {"rs": copy}, messages.SUCCESS)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for problem in rules.rule_set_problems(form.instance):
            self.message_user(request, problem, messages.WARNING)


class ItemForm(forms.ModelForm):
    """An item's mapping to a platform fact: a code `apps.core.facts` knows (else the platform
    cannot check the item: a warning, not a refusal, as a module may be installed later), and a
    test with the threshold it needs."""

    class Meta:
        model = Item
        fields = [
            "order",
            "code",
            "text",
            "max_points",
            "evidence_required",
            "fact_code",
            "fact_test",
            "fact_threshold",
        ]

    def clean(self):
        data = super().clean()
        code, test = data.get("fact_code") or "", data.get("fact_test") or ""
        if code and not test:
            self.add_error("fact_test", _("Choose how the fact is tested."))
        if test and not code:
            self.add_error("fact_code", _("Name the platform fact, or clear the test."))
        if test in (FactTest.AT_LEAST, FactTest.AT_MOST) and data.get("fact_threshold") is None:
            self.add_error("fact_threshold", _("This test needs a threshold."))
        return data


class ItemInline(admin.TabularInline):
    model = Item
    form = ItemForm
    extra = 0

    def _locked(self, obj):
        return obj is not None and selectors.rule_set_in_use(obj.rule_set)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)


@admin.register(Category)
class CategoryAdmin(LockedWhenUsedMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "rule_set", "order"]
    list_filter = ["rule_set"]
    inlines = [ItemInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for problem in rules.unknown_fact_codes(form.instance.items.all(), selectors.known_fact_codes()):
            self.message_user(request, problem, messages.WARNING)


@admin.register(Round)
class RoundAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "year", "rule_set", "opens_on", "closes_on"]

    def get_readonly_fields(self, request, obj=None):
        # The rule set of a round with applications is fixed: they were prepared under it.
        if obj is not None and obj.applications.exists():
            return ["rule_set", "year"]
        return []


class ReadOnlyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "round", "target_level", "status", "self_score", "reviewed_score"]
    list_filter = ["round", "status"]
    search_fields = ["enterprise__name", "enterprise__uscc"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "enterprise", "level", "issued_on", "valid_until", "status"]
    list_filter = ["status", "round"]
    search_fields = ["number", "enterprise__name"]


@admin.register(PublicNotice)
class PublicNoticeAdmin(ReadOnlyAdmin):
    list_display = ["title", "starts_on", "ends_on", "closed_at"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["application", "status", "created_at"]


@admin.register(VetoEvent)
class VetoEventAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "kind_name", "occurred_on", "origin", "status"]
    list_filter = ["status", "kind", "origin"]
