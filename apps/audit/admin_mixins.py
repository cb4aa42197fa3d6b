"""Audit for edits made in the Django admin. Admin views run each save in a transaction, so the
event commits with the change. Models whose writes carry business rules are edited through
services instead and are read-only in the admin."""

from . import services as audit


class AuditedAdminMixin:
    audit_exclude = ("password",)

    def _snapshot(self, obj):
        return audit.snapshot(obj, exclude=self.audit_exclude)

    def save_model(self, request, obj, form, change):
        before = None
        if change and obj.pk:
            previous = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = self._snapshot(previous) if previous else None
        super().save_model(request, obj, form, change)
        action = "admin.change" if change else "admin.add"
        audit.record(f"{action}:{obj._meta.label_lower}", obj, before=before, after=self._snapshot(obj))

    def delete_model(self, request, obj):
        before = self._snapshot(obj)
        audit.record(
            f"admin.delete:{obj._meta.label_lower}", obj, before=before, after=None, only_changes=False
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit.record(
                f"admin.delete:{obj._meta.label_lower}",
                obj,
                before=self._snapshot(obj),
                after=None,
                only_changes=False,
            )
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit.record(
                f"admin.delete:{obj._meta.label_lower}",
                obj,
                before=self._snapshot(obj),
                after=None,
                only_changes=False,
            )
            obj.delete()
        for obj in instances:
            adding = obj._state.adding
            obj.save()
            audit.record(
                f"admin.{'add' if adding else 'change'}:{obj._meta.label_lower}",
                obj,
                after=self._snapshot(obj),
            )
        formset.save_m2m()
