import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import Membership, Organisation, User
from apps.accounts.roles import Role
from apps.core.models import Area

PASSWORD = "demo-pass-2026"


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试镇{n}")
    code = factory.Sequence(lambda n: f"450299{n:03d}")
    kind = Area.Kind.TOWN


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"柳州测试企业{n}有限公司")
    kind = Organisation.Kind.ENTERPRISE
    area = factory.SubFactory(AreaFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def user_with_role(role: str, organisation: Organisation | None = None, **kwargs) -> User:
    kind = {
        Role.PARK_ADMIN: Organisation.Kind.PARK,
        Role.ENTERPRISE_HR: Organisation.Kind.ENTERPRISE,
        Role.UNION_OFFICIAL: Organisation.Kind.UNION,
        Role.MEDIATOR: Organisation.Kind.MEDIATION,
        Role.INSPECTOR: Organisation.Kind.INSPECTION,
    }[role]
    organisation = organisation or OrganisationFactory(kind=kind)
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user
