"""Forms of the public notice, objection, certificate, annual report and veto pages. They check
types only; every rule (which applications may be noticed, the notice period, the objector's
phone number, the report's figures, the veto catalogue) is applied by services.py, whose
DomainError the views put on the form with `apps.core.forms.call_service`."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput
from apps.enterprises.models import Enterprise

from . import rules, selectors
from .models import Application, Round

# Public notice ---------------------------------------------------------------------------------------


class ApplicationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        level = obj.proposed_level or obj.target_level
        return f"{obj.enterprise.name} · {obj.enterprise.uscc} · {level.code}"


class NoticeForm(forms.Form):
    round = forms.ModelChoiceField(label=capfirst(_("round")), queryset=Round.objects.none())
    applications = ApplicationChoiceField(
        label=_("Proposed applications"),
        queryset=Application.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Only applications proposed for certification in this round can be noticed."),
    )
    title = forms.CharField(
        label=capfirst(_("title")),
        max_length=200,
        required=False,
        help_text=_("Leave blank for the standard title."),
    )
    starts_on = forms.DateField(label=capfirst(_("notice starts on")), required=False, widget=DateInput())

    def __init__(self, *args, round_=None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("starts_on", timezone.localdate())
        if round_ is not None:
            kwargs["initial"].setdefault("round", round_.pk)
        super().__init__(*args, **kwargs)
        rounds = Round.objects.filter(
            Q(pk__in=selectors.rounds_with_proposed().values("pk")) | Q(pk=getattr(round_, "pk", None))
        ).select_related("rule_set")
        self.fields["round"].queryset = rounds.order_by("-year", "-opens_on")
        self.fields["applications"].queryset = selectors.proposed_applications(round_)
        self.round = round_

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "round": data["round"],
            "applications": list(data["applications"]),
            "title": data.get("title") or "",
            "starts_on": data.get("starts_on") or None,
        }


class ResolveObjectionForm(forms.Form):
    DECISIONS = [
        ("dismiss", _("Dismiss the objection: the application stays in the notice")),
        ("uphold", _("Uphold the objection: the application is rejected")),
    ]
    decision = forms.ChoiceField(
        label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    reason = forms.CharField(
        label=_("Reasons"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The reasons are kept with the objection and, if it is upheld, with the rejection."),
    )


# Public objection (no login) -------------------------------------------------------------------------


class PublicObjectionForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=50)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        help_text=_("A mobile number (11 digits) or a landline with its area code."),
    )
    email = forms.EmailField(label=_("E-mail (optional)"), required=False, max_length=254)
    content = forms.CharField(
        label=_("Your objection"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("State the facts as precisely as you can (at least 10 characters)."),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the office may use my name and contact details to look into this objection and "
            "contact me about it. They are not published and are seen only by the office's staff."
        ),
        error_messages={"required": _("Tick the box to agree, or the objection cannot be filed.")},
    )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "phone": data["phone"],
            "email": data.get("email") or "",
            "content": data["content"],
        }


# Certificate verification by its number (no login) ---------------------------------------------------


class VerifyNumberForm(forms.Form):
    """The number typed on the public verification form (`/verify/`): normalised as issued numbers
    are written (`rules.normal_certificate_number`), refused if it cannot be one."""

    number = forms.CharField(
        label=_("Certificate number"),
        strip=True,
        required=False,  # an empty number gets the rules' message (clean_number)
        help_text=_("As printed on the certificate, for example HX2026-AA-0001."),
        widget=forms.TextInput(
            attrs={
                # Room for the spaces people type; the length is checked once they are removed.
                "maxlength": 2 * rules.CERTIFICATE_NUMBER_MAX,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )

    def clean_number(self) -> str:
        number = rules.normal_certificate_number(self.cleaned_data.get("number") or "")
        problem = rules.certificate_number_problem(number)
        if problem:
            raise forms.ValidationError(problem)
        return number


# Certificates and annual reports ---------------------------------------------------------------------


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the revocation"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the public verification page and sent to the enterprise."),
    )


class AnnualReportForm(forms.Form):
    employees = forms.IntegerField(label=capfirst(_("employees")), min_value=0)
    contracts_signed = forms.IntegerField(
        label=capfirst(_("labour contracts in force")), min_value=0, required=False
    )
    disputes = forms.IntegerField(
        label=capfirst(_("labour disputes in the year")), min_value=0, required=False
    )
    content = forms.CharField(
        label=_("Report"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "The year's labour-relations work: contracts, wages, working hours, the workers' congress, "
            "the union, disputes and how they were settled."
        ),
    )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "employees": data["employees"],
            "contracts_signed": data.get("contracts_signed"),
            "disputes": data.get("disputes"),
            "content": data["content"],
        }


# Veto events -----------------------------------------------------------------------------------------


class EnterpriseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.uscc}"


#: At most this many enterprises are offered in the select; the search narrows them.
ENTERPRISE_OPTIONS = 200


def search_enterprises(queryset, q: str):
    q = (q or "").strip()
    if not q:
        return queryset
    return queryset.filter(Q(name__icontains=q) | Q(uscc__istartswith=q))


class VetoEventForm(forms.Form):
    enterprise = EnterpriseChoiceField(label=capfirst(_("enterprise")), queryset=Enterprise.objects.none())
    kind = forms.ChoiceField(label=capfirst(_("kind")), choices=())
    occurred_on = forms.DateField(label=capfirst(_("occurred on")), widget=DateInput())
    source = forms.CharField(
        label=capfirst(_("source")),
        max_length=300,
        help_text=_("The authority's notice, decision or case number."),
    )
    note = forms.CharField(
        label=capfirst(_("note")), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, principal, q: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        visible = Enterprise.objects.visible_to(principal)
        if self.is_bound:
            # Validate against every enterprise the principal sees, whatever the search showed.
            self.fields["enterprise"].queryset = visible.order_by("name")
        else:
            options = search_enterprises(visible, q).order_by("name")
            initial = self.initial.get("enterprise")
            pks = list(options.values_list("pk", flat=True)[:ENTERPRISE_OPTIONS])
            if initial:
                pks.append(initial)
            self.fields["enterprise"].queryset = visible.filter(pk__in=pks).order_by("name")
            if len(pks) == 1 and not initial:
                self.initial["enterprise"] = pks[0]
        self.fields["kind"].choices = [("", "---------"), *selectors.veto_catalogue().items()]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "enterprise": data["enterprise"],
            "kind": data["kind"],
            "occurred_on": data["occurred_on"],
            "source": data["source"],
            "note": data.get("note") or "",
        }
