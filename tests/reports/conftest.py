import datetime as dt

import pytest

from apps.accounts.roles import Role
from apps.core.principal import principal_for_user
from apps.reports import services
from apps.reports.models import Report
from tests.factories import EnterpriseFactory, SurveyFactory, TownFactory, UnionFactory, user_with_role

#: A past period that has certainly ended (the run's today is later), with its quarter and year.
MONTH_START, MONTH_END = dt.date(2025, 11, 1), dt.date(2025, 11, 30)


def p(user):
    return principal_for_user(user)


@pytest.fixture
def towns(db):
    return [TownFactory(name="雒容镇", code="450206100"), TownFactory(name="洛埠镇", code="450206101")]


@pytest.fixture
def park(towns):
    """Three operating enterprises in two towns, one with a union and a survey, one closed."""
    first, second = towns
    a = EnterpriseFactory(name="柳州甲汽车零部件有限公司", town=first, employees=120)
    b = EnterpriseFactory(name="柳州乙机械制造有限公司", town=first, employees=80)
    c = EnterpriseFactory(name="柳州丙物流有限公司", town=second, employees=40)
    EnterpriseFactory(name="柳州丁已注销有限公司", town=second, status="closed")
    UnionFactory(enterprises=[a], members=100)
    SurveyFactory(enterprise=a, year=2025, employees=120, union_members=100)
    return {"towns": towns, "enterprises": [a, b, c]}


@pytest.fixture
def admin(db):
    return user_with_role(Role.PARK_ADMIN)


@pytest.fixture
def make_report(admin, django_capture_on_commit_callbacks):
    """Request a report and run its (eager) generation as the commit would."""

    def make(kind="monthly", period_start=MONTH_START, town=None, user=None, **kwargs) -> Report:
        with django_capture_on_commit_callbacks(execute=True):
            report = services.request_report(
                p(user or admin), kind=kind, period_start=period_start, town=town, **kwargs
            )
        report.refresh_from_db()
        return report

    return make
