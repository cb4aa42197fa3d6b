"""The demo park's contracts (seed_demo): tens of thousands of contracts of every kind, status and
signing method, a flag for every check computed as the services compute it, the demo HR user's
rich book, a signed file altered after signing — and a second run that creates nothing."""

import datetime as dt
import io
import re
from collections import Counter, defaultdict
from pathlib import Path

from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from apps.accounts.models import Membership, User
from apps.accounts.roles import Role
from apps.contracts import rules, selectors, services
from apps.contracts.models import ContractHistory, ContractPolicy, ESignature, LabourContract, Worker
from apps.core import personal_data
from apps.core.principal import SYSTEM, principal_for_user
from apps.demo import contracts as demo
from apps.enterprises.models import Enterprise

S = LabourContract.Status
K = rules.Kind
#: Every code `rules.check` can flag (REFUSE findings are never filed), read from the rules.
FLAG_CODES = set(re.findall(r'"(\w+)",\s*FLAG,', Path(rules.__file__).read_text()))
SUMMARY = re.compile(r"Contracts: (\d+) filed for (\d+) workers at (\d+) enterprises")


def _hr():
    user = User.objects.get(username="hr")
    membership = Membership.objects.get(user=user, role=Role.ENTERPRISE_HR)
    return user, Enterprise.objects.get(organisation_id=membership.organisation_id)


def test_the_park_its_lifecycle_and_its_flags(demo_park):
    today = timezone.localdate()
    match = SUMMARY.search(demo_park)
    assert match, demo_park
    contracts = LabourContract.objects.all()
    total = contracts.count()
    assert 22_000 <= total <= 32_000 and int(match[1]) == total
    assert int(match[2]) == Worker.objects.count() and 14_000 <= Worker.objects.count() <= 22_000
    assert int(match[3]) == Enterprise.objects.count() == 200

    # Every status and kind; mostly fixed terms, some open-ended, part-time and task contracts.
    statuses = Counter(contracts.values_list("status", flat=True))
    assert set(statuses) == set(S.values)
    assert (
        statuses[S.IN_FORCE] > total / 2
        and statuses[S.RENEWED] > statuses[S.TERMINATED] > statuses[S.EXPIRED]
    )
    kinds = Counter(contracts.values_list("kind", flat=True))
    assert set(kinds) == set(K.values)
    assert kinds[K.FIXED_TERM] > 0.6 * total and kinds[K.OPEN_ENDED] > 0.05 * total
    assert kinds[K.PART_TIME] > 100 and kinds[K.TASK] > 50
    fixed = contracts.filter(kind=K.FIXED_TERM).values_list("start", "end")
    terms = Counter(round((end - start).days / 365.25) for start, end in fixed)
    assert terms.most_common(1)[0][0] == 3
    hours = Counter(contracts.values_list("hours_system", flat=True))
    assert set(hours) == set(rules.HoursSystem.values)
    assert not contracts.exclude(hours_system="standard").filter(hours_approval="").exists()

    # About 60 % e-signed on 乐签 (each with its record), the rest on paper (none).
    e_signed = contracts.filter(signing=LabourContract.Signing.E_SIGNATURE)
    assert 0.5 <= e_signed.count() / total <= 0.7
    assert ESignature.objects.count() == e_signed.count()
    assert not contracts.filter(signing=LabourContract.Signing.PAPER, esignature__isnull=False).exists()
    assert set(ESignature.objects.values_list("platform", flat=True)) == {demo.PLATFORM}
    assert not e_signed.filter(signed_on__lt=demo.PLATFORM_SINCE).exists()
    signature = ESignature.objects.select_related("contract").order_by("record_id").first()
    assert re.fullmatch(r"[0-9a-f]{64}", signature.sha256) and signature.timestamp_token
    assert signature.employer_signed_at <= signature.worker_signed_at <= timezone.now()
    assert timezone.localtime(signature.employer_signed_at).date() == signature.contract.signed_on

    # The lifecycle as the services leave it: nothing in force past its end, nothing signed or
    # filed in the future; a renewed contract is followed the next day by the same worker's.
    assert not contracts.filter(status=S.IN_FORCE, end__lt=today).exists()
    assert not contracts.filter(Q(signed_on__gt=today) | Q(created_at__gt=timezone.now())).exists()
    assert not contracts.filter(status=S.EXPIRED, end__gte=today).exists()
    starts = set(contracts.values_list("worker_id", "enterprise_id", "start"))
    for worker, enterprise, end in contracts.filter(status=S.RENEWED).values_list(
        "worker_id", "enterprise_id", "end"
    ):
        assert (worker, enterprise, end + dt.timedelta(days=1)) in starts
    terminated = contracts.filter(status=S.TERMINATED)
    assert not terminated.filter(
        Q(terminated_on__isnull=True) | Q(termination_filed_on__isnull=True)
    ).exists()
    assert not terminated.filter(termination_reason="").exists()
    assert not terminated.filter(terminated_on__lt=F("start")).exists()
    assert not contracts.exclude(status=S.TERMINATED).filter(terminated_on__isnull=False).exists()
    history = Counter(ContractHistory.objects.values_list("action", flat=True))
    assert history["file"] == total
    assert history["renew"] == statuses[S.RENEWED] and history["expire"] == statuses[S.EXPIRED]
    assert history["terminate"] == statuses[S.TERMINATED]

    # Expiring soon, lapsed, filed late: the park's figures are all there.
    totals = selectors.park_totals(SYSTEM, today)
    assert all(totals[key] > 0 for key in totals), totals
    assert selectors.expiring(contracts, today, 30).count() > 100
    big = Enterprise.objects.order_by("-employees")[:20]
    assert selectors.late_terminations(terminated.filter(enterprise__in=big)).exists()

    _every_check_is_flagged_as_the_services_compute_it()


def _every_check_is_flagged_as_the_services_compute_it():
    contracts = LabourContract.objects.all()
    flags = Counter(
        code for row in contracts.exclude(flags=[]).values_list("flags", flat=True) for code in row
    )
    assert set(flags) == FLAG_CODES, set(flags) ^ FLAG_CODES
    assert len(FLAG_CODES) == 9
    assert 0.01 <= contracts.exclude(flags=[]).count() / contracts.count() <= 0.05

    # Recompute the flags of the demo HR user's enterprise and of a sample of the park as
    # `services.file_batch` does: the worker's earlier contracts at the employer, the policy then.
    _user, enterprise = _hr()
    sample = set(contracts.filter(enterprise=enterprise).values_list("pk", flat=True))
    sample |= set(contracts.exclude(flags=[]).values_list("pk", flat=True)[:300])
    sample |= set(contracts.order_by("pk").values_list("pk", flat=True)[:1500])
    chosen = list(contracts.filter(pk__in=sample))
    others = defaultdict(list)
    for c in contracts.filter(worker__in={c.worker_id for c in chosen}):
        others[(c.worker_id, c.enterprise_id)].append(c)
    policies = list(ContractPolicy.objects.all())
    for c in chosen:
        earlier = [rules.prior_of(o) for o in others[(c.worker_id, c.enterprise_id)] if o.start < c.start]
        # At filing the earlier ones had not ended early.
        earlier = [rules.Prior(p.kind, p.start, p.end, p.had_probation, None, p.reference) for p in earlier]
        policy = rules.policy_on(policies, c.start)
        findings = rules.check(
            rules.Terms(
                kind=c.kind,
                employment_start=c.employment_start,
                start=c.start,
                end=c.end,
                task=c.task,
                probation_end=c.probation_end,
                hours_system=c.hours_system,
                hours_approval=c.hours_approval,
                monthly_pay=c.monthly_pay,
                hourly_pay=c.hourly_pay,
                weekly_hours=c.weekly_hours,
                signed_on=c.signed_on,
            ),
            earlier,
            rules.Policy(policy.monthly_minimum_wage, policy.hourly_minimum_wage) if policy else None,
        )
        assert [f.code for f in findings] == c.flags, (c.reference, c.flags, findings)


def test_workers_signing_rates_and_the_hr_users_book(demo_park):
    today = timezone.localdate()
    # Valid ID numbers, with the birth date and sex they carry and their keyed hash.
    workers = list(Worker.objects.order_by("pk")[:500])
    for w in workers:
        assert personal_data.validate_id_number(w.id_number) == w.id_number
        assert personal_data.birth_date_and_sex(w.id_number) == (w.birth_date, w.sex)
        assert w.id_number_hash == personal_data.lookup_hash(w.id_number)
        assert personal_data.PHONE_RE.match(w.phone)
    assert Worker.objects.filter(contracts__isnull=True).count() == 0
    # A few moved from one enterprise of the park to another.
    moved = Worker.objects.annotate(n=Count("contracts__enterprise", distinct=True)).filter(n__gt=1)
    assert moved.exists()
    # Working age when they started.
    for w in Worker.objects.order_by("?")[:300].prefetch_related("contracts"):
        for c in w.contracts.all():
            assert (c.employment_start - w.birth_date).days >= 16 * 365

    # Most enterprises sign 70 to 100 % of their workforce, some far less.
    in_force = dict(
        selectors.in_force(LabourContract.objects.all(), today)
        .values_list("enterprise")
        .annotate(n=Count("worker", distinct=True))
    )
    rates = [
        in_force.get(e.pk, 0) / e.employees
        for e in Enterprise.objects.filter(status="operating", employees__gt=0)
    ]
    high = sum(0.7 <= r <= 1 for r in rates)
    assert high >= 0.6 * len(rates)
    assert sum(r < 0.6 for r in rates) >= 10
    assert all(r <= 1 for r in rates)
    closed = Enterprise.objects.exclude(status="operating")
    assert not LabourContract.objects.filter(
        enterprise__in=closed, status__in=[S.IN_FORCE, S.EXPIRED]
    ).exists()

    _the_hr_users_book_has_every_figure()


def _the_hr_users_book_has_every_figure():
    today = timezone.localdate()
    user, enterprise = _hr()
    principal = principal_for_user(user)
    book = selectors.contract_book(principal, enterprise, today)
    assert 500 <= book["total"] <= 2500 and book["in_force"] >= 300
    assert 85 <= book["signing_rate"] <= 100
    assert book["e_share"] and 50 <= book["e_share"] <= 100
    assert all(book["counts"][key] > 0 for key in selectors.BOOK_LISTS), book["counts"]
    assert book["counts"]["expiring_60"] > book["counts"]["expiring_30"]
    for key in selectors.BOOK_LISTS:
        listed = selectors.book_list(
            LabourContract.objects.visible_to(principal).filter(enterprise=enterprise), key, today
        )
        assert listed.count() == book["counts"][key]
    # Its flags: every check.
    flags = {
        code
        for row in LabourContract.objects.filter(enterprise=enterprise).values_list("flags", flat=True)
        for code in row
    }
    assert flags == FLAG_CODES
    # Filed on the page by the demo HR user, imported, pushed through the API.
    filed = LabourContract.objects.filter(enterprise=enterprise)
    assert set(filed.values_list("source", flat=True)) == set(LabourContract.Source.values)
    assert filed.filter(source=LabourContract.Source.PAGE, filed_by=user).exists()
    # The daily alert reaches the HR user.
    assert services.send_contract_alerts(today)["enterprises"] >= 1
    assert user.notifications.filter(link__contains=str(enterprise.pk)).exists()


def test_the_signed_files_a_tampered_one_and_a_second_run(demo_park):
    user, enterprise = _hr()
    principal = principal_for_user(user)
    stored = list(ESignature.objects.exclude(file="").select_related("contract").order_by("created_at"))
    assert len(stored) == demo.STORED_FILES
    assert all(s.contract.enterprise_id == enterprise.pk for s in stored)
    results = {s.record_id: services.verify_signed_file(principal, s.contract) for s in stored}
    assert list(results.values()).count(False) == 1
    tampered = ESignature.objects.get(tampered=True)
    assert results[tampered.record_id] is False and tampered.last_verified_at is not None
    with tampered.file.open("rb") as fh:
        assert fh.read().startswith(b"%PDF-1.4")
    # The stored intact files are the platform's PDF whose hash was declared.
    intact = next(s for s in stored if s.record_id != tampered.record_id)
    with intact.file.open("rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    assert intact.contract.reference.encode() in data
    assert intact.contract.worker.id_number.encode() not in data  # only the masked number

    # A second run creates nothing and says so.
    before = (
        LabourContract.objects.count(),
        Worker.objects.count(),
        ESignature.objects.count(),
        ContractHistory.objects.count(),
    )
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    after = (
        LabourContract.objects.count(),
        Worker.objects.count(),
        ESignature.objects.count(),
        ContractHistory.objects.count(),
    )
    assert after == before
    assert f"Contracts: nothing new ({before[0]} filed, {before[1]} workers)." in out.getvalue()
