"""Audit for edits made in the Django admin. Admin views run each save in a transaction, so the
event commits with the change. Models whose writes carry business rules are edited through
services instead and are read-only in the admin."""

from . import services as audit


class AuditedAdminMixin:
    audit_exclude = ()

    def _snapshot(self, obj):
        return audit.snapshot(obj, exclude=self.audit_exclude)

    def _record(self, verb, obj, before=None, after=None):
        audit.record(
            f"admin.{verb}:{obj._meta.label_lower}",
            obj,
            before=before,
            after=after,
            only_changes=verb == "change",
        )

    def save_model(self, request, obj, form, change):
        previous = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        before = self._snapshot(previous) if previous else None
        super().save_model(request, obj, form, change)
        self._record("change" if change else "add", obj, before, self._snapshot(obj))

    def delete_model(self, request, obj):
        self._record("delete", obj, before=self._snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._record("delete", obj, before=self._snapshot(obj))
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            self._record("delete", obj, before=self._snapshot(obj))
            obj.delete()
        for obj in instances:
            verb = "add" if obj._state.adding else "change"
            obj.save()
            self._record(verb, obj, after=self._snapshot(obj))
        formset.save_m2m()
