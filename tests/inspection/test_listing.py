"""Wage-arrears listing → certification veto event → removal, and the transfer to mediation with
links both ways."""

import datetime as dt

import pytest

from apps.certification.models import VetoEvent
from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.core.models import object_ref
from apps.inspection import rules, services
from apps.inspection.models import InspectionCase, WageArrearsListing
from apps.mediation.models import Case as MediationCase
from apps.notifications.models import Notification

from .conftest import p, travel, worker

pytestmark = pytest.mark.django_db

D = dt.date


APRIL_1 = D(2026, 4, 1)


def listed(park_admin, ent_a, on=APRIL_1, reference="柳人社失信〔2026〕1号", case=None):
    return services.list_wage_arrears(
        p(park_admin), enterprise=ent_a, listed_on=on, decision_reference=reference, case=case
    )


def test_listing_proposes_the_veto_event_with_a_link(park_admin, ent_a):
    listing = listed(park_admin, ent_a)
    assert (
        listing.expires_on == rules.listing_expires_on(D(2026, 4, 1)) == D(2029, 4, 2)
    )  # Apr 1 2029 is a Sunday
    event = VetoEvent.objects.get(enterprise=ent_a)
    assert listing.veto_event == event
    assert (event.kind, event.origin, event.occurred_on) == (
        "wage_arrears_blacklist",
        "inspection",
        D(2026, 4, 1),
    )
    assert (event.object_type, event.object_id) == object_ref(listing)
    assert "柳人社失信〔2026〕1号" in event.source
    # Proposed (issue 17): it counts once the park confirms it; the park is told.
    assert event.status == VetoEvent.Status.PROPOSED
    assert Notification.objects.filter(recipient=park_admin, link__contains="status=proposed").exists()


def test_listing_is_the_parks_act_and_bad_input_writes_nothing(park_admin, inspector, ent_a, english):
    with pytest.raises(NotAllowed):
        listed(inspector, ent_a)
    with pytest.raises(DomainError) as error:
        services.list_wage_arrears(
            p(park_admin), enterprise=None, listed_on="tomorrow", decision_reference=" "
        )
    assert set(error.value.fields) == {"enterprise", "listed_on", "decision_reference"}
    listed(park_admin, ent_a)
    with pytest.raises(DomainError) as error:
        listed(park_admin, ent_a, reference="另一文号")
    assert "enterprise" in error.value.fields
    assert WageArrearsListing.objects.count() == 1 and VetoEvent.objects.count() == 1


def test_early_removal_needs_its_three_conditions_and_notes_the_veto_event(
    park_admin, ent_a, monkeypatch, english
):
    listing = listed(park_admin, ent_a)
    travel(monkeypatch, D(2026, 10, 8))  # the 6 months end on Oct 8 (Oct 1 is National Day)
    with pytest.raises(DomainError) as error:
        services.remove_listing(p(park_admin), listing, removal="early", pledge_received_on=D(2026, 9, 1))
    assert set(error.value.fields) == {"arrears_paid_on", "removed_on"}
    assert rules.EARLY_REMOVAL_SOURCE in str(error.value.fields["removed_on"][0])
    assert error.value.source == rules.EARLY_REMOVAL_SOURCE
    # Paid on June 1: the 6 months on the list count from the payment (Measures art. 12), so they
    # end on Dec 1 and the removal is possible from Dec 2.
    travel(monkeypatch, D(2026, 12, 1))
    with pytest.raises(DomainError) as error:
        services.remove_listing(
            p(park_admin),
            listing,
            removal="early",
            arrears_paid_on=D(2026, 6, 1),
            pledge_received_on=D(2026, 9, 1),
        )
    assert set(error.value.fields) == {"removed_on"}
    assert "2026-12-02" in str(error.value.fields["removed_on"][0])
    travel(monkeypatch, D(2026, 12, 2))
    listing = services.remove_listing(
        p(park_admin),
        listing,
        removal="early",
        arrears_paid_on=D(2026, 6, 1),
        pledge_received_on=D(2026, 9, 1),
        note="已全额清偿",
    )
    assert (listing.status, listing.removal, listing.removed_on) == ("removed", "early", D(2026, 12, 2))
    assert listing.removal_approved_by == park_admin
    event = VetoEvent.objects.get(pk=listing.veto_event_id)
    assert "2026-12-02" in event.note and "Removed early" in event.note
    with pytest.raises(InvalidTransition):
        services.remove_listing(p(park_admin), listing, removal="revoked", note="x")
    # Off the list, the enterprise may be listed again on a new decision.
    assert listed(park_admin, ent_a, on=D(2026, 12, 2), reference="柳人社失信〔2026〕9号").status == "listed"


def test_the_term_ends_after_3_years(park_admin, ent_a, monkeypatch):
    listing = listed(park_admin, ent_a, on=D(2023, 10, 1), reference="旧文号")
    assert listing.expires_on == D(2026, 10, 8)
    travel(monkeypatch, D(2026, 10, 8))
    with pytest.raises(DomainError) as error:
        services.remove_listing(p(park_admin), listing, removal="expired")
    assert rules.LISTING_TERM_SOURCE in str(error.value.fields["removed_on"][0])
    assert services.remove_expired_listings() == 0
    travel(monkeypatch, D(2026, 10, 9))
    assert services.remove_expired_listings() == 1
    listing.refresh_from_db()
    assert (listing.status, listing.removal) == ("removed", "expired")


def test_transfer_to_mediation_links_both_ways(make_case, inspector, ent_a):
    case = make_case(workers=[worker(1), worker(2)], workers_count=2, matters=["wage_arrears", "rest_days"])
    with pytest.raises(DomainError) as error:
        services.transfer_to_mediation(p(inspector), case, reason="")
    assert "reason" in error.value.fields
    case, mediation_case, code = services.transfer_to_mediation(
        p(inspector), case, reason="属于劳动争议，转调解"
    )
    assert case.status == InspectionCase.Status.CLOSED and case.mediation_case == mediation_case
    assert code and len(code) == 8
    assert mediation_case.channel == MediationCase.Channel.INSPECTION
    assert mediation_case.source_reference == case.serial
    assert mediation_case.respondent_enterprise == ent_a
    assert list(mediation_case.inspection_cases.all()) == [case]
    assert mediation_case.applicants.count() == 2
    assert set(mediation_case.types.values_list("code", flat=True)) == {"remuneration", "working_time"}
    assert case.history.filter(action="transfer_to_mediation").exists()


def test_transfer_needs_the_workers(make_case, inspector):
    case = make_case(source="patrol", workers=[])
    with pytest.raises(DomainError) as error:
        services.transfer_to_mediation(p(inspector), case, reason="劳动争议")
    assert "workers" in error.value.fields
    assert not MediationCase.objects.exists()
