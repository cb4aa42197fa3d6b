from django.contrib import admin

from apps.audit.admin_mixins import AuditedAdminMixin

from .models import Area, CalendarOverride


@admin.register(Area)
class AreaAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Administrators correct the holiday calendar here, e.g. when the State Council publishes the
    next year's schedule before the chinese-calendar package knows it."""

    list_display = ["date", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
