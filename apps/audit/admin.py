from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit events are never edited or deleted."""

    list_display = [
        "occurred_at",
        "kind",
        "action",
        "actor_label",
        "object_type",
        "object_repr",
        "request_id",
    ]
    list_filter = ["kind", "object_type"]
    search_fields = ["action", "actor_label", "object_repr", "object_id", "request_id"]
    date_hierarchy = "occurred_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
