"""Forms of the certification pages (HR's self-evaluation wizard, the review, the actions). They
parse input only; every rule (score ranges, the group ratio, the disclosure, file types, who may
act) is applied by services.py (with rules.py and workflow.py), whose DomainError the views put back on these forms."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.forms import DateInput
from apps.core.forms import NameChoiceField as EnterpriseChoiceField
from apps.enterprises.models import Enterprise

from .models import Application, GroupMember, Level, Round
from .rules import DISCLOSURE_FIELDS


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.opens_on:%Y-%m-%d} – {obj.closes_on:%Y-%m-%d})"


def _file_field(label=None):
    return forms.FileField(
        label=label or _("Add a file"),
        required=False,
        help_text=_("PDF, image, Word, Excel or PowerPoint; at most 10 MB."),
    )


# Starting a self-evaluation -------------------------------------------------------------------


class ApplicationCreateForm(forms.Form):
    enterprise = EnterpriseChoiceField(label=capfirst(_("enterprise")), queryset=Enterprise.objects.none())
    round = RoundChoiceField(label=capfirst(_("round")), queryset=Round.objects.none(), empty_label=None)
    target_level = forms.ChoiceField(label=capfirst(_("level applied for")))

    def __init__(self, *args, rounds, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds
        self.fields["enterprise"].queryset = enterprises
        only = list(enterprises[:2])
        if len(only) == 1:
            # HR of one enterprise: nothing to choose.
            self.fields["enterprise"].widget = forms.HiddenInput()
            self.initial.setdefault("enterprise", only[0].pk)
        rule_sets = {r.rule_set_id for r in rounds}
        levels = Level.objects.filter(rule_set__in=rule_sets).order_by("rank")
        choices: dict[str, str] = {}
        for level in levels:
            if len(rule_sets) == 1:
                choices[level.code] = _("%(name)s (score cut-off %(cutoff)s)") % {
                    "name": level.name,
                    "cutoff": level.min_score,
                }
            else:
                choices.setdefault(level.code, level.name)
        self.fields["target_level"].choices = list(choices.items())
        self.fields["target_level"].help_text = _(
            "Levels are climbed one at a time, after the required time at the level below."
        )

    def clean(self):
        data = super().clean()
        round_, code = data.get("round"), data.get("target_level")
        if round_ is not None and code:
            level = round_.rule_set.levels.filter(code=code).first()
            if level is None:
                self.add_error("target_level", _("Choose a level of this round's rule set."))
            else:
                data["level"] = level
        return data


# The wizard -----------------------------------------------------------------------------------


def _score_field(item, label):
    return forms.DecimalField(
        label=label,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": str(item.max_points)}),
    )


class ScoresForm(forms.Form):
    """One score and note per item of a category; `file_<item>` adds evidence (wizard only)."""

    def __init__(self, *args, rows, review=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            item, score = row["item"], row["score"]
            pk = item.pk
            self.fields[f"item_{pk}"] = _score_field(
                item, _("Reviewer's score") if review else _("Self score")
            )
            self.fields[f"note_{pk}"] = forms.CharField(
                label=_("Reviewer's note") if review else _("Explanation"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            if score is not None:
                self.initial.setdefault(f"item_{pk}", score.review_score if review else score.self_score)
                self.initial.setdefault(f"note_{pk}", score.review_note if review else score.self_note)
            if not review:
                self.fields[f"file_{pk}"] = _file_field()

    def scores(self) -> dict:
        """{item id: {"score", "note"}} for services.save_self_scores / save_review_scores."""
        return {
            str(row["item"].pk): {
                "score": self.cleaned_data.get(f"item_{row['item'].pk}"),
                "note": self.cleaned_data.get(f"note_{row['item'].pk}") or "",
            }
            for row in self.rows
        }

    def sent_scores(self) -> dict:
        """`scores()` of the items whose score field was sent (the review page's one form sends
        every item; a post with only the record leaves the scores alone)."""
        return {
            pk: value
            for pk, value in self.scores().items()
            if f"item_{pk}" in self.data or f"note_{pk}" in self.data
        }

    def uploads(self):
        """(item, uploaded file) for each file chosen."""
        return [
            (row["item"], self.cleaned_data[f"file_{row['item'].pk}"])
            for row in self.rows
            if self.cleaned_data.get(f"file_{row['item'].pk}")
        ]

    def _with_fields(self, row) -> dict:
        pk = row["item"].pk
        return {
            **row,
            "score_field": self[f"item_{pk}"],
            "note_field": self[f"note_{pk}"],
            "file_field": self[f"file_{pk}"] if f"file_{pk}" in self.fields else None,
        }

    def row_fields(self):
        """Each row with its bound fields, for the template."""
        return [self._with_fields(row) for row in self.rows]

    def sections_with_fields(self, sections):
        """`selectors.form_sections` with each row's bound fields (the review page)."""
        return [{**s, "rows": [self._with_fields(row) for row in s["rows"]]} for s in sections]


class GroupMemberForm(forms.Form):
    # A person's name (姓名), not an organisation's (名称): issue 20.
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50, required=False)
    role = forms.ChoiceField(
        label=capfirst(_("role in the group")),
        choices=[("", "—")] + list(GroupMember.Role.choices),
        required=False,
    )
    position = forms.CharField(label=capfirst(_("job or position")), max_length=100, required=False)


class BaseGroupFormSet(forms.BaseFormSet):
    def members(self) -> list[dict]:
        """Rows in form order (a deleted row is sent blank) so the service's `members-<i>-field`
        errors land on the right row."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", {}) or {}
            if data.get("DELETE"):
                rows.append({})
            else:
                rows.append(
                    {
                        "name": data.get("name", ""),
                        "role": data.get("role", ""),
                        "position": data.get("position", ""),
                    }
                )
        return rows

    def add_service_errors(self, fields: dict) -> bool:
        """Put `members-<i>-<field>` errors on their row; False if some did not fit anywhere."""
        placed = True
        for key, messages in fields.items():
            parts = key.split("-")
            if len(parts) == 3 and parts[0] == self.prefix and parts[1].isdigit():
                index, field = int(parts[1]), parts[2]
                if index < len(self.forms) and field in self.forms[index].fields:
                    for message in messages:
                        self.forms[index].add_error(field, message)
                    continue
            placed = False
        return placed


GroupFormSet = forms.formset_factory(
    GroupMemberForm, formset=BaseGroupFormSet, extra=2, can_delete=True, max_num=100, absolute_max=200
)


class DisclosureForm(forms.Form):
    disclosure_method = forms.ChoiceField(
        label=capfirst(_("disclosure")),
        choices=Application.Disclosure.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    posted_from = forms.DateField(label=capfirst(_("posted from")), required=False, widget=DateInput())
    posted_to = forms.DateField(label=capfirst(_("posted to")), required=False, widget=DateInput())
    congress_date = forms.DateField(
        label=capfirst(_("workers' congress date")), required=False, widget=DateInput()
    )
    congress_representatives = forms.IntegerField(
        label=capfirst(_("representatives in all")), required=False, min_value=0
    )
    congress_attendance = forms.IntegerField(
        label=capfirst(_("representatives present")), required=False, min_value=0
    )
    congress_votes_for = forms.IntegerField(label=capfirst(_("votes in favour")), required=False, min_value=0)
    summary = forms.CharField(
        label=capfirst(_("summary of the self-evaluation")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was disclosed to the workers, and what they said."),
    )
    file = _file_field(_("Evidence of the disclosure"))

    POSTED_FIELDS = ("posted_from", "posted_to")
    CONGRESS_FIELDS = (
        "congress_date",
        "congress_representatives",
        "congress_attendance",
        "congress_votes_for",
    )

    def __init__(self, *args, application: Application, **kwargs):
        kwargs.setdefault("initial", {name: getattr(application, name) for name in DISCLOSURE_FIELDS})
        super().__init__(*args, **kwargs)
        if not application.rule_set.disclosure_congress_allowed:
            self.fields["disclosure_method"].choices = [
                c for c in Application.Disclosure.choices if c[0] != Application.Disclosure.CONGRESS
            ]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("file", None)
        return data


# Review ----------------------------------------------------------------------------------------


class ReviewRecordForm(forms.Form):
    review_comments = forms.CharField(
        label=capfirst(_("review comments")), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    site_visit_on = forms.DateField(
        label=capfirst(_("on-site check date")), required=False, widget=DateInput()
    )
    site_visit_by = forms.CharField(label=capfirst(_("on-site check by")), max_length=200, required=False)
    site_visit_notes = forms.CharField(
        label=capfirst(_("on-site check record")), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    file = _file_field(_("On-site check record (file)"))

    def __init__(self, *args, application: Application, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "review_comments": application.review_comments,
                "site_visit_on": application.site_visit_on,
                "site_visit_by": application.site_visit_by,
                "site_visit_notes": application.site_visit_notes,
            },
        )
        super().__init__(*args, **kwargs)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("file", None)
        for name in ("review_comments", "site_visit_by", "site_visit_notes"):
            data[name] = data.get(name) or ""
        return data

    def sent_kwargs(self) -> dict:
        """`service_kwargs()` of the fields that were sent (a post with only the scores leaves the
        record alone)."""
        return {name: value for name, value in self.service_kwargs().items() if name in self.data}


class ReasonForm(forms.Form):
    """The reason of an action that needs one (return, reject, withdraw); required or not is the
    service's decision."""

    reason = forms.CharField(
        label=capfirst(_("reason")), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
