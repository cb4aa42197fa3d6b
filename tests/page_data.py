"""A small park for tests that visit every page (the CSP crawl, the CSP browser journey): two
towns of enterprises with surveys and a union each, a certification round with one valid title,
and a mediation organisation with a case, so that every figures page draws its charts."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from apps.accounts.roles import Role
from apps.certification.default_rules import create_default
from apps.certification.models import (
    Application,
    Category,
    Certificate,
    Item,
    Level,
    Round,
    RuleSet,
    VetoRule,
)
from apps.core.personal_data import with_check_character
from apps.core.principal import SYSTEM
from apps.mediation import services as mediation
from apps.mediation.models import MediationOrganisation, Mediator
from tests.factories import EnterpriseFactory, SurveyFactory, TownFactory, UnionFactory, user_with_role


def build_park() -> dict:
    today = timezone.localdate()
    towns = [TownFactory(name="雒容镇", code="450206100"), TownFactory(name="洛埠镇", code="450206101")]
    enterprises = []
    for i, town in enumerate(towns):
        for j in range(2):
            enterprise = EnterpriseFactory(town=town, established_on=dt.date(2015, 3, 1), employees=120)
            SurveyFactory(enterprise=enterprise, year=today.year - 1, employees=120, union_members=60 + i + j)
            enterprises.append(enterprise)
    union = UnionFactory(enterprises=[enterprises[0], enterprises[2]])
    rule_set = RuleSet.objects.filter(version=1).order_by("year").first() or create_default(
        RuleSet, Level, VetoRule, Category, Item, region=settings.PARK_NAME, year=today.year
    )
    cert_round = Round.objects.create(
        rule_set=rule_set,
        name=f"{today.year}年度",
        year=today.year,
        opens_on=today - dt.timedelta(days=30),
        closes_on=today + dt.timedelta(days=60),
    )
    level = rule_set.levels.get(code="A")
    application = Application.objects.create(
        round=cert_round, rule_set=rule_set, enterprise=enterprises[1], target_level=level, status="certified"
    )
    Certificate.objects.create(
        number="HX-CSP-1",
        application=application,
        enterprise=enterprises[1],
        level=level,
        round=cert_round,
        issuer=rule_set.issuer,
        issued_on=today - dt.timedelta(days=30),
        valid_until=today + dt.timedelta(days=900),
    )
    org = mediation.create_organisation(
        SYSTEM, name="雒容镇劳动争议调解中心", kind=MediationOrganisation.Kind.TOWN, towns=[towns[0]]
    )
    mediator = user_with_role(Role.MEDIATOR, org.organisation, full_name="李调解")
    mediation.save_mediator(
        SYSTEM, Mediator(organisation=org, user=mediator, name="李调解", specialities=["remuneration"])
    )
    case, _code = mediation.apply_online(
        applicants=[
            {
                "name": "张三",
                "id_number": with_check_character("45020519900307017"),
                "phone": "13807712345",
                "job": "装配工",
                "employed_from": dt.date(2022, 3, 1),
            }
        ],
        consent=True,
        types=["remuneration"],
        claims="支付拖欠工资 12000 元",
        amount_claimed="12000",
        respondent_enterprise=enterprises[0],
    )
    return {
        "towns": towns,
        "enterprises": enterprises,
        "union": union,
        "round": cert_round,
        "case": case,
        "mediation_org": org,
        "admin": user_with_role(Role.PARK_ADMIN),
        "hr": user_with_role(Role.ENTERPRISE_HR, enterprises[0].organisation),
        "union_official": user_with_role(Role.UNION_OFFICIAL, union.organisation),
        "mediator": mediator,
        "inspector": user_with_role(Role.INSPECTOR),
    }
