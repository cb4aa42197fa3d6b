"""The park keeps the [POLICY] tables here: answering departments and answer deadlines per kind.
Appeals are read-only in the admin (their changes go through the services)."""

from django.contrib import admin

from .models import Appeal, AppealDeadline, Department


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "is_active", "position")
    list_filter = ("is_active",)
    search_fields = ("name",)
    autocomplete_fields = ("organisation",)


@admin.register(AppealDeadline)
class AppealDeadlineAdmin(admin.ModelAdmin):
    list_display = ("kind", "effective_from", "working_days", "source")
    list_filter = ("kind",)


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "enterprise",
        "kind",
        "status",
        "department",
        "submitted_on",
        "due_on",
        "answered_on",
    )
    list_filter = ("status", "kind", "department")
    search_fields = ("reference", "subject", "enterprise__name")
    list_select_related = ("enterprise", "department")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
