import pytest
from django.core.cache import cache
from django.utils import timezone

from apps.accounts.roles import Role
from apps.accounts.services import create_api_client

from .factories import EnterpriseFactory, OrganisationFactory, user_with_role

#: The day the run started (this file is imported before the test modules, whose `TODAY`
#: constants are computed on import).
RUN_DAY = timezone.localdate()


@pytest.fixture(autouse=True, scope="session")
def _one_calendar_day():
    """The whole run sees the day it started on as today, so a run that crosses midnight (16:00
    UTC in Asia/Shanghai) does not set the services' today against the tests' `TODAY`. Times
    (`timezone.now()`) still run on; tests that move the date use their own monkeypatch."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return RUN_DAY if value is None else real(value, timezone)

    patch = pytest.MonkeyPatch()
    patch.setattr("django.utils.timezone.localdate", localdate)
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters and lockouts live in the cache; every test starts clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (Chinese): a request in an earlier test must not
    leave its language active in this thread and make messages depend on the test order."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def park_admin(db):
    return user_with_role(Role.PARK_ADMIN)


@pytest.fixture
def enterprise_a(db):
    return OrganisationFactory(name="柳州甲汽车零部件有限公司")


@pytest.fixture
def enterprise_b(db):
    return OrganisationFactory(name="柳州乙机械制造有限公司")


@pytest.fixture
def hr_a(enterprise_a):
    return user_with_role(Role.ENTERPRISE_HR, enterprise_a)


@pytest.fixture
def hr_b(enterprise_b):
    return user_with_role(Role.ENTERPRISE_HR, enterprise_b)


@pytest.fixture
def api_client_factory(db):
    """Make an API client; returns (client, key)."""
    from django.db import transaction

    def make(name="district-system", scopes=("organisations:read",), area=None):
        with transaction.atomic():
            return create_api_client(name=name, scopes=list(scopes), area=area)

    return make


@pytest.fixture
def ent_a(db):
    """A registry enterprise with its organisation (the membership anchor)."""
    return EnterpriseFactory(name="柳州甲汽车零部件有限公司")


@pytest.fixture
def ent_b(db):
    return EnterpriseFactory(name="柳州乙机械制造有限公司")


@pytest.fixture
def ent_hr_a(ent_a):
    """Enterprise HR of `ent_a`."""
    return user_with_role(Role.ENTERPRISE_HR, ent_a.organisation)


@pytest.fixture
def ent_hr_b(ent_b):
    return user_with_role(Role.ENTERPRISE_HR, ent_b.organisation)
