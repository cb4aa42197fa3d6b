"""Transition tables for case-like objects (certification applications, mediation cases,
inspection cases...).

A module declares its lifecycle once::

    WORKFLOW = Workflow("status", [
        Transition("accept", {"received"}, "accepted", _("Accept"), permission="mediation.accept_case",
                   guard=within_three_working_days),
        ...
    ])

and the same table answers three questions, so pages, API and services never disagree:
``available(obj, principal)`` (the buttons / ``available_actions``), ``check(obj, action,
principal)`` (raises with the reason why not) and, through ``apps.audit.history.transition``,
performs the change with a row lock, a history row and an audit event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .errors import InvalidTransition, NotAllowed

#: A guard returns None when the action may proceed, or the reason (translatable text) why not.
Guard = Callable[[object, object], "str | None"]


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    label: str
    #: Django permission a user needs (from roles.py); None: any principal who can see the object.
    permission: str | None = None
    #: API scope a district system needs; None: API clients may not perform it.
    scope: str | None = None
    guard: Guard | None = None
    #: Whether the actor must give a reason (refusals, returns, revocations...).
    needs_reason: bool = False
    #: What the action does and when the guard refuses it, for the API's description (English,
    #: for integrators; the label and the guard's refusal are what users read).
    doc: str = ""
    #: The law or policy the action rests on, if any (shown with it in the API's description).
    source: str = ""

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(self.sources))


class Workflow:
    def __init__(self, state_field: str, transitions: Iterable[Transition]):
        self.state_field = state_field
        self.transitions: dict[str, Transition] = {}
        for t in transitions:
            if t.action in self.transitions:
                raise ValueError(f"duplicate action {t.action!r}")
            self.transitions[t.action] = t

    def state_of(self, obj) -> str:
        return getattr(obj, self.state_field)

    def get(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise InvalidTransition(_("Unknown action “%(action)s”.") % {"action": action}) from None

    def refusal(self, obj, transition: Transition, principal) -> Exception | None:
        """Why `principal` may not perform `transition` on `obj` now, or None."""
        if self.state_of(obj) not in transition.sources:
            return InvalidTransition(
                _("“%(action)s” is not possible while the status is “%(status)s”.")
                % {"action": transition.label, "status": _display(obj, self.state_field)}
            )
        if getattr(principal, "is_system", False):
            pass  # scheduled jobs: the state table and the guards decide
        elif principal.is_api_client:
            if not transition.scope or not principal.has_scope(transition.scope):
                return NotAllowed(
                    _("The API client may not perform “%(action)s”.") % {"action": transition.label}
                )
        elif transition.permission and not principal.user.has_perm(transition.permission):
            return NotAllowed(_("Your role may not perform “%(action)s”.") % {"action": transition.label})
        if transition.guard is not None:
            reason = transition.guard(obj, principal)
            if reason:
                return InvalidTransition(reason)
        return None

    def check(self, obj, action: str, principal) -> Transition:
        transition = self.get(action)
        error = self.refusal(obj, transition, principal)
        if error is not None:
            raise error
        return transition

    def available(self, obj, principal) -> list[Transition]:
        """The actions this principal may perform on obj now, in table order."""
        return [t for t in self.transitions.values() if self.refusal(obj, t, principal) is None]

    def states(self) -> set[str]:
        return {s for t in self.transitions.values() for s in (*t.sources, t.target)}


def _display(obj, state_field):
    getter = getattr(obj, f"get_{state_field}_display", None)
    return getter() if getter else getattr(obj, state_field)
