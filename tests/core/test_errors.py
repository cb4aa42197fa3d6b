import pytest
from django import forms
from rest_framework.test import APIRequestFactory

from apps.api.errors import exception_handler
from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.core.forms import add_domain_error


class ProbationForm(forms.Form):
    probation_months = forms.IntegerField()


def test_domain_error_lands_on_its_field_with_the_legal_source():
    form = ProbationForm(data={"probation_months": 3})
    assert form.is_valid()
    add_domain_error(
        form,
        DomainError("试用期不得超过一个月", field="probation_months", source="劳动合同法第十九条"),
    )
    assert form.errors["probation_months"] == ["试用期不得超过一个月 (劳动合同法第十九条)"]


def test_domain_error_without_field_is_a_form_error():
    form = ProbationForm(data={"probation_months": 1})
    form.is_valid()
    add_domain_error(form, DomainError("不可提交"))
    assert form.non_field_errors() == ["不可提交"]


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (DomainError("bad", field="x", source="劳动合同法第十九条"), 400),
        (NotAllowed("no"), 403),
        (InvalidTransition(), 409),
    ],
)
def test_api_maps_domain_errors_to_the_common_format(exc, status):
    request = APIRequestFactory().get("/")
    response = exception_handler(exc, {"request": request})
    assert response.status_code == status
    assert set(response.data) == {"error", "request_id"}
    assert response.data["error"]["code"] == exc.code
    if exc.field:
        assert response.data["error"]["fields"] == {"x": ["bad"]}
        assert response.data["error"]["source"] == "劳动合同法第十九条"


@pytest.mark.django_db
def test_a_malformed_uuid_is_a_404_not_a_500(client, park_admin):
    client.force_login(park_admin)
    assert client.get("/unions/contracts/new/", {"enterprise": "not-a-uuid"}).status_code == 404


@pytest.mark.django_db
def test_get_visible_or_404_turns_a_bad_uuid_into_404(park_admin):
    from django.http import Http404

    from apps.accounts.models import Organisation
    from apps.core.principal import principal_for_user
    from apps.core.scoping import get_visible_or_404

    with pytest.raises(Http404):
        get_visible_or_404(Organisation.objects, principal_for_user(park_admin), pk="not-a-uuid")


def test_call_service_maps_refusals_for_pages():
    from django.core.exceptions import PermissionDenied

    from apps.core.forms import call_service

    class F(forms.Form):
        name = forms.CharField()

    form = F({"name": "x"})
    assert form.is_valid()
    assert call_service(form, lambda **kw: kw["v"], v=7) == 7

    def refuse_field():
        raise DomainError("bad", field="name", source="某法第一条")

    assert call_service(form, refuse_field) is None
    assert form.errors["name"] == ["bad (某法第一条)"]

    def not_allowed():
        raise NotAllowed("no")

    with pytest.raises(PermissionDenied):
        call_service(form, not_allowed)
