"""Lifecycle endpoints are derived from the transition table: who may call them, from where, and
what the OpenAPI description says, all read from the `Transition`s."""

import pytest
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from apps.api.views import ScopedViewMixin
from apps.api.workflow import action_perms, action_scopes, describe, transition_endpoints
from apps.audit import history
from tests.core.test_workflow import WORKFLOW
from tests.testapp.models import Case

pytestmark = pytest.mark.django_db


class CaseOut(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "status"]


def perform(principal, case, action, *, reason=""):
    return history.transition(case, WORKFLOW, action, principal, reason=reason)


class CaseViewSet(ScopedViewMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model = Case
    serializer_class = CaseOut
    required_scopes = {"retrieve": "mediation:read", **action_scopes(WORKFLOW)}
    required_perms = action_perms(WORKFLOW)

    def scoped_queryset(self, principal):
        return Case.objects.all()

    def respond_with(self, case):
        return Response(CaseOut(case).data)

    accept, refuse, close = transition_endpoints(
        WORKFLOW, ["accept", "refuse", "close"], perform=perform, response=CaseOut
    )


def call(user, action, case, data=None):
    request = APIRequestFactory().post("/", data or {}, format="json")
    force_authenticate(request, user=user)
    return CaseViewSet.as_view({"post": action})(request, pk=case.pk)


def test_scopes_and_permissions_come_from_the_table():
    assert action_scopes(WORKFLOW) == {"accept": "mediation:write", "refuse": None, "close": None}
    assert action_perms(WORKFLOW) == {"accept": "audit.view_auditevent", "refuse": "audit.view_auditevent"}


def test_the_description_says_from_where_who_and_why_not():
    text = describe(WORKFLOW, WORKFLOW.get("refuse"))
    assert "From `received` to `refused`." in text
    assert "A reason is required." in text
    assert "Not available to API clients" in text and "`audit.view_auditevent`" in text
    assert "Scope: `mediation:write`" in describe(WORKFLOW, WORKFLOW.get("accept"))


def test_an_endpoint_performs_the_action_and_answers_the_object(park_admin):
    case = Case.objects.create(title="x")
    response = call(park_admin, "accept", case)
    assert response.status_code == 200, response.data
    assert response.data["status"] == "accepted"
    assert case.history.get().action == "accept"


def test_refusals_are_the_tables(park_admin, hr_a):
    case = Case.objects.create(title="x", status="accepted")
    assert call(park_admin, "accept", case).status_code == 409  # wrong status
    case = Case.objects.create(title="y")
    assert call(hr_a, "accept", case).status_code == 403  # role lacks the permission
    response = call(park_admin, "refuse", case, {"reason": "  "})
    assert response.status_code == 400 and "reason" in response.data["error"]["fields"]
    assert call(park_admin, "refuse", case, {"reason": "outside the park"}).status_code == 200
    assert Case.objects.get(pk=case.pk).status == "refused"
