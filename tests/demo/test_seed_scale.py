"""`manage.py seed_scale` at a tiny scale on the test database: the rows are valid (the project's
own validators, rules and lifecycle tables agree with them), the counts follow the scale, and the
app's pages work over them."""

import datetime as dt
import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from stdnum.cn import uscc

from apps.accounts.models import Membership, Organisation, User
from apps.accounts.roles import Role
from apps.certification.models import Application, Certificate, Round
from apps.contracts import rules as contract_rules
from apps.contracts.models import ContractHistory, ESignature, LabourContract, Worker
from apps.core import personal_data
from apps.demo import scale as district
from apps.enterprises.models import Enterprise, EnterpriseSurvey
from apps.mediation import rules as mediation_rules
from apps.mediation.models import Applicant, Case, CaseHistory, SerialCounter
from apps.unions.models import UnionCoverage

pytestmark = pytest.mark.django_db

SCALE = 0.0005
ID_NUMBER = re.compile(r"\d{17}[\dX]")


def seed(**options):
    out = io.StringIO()
    call_command("seed_scale", scale=SCALE, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def built():
    return seed()


def test_counts_follow_the_scale(built):
    counts = district.counts_for(SCALE)
    assert counts == {
        "enterprises": 10,
        "contracts": 531,
        "workers": 343,
        "esignatures": 312,
        "cases": 50,
        "applications": 10,
    }
    assert Enterprise.objects.count() == counts["enterprises"]
    assert LabourContract.objects.count() == counts["contracts"]
    assert Worker.objects.count() == counts["workers"]
    assert ESignature.objects.count() == counts["esignatures"]
    assert Case.objects.count() == counts["cases"]
    assert Application.objects.count() == counts["applications"]
    assert EnterpriseSurvey.objects.count() == 2 * counts["enterprises"]
    # The output names the rows per table and the time per phase.
    assert "contracts_labourcontract" in built and "Time per phase" in built
    # The 5 demo logins (the benchmark HR logins come with large enterprises only).
    for username in ("admin", "hr", "union", "mediator", "inspector"):
        assert User.objects.get(username=username).memberships.exists()


def test_a_second_run_refuses_without_reset_and_rebuilds_the_same_district_with_it(built):
    with pytest.raises(CommandError, match="--reset"):
        seed()
    before = (
        sorted(Enterprise.objects.values_list("uscc", "name")),
        sorted(LabourContract.objects.values_list("reference", "start", "end", "status")),
        sorted(Worker.objects.values_list("id_number_hash", flat=True)),
        sorted(Case.objects.values_list("serial", "status", "received_on")),
    )
    seed(reset=True)
    after = (
        sorted(Enterprise.objects.values_list("uscc", "name")),
        sorted(LabourContract.objects.values_list("reference", "start", "end", "status")),
        sorted(Worker.objects.values_list("id_number_hash", flat=True)),
        sorted(Case.objects.values_list("serial", "status", "received_on")),
    )
    assert after == before  # same seed, same district
    assert Enterprise.objects.count() == district.counts_for(SCALE)["enterprises"]


def test_refuses_production_settings(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="production"):
        seed()


def test_registry_codes_are_valid(built):
    codes = list(Enterprise.objects.values_list("uscc", flat=True))
    assert codes and all(uscc.is_valid(code) for code in codes)
    assert len(set(codes)) == len(codes)
    for e in Enterprise.objects.select_related("organisation", "latest_survey"):
        assert e.organisation.kind == Organisation.Kind.ENTERPRISE and e.organisation.code == e.uscc
        assert e.latest_survey.year == timezone.localdate().year
        assert e.latest_survey.employees == e.employees
        assert e.town.parent is not None
    covered = UnionCoverage.objects.count()
    assert covered == round(district.registry.UNION_COVERAGE * Enterprise.objects.count())


def test_workers_id_numbers_are_valid_encrypted_and_hashed(built):
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, id_number, id_number_hash FROM contracts_worker")
        raw = cursor.fetchall()
    births = dict(Worker.objects.values_list("id", "birth_date"))
    sexes = dict(Worker.objects.values_list("id", "sex"))
    for worker_id, token, digest in raw:
        assert not ID_NUMBER.search(token), "a readable ID number in the table"
        number = personal_data.decrypt(token)
        assert personal_data.validate_id_number(number) == number
        assert personal_data.lookup_hash(number) == digest
        born, sex = personal_data.birth_date_and_sex(number)
        assert (born, sex) == (births[worker_id], sexes[worker_id])
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        assert 18 <= age <= 60
    assert len({d for _w, _t, d in raw}) == len(raw)
    # Every worker was at least 18 when the work began.
    for worker_id, start in LabourContract.objects.values_list("worker_id", "employment_start"):
        born = births[worker_id]
        assert dt.date(born.year + 18, born.month, min(born.day, 28)) <= start


def test_contracts_chain_without_overlap_and_statuses_agree_with_dates(built):
    today = timezone.localdate()
    S = LabourContract.Status
    chains: dict = {}
    for c in LabourContract.objects.order_by("start"):
        chains.setdefault((c.worker_id, c.enterprise_id), []).append(c)
        if c.status == S.IN_FORCE:
            assert c.start <= today and (c.end is None or c.end >= today)
        elif c.status == S.EXPIRED:
            assert c.end is not None and c.end < today and c.terminated_on is None
        elif c.status == S.TERMINATED:
            assert c.start <= c.terminated_on <= min(c.end or today, today)
            assert c.terminated_on <= c.termination_filed_on <= today
            assert c.termination_reason
        if c.probation_end:
            assert c.probation_end >= c.start
        if c.kind == contract_rules.Kind.PART_TIME:
            assert c.hourly_pay and c.weekly_hours <= contract_rules.PART_TIME_WEEKLY_HOURS
        else:
            assert c.monthly_pay and c.monthly_pay >= 1990
    for contracts in chains.values():
        for before, after in zip(contracts, contracts[1:], strict=False):
            assert before.end is not None and before.end < after.start  # no overlap
            assert after.start == before.end + dt.timedelta(days=1)
            assert before.status == S.RENEWED
        assert contracts[-1].status != S.RENEWED
    # What the app's own check says about each contract: nothing refused.
    for contracts in chains.values():
        priors = []
        for c in contracts:
            findings = contract_rules.check(
                contract_rules.Terms(
                    kind=c.kind, employment_start=c.employment_start, start=c.start, end=c.end, task=c.task,
                    probation_end=c.probation_end, hours_system=c.hours_system, hours_approval=c.hours_approval,
                    monthly_pay=c.monthly_pay, hourly_pay=c.hourly_pay, weekly_hours=c.weekly_hours,
                    signed_on=c.signed_on,
                ),
                priors,
                None,
            )  # fmt: skip
            assert not [f for f in findings if f.severity == contract_rules.REFUSE], c
            priors.append(contract_rules.Prior(c.kind, c.start, c.end, c.probation_end is not None))
    # History: one "file" per contract, one "renew" per renewed one, and the endings.
    actions = Counter(ContractHistory.objects.values_list("action", flat=True))
    statuses = Counter(LabourContract.objects.values_list("status", flat=True))
    assert actions["file"] == LabourContract.objects.count()
    assert actions["renew"] == statuses[S.RENEWED]
    assert actions["expire"] == statuses[S.EXPIRED]
    assert actions["terminate"] == statuses[S.TERMINATED]


def test_e_signatures_are_unique_per_platform_and_signed_in_order(built):
    rows = list(ESignature.objects.select_related("contract"))
    assert len({(s.platform, s.record_id) for s in rows}) == len(rows)
    for s in rows:
        assert s.contract.signing == LabourContract.Signing.E_SIGNATURE
        assert s.employer_signed_at <= s.worker_signed_at <= timezone.now()
        assert timezone.localtime(s.employer_signed_at).date() == s.contract.signed_on
        assert re.fullmatch(r"[0-9a-f]{64}", s.sha256)
    assert not LabourContract.objects.filter(signing="e_signature", esignature__isnull=True).exists()


def test_mediation_cases_serials_clocks_and_applicants(built):
    S = Case.Status
    serials = list(Case.objects.values_list("serial", flat=True))
    assert len(set(serials)) == len(serials)
    last = Counter()
    for case in Case.objects.all():
        year, number = re.fullmatch(r"[A-Z]+(\d{4})-(\d{5})", case.serial).groups()
        assert int(year) == case.received_on.year
        last[int(year)] = max(last[int(year)], int(number))
        decision_due, due = mediation_rules.clocks(case.received_on, case.channel)
        assert case.decision_due_on == decision_due
        assert case.due_on >= due and (case.due_on == due or case.extensions.exists())
        history = list(CaseHistory.objects.filter(subject=case).order_by("at"))
        assert history[0].action == "receive" and history[-1].to_status == case.status
        if case.status == S.CLOSED or (case.status == S.ARCHIVED and history[-2].action != "refuse"):
            assert case.outcome
        if case.status in (S.RECEIVED, S.IN_MEDIATION):
            assert not case.outcome and case.closed_on is None
        assert case.received_on <= (case.closed_on or case.received_on) <= timezone.localdate()
    # The app allocates the next serial after the last one given.
    assert dict(SerialCounter.objects.values_list("year", "last")) == dict(last)
    for applicant in Applicant.objects.all():
        assert personal_data.validate_id_number(applicant.id_number) == applicant.id_number
        assert personal_data.lookup_hash(applicant.id_number) == applicant.id_number_hash


def test_certification_follows_the_lifecycle(built):
    assert Round.objects.count() == 4
    for app in Application.objects.select_related("target_level"):
        if app.status == Application.Status.CERTIFIED:
            cert = Certificate.objects.get(application=app)
            assert app.reviewed_score >= app.target_level.min_score
            assert cert.level_id == app.target_level_id and cert.enterprise_id == app.enterprise_id
        assert app.history.count() or app.status == Application.Status.DRAFT
    assert len(set(Certificate.objects.values_list("number", flat=True))) == Certificate.objects.count()


@pytest.mark.parametrize(
    "path", ["/contracts/", "/mediation/", "/enterprises/", "/certification/", "/unions/"]
)
def test_the_pages_work_over_the_data_as_a_park_admin(built, client, path):
    admin = User.objects.get(username="admin")
    assert Membership.objects.filter(user=admin, role=Role.PARK_ADMIN).exists()
    client.force_login(admin)
    response = client.get(path)
    assert response.status_code == 200
