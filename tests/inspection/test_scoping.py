"""Who sees which inspection case, and that the reporter of a report is seen only by those who
handle it (劳动保障监察条例 art. 9), every view audited."""

import datetime as dt

import pytest
from django.http import Http404

from apps.audit.models import AuditEvent
from apps.core.principal import ANONYMOUS
from apps.inspection import selectors, services
from apps.inspection.models import Reporter, Source

from .conftest import p, worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(make_case):
    return make_case(source=Source.REPORT, reporter={"name": "举报人甲", "phone": "13900000001"})


@pytest.fixture
def ordered(make_case, inspector):
    """A case of ent_a with an order to rectify."""
    me = p(inspector)
    case = services.start_investigation(me, services.accept(me, make_case()))
    return services.decide(
        me, case, "decide_order", items=["补发工资"], order_due_on=case.received_on + dt.timedelta(days=10)
    )


def ids(principal):
    return set(selectors.visible_cases(principal).values_list("pk", flat=True))


def test_inspectors_see_their_area_park_admins_all(make_case, ent_b, inspector, far_inspector, park_admin):
    mine = make_case()
    other = make_case(enterprise=ent_b)
    assert ids(p(inspector)) == {mine.pk}
    assert ids(p(far_inspector)) == {other.pk}
    assert ids(p(park_admin)) == {mine.pk, other.pk}
    assert ids(ANONYMOUS) == set()


def test_an_unregistered_employer_is_seen_by_the_brigade_of_its_town(
    ent_a, make_case, inspector, far_inspector
):
    case = make_case(employer_name="某未登记劳务队", town=ent_a.town)
    assert case.enterprise is None
    assert case.pk in ids(p(inspector)) and case.pk not in ids(p(far_inspector))


def test_hr_sees_only_their_enterprises_cases_with_orders(
    make_case, ordered, ent_b, ent_hr_a, ent_hr_b, report
):
    assert ids(p(ent_hr_a)) == {ordered.pk}  # not the plain complaint nor the report
    assert ids(p(ent_hr_b)) == set()


def test_union_officials_see_the_cases_of_the_enterprises_they_cover(
    make_case, ent_b, union_official_a, report
):
    other = make_case(enterprise=ent_b)
    visible = ids(p(union_official_a))
    assert report.pk in visible and other.pk not in visible


def test_outside_scope_is_404(make_case, ent_b, inspector):
    other = make_case(enterprise=ent_b)
    with pytest.raises(Http404):
        selectors.case_detail(p(inspector), other.pk)
    with pytest.raises(Http404):
        selectors.case_detail(p(inspector), "not-a-uuid")
    assert selectors.case_detail(p(inspector), make_case().pk)


def test_reporter_only_for_those_who_handle_it_and_every_view_audited(
    report, inspector, far_inspector, park_admin, ent_hr_a, union_official_a, api_client_factory
):
    assert Reporter.objects.filter(case=report).exists()
    for user in (ent_hr_a, union_official_a, far_inspector):
        assert selectors.reporter_for(p(user), report) is None, user
    assert not selectors.can_see_reporter(p(ent_hr_a)) and not selectors.can_see_reporter(p(union_official_a))
    client, _key = api_client_factory(scopes=["inspection:read", "inspection:write", "personal_data:read"])
    from apps.core.principal import principal_for_api_client

    assert selectors.reporter_for(principal_for_api_client(client), report) is None
    assert AuditEvent.objects.filter(action="view_full:reporter").count() == 0
    for user in (inspector, park_admin):
        seen = selectors.reporter_for(p(user), report)
        assert seen is not None and seen.name == "举报人甲"
    assert AuditEvent.objects.filter(action="view_full:reporter").count() == 2


def test_hr_never_reaches_the_reporter_even_with_an_order(make_case, inspector, ent_hr_a):
    me = p(inspector)
    case = make_case(source=Source.REPORT, reporter={"name": "举报人乙"})
    case = services.start_investigation(me, services.accept(me, case))
    services.decide(
        me, case, "decide_order", items=["签订劳动合同"], order_due_on=case.received_on + dt.timedelta(5)
    )
    assert case.pk in ids(p(ent_hr_a))
    assert selectors.reporter_for(p(ent_hr_a), case) is None
    assert not Reporter.objects.visible_to(p(ent_hr_a)).exists()


def test_workers_identity_full_for_inspectors_masked_for_hr(make_case, ordered, inspector, ent_hr_a):
    full = selectors.workers_for(p(inspector), ordered)
    masked = selectors.workers_for(p(ent_hr_a), ordered)
    assert full[0]["id_number"] == worker(1)["id_number"] and full[0]["phone"]
    assert masked[0]["id_number"] != full[0]["id_number"] and "*" in masked[0]["id_number"]
    assert masked[0]["phone"] == ""
    assert AuditEvent.objects.filter(action="view_full:id_number").count() == 1


def test_api_clients_see_their_area(make_case, ent_a, ent_b, api_client_factory):
    from apps.core.principal import principal_for_api_client

    mine, other = make_case(), make_case(enterprise=ent_b)
    client, _ = api_client_factory(name="district", scopes=["inspection:read"], area=ent_a.town)
    assert ids(principal_for_api_client(client)) == {mine.pk}
    assert other.pk in ids(
        principal_for_api_client(api_client_factory(name="park-wide", scopes=["inspection:read"])[0])
    )


def test_the_case_list_is_served_by_its_index_and_counts_within_a_bound(make_case):
    """The list's order ends with the key and an index serves it (tests/perf.py)."""
    from apps.core.principal import SYSTEM
    from apps.inspection import selectors
    from tests.perf import assert_served_by_index

    make_case()
    qs = selectors.visible_cases(SYSTEM).order_by(*selectors.LIST_ORDER)[:50]
    assert_served_by_index(qs, "inspection_inspectioncase")
    assert selectors.LIST_ORDER[-1] == "-id"
