"""Fixtures of the risk tests: a fake signal provider (tests/risk/fake.py) on the risk AppConfig,
two towns with an enterprise each, and the readers of each role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from apps.accounts.models import Organisation
from apps.accounts.roles import Role
from apps.core.principal import principal_for_user
from tests.conftest import RUN_DAY
from tests.factories import EnterpriseFactory, TownFactory, user_with_role

from . import fake

TODAY = RUN_DAY


def p(user):
    return principal_for_user(user)


def give(enterprise, *rows):
    """Set an enterprise's fake signals: (code, count[, last_on, url, permission])."""
    full = []
    for row in rows:
        code, count, *rest = row
        last_on = rest[0] if len(rest) > 0 else dt.date(2026, 1, 5)
        url = rest[1] if len(rest) > 1 else ""
        permission = rest[2] if len(rest) > 2 else ""
        full.append((code, count, last_on, url, permission))
    fake.SIGNALS[str(enterprise.pk)] = full


@pytest.fixture(autouse=True)
def fake_signals(monkeypatch):
    config = apps.get_app_config("risk")
    monkeypatch.setattr(config, "risk_signal_kinds", "tests.risk.fake.SIGNAL_KINDS", raising=False)
    monkeypatch.setattr(config, "risk_signals", "tests.risk.fake.risk_signals", raising=False)
    fake.SIGNALS.clear()
    yield fake.SIGNALS
    fake.SIGNALS.clear()


@pytest.fixture
def english(client, settings):
    """English for the code and for the pages (their language comes from the cookie)."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def town_a(db):
    return TownFactory(name="柳东镇", code="450205100")


@pytest.fixture
def town_b(db):
    return TownFactory(name="雒容镇", code="450205101")


@pytest.fixture
def e1(town_a):
    return EnterpriseFactory(name="甲风险测试有限公司", town=town_a, industry="C")


@pytest.fixture
def e2(town_b):
    return EnterpriseFactory(name="乙风险测试有限公司", town=town_b, industry="E")


def org(kind, area, name=None):
    return Organisation.objects.create(name=name or f"{kind}-{area.code}", kind=kind, area=area)


@pytest.fixture
def inspector_a(town_a):
    return user_with_role(Role.INSPECTOR, org(Organisation.Kind.INSPECTION, town_a, "柳东监察中队"))


@pytest.fixture
def inspector_b(town_b):
    return user_with_role(Role.INSPECTOR, org(Organisation.Kind.INSPECTION, town_b))


@pytest.fixture
def mediator_a(town_a):
    return user_with_role(Role.MEDIATOR, org(Organisation.Kind.MEDIATION, town_a, "柳东调解中心"))


@pytest.fixture
def federation_a(town_a):
    return user_with_role(Role.UNION_OFFICIAL, org(Organisation.Kind.UNION, town_a, "柳东镇总工会"))
