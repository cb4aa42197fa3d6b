import datetime as dt
from decimal import Decimal

import pytest

from apps.core.errors import DomainError, InvalidTransition, NotAllowed
from apps.core.principal import SYSTEM
from apps.legalaid import rules, selectors, services
from apps.legalaid.models import Lawyer, LegalAidRequest, RequestHistory
from apps.mediation import services as mediation_services
from tests.factories import EnterpriseFactory, UnionFactory

from .conftest import p, request_data

pytestmark = pytest.mark.django_db
S = LegalAidRequest.Status


def test_routed_to_covering_union_else_federation(make_request, union_a, federation, ent_b):
    req, _ = make_request()
    assert req.union == union_a
    other, _ = make_request(enterprise=ent_b)  # ent_b is covered by no union here
    assert other.union == federation
    free, _ = make_request(enterprise=None, employer_name="某外卖站点")
    assert free.union == federation and free.employer_name == "某外卖站点"


def test_accept_sets_closing_deadline_and_history(make_request, official_a):
    req, _ = make_request()
    req = services.accept(p(official_a), req)
    assert req.status == S.ACCEPTED and req.decided_on == req.received_on
    assert req.due_on == rules.close_due(selectors.policy_in_force(req.received_on), req.decided_on)
    assert list(RequestHistory.objects.filter(subject=req).values_list("action", flat=True)) == [
        "register",
        "accept",
    ]
    from apps.audit.models import AuditEvent

    event = AuditEvent.objects.filter(action="legalaid.accept").get()
    assert "id_number" not in str(event.after)  # the worker's identity stays off the request's trail


def test_refuse_needs_reason_and_shows_it(make_request, official_a, english):
    req, _ = make_request()
    with pytest.raises(DomainError) as exc:
        services.refuse(p(official_a), req, reason="  ")
    assert exc.value.field == "reason"
    req = services.refuse(p(official_a), req, reason="不属于劳动争议")
    assert req.status == S.REFUSED and req.refusal_reason == "不属于劳动争议"
    with pytest.raises(InvalidTransition):
        services.accept(p(official_a), req)


def test_close_with_outcome_and_amount(make_request, official_a, english):
    req, _ = make_request()
    req = services.accept(p(official_a), req)
    with pytest.raises(DomainError) as exc:
        services.close(p(official_a), req, outcome="bogus", amount_recovered="-5")
    assert {"outcome", "amount_recovered"} <= set(exc.value.fields)
    req = services.close(p(official_a), req, outcome="won", amount_recovered="12000.5")
    assert (req.status, req.outcome, req.amount_recovered) == (S.CLOSED, "won", Decimal("12000.50"))


def test_withdraw_closes_with_outcome(make_request, official_a):
    req, _ = make_request()
    req = services.withdraw(p(official_a), req, reason="工人撤回")
    assert (req.status, req.outcome) == (S.CLOSED, "withdrawn")


def test_other_union_and_federation_cannot_decide(make_request, official_b, fed_official):
    req, _ = make_request()
    with pytest.raises(NotAllowed):
        services.accept(p(official_b), req)
    # The federation reads the request (its union's), but does not act on it.
    assert selectors.requests_for(p(fed_official)).filter(pk=req.pk).exists()
    with pytest.raises(NotAllowed):
        services.accept(p(fed_official), req)


def test_lawyer_of_the_union_or_park(make_request, official_a, union_a, union_b):
    req, _ = make_request()
    req = services.accept(p(official_a), req)
    mine = Lawyer.objects.create(name="韦律师", union=union_a)
    park = Lawyer.objects.create(name="覃律师")
    theirs = Lawyer.objects.create(name="黄律师", union=union_b)
    assert services.assign_lawyer(p(official_a), req, mine).lawyer == mine
    assert services.assign_lawyer(p(official_a), req, park).lawyer == park
    with pytest.raises(DomainError):
        services.assign_lawyer(p(official_a), req, theirs)


@pytest.fixture
def med_case(ent_a):
    case, _code = mediation_services.register_case(
        SYSTEM,
        channel="walk_in",
        applicants=[{"name": "工人1", "id_number": "", "phone": "13807710001"}],
        types=["remuneration"],
        claims="支付工资",
        amount_claimed="12000",
        respondent_enterprise=ent_a,
    )
    return case


def test_link_mediation_case_in_scope(make_request, official_a, med_case):
    req, _ = make_request()
    req = services.accept(p(official_a), req)
    req = services.link_case(
        p(official_a), req, serial=med_case.serial.lower(), case_reference="柳东劳人仲案字〔2026〕1号"
    )
    assert req.mediation_case == med_case and req.case_reference.startswith("柳东")


def test_link_case_outside_scope_refused(make_request, official_a, english):
    other_enterprise = EnterpriseFactory()
    UnionFactory(enterprises=[other_enterprise])
    case, _ = mediation_services.register_case(
        SYSTEM,
        channel="walk_in",
        applicants=[{"name": "某人", "id_number": "", "phone": "13807710002"}],
        types=["remuneration"],
        claims="支付工资",
        amount_claimed="1000",
        respondent_enterprise=other_enterprise,
    )
    req, _ = make_request()
    req = services.accept(p(official_a), req)
    with pytest.raises(DomainError) as exc:
        services.link_case(p(official_a), req, serial=case.serial)
    assert exc.value.field == "mediation_case"
    with pytest.raises(DomainError):
        services.link_case(p(official_a), req, mediation_case=case.pk)
    req.refresh_from_db()
    assert req.mediation_case is None


def test_link_only_when_accepted(make_request, official_a, med_case):
    req, _ = make_request()
    with pytest.raises(DomainError):
        services.link_case(p(official_a), req, serial=med_case.serial)


def test_counter_registration_only_for_own_union(official_a, official_b, ent_a, english):
    req, code = services.register_request(p(official_a), channel="counter", **request_data(enterprise=ent_a))
    assert req.channel == "counter" and req.registered_by == official_a and code
    with pytest.raises(DomainError) as exc:
        services.register_request(p(official_b), **request_data(enterprise=ent_a))
    assert exc.value.field == "enterprise"


def test_overdue_listed_first(make_request, official_a, monkeypatch):
    old, _ = make_request()
    LegalAidRequest.objects.filter(pk=old.pk).update(
        received_on=dt.date(2020, 1, 2), decision_due_on=dt.date(2020, 1, 9)
    )
    fresh, _ = make_request()
    rows = list(selectors.list_queryset(p(official_a)))
    assert [r.pk for r in rows] == [old.pk, fresh.pk]
    assert rows[0].overdue == 1 and rows[1].overdue == 0
