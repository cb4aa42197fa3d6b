from django.contrib import admin

from apps.audit.admin_mixins import AuditedAdminMixin

from .models import Aid, HardshipFile, PovertyThreshold


@admin.register(PovertyThreshold)
class PovertyThresholdAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """[POLICY] the hardship threshold per area and date, edited by park administrators."""

    list_display = ["effective_from", "area", "monthly_income_per_head", "source"]
    list_filter = ["area"]


class ReadOnlyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Files and aid are written through the module's pages and API (services.py)."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HardshipFile)
class HardshipFileAdmin(ReadOnlyAdmin):
    list_display = ["name", "enterprise", "status", "approved_on", "review_due", "exited_on"]
    list_filter = ["status"]
    search_fields = ["name"]
    exclude = ["id_number"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "id_number"]


@admin.register(Aid)
class AidAdmin(ReadOnlyAdmin):
    list_display = ["file", "kind", "amount", "paid_on", "funding_source", "approved_by", "campaign"]
    list_filter = ["kind"]
