"""Labour inspection in the admin: read-only lists for park administrators to look things up.
Every write goes through `services` (the transition table, history, audit, the veto event), so
nothing here adds, changes or deletes. Reporters are not registered at all: they are read only
through `selectors.reporter_for`, which audits each view (劳动保障监察条例 art. 9)."""

from django.contrib import admin

from .models import Extension, InspectionCase, RectificationOrder, WageArrearsListing


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
