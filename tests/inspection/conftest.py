"""Fixtures for labour inspection: a brigade covering ent_a's town with two inspectors, and a
helper that registers a case through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.accounts.models import Organisation
from apps.accounts.roles import Role
from apps.core.personal_data import with_check_character
from apps.core.principal import SYSTEM, principal_for_user
from apps.inspection import services
from apps.inspection.models import InspectionCase, Source
from tests.factories import UnionFactory, user_with_role


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def travel(monkeypatch, day: dt.date) -> None:
    """Make `timezone.localdate()` answer `day` (the services' today, the guards, the selectors)."""
    from django.utils import timezone

    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


def p(user):
    return principal_for_user(user)


def valid_id_number(seed: int = 1) -> str:
    return with_check_character(f"45020519900307{seed % 1000:03d}"[:17])


def worker(n: int = 1, **extra) -> dict:
    return {"name": f"工人{n}", "id_number": valid_id_number(n), "phone": f"1380771{n:04d}", **extra}


@pytest.fixture
def brigade(ent_a):
    return Organisation.objects.create(
        name="柳东劳动保障监察中队", kind=Organisation.Kind.INSPECTION, area=ent_a.town
    )


@pytest.fixture
def inspector(brigade):
    return user_with_role(Role.INSPECTOR, brigade, full_name="韦监察")


@pytest.fixture
def inspector2(brigade):
    return user_with_role(Role.INSPECTOR, brigade, full_name="覃监察")


@pytest.fixture
def far_inspector(ent_b):
    """An inspector of another brigade (ent_b's town)."""
    org = Organisation.objects.create(name="外区监察中队", kind=Organisation.Kind.INSPECTION, area=ent_b.town)
    return user_with_role(Role.INSPECTOR, org, full_name="远监察")


@pytest.fixture
def union_official_a(ent_a):
    union = UnionFactory(enterprises=[ent_a])
    return user_with_role(Role.UNION_OFFICIAL, union.organisation)


@pytest.fixture
def make_case(ent_a):
    """Register a case against ent_a (a complaint by default) through the services."""

    def make(*, principal=None, source=Source.COMPLAINT, workers=None, **data) -> InspectionCase:
        data.setdefault("matters", ["wage_arrears"])
        data.setdefault("facts", "拖欠 2026 年 8-9 月工资")
        data.setdefault("amount_owed", "12000")
        if "enterprise" not in data and "employer_name" not in data:
            data["enterprise"] = ent_a
        if workers is None:
            workers = [worker(1)] if source == Source.COMPLAINT else []
        case, created = services.register_case(principal or SYSTEM, source=source, workers=workers, **data)
        assert created
        return case

    return make
