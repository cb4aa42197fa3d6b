"""The demo park's worker assistance (issue 19 items 1 and 2; seed 002).

60 hardship files on enterprises covered by a union (a dozen on the enterprises of the demo union
official's union, so that `union` sees them and the demo HR of the same enterprise does not): 5
drafts, 5 assessed, 4 rejected, 36 on file and 10 exited (脱困) with reason and date; some linked
to a worker of the contract library, a few reviews due. Aid over the last three years: a Spring
Festival campaign (春节送温暖) each January to every file on file then, and medical, education,
emergency, mutual medical aid and women workers' special insurance payments. Rows are written
directly with what the services would produce (income per head and threshold from `rules` and the
policy, a history row per step, the review a year after approval). Dates are never in the future.
Idempotent: nothing is created when files exist.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from apps.accounts.roles import Role
from apps.assistance import rules, selectors
from apps.assistance.models import Aid, AidKind, Difficulty, HardshipFile, HardshipFileHistory
from apps.contracts.models import LabourContract
from apps.core import personal_data
from apps.demo import generators as demo
from apps.unions.models import UnionCoverage

FILES = 60
#: Status of the 60 files, oldest first: files on record and exited mixed over three years and a
#: bit (the first one on record, so every year's campaign has workers to visit), then the recent
#: rejections and files still in assessment.
ON_RECORD = ["approved"] * 36 + ["exited"] * 10
LATER = ["rejected"] * 4 + ["assessed"] * 5 + ["draft"] * 5
#: Days between the oldest file and today: more than three years.
SPAN_DAYS = 1200
EXIT_REASONS = [
    "子女大学毕业就业，家庭收入明显提高",
    "本人病愈复工，收入恢复",
    "配偶再就业，人均收入超过标准",
    "获得工伤赔偿，生活困难缓解",
]
SITUATIONS = {
    "illness": "本人患重病长期治疗，医疗支出大",
    "disability": "本人因工致残，劳动能力部分丧失",
    "single_parent": "单亲抚养子女，独自承担家庭开支",
    "disaster": "家中遭遇火灾，房屋受损",
    "unemployment": "配偶失业在家，家庭收入来源单一",
    "other": "父母年迈多病，赡养负担重",
}
FUNDS = ["园区工会帮扶资金", "市总工会困难职工帮扶专项资金", "企业工会经费"]
APPROVERS = ["王杰（园区工会主席）", "李慕江（工会副主席）"]


def _history(file, rows):
    for at, action, frm, to, reason in rows:
        h = HardshipFileHistory.objects.create(
            subject=file, action=action, from_status=frm, to_status=to, actor_label="demo", reason=reason
        )
        HardshipFileHistory.objects.filter(pk=h.pk).update(
            at=timezone.make_aware(dt.datetime.combine(at, dt.time(10, 0)))
        )


def _enterprises():
    """Covered enterprises, those of the demo union official's union first."""
    coverage = list(UnionCoverage.objects.select_related("enterprise", "union").order_by("enterprise__name"))
    own = set(
        UnionCoverage.objects.filter(
            union__organisation__memberships__user__username="union",
            union__organisation__memberships__role=Role.UNION_OFFICIAL,
        ).values_list("enterprise_id", flat=True)
    )
    return [c for c in coverage if c.enterprise_id in own], [
        c for c in coverage if c.enterprise_id not in own
    ]


def seed(rng, stdout) -> None:
    if HardshipFile.objects.exists():
        stdout.write("  assistance: hardship files exist, left alone")
        return
    own, others = _enterprises()
    if not own and not others:
        stdout.write("  assistance: no enterprise covered by a union, nothing to do")
        return
    today = timezone.localdate()
    workers = {}
    for contract in LabourContract.objects.filter(
        enterprise__in=[c.enterprise for c in own + others]
    ).select_related("worker")[:2000]:
        workers.setdefault(contract.enterprise_id, []).append(contract.worker)
    used_hashes = set()
    files = []
    mixed = ON_RECORD[1:]
    rng.shuffle(mixed)
    plan = [ON_RECORD[0], *mixed, *LATER]
    for i, status in enumerate(plan):
        cover = own[i % len(own)] if own and i % 5 == 0 else rng.choice(others or own)
        enterprise = cover.enterprise
        # Filed over the last three years, oldest first; the last ones in the last months.
        created = today - dt.timedelta(days=int((FILES - i) * SPAN_DAYS / FILES) - rng.randint(0, 10))
        worker = None
        candidates = [w for w in workers.get(enterprise.pk, []) if w.id_number_hash not in used_hashes]
        if candidates and rng.random() < 0.4:
            worker = rng.choice(candidates)
            name, number = worker.name, worker.id_number
        else:
            name = demo.person_name(rng)
            number = personal_data.with_check_character(
                f"450205{rng.randint(1965, 1998)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
            )
        number_hash = personal_data.lookup_hash(number)
        if number_hash in used_hashes:
            continue
        used_hashes.add(number_hash)
        kinds = rng.sample(Difficulty.values, rng.choice((1, 1, 2)))
        size = rng.randint(1, 5)
        qualifies = status != "rejected"
        per_head_target = rng.randint(350, 950) if qualifies else rng.randint(1150, 1800)
        income = Decimal(per_head_target * size)
        per_head = rules.income_per_head(income, size)
        threshold = selectors.threshold_on(created, enterprise.town_id)
        file = HardshipFile(
            name=name,
            id_number=number,
            id_number_hash=number_hash,
            phone=demo.phone(rng),
            worker=worker,
            enterprise=enterprise,
            union=cover.union,
            difficulties=kinds,
            situation="；".join(SITUATIONS[k] for k in kinds),
            household_size=size,
            household_monthly_income=income,
            income_per_head=per_head,
            status=status,
        )
        steps = [(created, "create", "", "draft", "")]
        if status != "draft" and threshold is not None:
            assessed = min(created + dt.timedelta(days=rng.randint(3, 10)), today)
            file.assessed_on, file.assessor = assessed, rng.choice(["王晓梅", "陈立新", "黄丽"])
            file.assessment_note = "入户走访核实家庭收入与困难情况"
            file.threshold, file.threshold_source = threshold.monthly_income_per_head, threshold.source
            file.qualifies = rules.qualifies(per_head, threshold.monthly_income_per_head)
            steps.append((assessed, "assess", "draft", "assessed", ""))
            if status == "rejected":
                steps.append((assessed, "reject", "assessed", "rejected", "家庭人均收入高于困难标准"))
            elif status in ("approved", "exited"):
                approved = min(assessed + dt.timedelta(days=rng.randint(2, 10)), today)
                file.approved_on, file.approved_by = approved, rng.choice(APPROVERS)
                steps.append((approved, "approve", "assessed", "approved", ""))
                last = approved
                while (
                    rules.review_due(last) <= today - dt.timedelta(days=rng.randint(0, 20))
                    and status == "approved"
                ):
                    last = rules.review_due(last)
                    steps.append((last, "review", "approved", "approved", "年度复核：仍符合困难职工条件"))
                    file.last_reviewed_on = last
                file.review_due = rules.review_due(last)
                if status == "exited":
                    exited = min(approved + dt.timedelta(days=rng.randint(120, 500)), today)
                    file.exited_on, file.exit_reason = exited, rng.choice(EXIT_REASONS)
                    file.review_due = None
                    steps.append((exited, "exit", "approved", "exited", file.exit_reason))
        elif status != "draft":
            file.status = "draft"
        file.save()
        HardshipFile.objects.filter(pk=file.pk).update(
            created_at=timezone.make_aware(dt.datetime.combine(created, dt.time(9, 0)))
        )
        _history(file, steps)
        files.append(file)
    aid = _aid(rng, files, today)
    stdout.write(f"  assistance: {len(files)} hardship files, {aid} aid payments")


def _aid(rng, files, today) -> int:
    rows = []
    for year in range(today.year - 2, today.year + 1):
        day = dt.date(year, 1, 20)
        if day > today:
            continue
        campaign = f"{year}年春节送温暖"
        for f in files:
            if f.approved_on and f.approved_on <= day and (f.exited_on is None or f.exited_on > day):
                rows.append(
                    Aid(
                        file=f,
                        kind=AidKind.SPRING_FESTIVAL,
                        amount=Decimal(rng.choice((500, 800, 1000))),
                        paid_on=day,
                        funding_source=FUNDS[1],
                        approved_by=APPROVERS[0],
                        campaign=campaign,
                    )
                )
    others = [
        AidKind.MEDICAL,
        AidKind.EDUCATION,
        AidKind.EMERGENCY,
        AidKind.MUTUAL_MEDICAL,
        AidKind.WOMEN_INSURANCE,
    ]
    amounts = {
        AidKind.MEDICAL: (2000, 5000, 8000),
        AidKind.EDUCATION: (1000, 2000, 3000),
        AidKind.EMERGENCY: (1000, 3000),
        AidKind.MUTUAL_MEDICAL: (60, 60, 120),
        AidKind.WOMEN_INSURANCE: (50, 50, 100),
    }
    for f in files:
        if not f.approved_on:
            continue
        end = f.exited_on or today
        for _ in range(rng.randint(0, 3)):
            span = (end - f.approved_on).days
            paid = f.approved_on + dt.timedelta(days=rng.randint(0, max(span, 0)))
            kind = rng.choice(others)
            if (
                kind == AidKind.WOMEN_INSURANCE
                and personal_data.birth_date_and_sex(f.id_number)[1] != "female"
            ):
                kind = AidKind.MUTUAL_MEDICAL
            rows.append(
                Aid(
                    file=f,
                    kind=kind,
                    amount=Decimal(rng.choice(amounts[kind])),
                    paid_on=min(paid, today),
                    funding_source=rng.choice(FUNDS),
                    approved_by=rng.choice(APPROVERS),
                )
            )
    Aid.objects.bulk_create(rows)
    return len(rows)
