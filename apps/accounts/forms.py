from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput
from apps.core.models import Area

from .scopes import SCOPES
from .services import ROTATION_GRACE_HOURS, ROTATION_GRACE_MAX_HOURS, expiry_from_date


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"), widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SecondFactorForm(forms.Form):
    token = forms.CharField(
        label=_("Verification code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
    )


# --- API clients (issue 15) --------------------------------------------------------------------


def _scope_choices():
    return list(SCOPES.items())


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class ApiClientSettingsForm(forms.Form):
    """What a client may do, where and until when (the create and edit pages)."""

    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=_scope_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Give only what the system needs. “Read the audit trail” cannot go with an area."),
    )
    area = AreaChoiceField(
        label=_("District restriction"),
        queryset=Area.objects.order_by("code"),
        required=False,
        empty_label=_("None: the whole park"),
        help_text=_("The client sees only data of this area and the areas below it."),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput,
        help_text=_("The key works until the end of this day. Leave empty for a key that does not expire."),
    )

    def clean_valid_until(self):
        day = self.cleaned_data.get("valid_until")
        if day is not None and day < timezone.localdate() and day != self.initial.get("valid_until"):
            raise forms.ValidationError(_("The expiry must be in the future."))
        return day

    def expires_at(self):
        return expiry_from_date(self.cleaned_data.get("valid_until"))


class ApiClientCreateForm(ApiClientSettingsForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The district system it stands for, e.g. the district HR bureau's case system. Unique."),
    )
    field_order = ["name", "scopes", "area", "valid_until"]


class ApiClientRotateForm(forms.Form):
    grace_hours = forms.IntegerField(
        label=_("Grace period (hours)"),
        min_value=0,
        max_value=ROTATION_GRACE_MAX_HOURS,
        initial=ROTATION_GRACE_HOURS,
        help_text=_(
            "The current key keeps working this long, so the system can switch. 0: it stops at once."
        ),
    )
    #: The key the page showed: a form sent twice does not rotate twice.
    key_prefix = forms.CharField(widget=forms.HiddenInput, required=False, max_length=12)


class ApiClientRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with your name and the time. A revoked client cannot be restored."),
    )
