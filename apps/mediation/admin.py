"""Mediation organisations and their mediators are configuration kept by park administrators in
the admin; saves go through `services` (the organisation's `accounts.Organisation` and the
mediators' memberships follow). Cases are written through the module's pages and API only."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.core.principal import principal_for_user

from . import services
from .models import DisputeType, MediationOrganisation, Mediator


class MediatorForm(forms.ModelForm):
    specialities = forms.MultipleChoiceField(
        label=_("specialities"),
        choices=DisputeType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Mediator
        fields = ["name", "user", "phone", "specialities", "is_active"]


class MediatorInline(admin.TabularInline):
    model = Mediator
    form = MediatorForm
    extra = 0
    autocomplete_fields = ["user"]
    can_delete = False  # mediators keep their cases; deactivate instead


@admin.register(MediationOrganisation)
class MediationOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "union", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["towns"]
    autocomplete_fields = ["enterprises", "union"]
    inlines = [MediatorInline]
    fields = ["name", "kind", "union", "towns", "enterprises", "address", "phone", "is_active"]

    def save_model(self, request, obj, form, change):
        principal = principal_for_user(request.user)
        data = {f: form.cleaned_data[f] for f in ("name", "kind", "union", "address", "phone", "is_active")}
        if change:
            services.update_organisation(principal, obj, **data)
        else:
            created = services.create_organisation(principal, **data)
            obj.pk, obj.organisation_id = created.pk, created.organisation_id
            obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        obj.towns.set(form.cleaned_data["towns"])
        obj.enterprises.set(form.cleaned_data["enterprises"])
        principal = principal_for_user(request.user)
        for formset in formsets:
            for mediator in formset.save(commit=False):
                services.save_mediator(principal, mediator)

    def has_delete_permission(self, request, obj=None):
        return False  # an organisation that ever had cases stays; deactivate it instead
