"""Aid paid: refusals, one payment, the Spring Festival campaign, yearly totals."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.assistance import selectors, services
from apps.assistance.models import Aid
from apps.audit.models import AuditEvent
from apps.core.errors import DomainError, NotAllowed

from .conftest import TODAY, p

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def pay(principal, file, **extra):
    data = {
        "kind": "medical",
        "amount": Decimal("2000"),
        "paid_on": TODAY,
        "funding_source": "园区工会帮扶资金",
        "approved_by": "李主席",
        **extra,
    }
    return services.pay_aid(principal, file, **data)


def test_aid_to_an_approved_file(approved_file, official_a):
    file = approved_file()
    aid = pay(p(official_a), file)
    assert aid.amount == Decimal("2000.00") and aid.recorded_by == official_a
    event = AuditEvent.objects.get(action="assistance.pay_aid", object_id=str(aid.pk))
    assert event.after["kind"] == "medical"
    assert selectors.aid_summary(selectors.aid_of(file))["total"] == Decimal("2000.00")


def test_aid_refused_to_a_file_not_approved(make_file, official_a):
    file = make_file()
    with pytest.raises(DomainError) as exc:
        pay(p(official_a), file)
    assert exc.value.code == "not_on_file" and exc.value.source
    assert not Aid.objects.exists()


def test_aid_refused_to_an_exited_file(approved_file, official_a):
    file = services.exit_file(p(official_a), approved_file(), reason="已脱困")
    with pytest.raises(DomainError) as exc:
        pay(p(official_a), file)
    assert "out of difficulty" in str(exc.value)


def test_aid_input_refused_field_by_field(approved_file, official_a):
    file = approved_file()
    with pytest.raises(DomainError) as exc:
        pay(
            p(official_a),
            file,
            kind="cash",
            amount="0",
            paid_on=TODAY + dt.timedelta(days=2),
            funding_source="",
            approved_by="",
        )
    assert set(exc.value.fields) == {"kind", "amount", "paid_on", "funding_source", "approved_by"}


def test_hr_may_not_pay(approved_file, ent_hr_a):
    with pytest.raises(NotAllowed):
        pay(p(ent_hr_a), approved_file())


def test_campaign_pays_every_chosen_file_once(approved_file, official_a):
    files = [approved_file() for _ in range(3)]
    paid = services.spring_festival_campaign(
        p(official_a),
        files,
        amount="500",
        paid_on=TODAY,
        funding_source="春节送温暖专项",
        approved_by="李主席",
    )
    assert len(paid) == 3 and Aid.objects.filter(kind="spring_festival").count() == 3
    campaign = paid[0].campaign
    assert campaign and all(a.campaign == campaign for a in paid)
    assert AuditEvent.objects.filter(action="assistance.pay_aid").count() == 3
    with pytest.raises(DomainError) as exc:
        services.spring_festival_campaign(
            p(official_a), files[:1], amount="500", paid_on=TODAY, funding_source="x", approved_by="y"
        )
    assert "Already paid" in str(exc.value)


def test_campaign_is_refused_as_a_whole(approved_file, make_file, official_a):
    good = approved_file()
    draft = make_file(name="未审批")
    with pytest.raises(DomainError) as exc:
        services.spring_festival_campaign(
            p(official_a), [good, draft], amount="500", paid_on=TODAY, funding_source="x", approved_by="y"
        )
    assert "未审批" in str(exc.value)
    assert not Aid.objects.exists()


def test_campaign_refuses_files_outside_the_scope(approved_file, official_a, official_b, ent_b):
    other = approved_file(by=official_b, enterprise=ent_b)
    with pytest.raises(DomainError) as exc:
        services.spring_festival_campaign(
            p(official_a), [other], amount="500", paid_on=TODAY, funding_source="x", approved_by="y"
        )
    assert "files" in exc.value.fields


def test_yearly_totals_per_kind(approved_file, official_a):
    file = approved_file()
    pay(p(official_a), file, amount="100")
    pay(p(official_a), file, amount="50", kind="education")
    totals = selectors.yearly_totals(p(official_a))
    assert totals["years"][0] == TODAY.year
    rows = {r["kind"]: r["cells"][0] for r in totals["rows"]}
    assert rows["medical"]["amount"] == Decimal("100") and rows["medical"]["people"] == 1
    assert rows["education"]["amount"] == Decimal("50")
    assert totals["totals"][0] == Decimal("150")
