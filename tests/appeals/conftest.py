import pytest

from apps.appeals import services
from apps.appeals.models import Department
from apps.core.principal import principal_for_user


@pytest.fixture
def department(db):
    return Department.objects.get(name="区人社局就业科")


@pytest.fixture
def file(ent_a, ent_hr_a):
    def make(kind="hiring", today=None, **extra):
        data = {
            "enterprise": ent_a,
            "kind": kind,
            "subject": "招聘普工30名",
            "text": "请协助对接劳务基地。",
            "contact_name": "王芳",
            "contact_phone": "13877201234",
            **extra,
        }
        return services.file_appeal(principal_for_user(ent_hr_a), today=today, **data)

    return make


def p(user):
    return principal_for_user(user)
