"""The contract library in Django's admin: the filing policy is [POLICY] data the park edits here
(by the date it takes effect, every change audited); contracts are read-only (they are filed,
renewed and terminated through the module's pages, imports and API, where the Labour Contract
Law's checks run)."""

from django.contrib import admin
from django.utils import timezone

from apps.audit.admin_mixins import AuditedAdminMixin

from .models import ContractPolicy, LabourContract


@admin.register(ContractPolicy)
class ContractPolicyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """A new minimum wage or filing period is a new row from the day it takes effect; a row already
    in effect is kept as it was (contracts were judged by it), so only future rows can change."""

    list_display = [
        "effective_from",
        "monthly_minimum_wage",
        "hourly_minimum_wage",
        "termination_filing_days",
        "source",
    ]
    ordering = ["-effective_from"]

    def _in_effect(self, obj) -> bool:
        return obj is not None and obj.effective_from <= timezone.localdate()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._in_effect(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._in_effect(obj)


@admin.register(LabourContract)
class LabourContractAdmin(admin.ModelAdmin):
    """Read-only: a look at the filings for administrators (the library page is the tool)."""

    list_display = ["worker", "enterprise", "kind", "start", "end", "signing", "status"]
    list_filter = ["status", "kind", "signing"]
    list_select_related = ["worker", "enterprise"]
    search_fields = ["reference"]
    show_full_result_count = False
    readonly_fields = [f.name for f in LabourContract._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
