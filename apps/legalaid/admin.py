"""Legal aid in the admin: the [POLICY] deadlines (added by effective date, audited) and the roster
of lawyers and volunteers (audited); requests read-only (every write goes through the services,
the worker's identity only through the pages, which audit each full view)."""

from django.contrib import admin

from apps.audit.admin_mixins import AuditedAdminMixin

from .models import Lawyer, LegalAidPolicy, LegalAidRequest


@admin.register(LegalAidPolicy)
class LegalAidPolicyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["effective_from", "decision_days", "close_days", "source"]
    ordering = ["-effective_from"]


@admin.register(Lawyer)
class LawyerAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "firm", "union", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "firm"]
    autocomplete_fields = []
    raw_id_fields = ["union"]


@admin.register(LegalAidRequest)
class LegalAidRequestAdmin(admin.ModelAdmin):
    list_display = [
        "serial",
        "employer_name",
        "kind",
        "union",
        "status",
        "received_on",
        "decision_due_on",
        "outcome",
    ]
    list_filter = ["status", "kind", "outcome", "channel"]
    search_fields = ["serial", "employer_name"]
    exclude = ["access_code_hash"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "access_code_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
