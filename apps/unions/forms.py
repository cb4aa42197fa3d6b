"""Forms of the union pages. They check types only; every rule (enterprise counts of a union, the
workers' congress vote, the term, the filing dates) is applied by services.py, whose DomainError
the views put on the form with `apps.core.forms.add_domain_error`."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput
from apps.core.forms import NameChoiceField as EnterpriseChoiceField
from apps.core.i18n import lazy_format
from apps.core.models import Area
from apps.enterprises.models import Enterprise

from . import rules, selectors, services, workflow
from .models import CollectiveContract, Platform, PlatformWorker, Union, WorkersCongress


class EnterpriseMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _unbound(args, kwargs) -> bool:
    """Whether a form is being built without submitted data (`Form(None, ...)` included)."""
    return (args[0] if args else kwargs.get("data")) is None


# Unions ----------------------------------------------------------------------------------------------


class UnionForm(forms.Form):
    name = forms.CharField(label=capfirst(_("name")), max_length=200)
    kind = forms.ChoiceField(label=capfirst(_("kind")), choices=Union.Kind.choices)
    parent = forms.ModelChoiceField(
        label=capfirst(_("parent federation")), queryset=Union.objects.none(), required=False
    )
    chair_name = forms.CharField(label=capfirst(_("chair")), max_length=50, required=False)
    chair_phone = forms.CharField(label=capfirst(_("chair's phone")), max_length=30, required=False)
    founded_on = forms.DateField(label=capfirst(_("founding date")), required=False, widget=DateInput())
    members = forms.IntegerField(label=capfirst(_("members")), min_value=0, initial=0)
    women_committee = forms.BooleanField(label=capfirst(_("women workers' committee")), required=False)
    is_active = forms.BooleanField(label=capfirst(_("active")), required=False)
    enterprises = EnterpriseMultipleChoiceField(
        label=capfirst(_("Enterprises covered")),
        queryset=Enterprise.objects.none(),
        required=False,
        help_text=_(
            "An enterprise union covers one enterprise, a joint union two or more small ones, "
            "a federation none (Trade Union Law art. 11)."
        ),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    def __init__(self, *args, principal, instance: Union | None = None, **kwargs):
        self.principal = principal
        self.instance = instance
        if instance is not None and _unbound(args, kwargs):
            kwargs["initial"] = {
                **{name: getattr(instance, name) for name in services.UNION_FIELDS},
                "parent": instance.parent_id,
                "enterprises": list(instance.coverage.values_list("enterprise_id", flat=True)),
                **kwargs.get("initial", {}),
            }
        super().__init__(*args, **kwargs)
        parents = selectors.federations_visible_to(principal).order_by("name")
        enterprises = Enterprise.objects.visible_to(principal)
        if instance is None:
            del self.fields["is_active"]
            if not workflow.can_manage_union(principal, None, None):
                # Union officials register unions under their own federation only.
                parents = parents.filter(pk__in=[f.pk for f in workflow.manageable_federations(principal)])
                self.fields["parent"].required = True
        else:
            parents = parents.exclude(pk=instance.pk)
            if instance.parent_id:
                parents = Union.objects.filter(Q(pk__in=parents.values("pk")) | Q(pk=instance.parent_id))
            # Keep the enterprises the union covers even if the editor does not see all of them.
            enterprises = Enterprise.objects.filter(
                Q(pk__in=enterprises.values("pk")) | Q(union_coverage__union=instance)
            )
        self.fields["parent"].queryset = parents.order_by("name")
        self.fields["enterprises"].queryset = enterprises.order_by("name")

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        enterprises = list(data.pop("enterprises") or [])
        return {"enterprises": enterprises, **data}


# Collective contracts ----------------------------------------------------------------------------------


class MeetingSelect(forms.Select):
    """Options carry the meeting's figures (`data-total`, `data-present`), which
    static/js/unions-contract-form.js copies into the contract's fields when one is chosen."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        meeting = getattr(value, "instance", None)
        if meeting is not None:
            option["attrs"]["data-total"] = meeting.representatives_total
            option["attrs"]["data-present"] = meeting.representatives_present
        return option


class MeetingChoiceField(forms.ModelChoiceField):
    widget = MeetingSelect

    def label_from_instance(self, obj):
        values = {
            "date": obj.held_on.isoformat(),
            "session": f" {obj.session}" if obj.session else "",
            "present": obj.representatives_present,
            "total": obj.representatives_total,
        }
        if rules.congress_quorate(obj.representatives_total, obj.representatives_present):
            return _("%(date)s%(session)s: %(present)d of %(total)d present") % values
        return _("%(date)s%(session)s: %(present)d of %(total)d present (no quorum)") % values


class CollectiveContractForm(forms.Form):
    enterprise = EnterpriseChoiceField(label=capfirst(_("enterprise")), queryset=Enterprise.objects.none())
    union = forms.ModelChoiceField(
        label=capfirst(_("union (workers' side)")),
        queryset=Union.objects.none(),
        required=False,
        help_text=_("Leave empty to use the union that covers the enterprise."),
    )
    kind = forms.ChoiceField(label=capfirst(_("kind")), choices=CollectiveContract.Kind.choices)
    title = forms.CharField(label=capfirst(_("title")), max_length=200)
    employer_representative = forms.CharField(
        label=capfirst(_("employer's chief representative")), max_length=50
    )
    worker_representative = forms.CharField(label=capfirst(_("workers' chief representative")), max_length=50)
    signed_on = forms.DateField(label=capfirst(_("signing date")), widget=DateInput())
    congress = MeetingChoiceField(
        label=capfirst(_("adopted by the workers' congress meeting")),
        queryset=WorkersCongress.objects.none(),
        required=False,
        help_text=_(
            "The meeting that adopted the contract, held on or before the signing date: its attendance "
            "is the contract's (Provisions on Collective Contracts art. 36). Left empty, a meeting "
            "recorded on the signing date is compared all the same."
        ),
    )
    starts_on = forms.DateField(label=capfirst(_("term starts")), widget=DateInput())
    ends_on = forms.DateField(
        label=capfirst(_("term ends")),
        widget=DateInput(),
        help_text=_("At most 3 years after the start (Provisions on Collective Contracts art. 38)."),
    )
    representatives_total = forms.IntegerField(
        label=capfirst(_("congress representatives, total")),
        min_value=0,
        required=False,
        help_text=_("Taken from the adopting meeting when one is chosen and this is left empty."),
    )
    representatives_present = forms.IntegerField(
        label=capfirst(_("representatives present")), min_value=0, required=False
    )
    representatives_approving = forms.IntegerField(
        label=capfirst(_("representatives approving")),
        min_value=0,
        help_text=_(
            "Adopted with at least two thirds of all representatives present and more than half of all "
            "representatives approving (Provisions on Collective Contracts art. 36)."
        ),
    )

    def __init__(self, *args, principal, instance: CollectiveContract | None = None, **kwargs):
        self.principal = principal
        self.instance = instance
        if instance is not None and _unbound(args, kwargs):
            kwargs["initial"] = {
                **{name: getattr(instance, name) for name in services.CC_FIELDS},
                "union": instance.union_id,
                "congress": instance.congress_id,
                **kwargs.get("initial", {}),
            }
        super().__init__(*args, **kwargs)
        unions = Union.objects.visible_to(principal).filter(is_active=True)
        if instance is None:
            writable = selectors.writable_enterprises(principal)
            self.fields["enterprise"].queryset = writable
            enterprise = self._chosen_enterprise(writable)
        else:
            del self.fields["enterprise"]
            enterprise = instance.enterprise
            if instance.union_id:
                unions = Union.objects.filter(Q(pk__in=unions.values("pk")) | Q(pk=instance.union_id))
        self.fields["union"].queryset = unions.order_by("kind", "name")
        # The meetings of the contract's enterprise (a select of one enterprise's meetings, never
        # of the whole park); unknown until the enterprise is chosen.
        self.fields["congress"].queryset = selectors.adopting_meetings(principal, enterprise, instance)
        if enterprise is None:
            self.fields["congress"].help_text = _(
                "Open this form from the enterprise's dossier to choose its meeting. Left empty, a "
                "meeting recorded on the signing date is compared all the same (Provisions on "
                "Collective Contracts art. 36)."
            )

    def _chosen_enterprise(self, writable):
        """The enterprise of a new contract when it is known: submitted, given by the page
        (`?enterprise=`), or the only one the principal may record contracts for."""
        chosen = self.data.get("enterprise") if self.is_bound else None
        chosen = chosen or self.initial.get("enterprise")
        if chosen:
            try:
                return writable.filter(pk=chosen).first()
            except (ValueError, ValidationError):
                return None
        only = list(writable[:2])
        return only[0] if len(only) == 1 else None

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("enterprise", None)
        return data


class FilingForm(forms.Form):
    filed_on = forms.DateField(
        label=capfirst(_("filed with the HR bureau on")),
        widget=DateInput(),
        help_text=_(
            "Within 10 days of signing (Provisions on Collective Contracts art. 42); it takes effect 15 days "
            "later unless an objection is recorded (art. 47)."
        ),
    )


class ObjectionForm(forms.Form):
    objection_on = forms.DateField(label=capfirst(_("objection received on")), widget=DateInput())
    objection_note = forms.CharField(
        label=capfirst(_("objection")), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


# Workers' congress ---------------------------------------------------------------------------------------


class CongressForm(forms.Form):
    enterprise = EnterpriseChoiceField(label=capfirst(_("enterprise")), queryset=Enterprise.objects.none())
    held_on = forms.DateField(label=capfirst(_("date")), widget=DateInput())
    session = forms.CharField(
        label=capfirst(_("session")),
        max_length=100,
        required=False,
        help_text=lazy_format(_("E.g. %(example)s"), example="第三届第二次"),
    )
    representatives_total = forms.IntegerField(label=capfirst(_("representatives, total")), min_value=0)
    representatives_present = forms.IntegerField(
        label=capfirst(_("representatives present")),
        min_value=0,
        help_text=_(
            "A meeting needs two thirds of the representatives present "
            "(Provisions on Democratic Management of Enterprises art. 17)."
        ),
    )
    resolutions = forms.CharField(
        label=capfirst(_("resolutions")), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, principal, **kwargs):
        self.principal = principal
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = selectors.writable_enterprises(principal)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("enterprise", None)
        return data


# New forms of employment (issue 19) ----------------------------------------------------------------


class _NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class PlatformWorkerForm(forms.Form):
    """Register a platform worker (and, with a date of joining, enrol them at once)."""

    name = forms.CharField(label=capfirst(_("full name")), max_length=50)
    id_number = forms.CharField(label=capfirst(_("ID number")), max_length=30)
    phone = forms.CharField(label=capfirst(_("phone")), max_length=30, required=False)
    town = _NamedChoiceField(label=capfirst(_("town where they work")), queryset=Area.objects.none())
    occupation = forms.ChoiceField(label=capfirst(_("occupation")), choices=PlatformWorker.Occupation.choices)
    platforms = forms.ModelMultipleChoiceField(
        label=capfirst(_("platforms")), queryset=Platform.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    relationship = forms.ChoiceField(
        label=capfirst(_("labour relationship")),
        choices=PlatformWorker.Relationship.choices,
        help_text=rules.RELATIONSHIP_SOURCE,
        widget=forms.RadioSelect,
    )
    union = _NamedChoiceField(
        label=capfirst(_("registering union")), queryset=Union.objects.none(), required=False
    )
    joined_on = forms.DateField(
        label=capfirst(_("joined the union on")),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to register the worker without enrolling them yet."),
    )

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = selectors.towns()
        self.fields["platforms"].queryset = Platform.objects.filter(is_active=True).order_by("name")
        self.fields["union"].queryset = workflow.enrolling_unions(principal)
        if not (principal.is_park_admin or principal.is_api_client):
            self.fields["union"].required = True

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) for name in self.fields} | {
            "platforms": list(data.get("platforms") or [])
        }


class PlatformWorkerEditForm(forms.Form):
    """Correct a registered platform worker (the union membership has its own actions). The ID
    number is never prefilled: empty keeps it, a new one is checked again."""

    name = forms.CharField(label=capfirst(_("full name")), max_length=50)
    id_number = forms.CharField(
        label=capfirst(_("ID number")),
        max_length=30,
        required=False,
        help_text=_("Leave empty to keep the registered number; enter the full number to correct it."),
    )
    phone = forms.CharField(label=capfirst(_("phone")), max_length=30, required=False)
    town = _NamedChoiceField(label=capfirst(_("town where they work")), queryset=Area.objects.none())
    occupation = forms.ChoiceField(label=capfirst(_("occupation")), choices=PlatformWorker.Occupation.choices)
    platforms = forms.ModelMultipleChoiceField(
        label=capfirst(_("platforms")), queryset=Platform.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    relationship = forms.ChoiceField(
        label=capfirst(_("labour relationship")),
        choices=PlatformWorker.Relationship.choices,
        help_text=rules.RELATIONSHIP_SOURCE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, worker, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "name": worker.name,
                "phone": worker.phone,
                "town": worker.town_id,
                "occupation": worker.occupation,
                "relationship": worker.relationship,
                "platforms": list(worker.platforms.values_list("pk", flat=True)),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = selectors.towns()
        self.fields["platforms"].queryset = (
            Platform.objects.filter(Q(is_active=True) | Q(workers=worker)).distinct().order_by("name")
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) for name in self.fields} | {
            "platforms": list(data.get("platforms") or [])
        }


class JoinUnionForm(forms.Form):
    union = _NamedChoiceField(label=capfirst(_("union")), queryset=Union.objects.none())
    joined_on = forms.DateField(label=capfirst(_("joined on")), widget=DateInput())

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = workflow.enrolling_unions(principal)


class LeaveUnionForm(forms.Form):
    left_on = forms.DateField(label=capfirst(_("left on")), widget=DateInput())
    reason = forms.CharField(label=capfirst(_("reason for leaving")), max_length=200, required=False)
