"""Fixtures for worker assistance: two enterprises each covered by its own union, an official of
each union, and helpers that open a file and walk it through the services."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from apps.accounts.roles import Role
from apps.assistance import services
from apps.core.personal_data import with_check_character
from apps.core.principal import principal_for_user
from tests.factories import UnionFactory, user_with_role

TODAY = dt.date.today()


def p(user):
    return principal_for_user(user)


def id_number(seed: int = 1) -> str:
    return with_check_character(f"45020519850612{seed % 1000:03d}")


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def union_a(ent_a):
    return UnionFactory(name="甲公司工会", enterprises=[ent_a])


@pytest.fixture
def union_b(ent_b):
    return UnionFactory(name="乙公司工会", enterprises=[ent_b])


@pytest.fixture
def official_a(union_a):
    return user_with_role(Role.UNION_OFFICIAL, union_a.organisation)


@pytest.fixture
def official_b(union_b):
    return user_with_role(Role.UNION_OFFICIAL, union_b.organisation)


@pytest.fixture
def make_file(official_a, ent_a):
    """Open a file for a worker of ent_a (income per head 600 by default: under the 1,000 default)."""
    counter = iter(range(1, 1000))

    def make(*, enterprise=None, by=None, seed=None, size=3, income="1800", **extra):
        return services.create_file(
            p(by or official_a),
            enterprise=enterprise or ent_a,
            name=extra.pop("name", f"困难职工{uuid.uuid4().hex[:4]}"),
            id_number=id_number(seed if seed is not None else next(counter)),
            difficulties=extra.pop("difficulties", ["illness"]),
            household_size=size,
            household_monthly_income=Decimal(income),
            **extra,
        )

    return make


@pytest.fixture
def approved_file(make_file, official_a):
    """Make a file and take it to "approved" (assessed and approved a few days ago)."""

    def make(**kwargs):
        by = kwargs.pop("by", official_a)
        file = make_file(by=by, **kwargs)
        file = services.assess(p(by), file, assessed_on=TODAY, assessor="王评估")
        return services.approve(p(by), file, approved_on=TODAY)

    return make
