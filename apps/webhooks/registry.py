"""The sources of events: which models' audited writes become events, and what a receiver needs
to know about them.

A domain module declares its sources on its AppConfig, like `dossier_sections` or `home_cards`
(the module never imports this app)::

    api_events = [
        {
            "model": "mediation.case",          # app_label.model_name: also the event family
            "scope": "mediation:read",          # the API scope a client needs to receive them
            "town": "town",                     # path from the model to its town (area scoping)
            "path": "mediation/cases/{pk}/",    # the object's API address, under /api/v1/
            # optional:
            "status": "status",                 # the field put in the event's data (None: none)
            "ignore": ["reissue_access_code"],  # actions that are not events (verbs, see below)
        },
    ]

An event's type is `<family>.<verb>`: the family is the model's label (`mediation.case`), the verb
the audited action without its module prefix and without a trailing `_<model name>`
(`mediation.accept` → `mediation.case.accept`, `certification.issue_certificate` →
`certification.certificate.issue`); the Django admin's edits are `create`, `update` and `delete`
(the tombstone: the object is gone, the event stays). Only the object's own module's actions are
events: another module's record about it (`contracts.export_book` on an enterprise) is not a
change of it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.apps import apps

#: Verbs of the Django admin's audited edits (apps.audit.admin_mixins: "admin.<verb>:<label>").
ADMIN_VERBS = {"add": "create", "change": "update", "delete": "delete"}
DELETE_VERB = "delete"


@dataclass(frozen=True)
class EventSource:
    family: str
    model: type
    scope: str
    town: tuple[str, ...]
    path: str
    status: str | None
    ignore: frozenset[str]

    @property
    def label(self):
        return self.model._meta.verbose_name

    def verb(self, action: str) -> str | None:
        """The event verb of an audited action on this source's objects, or None when the action
        is not an event."""
        if action.startswith("admin."):
            verb = ADMIN_VERBS.get(action[len("admin.") :].split(":", 1)[0])
        else:
            module, _dot, verb = action.partition(".")
            if module != self.model._meta.app_label:
                return None  # another module's record about the object (e.g. a book exported)
            suffix = f"_{self.model._meta.model_name}"
            if verb.endswith(suffix) and len(verb) > len(suffix):
                verb = verb[: -len(suffix)]
        if not verb or verb in self.ignore:
            return None
        return verb

    def api_path(self, obj) -> str:
        """The object's address under /api/v1/ (e.g. `mediation/cases/<id>/`)."""
        return self.path.format_map(_Attributes(obj))


class _Attributes:
    def __init__(self, obj):
        self.obj = obj

    def __getitem__(self, name):
        return self.obj.pk if name == "pk" else getattr(self.obj, name)


def _source(declared: dict) -> EventSource:
    model = apps.get_model(declared["model"])
    return EventSource(
        family=model._meta.label_lower,
        model=model,
        scope=declared["scope"],
        town=tuple(declared["town"].split("__")),
        path=declared["path"],
        status=declared.get("status", "status"),
        ignore=frozenset(declared.get("ignore", ())),
    )


@functools.cache
def sources() -> dict[str, EventSource]:
    """Every declared source by family (= model label), in the order of INSTALLED_APPS."""
    found = {}
    for config in apps.get_app_configs():
        for declared in getattr(config, "api_events", None) or ():
            source = _source(declared)
            found[source.family] = source
    return found


def source_for(obj) -> EventSource | None:
    return sources().get(obj._meta.label_lower)


def families_for_scopes(scopes) -> list[str]:
    """The families a client with `scopes` may receive, in the registry's order."""
    scopes = set(scopes)
    return [family for family, source in sources().items() if source.scope in scopes]


def family_choices() -> list[tuple[str, str]]:
    return [(family, f"{source.label} ({family})") for family, source in sources().items()]
