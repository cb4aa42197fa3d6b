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
        Role.LEADER: Organisation.Kind.PARK,
    }[role]
    organisation = organisation or OrganisationFactory(kind=kind)
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


# Enterprise registry and unions (issue 3) ----------------------------------------------------------

_uscc_rng = __import__("random").Random(4502)


def valid_uscc() -> str:
    """A fresh valid unified social credit code (GB 32100-2015 check character)."""
    from apps.demo.generators import make_uscc

    return make_uscc(_uscc_rng)


class TownFactory(AreaFactory):
    kind = Area.Kind.TOWN


class EnterpriseFactory(DjangoModelFactory):
    """An Enterprise with its Organisation, as `enterprises.services.create_enterprise` makes it."""

    class Meta:
        model = "enterprises.Enterprise"

    uscc = factory.LazyFunction(valid_uscc)
    name = factory.Sequence(lambda n: f"柳州测试{n}制造有限公司")
    town = factory.SubFactory(TownFactory)
    industry = "C"
    ownership = "private"
    employees = 100
    status = "operating"
    legal_representative = "王强"
    organisation = factory.LazyAttribute(
        lambda e: Organisation.objects.create(
            name=e.name, kind=Organisation.Kind.ENTERPRISE, code=e.uscc, area=e.town
        )
    )


class SurveyFactory(DjangoModelFactory):
    class Meta:
        model = "enterprises.EnterpriseSurvey"
        skip_postgeneration_save = True

    enterprise = factory.SubFactory(EnterpriseFactory)
    year = 2025
    employees = 100
    union_members = 30
    women = 40
    migrant_workers = 20

    @factory.post_generation
    def _latest(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            latest = obj.enterprise.surveys.order_by("-year").first()
            type(obj.enterprise).objects.filter(pk=obj.enterprise_id).update(latest_survey=latest)
            obj.enterprise.latest_survey = latest


class UnionFactory(DjangoModelFactory):
    class Meta:
        model = "unions.Union"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试工会{n}")
    kind = "enterprise"
    members = 30
    chair_name = "李慕江"
    organisation = factory.LazyAttribute(
        lambda u: Organisation.objects.create(name=u.name, kind=Organisation.Kind.UNION)
    )

    @factory.post_generation
    def enterprises(obj, create, extracted, **kwargs):  # noqa: N805
        from apps.unions.models import UnionCoverage

        if create and extracted:
            for enterprise in extracted:
                UnionCoverage.objects.create(union=obj, enterprise=enterprise)
