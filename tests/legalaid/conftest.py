"""Fixtures of legal aid: a park federation, a grassroots union covering ent_a, their officials,
and helpers to register requests."""

from __future__ import annotations

import pytest

from apps.accounts.roles import Role
from apps.core.personal_data import with_check_character
from apps.core.principal import ANONYMOUS, principal_for_user
from apps.legalaid import services
from apps.unions.models import Union
from tests.factories import UnionFactory, user_with_role


def p(user):
    return principal_for_user(user)


def valid_id_number(seed: int = 1) -> str:
    return with_check_character(f"45020519900307{seed % 1000:03d}")


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def federation(db):
    return UnionFactory(name="园区工会联合会", kind=Union.Kind.FEDERATION)


@pytest.fixture
def union_a(federation, ent_a):
    return UnionFactory(name="甲公司工会", parent=federation, enterprises=[ent_a])


@pytest.fixture
def union_b(federation, ent_b):
    return UnionFactory(name="乙公司工会", parent=federation, enterprises=[ent_b])


@pytest.fixture
def official_a(union_a):
    return user_with_role(Role.UNION_OFFICIAL, union_a.organisation)


@pytest.fixture
def official_b(union_b):
    return user_with_role(Role.UNION_OFFICIAL, union_b.organisation)


@pytest.fixture
def fed_official(federation):
    return user_with_role(Role.UNION_OFFICIAL, federation.organisation)


def request_data(n: int = 1, **extra) -> dict:
    return {
        "name": f"工人{n}",
        "id_number": valid_id_number(n),
        "phone": f"1380771{n:04d}",
        "kind": "mediation",
        "facts": "公司拖欠三个月工资。",
        "claims": "支付拖欠工资 12000 元",
        "consent": True,
        **extra,
    }


@pytest.fixture
def make_request(ent_a, union_a):
    """A request against ent_a through the public form; returns (request, code)."""

    def make(principal=ANONYMOUS, **extra):
        extra.setdefault("enterprise", ent_a)
        return services.register_request(principal, **request_data(**extra))

    return make
