"""Labour inspection in the admin: the park's inspection policy (added by effective date, audited),
and read-only lists for park administrators to look things up. Every other write goes through
`services` (the transition table, history, audit, the veto event), so nothing else here adds,
changes or deletes. Reporters are not registered at all: they are read only
through `selectors.reporter_for`, which audits each view (劳动保障监察条例 art. 9)."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.audit.admin_mixins import AuditedAdminMixin

from .models import (
    CreditGrade,
    Extension,
    InspectionCase,
    InspectionPolicy,
    Interview,
    Patrol,
    PatrolFinding,
    PatrolPlan,
    RectificationOrder,
    SeriousViolation,
    WageArrearsListing,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrderInline(admin.TabularInline):
    model = RectificationOrder
    extra = 0
    fields = ["issued_on", "due_on", "items", "checked_on", "result", "escalation"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ExtensionInline(OrderInline):
    model = Extension
    fields = ["status", "requested_on", "previous_due_on", "new_due_on", "reason", "decided_on"]
    readonly_fields = fields


@admin.register(InspectionCase)
class InspectionCaseAdmin(ReadOnlyAdmin):
    list_display = ["serial", "source", "employer_name", "status", "received_on", "decision_due_on", "due_on"]
    list_filter = ["status", "source", "decision"]
    search_fields = ["serial", "employer_name", "employer_code", "source_reference"]
    date_hierarchy = "received_on"
    inlines = [ExtensionInline, OrderInline]


@admin.register(WageArrearsListing)
class WageArrearsListingAdmin(ReadOnlyAdmin):
    list_display = [
        "enterprise",
        "decision_reference",
        "listed_on",
        "expires_on",
        "status",
        "removal",
        "removed_on",
    ]
    list_filter = ["status", "removal"]
    search_fields = ["enterprise__name", "decision_reference"]


# -- patrols --------------------------------------------------------------------------------------
# Read-mostly: plans and patrols are made on the inspector's pages (services.create_plan,
# services.record_patrol: checklist copied, every item recorded, audited). Here they are looked up.


class PatrolFindingInline(admin.TabularInline):
    model = PatrolFinding
    extra = 0
    fields = ["item", "item_label", "result", "note", "case"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PatrolPlan)
class PatrolPlanAdmin(ReadOnlyAdmin):
    list_display = ["name", "starts_on", "ends_on", "include_watch_list", "created_by"]
    list_filter = ["include_watch_list"]
    search_fields = ["name"]
    date_hierarchy = "starts_on"


@admin.register(Patrol)
class PatrolAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "status", "planned_on", "visited_on", "plan", "inspector"]
    list_filter = ["status"]
    search_fields = ["enterprise__name", "summary"]
    date_hierarchy = "planned_on"
    list_select_related = ["enterprise", "plan", "inspector"]
    inlines = [PatrolFindingInline]


# -- orders and interviews ----------------------------------------------------------------------------
# The inspection policy [POLICY] is the park's data (interview triggers, patrol checklist and
# intervals, written review's due day, credit-grade rule): a change is a new row from the day it
# takes effect, every write audited; a row in effect stays as it was (interviews and grades were
# judged by it). Interviews are looked up here; they are handled on the interview pages.


@admin.register(InspectionPolicy)
class InspectionPolicyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "effective_from",
        "trigger_arrears_complaints",
        "trigger_arrears_months",
        "trigger_arrears_amount",
        "trigger_workers",
        "trigger_collective_dispute",
        "trigger_order_ignored",
        "source",
    ]
    ordering = ["-effective_from"]
    fieldsets = [
        (None, {"fields": ["effective_from", "source"]}),
        (
            _("Interview triggers (0 turns a trigger off)"),
            {
                "fields": [
                    "trigger_arrears_complaints",
                    "trigger_arrears_months",
                    "trigger_arrears_amount",
                    "trigger_workers",
                    "trigger_collective_dispute",
                    "trigger_order_ignored",
                ]
            },
        ),
        (_("Patrols"), {"fields": ["checklist", "patrol_interval_days", "patrol_interval_days_high_risk"]}),
        (_("Written review"), {"fields": ["written_review_due_month", "written_review_due_day"]}),
        (_("Credit grade"), {"fields": ["credit_rule"]}),
    ]

    def _in_effect(self, obj) -> bool:
        return obj is not None and obj.effective_from <= timezone.localdate()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._in_effect(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._in_effect(obj)


@admin.register(Interview)
class InterviewAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "status", "proposed_on", "scheduled_at", "held_on", "rectify_by", "result"]
    list_filter = ["status"]
    search_fields = ["enterprise__name", "reference"]
    date_hierarchy = "proposed_on"
    list_select_related = ["enterprise"]
    readonly_fields = [f.name for f in Interview._meta.fields]


# -- wage-arrears room: published serious violations and credit grades (read-only; written by
# services.record_serious_violation / publish_serious_violation and services.compute_credit_grades).


@admin.register(SeriousViolation)
class SeriousViolationAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "decision_reference", "decided_on", "publish_by", "published_on"]
    list_filter = ["published_on"]
    search_fields = ["enterprise__name", "decision_reference"]
    date_hierarchy = "decided_on"
    list_select_related = ["enterprise"]


@admin.register(CreditGrade)
class CreditGradeAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "year", "grade", "computed_on", "policy"]
    list_filter = ["year", "grade"]
    search_fields = ["enterprise__name"]
    list_select_related = ["enterprise", "policy"]
    readonly_fields = ["enterprise", "year", "grade", "facts", "computed_on", "policy"]
