"""[POLICY] The risk policy in the admin: editing the newest version saves a NEW version (the form
is the newest one's, prefilled); older versions are kept and read-only, never deleted, so every
score can name the version that computed it."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from apps.audit.admin_mixins import AuditedAdminMixin
from apps.core.facts import signal_kinds

from . import services
from .models import RiskPolicy, RiskWeight


class RiskWeightInline(admin.TabularInline):
    model = RiskWeight
    extra = 1
    fields = ["code", "weight", "cap"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj._state.adding or _is_newest(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj._state.adding or _is_newest(obj)
        )

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (
            obj is None or obj._state.adding or _is_newest(obj)
        )


def _is_newest(policy) -> bool:
    return policy.version == services.next_version() - 1


@admin.register(RiskPolicy)
class RiskPolicyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "version",
        "valid_from",
        "watch_from",
        "warning_from",
        "serious_from",
        "note",
        "created_by",
    ]
    ordering = ["-version"]
    readonly_fields = ["version", "created_by", "signal_kinds_table"]
    fields = [
        "version",
        "valid_from",
        "watch_from",
        "warning_from",
        "serious_from",
        "note",
        "created_by",
        "signal_kinds_table",
    ]
    inlines = [RiskWeightInline]

    @admin.display(
        description=_("Signal kinds and their default weights (used where no row below names the code)")
    )
    def signal_kinds_table(self, obj=None):
        rows = [(k.code, k.label, k.weight, k.cap, k.actor, k.source) for k in signal_kinds().values()]
        return format_html_join("", "<div><code>{}</code> {} · {} × {} · {} · {}</div>", rows) or "—"

    def get_changeform_initial_data(self, request):
        return {"valid_from": timezone.localdate(), **super().get_changeform_initial_data(request)}

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj._state.adding or _is_newest(obj)
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Saving the newest version keeps it and saves the form as a new version, weights included.
        # An older version is read-only: its post goes the usual way (refused).
        obj = self.get_object(request, object_id) if request.method == "POST" and object_id else None
        if obj is not None and _is_newest(obj):
            request.POST = request.POST.copy()
            request.POST["_saveasnew"] = "1"
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        obj.version = services.next_version()
        obj.created_by = request.user if request.user.is_authenticated else None
        super().save_model(request, obj, form, False)
