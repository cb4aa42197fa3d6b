from django.contrib import admin

from apps.audit.admin_mixins import AuditedAdminMixin

from .models import CollectiveContract, Platform, Union, UnionTarget, WorkersCongress


@admin.register(UnionTarget)
class UnionTargetAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """[POLICY] targets for union coverage and membership rate, edited by administrators."""

    list_display = ["from_year", "coverage", "membership_rate", "note"]


class ReadOnlyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Unions and contracts are written through the module's pages and API (services.py)."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Union)
class UnionAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "parent", "members", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


@admin.register(CollectiveContract)
class CollectiveContractAdmin(ReadOnlyAdmin):
    list_display = ["title", "enterprise", "kind", "signed_on", "filed_on", "effective_on", "ends_on"]
    list_filter = ["kind"]


@admin.register(WorkersCongress)
class WorkersCongressAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "held_on", "representatives_total", "representatives_present"]


@admin.register(Platform)
class PlatformAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Platform companies of the new forms of employment (issue 19), kept by administrators."""

    list_display = ["name", "kind", "uscc", "enterprise", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "uscc"]
    autocomplete_fields = ["enterprise"]
