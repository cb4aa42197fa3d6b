"""Fixtures for labour-dispute mediation: two organisations with a mediator each, and helpers
that register a case and walk it through the services."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from apps.accounts.roles import Role
from apps.core.personal_data import with_check_character
from apps.core.principal import SYSTEM, principal_for_user
from apps.mediation import services
from apps.mediation.models import Case, MediationOrganisation, Mediator
from tests.factories import user_with_role


@pytest.fixture
def english():
    """Messages in English, so tests can match the source strings."""
    from django.utils import translation

    with translation.override("en"):
        yield


def travel(monkeypatch, day: dt.date) -> None:
    """Make `timezone.localdate()` (services._today, the guards, the selectors) answer `day`."""
    from django.utils import timezone

    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


def p(user):
    return principal_for_user(user)


def valid_id_number(seed: int = 1, birth: str = "19900307") -> str:
    """A resident ID number with a correct check character (GB 11643-1999)."""
    return with_check_character(f"450205{birth}{seed % 1000:03d}")


def applicant(n: int = 1, **extra) -> dict:
    return {
        "name": f"申请人{n}",
        "id_number": valid_id_number(n),
        "phone": f"1380771{n:04d}",
        "job": "装配工",
        "employed_from": dt.date(2022, 3, 1),
        **extra,
    }


@pytest.fixture
def med_org(ent_a):
    """The township mediation organisation covering ent_a's town."""
    return services.create_organisation(
        SYSTEM, name="雒容镇劳动争议调解中心", kind=MediationOrganisation.Kind.TOWN, towns=[ent_a.town]
    )


@pytest.fixture
def med_org_b(ent_b):
    """ent_b's enterprise mediation committee."""
    return services.create_organisation(
        SYSTEM,
        name="乙公司劳动争议调解委员会",
        kind=MediationOrganisation.Kind.ENTERPRISE,
        enterprises=[ent_b],
    )


def _mediator(org, name):
    user = user_with_role(Role.MEDIATOR, org.organisation, full_name=name)
    services.save_mediator(
        SYSTEM, Mediator(organisation=org, user=user, name=name, specialities=["remuneration"])
    )
    return user


@pytest.fixture
def mediator_user(med_org):
    return _mediator(med_org, "李调解")


@pytest.fixture
def mediator_b_user(med_org_b):
    return _mediator(med_org_b, "赵调解")


def mediator_of(user) -> Mediator:
    return Mediator.objects.get(user=user)


@pytest.fixture
def make_case(ent_a, med_org):
    """Register a case against ent_a (online by default) and return it with its access code."""

    def make(*, applicants=None, channel=Case.Channel.ONLINE, principal=None, **data) -> tuple[Case, str]:
        data.setdefault("types", ["remuneration"])
        data.setdefault("claims", "支付拖欠工资 12000 元")
        data.setdefault("amount_claimed", "12000")
        data.setdefault("respondent_enterprise", ent_a)
        rows = applicants if applicants is not None else [applicant(random.randint(1, 999))]
        if channel == Case.Channel.ONLINE and principal is None:
            return services.apply_online(applicants=rows, consent=True, **data)
        return services.register_case(principal or SYSTEM, channel=channel, applicants=rows, **data)

    return make


def accepted(case, user):
    return services.accept(p(user), case, mediator=mediator_of(user))


def signed_agreement(case, user, *, amount="12000", kind="wages", on=None):
    on = on or case.received_on
    services.save_agreement(
        p(user),
        case,
        result="被申请人同意支付拖欠工资",
        items=[
            {
                "kind": kind,
                "description": "支付 2026 年 8-9 月工资",
                "amount": amount,
                "due_on": on + dt.timedelta(days=10),
            }
        ],
    )
    return services.record_signatures(
        p(user), case, applicant_signed_on=on, respondent_signed_on=on, mediator_signed_on=on, sealed_on=on
    )
