"""API endpoints derived from a module's transition table (apps.core.workflow).

One `Transition` already says who may act (`permission` for users, `scope` for API clients), from
which states, whether a reason is required, and why it may be refused. The endpoints, their
permissions and their OpenAPI descriptions are read from it here instead of being restated:

    class CaseViewSet(ScopedViewMixin, ..., viewsets.GenericViewSet):
        required_scopes = {"list": READ, "retrieve": READ, **action_scopes(WORKFLOW)}
        required_perms = {"list": VIEW, "retrieve": VIEW, **action_perms(WORKFLOW)}

        @transition_endpoint(WORKFLOW, "accept", request=AcceptInSerializer, response=CaseDetail)
        def accept(self, request, pk=None): ...

    refuse, withdraw, archive = transition_endpoints(WORKFLOW, ["refuse", "withdraw", "archive"],
                                                     perform=services.perform, response=CaseDetail)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from apps.core.workflow import Transition, Workflow

from .views import validated

#: What every transition endpoint may answer besides 200 (the error format is the API's one).
TRANSITION_ERRORS = {
    403: OpenApiResponse(description="The caller may not perform this action (scope or role)."),
    409: OpenApiResponse(
        description="Not possible in the object's current status, or a rule of the lifecycle refuses it "
        "now (`error.code` is `invalid_transition`; `error.message` says why)."
    ),
}


class ReasonSerializer(serializers.Serializer):
    """The body of a transition that takes a reason. Whether one is required is the table's
    `needs_reason` (the endpoint's description says so); the service refuses a blank one with a
    400 on `reason`, in the caller's language."""

    reason = serializers.CharField(required=False, allow_blank=True, max_length=4000)


def action_scopes(workflow: Workflow) -> dict[str, str | None]:
    """`required_scopes` of the transition endpoints: each action's API scope from the table. An
    action without a scope maps to None, so the permission class refuses API clients at once
    (a viewset's `"*"` default does not open it)."""
    return {name: t.scope for name, t in workflow.transitions.items()}


def action_perms(workflow: Workflow) -> dict[str, str]:
    """`required_perms` of the transition endpoints: each action's permission from the table."""
    return {name: t.permission for name, t in workflow.transitions.items() if t.permission}


def describe(workflow: Workflow, transition: Transition, note: str = "") -> str:
    """The endpoint's description: where the action is allowed, what it does, who may call it."""
    sources = " or ".join(f"`{s}`" for s in sorted(transition.sources))
    parts = [f"From {sources} to `{transition.target}`."]
    if transition.doc:
        parts.append(transition.doc)
    if transition.source:
        parts.append(f"Rule: {transition.source}.")
    parts.append("A reason is required." if transition.needs_reason else "")
    if note:
        parts.append(note)
    if transition.scope:
        who = f"Scope: `{transition.scope}`"
        if transition.permission:
            who += f" (session users: the permission `{transition.permission}`)"
        parts.append(who + ".")
    else:
        parts.append(
            "Not available to API clients"
            + (
                f"; session users need the permission `{transition.permission}`."
                if transition.permission
                else "."
            )
        )
    parts.append(
        "Two callers acting at once leave exactly one result; the other gets a 409, as does a call in "
        "another status."
    )
    return " ".join(p for p in parts if p)


def transition_endpoint(
    workflow: Workflow,
    name: str,
    *,
    response,
    request=None,
    note: str = "",
    url_path: str | None = None,
):
    """Decorate a viewset method as the POST endpoint of the action `name` of `workflow`, with the
    summary, description and error responses read from the table."""
    transition = workflow.get(name)

    def decorate(fn):
        fn = action(
            detail=True,
            methods=["post"],
            url_path=url_path or name,
            url_name=(url_path or name).replace("_", "-"),
            filter_backends=[],
            pagination_class=None,
        )(fn)
        return extend_schema(
            summary=transition.label,  # lazy: the schema is written in the language it is generated in
            description=describe(workflow, transition, note),
            request=request,
            responses={200: response, **TRANSITION_ERRORS},
        )(fn)

    return decorate


def reason_of(request) -> str:
    """The reason sent with a transition (400 if it is not text)."""
    return validated(ReasonSerializer(data=request.data)).get("reason", "")


def transition_endpoints(
    workflow: Workflow,
    names: Iterable[str],
    *,
    perform: Callable,
    response,
    respond: str = "respond_with",
) -> list:
    """Endpoints for actions that take only a reason: `perform(principal, obj, name, reason=...)`,
    then the viewset's `respond` method renders the object (e.g. its detail serializer)."""
    endpoints = []
    for name in names:

        def handler(self, request, pk=None, _name=name):
            obj = self.get_object()
            result = perform(self.principal, obj, _name, reason=reason_of(request))
            return getattr(self, respond)(result)

        handler.__name__ = handler.__qualname__ = name
        endpoints.append(
            transition_endpoint(workflow, name, response=response, request=ReasonSerializer)(handler)
        )
    return endpoints
