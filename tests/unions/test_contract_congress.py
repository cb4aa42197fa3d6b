"""A collective contract's attendance agrees with the workers' congress meeting that adopted it
(集体合同规定（劳动和社会保障部令第22号）第三十六条, issue 17 item 3): the rules, the services, the
form and the API."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from apps.core.errors import DomainError
from apps.core.principal import principal_for_user
from apps.unions import rules, services
from apps.unions.forms import CollectiveContractForm
from apps.unions.models import CollectiveContract, WorkersCongress
from tests.factories import UnionFactory
from tests.unions.test_services import contract_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SIGNED = TODAY - dt.timedelta(days=30)
CONTRACTS = "/api/v1/collective-contracts/"
JSON = "application/json"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def admin(park_admin):
    return principal_for_user(park_admin)


def meeting(enterprise, held_on=SIGNED, total=51, present=30) -> WorkersCongress:
    return WorkersCongress.objects.create(
        enterprise=enterprise,
        held_on=held_on,
        session="第三届第二次",
        representatives_total=total,
        representatives_present=present,
    )


def refused(principal, enterprise, **data) -> DomainError:
    with pytest.raises(DomainError) as exc:
        services.create_collective_contract(principal, enterprise, **data)
    assert not CollectiveContract.objects.filter(enterprise=enterprise).exists()
    return exc.value


# Rules (pure) -----------------------------------------------------------------------------------------


def test_rules_name_the_meetings_figures_and_suggest_linking_when_not_linked():
    m = WorkersCongress(held_on=SIGNED, representatives_total=51, representatives_present=30)
    assert (
        rules.attendance_errors({"representatives_total": 51, "representatives_present": 30}, m, linked=True)
        == {}
    )
    errors = rules.attendance_errors(
        {"representatives_total": 51, "representatives_present": 40}, m, linked=False
    )
    assert list(errors) == ["representatives_present"]
    message = errors["representatives_present"][0]
    assert "30 of 51" in message and "link it" in message and str(rules.ATTENDANCE_SOURCE) in message
    linked = rules.attendance_errors(
        {"representatives_total": 50, "representatives_present": 40}, m, linked=True
    )
    assert set(linked) == {"representatives_total", "representatives_present"}
    assert rules.adopting_meeting_figures(m) == {"representatives_total": 51, "representatives_present": 30}


def test_rules_meeting_of_another_enterprise_or_after_signing():
    m = WorkersCongress(enterprise_id=1, held_on=SIGNED, representatives_total=51, representatives_present=40)
    assert rules.meeting_link_errors(m, enterprise_id=1, signed_on=SIGNED) == {}
    assert (
        "another enterprise" in rules.meeting_link_errors(m, enterprise_id=2, signed_on=SIGNED)["congress"][0]
    )
    late = rules.meeting_link_errors(m, enterprise_id=1, signed_on=SIGNED - dt.timedelta(days=1))
    assert "after the signing date" in late["congress"][0]


# The issue's example ----------------------------------------------------------------------------------


def test_issue_example_same_day_meeting_then_linked_meeting_fails_on_quorum(admin, ent_a):
    """A meeting with 30 of 51 present (no quorum); a contract "adopted" that day with 40 of 51
    present is refused naming the meeting's figures; linked, it takes 30 of 51 and fails on quorum."""
    m = meeting(ent_a, total=51, present=30)
    assert not rules.congress_quorate(51, 30)
    data = contract_data(representatives_total=51, representatives_present=40, representatives_approving=28)
    error = refused(admin, ent_a, **data)
    message = error.fields["representatives_present"][0]
    assert f"{SIGNED}" in message and "30 of 51" in message and "link it" in message
    assert "representatives_total" not in error.fields  # 51 agrees

    linked = {k: v for k, v in data.items() if k not in ("representatives_total", "representatives_present")}
    error = refused(admin, ent_a, congress=m, **linked)
    quorum = error.fields["representatives_present"][0]
    assert "fewer than two thirds of the 51 representatives" in quorum
    assert str(rules.VOTE_SOURCE) in quorum


def test_linked_meeting_fills_the_figures_and_contract_is_recorded(admin, ent_a):
    m = meeting(ent_a, held_on=SIGNED - dt.timedelta(days=5), total=30, present=24)
    data = contract_data(representatives_approving=20)
    del data["representatives_total"], data["representatives_present"]
    contract = services.create_collective_contract(admin, ent_a, congress=m, **data)
    assert contract.congress == m
    assert (contract.representatives_total, contract.representatives_present) == (30, 24)


def test_linked_meeting_refuses_contradicting_figures(admin, ent_a):
    m = meeting(ent_a, held_on=SIGNED - dt.timedelta(days=5), total=30, present=24)
    error = refused(admin, ent_a, congress=m, **contract_data())  # 20 of 30 on the contract
    assert "24 of 30" in error.fields["representatives_present"][0]
    assert "that adopted the contract" in error.fields["representatives_present"][0]


def test_same_day_meeting_that_agrees_is_accepted_without_link(admin, ent_a):
    meeting(ent_a, total=30, present=20)
    contract = services.create_collective_contract(admin, ent_a, **contract_data())
    assert contract.congress is None


def test_no_meeting_that_day_leaves_the_figures_to_the_vote_rules(admin, ent_a):
    meeting(ent_a, held_on=SIGNED - dt.timedelta(days=1), total=51, present=30)
    contract = services.create_collective_contract(admin, ent_a, **contract_data())
    assert contract.representatives_present == 20


def test_meeting_of_another_enterprise_is_refused(admin, ent_a, ent_b):
    other = meeting(ent_b, total=30, present=20)
    error = refused(admin, ent_a, congress=other, **contract_data())
    assert "another enterprise" in error.fields["congress"][0]


def test_meeting_after_signing_is_refused(admin, ent_a):
    later = meeting(ent_a, held_on=SIGNED + dt.timedelta(days=2), total=30, present=20)
    error = refused(admin, ent_a, congress=later, **contract_data())
    assert "after the signing date" in error.fields["congress"][0]


def test_update_checks_the_resulting_contract(admin, ent_a):
    contract = services.create_collective_contract(admin, ent_a, **contract_data())
    m = meeting(ent_a, held_on=SIGNED - dt.timedelta(days=3), total=30, present=25)
    # Linking the meeting without figures takes its figures.
    saved = services.update_collective_contract(admin, contract, congress=m)
    assert (saved.congress_id, saved.representatives_present) == (m.pk, 25)
    # Figures contradicting the linked meeting are refused.
    with pytest.raises(DomainError) as exc:
        services.update_collective_contract(admin, saved, representatives_present=22)
    assert "25 of 30" in exc.value.fields["representatives_present"][0]
    saved.refresh_from_db()
    assert saved.representatives_present == 25


def test_meeting_linked_to_a_contract_cannot_be_deleted(admin, ent_a):
    from django.db.models import ProtectedError

    m = meeting(ent_a, total=30, present=20)
    services.create_collective_contract(admin, ent_a, congress=m, **contract_data())
    with pytest.raises(ProtectedError):
        m.delete()


# The form ------------------------------------------------------------------------------------------


def test_form_offers_the_enterprise_meetings_with_their_figures(park_admin, ent_a, ent_b):
    own = meeting(ent_a, total=51, present=30)
    meeting(ent_b, total=40, present=40)
    form = CollectiveContractForm(principal=principal_for_user(park_admin), initial={"enterprise": ent_a.pk})
    assert list(form.fields["congress"].queryset) == [own]
    html = str(form["congress"])
    assert 'data-total="51"' in html and 'data-present="30"' in html and "(no quorum)" in html


def test_form_page_refuses_with_the_meeting_and_prefills_from_the_linked_one(
    client, park_admin, ent_a, settings
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    UnionFactory(enterprises=[ent_a])
    m = meeting(ent_a, held_on=SIGNED - dt.timedelta(days=4), total=30, present=24)
    client.force_login(park_admin)
    url = reverse("unions:contract_create") + f"?enterprise={ent_a.pk}"
    assert "js/unions-contract-form.js" in client.get(url).content.decode()
    data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in contract_data().items()}
    data["enterprise"] = str(ent_a.pk)
    data["congress"] = str(m.pk)
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "24 of 30" in response.content.decode()
    assert not CollectiveContract.objects.exists()
    data["representatives_total"] = data["representatives_present"] = ""
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302, response.content.decode()[:3000]
    contract = CollectiveContract.objects.get()
    assert (contract.congress, contract.representatives_present) == (m, 24)


# The API -------------------------------------------------------------------------------------------


@pytest.fixture
def writer(api_client_factory):
    return api_client_factory(name="总工会系统", scopes=["unions:read", "unions:write"])[1]


def _post(client, key, payload):
    return client.post(
        CONTRACTS, payload, content_type=JSON, HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en"
    )


def _payload(enterprise, **overrides):
    data = {
        k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in contract_data(**overrides).items()
    }
    return {"enterprise": str(enterprise.pk), **data}


def test_api_400_names_the_meeting_and_links_it(client, writer, ent_a, ent_b):
    m = meeting(ent_a, total=51, present=30)
    response = _post(client, writer, _payload(ent_a, representatives_total=51, representatives_present=40))
    assert response.status_code == 400
    assert "30 of 51" in response.json()["error"]["fields"]["representatives_present"][0]

    other = meeting(ent_b, total=30, present=20)
    response = _post(client, writer, {**_payload(ent_a), "congress": str(other.pk)})
    assert response.status_code == 400
    assert "another enterprise" in response.json()["error"]["fields"]["congress"][0]

    later = meeting(ent_a, held_on=SIGNED + dt.timedelta(days=1), total=30, present=20)
    response = _post(client, writer, {**_payload(ent_a), "congress": str(later.pk)})
    assert response.status_code == 400
    assert "after the signing date" in response.json()["error"]["fields"]["congress"][0]

    payload = _payload(ent_a, representatives_approving=30)
    del payload["representatives_total"], payload["representatives_present"]
    response = _post(client, writer, {**payload, "congress": str(m.pk)})
    assert response.status_code == 400
    assert "fewer than two thirds" in response.json()["error"]["fields"]["representatives_present"][0]
    assert not CollectiveContract.objects.exists()


def test_api_records_and_shows_the_adopting_meeting(client, writer, ent_a):
    m = meeting(ent_a, held_on=SIGNED - dt.timedelta(days=2), total=30, present=22)
    payload = _payload(ent_a)
    del payload["representatives_total"], payload["representatives_present"]
    response = _post(client, writer, {**payload, "congress": str(m.pk)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["congress"]["id"] == str(m.pk)
    assert (body["representatives_total"], body["representatives_present"]) == (30, 22)
    assert body["congress"]["representatives_present"] == 22
