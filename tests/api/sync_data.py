"""Rows for the incremental-sync, unknown-parameter and conditional-request tests (issue 15): one
or more of each kind the API lists, made through the services where they are cheap, and the
router's routes to walk."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from apps.accounts.scopes import SCOPES
from apps.accounts.services import create_api_client
from config.api import router

API = "/api/v1/"
#: Every scope but the intake one (which narrows the mediation list to the cases a client sent).
ALL_SCOPES = sorted(scope for scope in SCOPES if scope != "mediation:intake")


def list_routes() -> list[tuple[str, type]]:
    """(prefix, viewset) of every list of the router."""
    return [(prefix, viewset) for prefix, viewset, _basename in router.registry if hasattr(viewset, "list")]


def detail_routes() -> list[tuple[str, type]]:
    return [
        (prefix, viewset) for prefix, viewset, _basename in router.registry if hasattr(viewset, "retrieve")
    ]


def client_with(client, scopes=ALL_SCOPES, name="sync-system", area=None):
    """A Django test client authenticated as a new API client with `scopes`."""
    with transaction.atomic():
        api_client, key = create_api_client(name=name, scopes=list(scopes), area=area)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return api_client


def populate(api_client=None) -> dict:
    """A small park: two enterprises (and their organisations), a union, two contracts, a contract
    import, a mediation organisation and case, an inspection case with its order, an interview, a
    written review, a credit grade, a published serious violation, a veto event and the risks."""
    from apps.certification.models import VetoEvent
    from apps.contracts import services as contracts
    from apps.contracts.models import ImportJob
    from apps.core.principal import SYSTEM
    from apps.inspection import services as inspection
    from apps.inspection.models import CreditGrade, Interview, SeriousViolation, WrittenReview
    from apps.mediation import services as mediation
    from apps.mediation.models import MediationOrganisation
    from apps.risk import services as risk
    from tests.contracts.conftest import row
    from tests.factories import EnterpriseFactory, UnionFactory
    from tests.mediation.conftest import applicant

    today = timezone.localdate()
    ent_a, ent_b = EnterpriseFactory(), EnterpriseFactory()
    union = UnionFactory(enterprises=[ent_a])
    with transaction.atomic():
        contracts.file_batch(SYSTEM, [row(ent_a, 1), row(ent_b, 2)])
    ImportJob.objects.create(
        file=ContentFile(b"x", name="contracts.csv"),
        file_name="contracts.csv",
        file_sha256="0" * 64,
        api_client=api_client,
    )
    organisation = mediation.create_organisation(
        SYSTEM, name="雒容镇劳动争议调解中心", kind=MediationOrganisation.Kind.TOWN, towns=[ent_a.town]
    )
    mediation_case, _code = mediation.apply_online(
        applicants=[applicant(7)],
        consent=True,
        types=["remuneration"],
        claims="支付拖欠工资 12000 元",
        amount_claimed="12000",
        respondent_enterprise=ent_a,
    )
    case, _created = inspection.register_case(
        SYSTEM, source="patrol", enterprise=ent_a, matters=["no_written_contract"], facts="巡查发现"
    )
    inspection.accept(SYSTEM, case)
    inspection.start_investigation(SYSTEM, case)
    inspection.decide(
        SYSTEM, case, "decide_order", items=["签订劳动合同"], order_due_on=today + dt.timedelta(days=30)
    )
    Interview.objects.create(enterprise=ent_b, case=case, proposed_on=today)
    WrittenReview.objects.create(enterprise=ent_a, year=2025, due_on=dt.date(2026, 5, 31))
    CreditGrade.objects.create(enterprise=ent_a, year=2025, grade="B", computed_on=today)
    SeriousViolation.objects.create(
        enterprise=ent_b,
        decided_on=today,
        decision_reference="柳人社监处〔2026〕99号",
        publish_by=today + dt.timedelta(days=28),
        published_on=today,
        summary="拒不支付劳动报酬",
    )
    VetoEvent.objects.create(
        enterprise=ent_b,
        kind="wage_arrears",
        kind_name="欠薪",
        occurred_on=today,
        source="柳人社监〔2026〕1号",
    )
    # New forms of employment (issue 19): a platform company and a driver working through it.
    from apps.core.personal_data import with_check_character
    from apps.unions import services as unions
    from apps.unions.models import Platform

    platform = Platform.objects.create(name="畅行出行", kind=Platform.Kind.RIDE_HAILING)
    unions.register_platform_worker(
        SYSTEM,
        name="黄师傅",
        id_number=with_check_character("45020619900307011"),
        town=ent_a.town,
        occupation="driver",
        relationship="independent",
        platforms=[platform],
    )
    # Worker assistance (issue 19): a hardship file on record and aid paid to it.
    from apps.assistance import services as assistance

    hardship = assistance.create_file(
        SYSTEM,
        enterprise=ent_a,
        name="困难职工",
        id_number=with_check_character("45020519850612001"),
        difficulties=["illness"],
        household_size=3,
        household_monthly_income="1500",
    )
    hardship = assistance.assess(SYSTEM, hardship, assessed_on=today, assessor="王")
    hardship = assistance.approve(SYSTEM, hardship, approved_on=today)
    assistance.pay_aid(
        SYSTEM,
        hardship,
        kind="medical",
        amount="1000",
        paid_on=today,
        funding_source="帮扶资金",
        approved_by="李",
    )
    # Legal aid and enterprise appeals (issue 19): a worker's online request, an HR's appeal.
    from apps.accounts.roles import Role
    from apps.appeals import services as appeals
    from apps.core.principal import ANONYMOUS, principal_for_user
    from apps.legalaid import services as legalaid
    from tests.factories import user_with_role

    legalaid.register_request(
        ANONYMOUS,
        name="工人一",
        id_number=with_check_character("45020519900101123"),
        phone="13807710001",
        kind="mediation",
        facts="公司拖欠三个月工资。",
        claims="支付拖欠工资 12000 元",
        consent=True,
        enterprise=ent_a,
    )
    appeals.file_appeal(
        principal_for_user(user_with_role(Role.ENTERPRISE_HR, ent_a.organisation)),
        enterprise=ent_a,
        kind="hiring",
        subject="招聘普工30名",
        text="请协助对接劳务基地。",
        contact_name="王芳",
        contact_phone="13877201234",
    )
    # The risk watch list (issue 17): computed by its daily job (after commit in a real request).
    risk.recompute(today)
    return {
        "ent_a": ent_a,
        "ent_b": ent_b,
        "union": union,
        "mediation_organisation": organisation,
        "mediation_case": mediation_case,
        "inspection_case": case,
    }
