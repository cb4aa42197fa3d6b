"""The demo park's trade unions, collective contracts and workers' congresses.

Called by `manage.py seed_demo` after the enterprise registry's seeder (INSTALLED_APPS order), from
what the 2025 surveys report:
- the park federation (柳东新区工会联合会) and one federation per town under it;
- the dozen enterprise unions the foundation made organisations for, under the park federation;
- a union for every other enterprise whose survey reports one: its own committee where it has 25 or
  more members (Trade Union Law art. 11), and a few joint unions of small enterprises in each town;
  the enterprises that report 25+ members and no union stay without (the federation's work list);
- collective contracts for the enterprises whose survey reports one in force, in every state of the
  filing procedure (集体合同规定 arts. 36, 38, 42, 47), some ending within three months, some expired;
- workers' congress meetings, one or two a year, a couple without a quorum.

Writes in bulk, bypassing the services for speed, but with what they would produce (each union has
its organisation; dates follow `rules`; every vote passes). Dates are relative to today, never in
the future. Idempotent: covered enterprises, and enterprises that already have contracts or
congress meetings, are left alone.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict

from django.db.models import Count, Sum
from django.utils import timezone

from apps.accounts.models import Organisation
from apps.core.models import Area
from apps.demo import generators as demo
from apps.enterprises.choices import Status
from apps.enterprises.models import Enterprise, EnterpriseSurvey
from apps.enterprises.rules import UNION_COMMITTEE_THRESHOLD
from apps.unions import rules
from apps.unions.models import CollectiveContract, Union, UnionCoverage, WorkersCongress

FEDERATION_NAME = f"{demo.DISTRICT[0]}工会联合会"
UNION_SUFFIX = "工会委员会"
#: Joint unions: 2 to 4 in the park, each covering 3 to 6 small enterprises.
JOINT_UNIONS_MAX = 4
JOINT_SIZE = (3, 6)
#: Special states of the filing procedure, each given to one or a few enterprises.
SCENARIOS = [
    "awaiting",
    "awaiting_late",
    "review",
    "objection",
    "ending",
    "ending",
    "ending",
    "expired",
    "expired",
    "expired",
]
NOT_QUORATE = 2
OBJECTION_NOTE = (
    "第八条约定每月延长工作时间不超过60小时，超过《劳动法》第四十一条规定的每月36小时上限；"
    "请双方协商修改后重新报送。"
)
NOT_QUORATE_NOTE = "出席代表未达到全体代表的三分之二，会议不能形成决议，改期召开。"
ANNUAL_RESOLUTIONS = [
    "审议通过《{y}年度福利费使用方案》",
    "审议通过《员工手册（修订稿）》",
    "听取《厂务公开工作报告》",
    "审议通过《年休假安排办法》",
    "审议通过《安全生产责任制实施办法（修订稿）》",
    "审议通过《绩效考核与薪酬分配办法（修订稿）》",
    "审议通过《职工培训计划（{y}年）》",
    "听取《集体合同履行情况报告》",
]
THEMES = {"C": "制造业", "G": "物流业", "F": "商贸服务业", "H": "商贸服务业", "O": "商贸服务业"}
NUMERALS = "零一二三四五六七八九十"


def _cn(n: int) -> str:
    """Chinese numeral for 1-99 (第十二次)."""
    if n <= 10:
        return NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens] if tens > 1 else "") + "十" + (NUMERALS[ones] if ones else "")


def _day(rng, low: dt.date, high: dt.date) -> dt.date:
    if high <= low:
        return low
    return low + dt.timedelta(days=rng.randint(0, (high - low).days))


def _founded_on(rng, enterprise: Enterprise, had_union_2024: bool, today: dt.date) -> dt.date:
    """Before 2024 if the 2024 survey reported the union, else in 2025; never before the enterprise."""
    established = enterprise.established_on or dt.date(2010, 1, 1)
    if had_union_2024:
        low = min(max(established + dt.timedelta(days=90), dt.date(2005, 1, 1)), dt.date(2024, 11, 30))
        return _day(rng, low, max(low, dt.date(2024, 6, 30)))
    return _day(rng, dt.date(2025, 1, 6), min(today, dt.date(2025, 11, 30)))


def _representatives(enterprise: Enterprise) -> int:
    """Congress size: all workers in a small enterprise (职工大会), else 20 to 120 representatives."""
    employees = enterprise.employees
    if employees < 30:
        return employees
    return min(120, max(20, round(employees * 0.06)))


def _vote(rng, total: int) -> tuple[int, int]:
    """A vote that passes (art. 36): at least 2/3 present, more than half of all approving."""
    present = total - rng.randint(0, total // 6)
    approving = present - rng.randint(0, present // 12)
    assert rules.vote_result(total, present, approving).adopted
    return present, approving


class _Builder:
    def __init__(self, rng, today):
        self.rng, self.today = rng, today
        self.orgs: list[Organisation] = []
        self.unions: list[Union] = []
        self.coverage: list[UnionCoverage] = []
        self.contracts: list[CollectiveContract] = []
        self.congresses: list[WorkersCongress] = []
        #: (contract, the row of the meeting that adopted it): linked once the meetings are built.
        self.adopted_by: list[tuple[CollectiveContract, list]] = []
        self.names = set(
            Organisation.objects.filter(kind=Organisation.Kind.UNION).values_list("name", flat=True)
        )

    # Unions -------------------------------------------------------------------------------------

    def union(self, *, name, kind, parent, area, enterprises=(), org=None, **fields) -> Union:
        active = fields.pop("is_active", True)
        if org is None:
            org = Organisation(
                name=name,
                kind=Organisation.Kind.UNION,
                area=area,
                parent=parent.organisation if parent else None,
                is_active=active,
            )
            self.orgs.append(org)
            self.names.add(name)
        union = Union(
            organisation=org,
            name=name,
            kind=kind,
            parent=parent,
            chair_name=demo.person_name(self.rng),
            chair_phone=demo.phone(self.rng),
            is_active=active,
            **fields,
        )
        self.unions.append(union)
        self.coverage.extend(UnionCoverage(union=union, enterprise=e) for e in enterprises)
        return union

    def save_unions(self):
        Organisation.objects.bulk_create(self.orgs, batch_size=500)
        Union.objects.bulk_create(self.unions, batch_size=500)
        UnionCoverage.objects.bulk_create(self.coverage, batch_size=500)

    # Contracts ----------------------------------------------------------------------------------

    def contract(
        self, enterprise, union, kind, title, signed, starts, ends, vote, *, filed=None, objection=None
    ):
        rng, today = self.rng, self.today
        total, present, approving, meeting = vote
        assert signed <= today and (filed is None or signed <= filed <= today)
        assert starts < ends <= rules.add_years(starts, rules.MAX_TERM_YEARS)
        self.contracts.append(
            contract := CollectiveContract(
                enterprise=enterprise,
                union=union,
                kind=kind,
                title=title,
                employer_representative=enterprise.legal_representative or demo.person_name(rng),
                worker_representative=union.chair_name if union else demo.person_name(rng),
                signed_on=signed,
                starts_on=starts,
                ends_on=ends,
                representatives_total=total,
                representatives_present=present,
                representatives_approving=approving,
                filed_on=filed,
                objection_on=objection,
                objection_note=OBJECTION_NOTE if objection else "",
                effective_on=rules.effective_date(filed) if filed and not objection else None,
            )
        )
        self.adopted_by.append((contract, meeting))

    def filing(self, signed: dt.date) -> dt.date:
        """Most within the 10 days of art. 42, a few late; never after today."""
        days = (
            self.rng.randint(2, rules.FILING_DAYS) if self.rng.random() < 0.92 else self.rng.randint(11, 20)
        )
        return min(signed + dt.timedelta(days=days), self.today)


def seed(rng, stdout) -> None:
    today = timezone.localdate()
    fed_org = Organisation.objects.filter(kind=Organisation.Kind.UNION, name=FEDERATION_NAME).first()
    if fed_org is None:  # pragma: no cover - the foundation always makes it
        stdout.write("Unions: no park federation organisation, nothing seeded.")
        return
    b = _Builder(rng, today)

    # Federations --------------------------------------------------------------------------------
    federation = Union.objects.filter(organisation=fed_org).first() or b.union(
        name=FEDERATION_NAME,
        kind=Union.Kind.FEDERATION,
        parent=None,
        area=fed_org.area,
        org=fed_org,
        founded_on=dt.date(2009, 5, 12),
    )
    towns = list(Area.objects.filter(kind=Area.Kind.TOWN).order_by("code"))
    town_feds = {}
    for town in towns:
        name = f"{town.name}工会联合会"
        org = Organisation.objects.filter(kind=Organisation.Kind.UNION, name=name).first()
        existing = Union.objects.filter(organisation=org).first() if org else None
        town_feds[town.pk] = existing or b.union(
            name=name,
            kind=Union.Kind.FEDERATION,
            parent=federation,
            area=town,
            org=org,
            founded_on=_day(rng, dt.date(2010, 3, 1), dt.date(2014, 12, 31)),
        )

    # Grassroots unions --------------------------------------------------------------------------
    enterprises = list(Enterprise.objects.select_related("latest_survey", "town").order_by("name"))
    by_name = {e.name: e for e in enterprises}
    surveys_2024 = {
        s.enterprise_id: s
        for s in EnterpriseSurvey.objects.filter(year=2024).only("enterprise_id", "has_union")
    }
    covered = set(UnionCoverage.objects.values_list("enterprise_id", flat=True))

    def had_union_2024(e):
        s = surveys_2024.get(e.pk)
        return bool(s and s.has_union)

    def own_union(e, parent, org=None):
        survey = e.latest_survey
        covered.add(e.pk)
        return b.union(
            name=org.name if org else f"{e.name}{UNION_SUFFIX}",
            kind=Union.Kind.ENTERPRISE,
            parent=parent,
            area=e.town,
            org=org,
            enterprises=[e],
            founded_on=_founded_on(rng, e, had_union_2024(e), today),
            members=survey.union_members if survey else 0,
            women_committee=bool(survey and survey.women >= 10 and rng.random() < 0.85),
            is_active=e.status == Status.OPERATING,
        )

    # The foundation's enterprise-union organisations (the demo union official's among them).
    for org in Organisation.objects.filter(
        kind=Organisation.Kind.UNION, parent=fed_org, trade_union__isnull=True, name__endswith=UNION_SUFFIX
    ).order_by("name"):
        e = by_name.get(org.name.removesuffix(UNION_SUFFIX))
        if e is not None and e.pk not in covered:
            own_union(e, federation, org=org)

    reporting = [
        e for e in enterprises if e.pk not in covered and e.latest_survey and e.latest_survey.has_union
    ]
    small = [
        e
        for e in reporting
        if e.status == Status.OPERATING and e.latest_survey.union_members < UNION_COMMITTEE_THRESHOLD
    ]
    rng.shuffle(small)
    joints_before = Union.objects.filter(kind=Union.Kind.JOINT).count()
    per_town = max(1, JOINT_UNIONS_MAX // max(1, len(towns)))
    joined = set()
    for town in towns:
        pool = [e for e in small if e.town_id == town.pk]
        made = 0
        while len(pool) >= JOINT_SIZE[0] and made < per_town and joints_before < JOINT_UNIONS_MAX:
            size = min(len(pool), rng.randint(*JOINT_SIZE))
            group, pool = pool[:size], pool[size:]
            theme = THEMES.get(Counter(e.industry for e in group).most_common(1)[0][0], "小微企业")
            name = f"{demo.DISTRICT[0]}{town.name}{theme}联合工会委员会"
            if name in b.names:
                name = f"{demo.DISTRICT[0]}{town.name}{theme}第{_cn(made + 1)}联合工会委员会"
            b.union(
                name=name,
                kind=Union.Kind.JOINT,
                parent=town_feds[town.pk],
                area=town,
                enterprises=group,
                founded_on=_founded_on(rng, group[0], any(had_union_2024(e) for e in group), today),
                members=sum(e.latest_survey.union_members for e in group),
                women_committee=sum(e.latest_survey.women for e in group) >= 10,
            )
            joined.update(e.pk for e in group)
            covered.update(e.pk for e in group)
            made += 1
            joints_before += 1
    for e in reporting:
        if e.pk not in joined:
            # Medium and large enterprises' unions report to the park federation, small ones to the town's.
            own_union(e, federation if e.employees >= 100 else town_feds.get(e.town_id, federation))
    b.save_unions()

    if len(b.unions):
        # Federations count the members of the grassroots unions below them.
        for fed in Union.objects.filter(kind=Union.Kind.FEDERATION):
            below = Union.objects.filter(is_active=True, kind__in=[Union.Kind.ENTERPRISE, Union.Kind.JOINT])
            below = below.filter(parent=fed) if fed.parent_id else below
            fed.members = below.aggregate(n=Sum("members"))["n"] or 0
            fed.save(update_fields=["members", "updated_at"])

    contracts, congresses = _contracts_and_congresses(b, enterprises, surveys_2024, today)

    counts = dict(Union.objects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    if not (b.unions or contracts or congresses):
        stdout.write(
            f"Unions: nothing new ({sum(counts.values())} unions, {UnionCoverage.objects.count()} enterprises "
            f"covered, {CollectiveContract.objects.count()} collective contracts, "
            f"{WorkersCongress.objects.count()} congress meetings)."
        )
        return
    stdout.write(
        f"Unions: {len(b.unions)} created ({counts.get('federation', 0)} federations, "
        f"{counts.get('enterprise', 0)} enterprise unions, {counts.get('joint', 0)} joint unions, "
        f"{UnionCoverage.objects.count()} enterprises covered); {contracts} collective contracts, "
        f"{congresses} congress meetings."
    )


def _contracts_and_congresses(b: _Builder, enterprises, surveys_2024, today) -> tuple[int, int]:
    rng = b.rng
    unions = {c.enterprise_id: c.union for c in UnionCoverage.objects.select_related("union")}
    touched = set(CollectiveContract.objects.values_list("enterprise_id", flat=True)) | set(
        WorkersCongress.objects.values_list("enterprise_id", flat=True)
    )
    first_time = not touched
    operating = [e for e in enterprises if e.status == Status.OPERATING and e.latest_survey]
    rich = enterprises[0] if enterprises else None
    with_contract = [
        e for e in operating if e.pk not in touched and e.pk in unions and e.latest_survey.collective_contract
    ]
    pool = [e for e in with_contract if e is not rich]
    rng.shuffle(pool)
    scenario = {e.pk: "in_force" for e in with_contract}
    if first_time:
        for e, name in zip(pool, SCENARIOS, strict=False):
            scenario[e.pk] = name

    # enterprise id -> [[held_on, present, resolutions, vote?, the WorkersCongress once built]]
    meetings: dict = defaultdict(list)

    def vote_meeting(e, signed, total, drafts):
        """The meeting that adopts the drafts, before signing; the contracts link it (集体合同规定
        art. 36: their attendance is the meeting's)."""
        present, approving = _vote(rng, total)
        held = signed - dt.timedelta(days=rng.randint(3, 12))
        row = [held, present, [f"审议通过《{d}（草案）》" for d in drafts], True, None]
        meetings[e.pk].append(row)
        return total, present, approving, row

    def sign(e, union, signed, starts, ends, *, filed=None, objection=None, women=False):
        total = _representatives(e)
        drafts = ["集体合同"] + (["女职工权益保护专项集体合同"] if women else [])
        vote = vote_meeting(e, signed, total, drafts)
        period = f"（{starts.year}—{ends.year}年）"
        kinds = [(CollectiveContract.Kind.COMPREHENSIVE, f"{e.name}集体合同{period}")]
        if women:
            kinds.append((CollectiveContract.Kind.WOMEN, f"{e.name}女职工权益保护专项集体合同{period}"))
        for kind, title in kinds:
            b.contract(e, union, kind, title, signed, starts, ends, vote, filed=filed, objection=objection)

    def filed_contract(e, union, signed, *, years=3, women=False):
        filed = b.filing(signed)
        starts = rules.effective_date(filed)
        sign(
            e,
            union,
            signed,
            starts,
            rules.add_years(starts, years) - dt.timedelta(days=1),
            filed=filed,
            women=women,
        )

    def ended_on(e, union, ends, women=False):
        """A 3-year contract that ends on `ends`, filed 15 days before its term started."""
        starts = rules.add_years(ends + dt.timedelta(days=1), -rules.MAX_TERM_YEARS)
        filed = starts - dt.timedelta(days=rules.REVIEW_DAYS)
        signed = filed - dt.timedelta(days=rng.randint(2, 9))
        sign(e, union, signed, starts, ends, filed=filed, women=women)

    def renewal(e, union, signed, *, filed=None, objection=None):
        old_ends = signed - dt.timedelta(days=rng.randint(1, 20))
        ended_on(e, union, old_ends)
        starts = old_ends + dt.timedelta(days=1)
        ends = rules.add_years(starts, rules.MAX_TERM_YEARS) - dt.timedelta(days=1)
        sign(e, union, signed, starts, ends, filed=filed, objection=objection)

    def wage_agreements(e, union):
        """Yearly wage agreements (工资专项集体合同) from 2025, renewed when the last one ended."""
        signed = _day(rng, dt.date(2025, 1, 10), min(dt.date(2025, 6, 30), today - dt.timedelta(days=60)))
        while signed <= today - dt.timedelta(days=45):
            filed = b.filing(signed)
            starts = rules.effective_date(filed)
            ends = rules.add_years(starts, 1) - dt.timedelta(days=1)
            vote = vote_meeting(e, signed, _representatives(e), ["工资专项集体合同"])
            title = f"{e.name}{starts.year}年度工资专项集体合同"
            b.contract(e, union, CollectiveContract.Kind.WAGE, title, signed, starts, ends, vote, filed=filed)
            signed = ends - dt.timedelta(days=rng.randint(5, 25))

    in_force_low = max(dt.date(2023, 1, 1), rules.add_years(today, -3) + dt.timedelta(days=120))
    in_force_high = min(today - dt.timedelta(days=45), dt.date(2025, 11, 30))
    if in_force_high < in_force_low:  # pragma: no cover - a demo loaded years from now
        in_force_high = today - dt.timedelta(days=45)
    for e in with_contract:
        union, kind = unions[e.pk], scenario[e.pk]
        women = e is rich or (e.latest_survey.women >= 10 and rng.random() < 0.35)
        if kind == "in_force":
            signed = _day(rng, in_force_low, in_force_high)
            two_years_end = rules.add_years(signed, 2)
            years = 2 if two_years_end > today + dt.timedelta(days=150) and rng.random() < 0.3 else 3
            filed_contract(e, union, signed, years=years, women=women)
        elif kind == "ending":
            ended_on(e, union, today + dt.timedelta(days=rng.randint(15, 85)), women=women)
        elif kind == "expired":
            ended_on(e, union, today - dt.timedelta(days=rng.randint(10, 200)))
        elif kind == "awaiting":
            renewal(e, union, today - dt.timedelta(days=rng.randint(2, 7)))
        elif kind == "awaiting_late":
            renewal(e, union, today - dt.timedelta(days=rng.randint(15, 25)))
        elif kind == "review":
            signed = today - dt.timedelta(days=rng.randint(8, 12))
            renewal(e, union, signed, filed=signed + dt.timedelta(days=rng.randint(2, 5)))
        elif kind == "objection":
            signed = today - dt.timedelta(days=rng.randint(35, 60))
            filed = signed + dt.timedelta(days=rng.randint(3, 8))
            renewal(e, union, signed, filed=filed, objection=filed + dt.timedelta(days=rng.randint(5, 12)))
        if e.latest_survey.wage_bargaining and kind in ("in_force", "ending", "expired"):
            wage_agreements(e, union)

    # Workers' congress: the meetings that adopted the contracts, and one or two a year.
    annual = []
    for e in operating:
        if e.pk in touched:
            continue
        s24 = surveys_2024.get(e.pk)
        held_in = {2024: bool(s24 and s24.workers_congress)}
        for year in range(2025, today.year + 1):
            held_in[year] = e.latest_survey.workers_congress
        rows = meetings[e.pk]
        for year, held in held_in.items():
            if not held:
                continue
            in_year = [m for m in rows if m[0].year == year]
            report = f"听取并审议《{year - 1}年度企业生产经营情况报告》"
            extra = [r.format(y=year) for r in rng.sample(ANNUAL_RESOLUTIONS, 2)]
            if in_year:
                in_year[0][2] = [report, *in_year[0][2], *extra[:1]]
                continue
            held_on = dt.date(year, 1, 8) + dt.timedelta(days=rng.randint(0, 100))
            if held_on <= today:
                rows.append([held_on, None, [report, *extra], False, None])
            second = dt.date(year, 7, 1) + dt.timedelta(days=rng.randint(0, 170))
            if rng.random() < 0.25 and second <= today:
                rows.append(
                    [second, None, [r.format(y=year) for r in rng.sample(ANNUAL_RESOLUTIONS, 1)], False, None]
                )
        if not rows:
            continue
        total = _representatives(e)
        term = rng.randint(1, 4)
        term_from = rng.choice([2024, 2025, 2026])
        number, current = 0, None
        for row in sorted(rows, key=lambda m: m[0]):
            held_on, present, resolutions = row[:3]
            this_term = term + (held_on.year >= term_from)
            number = number + 1 if this_term == current else 1
            current = this_term
            meeting = WorkersCongress(
                enterprise=e,
                held_on=held_on,
                session=f"第{_cn(this_term)}届第{_cn(number)}次",
                representatives_total=total,
                representatives_present=present
                if present is not None
                else total - rng.randint(0, total // 5),
                resolutions="\n".join(f"{i}. {r}" for i, r in enumerate(resolutions, 1)),
            )
            b.congresses.append(meeting)
            row[4] = meeting
            if present is None and e is not rich and total >= 20:
                annual.append(meeting)
    if first_time:
        for meeting in rng.sample(annual, min(NOT_QUORATE, len(annual))):
            total = meeting.representatives_total
            meeting.representatives_present = rng.randint(
                math.ceil(total * 0.45), math.ceil(total * 2 / 3) - 1
            )
            meeting.resolutions = NOT_QUORATE_NOTE
            assert not rules.congress_quorate(total, meeting.representatives_present)

    WorkersCongress.objects.bulk_create(b.congresses, batch_size=500)
    for contract, row in b.adopted_by:
        contract.congress = row[4]
        assert contract.congress.representatives_present == contract.representatives_present
    CollectiveContract.objects.bulk_create(b.contracts, batch_size=500)
    return len(b.contracts), len(b.congresses)
