from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from apps.audit.admin_mixins import AuditedAdminMixin
from apps.core.errors import DomainError
from apps.core.forms import add_domain_error
from apps.core.models import Area, CalendarOverride

from . import services
from .models import ApiClient, Membership, Organisation, User


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["organisation", "role"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("organisation") and cleaned.get("role"):
            try:
                services.check_membership(cleaned["organisation"], cleaned["role"])
            except DomainError as exc:
                add_domain_error(self, exc)
        return cleaned


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "full_name", "email", "is_active", "is_staff", "last_login"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Profile"), {"fields": ("full_name", "phone", "language")}),
    )

    def get_readonly_fields(self, request, obj=None):
        """Only a superuser may grant superuser status or raw permissions: a park administrator
        manages accounts and roles but cannot raise anyone, themselves included, above that."""
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "is_staff", "groups", "user_permissions"]
        return readonly


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "code", "area", "is_active"]
    list_filter = ["kind", "area", "is_active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]


@admin.register(ApiClient)
class ApiClientAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Read only: clients are created, changed, rotated and revoked on the park's pages
    (/accounts/api-clients/, issue 15) or with `manage.py create_api_client`, through the services
    that check and audit them."""

    list_display = ["name", "key_prefix", "scopes", "area", "is_active", "expires_at", "last_used_at"]
    exclude = ["key_hash", "previous_key_hash"]
    audit_exclude = ("key_hash", "previous_key_hash")
    list_filter = ["is_active"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The park's set-up also holds the kernel's two tables (apps.core cannot import the audit app,
# which sits above it: docs/architecture-notes.md).


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
