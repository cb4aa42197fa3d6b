from django.contrib import admin

from apps.audit.admin_mixins import AuditedAdminMixin

from .models import Enterprise, EnterpriseSurvey


class SurveyInline(admin.TabularInline):
    model = EnterpriseSurvey
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in EnterpriseSurvey._meta.fields if f.name != "id"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Read-only here: enterprises are created and edited through the registry pages, the import
    and the API, which apply the registry's rules (apps/enterprises/services.py)."""

    list_display = ["name", "uscc", "town", "industry", "status", "employees"]
    list_filter = ["status", "industry", "town"]
    search_fields = ["name", "uscc"]
    inlines = [SurveyInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Enterprise._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
