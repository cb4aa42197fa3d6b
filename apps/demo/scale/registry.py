"""The district: its towns, the authorities' organisations, the enterprise registry with two
years of surveys, the unions (about 60 % of enterprises covered), collective contracts, workers'
congresses, and the logins (the five demo roles and one benchmark HR user per large enterprise).

The size of every enterprise is planned here first (`plan`): how many labour contracts it has
filed, for how many workers, and how many of them are in force, expired or terminated today. The
contracts phase follows that plan; the registry's employee count and the surveys are derived from
it, so the figures on the pages agree with the contract library.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from apps.accounts.models import Membership, Organisation, User
from apps.accounts.roles import Role
from apps.core.models import Area
from apps.demo import generators as demo
from apps.demo.enterprises import MIGRANTS_BY_SECTION, ROADS, WOMEN_BY_SECTION, WOMEN_BY_TRADE, _ownership
from apps.demo.users import DEMO_PASSWORD, DEMO_USERS
from apps.enterprises.choices import Status
from apps.enterprises.models import Enterprise, EnterpriseSurvey
from apps.enterprises.rules import UNION_COMMITTEE_THRESHOLD
from apps.unions import rules as union_rules
from apps.unions.models import CollectiveContract, Union, UnionCoverage, WorkersCongress

from .base import DAY, Rng, Tables

#: The district and its towns / sub-districts (division codes illustrative, in the Liuzhou range;
#: the first two are the demo park's).
TOWNS = [
    *demo.TOWNS,
    ("沙塘镇", "450271102"),
    ("官塘街道", "450271001"),
    ("阳和街道", "450271002"),
    ("新柳街道", "450271003"),
]
#: Contracts on file of the largest employers at scale 1.0 (the car makers and their big suppliers);
#: the other enterprises' counts are drawn from a long-tailed (log-normal) distribution.
LARGEST = (22_000, 16_800, 13_500, 11_200, 9_600, 8_300, 7_200, 6_300, 5_600, 5_100)
#: The log-normal of the others: median contracts on file and spread; none above the cap.
MEDIAN_CONTRACTS, SPREAD, CAP = 25, 1.2, 4_500
#: Enterprises with at least this many employees are "large" (统计上大中小微型企业划分办法): each
#: gets a benchmark HR login.
LARGE_EMPLOYEES = 1000
UNION_COVERAGE = 0.60
#: Extra syllables that keep 20,000 enterprise names distinct (the demo's generator runs out at
#: 12,000 combinations).
EXTRA = "兴盛泰丰源达通利华新宏远安隆昌和瑞嘉信德"
#: Benchmark logins: username prefix and e-mail domain, so they are never mistaken for people.
BENCH_PREFIX = "bench-hr-"
BENCH_DOMAIN = "benchmark.invalid"


class Ent:
    """What the phases need to know about one enterprise (no model instance: 20,000 of them)."""

    __slots__ = (
        "id", "org_id", "uscc", "name", "town_id", "industry", "trade", "status", "employees",
        "established_on", "address", "contact_name", "contact_phone", "legal_representative",
        "contracts", "workers", "in_force", "expired", "terminated", "closed_on", "union_id",
        "union_members", "women", "covered", "hr_user_id", "hr_username", "esign_share",
    )  # fmt: skip

    def __init__(self, **kw):
        for slot in self.__slots__:
            setattr(self, slot, kw.get(slot))


def _largest_remainder(weights: list[float], total: int, minimum: int = 0) -> list[int]:
    """Integers proportional to `weights`, each at least `minimum`, summing exactly to `total`."""
    n = len(weights)
    spare = total - minimum * n
    if spare < 0:
        raise ValueError("total too small for the minimum")
    s = sum(weights)
    raw = [spare * w / s for w in weights]
    out = [int(x) for x in raw]
    rest = spare - sum(out)
    for i in sorted(range(n), key=lambda i: out[i] - raw[i])[:rest]:
        out[i] += 1
    return [x + minimum for x in out]


def contract_counts(rng: Rng, enterprises: int, contracts: int) -> list[int]:
    """Contracts on file per enterprise: the largest employers' share of the whole as at scale
    1.0, the others long-tailed (most have tens), summing exactly to `contracts`."""
    whole = 1_062_987
    big = LARGEST[: max(1, round(len(LARGEST) * enterprises / 20_000))]
    big_counts = [max(2, round(b * contracts / whole)) for b in big]
    others = enterprises - len(big_counts)
    rest = contracts - sum(big_counts)
    weights = [rng.lognormvariate(math.log(MEDIAN_CONTRACTS), SPREAD) for _ in range(others)]
    counts = _largest_remainder(weights, rest, minimum=2)
    # None of the others above the cap, nor (where there is room) above the largest employers:
    # the excess goes to the enterprises below it, in proportion.
    cap = max(min(CAP, int(0.9 * min(big_counts))), math.ceil(3 * rest / max(1, others)))
    excess = sum(max(0, c - cap) for c in counts)
    counts = [min(c, cap) for c in counts]
    while excess:
        below = [i for i, c in enumerate(counts) if c < cap]
        if not below:  # pragma: no cover - the cap leaves room
            raise ValueError("too many contracts for the enterprises")
        share = _largest_remainder([counts[i] for i in below], excess)
        excess = 0
        for i, add in zip(below, share, strict=True):
            room = cap - counts[i]
            counts[i] += min(add, room)
            excess += max(0, add - room)
    return big_counts + counts


def enterprise_names(rng: Rng, n: int) -> list[tuple[str, str, str]]:
    """n distinct (name, industry section, trade word)."""
    seen, out = set(), []
    while len(out) < n:
        section, trade = rng.choice(demo.INDUSTRIES)
        stem = rng.choice(demo.STEMS)
        name = f"{rng.choice(demo.CITY_PREFIXES)}{stem}{trade}{rng.choice(demo.SUFFIXES)}"
        while name in seen:
            stem += rng.choice(EXTRA)
            name = f"{rng.choice(demo.CITY_PREFIXES)}{stem}{trade}{rng.choice(demo.SUFFIXES)}"
        seen.add(name)
        out.append((name, section, trade))
    return out


def _established(rng: Rng) -> dt.date:
    year = round(rng.triangular(1995, 2023, 2012))
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))


def plan(rng: Rng, clock, counts: dict) -> list[Ent]:
    """Every enterprise's size and the state of its workers' contracts today."""
    n = counts["enterprises"]
    per_enterprise = contract_counts(rng, n, counts["contracts"])
    # Workers in proportion to contracts (a worker has 1.55 contracts on average: the renewals).
    workers = _largest_remainder(list(per_enterprise), counts["workers"], minimum=0)
    for i, (c, w) in enumerate(zip(per_enterprise, workers, strict=True)):
        if w < 1 or w > c:  # pragma: no cover - proportional shares stay within
            raise ValueError(f"enterprise {i}: {w} workers for {c} contracts")
    names = enterprise_names(rng, n)
    usccs: set[str] = set()
    out = []
    for i, ((name, section, trade), c, w) in enumerate(zip(names, per_enterprise, workers, strict=True)):
        code = demo.make_uscc(rng)
        while code in usccs:
            code = demo.make_uscc(rng)
        usccs.add(code)
        big = i < len(LARGEST) or c >= 1000
        r = rng.random()
        status = Status.OPERATING if big or r >= 0.03 else (Status.MOVED_OUT if r < 0.015 else Status.CLOSED)
        e = Ent(
            id=rng.uuid(),
            org_id=rng.uuid(),
            uscc=code,
            name=name,
            industry=section,
            trade=trade,
            status=status,
            established_on=_established(rng),
            contracts=c,
            workers=w,
            legal_representative=demo.person_name(rng),
            contact_name=demo.person_name(rng),
            contact_phone=demo.phone(rng),
            address=f"柳州市柳东新区{rng.choice(ROADS)}路{rng.randint(1, 888)}号",
            esign_share=min(0.98, max(0.1, rng.gauss(0.72, 0.18))),
        )
        if status == Status.OPERATING:
            e.in_force = max(1, round(w * rng.uniform(0.55, 0.75))) if w > 1 else 1
            e.expired = min(w - e.in_force, round(w * rng.uniform(0, 0.05)))
            e.terminated = w - e.in_force - e.expired
            e.employees = max(e.in_force, round(e.in_force / rng.uniform(0.85, 1.0)))
        else:
            e.in_force = e.expired = 0
            e.terminated = w
            e.closed_on = clock.today - dt.timedelta(days=rng.randint(40, 600))
            e.employees = max(1, round(w * 0.7))
        out.append(e)
    # The largest first (the demo HR user's enterprise is the largest), the rest as drawn.
    return out


# Writing --------------------------------------------------------------------------------------


def _survey_rows(rng: Rng, e: Ent, years: tuple[int, int]) -> list[dict]:
    women_bounds = WOMEN_BY_TRADE.get(e.trade) or WOMEN_BY_SECTION.get(e.industry, (0.30, 0.50))
    migrant_bounds = MIGRANTS_BY_SECTION.get(e.industry, (0.20, 0.50))
    rows = []
    emp_now = e.employees
    emp_before = max(1, round(emp_now * rng.uniform(0.85, 1.12)))
    founded_now = e.covered and rng.random() < 0.1
    for year, emp in zip(years, (emp_before, emp_now), strict=True):
        latest = year == years[-1]
        union = e.covered and (latest or not founded_now)
        if union:
            members = min(emp, round(emp * rng.uniform(0.75, 0.98)))
        elif rng.random() < 0.3:
            members = rng.randint(0, min(emp, UNION_COMMITTEE_THRESHOLD - 1) // 3)
        else:
            members = 0
        women = min(emp, round(emp * rng.uniform(*women_bounds)))
        rate = 100 * e.in_force / emp if emp and e.status == Status.OPERATING else rng.uniform(80, 97)
        rows.append(
            {
                "id": rng.uuid(),
                "enterprise_id": e.id,
                "year": year,
                "employees": emp,
                "union_members": members,
                "women": women,
                "migrant_workers": min(emp, round(emp * rng.uniform(*migrant_bounds))),
                "has_union": union,
                "contract_signing_rate": Decimal(str(round(min(100.0, rate), 2))),
                "collective_contract": False,  # set below with the contracts
                "wage_bargaining": False,
                "workers_congress": False,
                "mediation_committee": union and rng.random() < (0.8 if emp >= 100 else 0.3),
            }
        )
        if latest:
            e.union_members, e.women = members, women
    return rows


def _representatives(employees: int) -> int:
    """Congress size: every worker in a small enterprise (职工大会), else 20 to 120."""
    return max(1, employees) if employees < 30 else min(120, max(20, round(employees * 0.06)))


def _vote(rng: Rng, total: int) -> tuple[int, int]:
    present = total - rng.randint(0, total // 6)
    approving = present - rng.randint(0, present // 12)
    assert union_rules.vote_result(total, present, approving).adopted
    return present, approving


def build(rng: Rng, clock, tables: Tables, enterprises: list[Ent], stdout) -> dict:
    """Write the registry, the unions and the logins; returns what later phases need."""
    today = clock.today
    at = clock.at
    district_id = rng.uuid()
    tables[Area].add(
        {"id": district_id, "name": demo.DISTRICT[0], "code": demo.DISTRICT[1], "kind": "district"}
    )
    towns = []
    for name, code in TOWNS:
        town_id = rng.uuid()
        towns.append((town_id, name))
        tables[Area].add(
            {"id": town_id, "name": name, "code": code, "kind": "town", "parent_id": district_id}
        )

    orgs = tables[Organisation]

    def org(name, kind, area_id, *, code="", parent_id=None, active=True, org_id=None):
        org_id = org_id or rng.uuid()
        orgs.add(
            {
                "id": org_id,
                "name": name,
                "kind": kind,
                "code": code,
                "area_id": area_id,
                "parent_id": parent_id,
                "is_active": active,
            }
        )
        return org_id

    K = Organisation.Kind
    district = demo.DISTRICT[0]
    park = org(f"{district}管理委员会", K.PARK, district_id)
    org(f"{district}人力资源和社会保障局", K.DISTRICT, district_id, parent_id=park)
    federation_org = org(f"{district}工会联合会", K.UNION, district_id)
    mediation_org = org(f"{district}劳动人事争议调解委员会", K.MEDIATION, district_id)
    inspection_org = org(f"{district}劳动保障监察大队", K.INSPECTION, district_id)
    town_mediation = {t: org(f"{name}劳动争议调解委员会", K.MEDIATION, t) for t, name in towns}

    # Enterprises, in towns (the larger towns hold more of them).
    town_weights = [5, 4, 3, 2, 2, 1][: len(towns)]
    years = (today.year - 1, today.year)
    covered_target = round(UNION_COVERAGE * len(enterprises))
    # Weighted sampling without replacement: the larger the enterprise, the likelier its union.
    keys = []
    for e in enterprises:
        weight = 1.0 if e.employees >= 100 else 0.35 + e.employees / 150
        if e.status != Status.OPERATING:
            weight *= 0.3
        keys.append((rng.random() ** (1 / weight), e))
    keys.sort(key=lambda k: -k[0])
    for rank, (_key, e) in enumerate(keys):
        e.covered = rank < covered_target
    surveys = {}
    for e in enterprises:
        e.town_id = rng.choices(towns, weights=town_weights)[0][0]
        rows = _survey_rows(rng, e, years)
        surveys[e.id] = rows
        org(
            e.name, K.ENTERPRISE, e.town_id, code=e.uscc, active=e.status == Status.OPERATING, org_id=e.org_id
        )

    # Unions: the federations, an enterprise union for most covered enterprises, joint unions of
    # three to six small ones in the same town.
    unions = tables[Union]

    def union(name, kind, parent, area_id, *, members=0, founded, active=True, women=False, org_parent):
        org_id = org(name, K.UNION, area_id, parent_id=org_parent, active=active)
        union_id = rng.uuid()
        unions.add(
            {
                "id": union_id,
                "organisation_id": org_id,
                "name": name,
                "kind": kind,
                "parent_id": parent,
                "chair_name": demo.person_name(rng),
                "chair_phone": demo.phone(rng),
                "founded_on": founded,
                "members": members,
                "women_committee": women,
                "is_active": active,
            }
        )
        return union_id, org_id

    # The park federation uses the organisation made above.
    federation = rng.uuid()
    unions.add(
        {
            "id": federation,
            "organisation_id": federation_org,
            "name": f"{district}工会联合会",
            "kind": Union.Kind.FEDERATION,
            "founded_on": dt.date(2009, 5, 12),
            "chair_name": demo.person_name(rng),
            "chair_phone": demo.phone(rng),
        }
    )
    town_feds = {}
    for t, name in towns:
        town_feds[t] = union(
            f"{name}工会联合会",
            Union.Kind.FEDERATION,
            federation,
            t,
            founded=rng.day(dt.date(2010, 3, 1), dt.date(2014, 12, 31)),
            org_parent=federation_org,
        )
    covered = [e for e in enterprises if e.covered]
    small = [
        e for e in covered if e.status == Status.OPERATING and e.union_members < UNION_COMMITTEE_THRESHOLD
    ]
    joint_pool = {t: [] for t, _ in towns}
    for e in small:
        if rng.random() < 0.25:
            joint_pool[e.town_id].append(e)
    town_names = dict(towns)
    coverage = tables[UnionCoverage]
    joint_count = 0
    for t, pool in joint_pool.items():
        while len(pool) >= 3:
            size = min(len(pool), rng.randint(3, 6))
            group, pool = pool[:size], pool[size:]
            joint_count += 1
            uid, _org = union(
                f"{district}{town_names[t]}第{joint_count}联合工会委员会",
                Union.Kind.JOINT,
                town_feds[t][0],
                t,
                members=sum(e.union_members for e in group),
                founded=rng.day(dt.date(2012, 1, 1), today - dt.timedelta(days=400)),
                women=sum(e.women for e in group) >= 10,
                org_parent=town_feds[t][1],
            )
            for e in group:
                e.union_id = uid
                coverage.add({"union_id": uid, "enterprise_id": e.id})
    own_unions = 0
    for e in covered:
        if e.union_id is not None:
            continue
        own_unions += 1
        parent = (federation, federation_org) if e.employees >= 100 else town_feds[e.town_id]
        operating = e.status == Status.OPERATING
        founded_low = max(e.established_on + dt.timedelta(days=90), dt.date(2005, 1, 1))
        e.union_id, _org = union(
            f"{e.name}工会委员会",
            Union.Kind.ENTERPRISE,
            parent[0],
            e.town_id,
            members=e.union_members,
            founded=rng.day(founded_low, max(founded_low, today - dt.timedelta(days=60))),
            active=operating,
            women=e.women >= 10 and rng.random() < 0.85,
            org_parent=parent[1],
        )
        coverage.add({"union_id": e.union_id, "enterprise_id": e.id})

    # Collective contracts and workers' congresses (some of the covered enterprises with 30 or
    # more employees), and the survey flags that follow from them.
    cc = tables[CollectiveContract]
    congress = tables[WorkersCongress]
    for e in covered:
        if e.status != Status.OPERATING or e.employees < 30:
            continue
        latest = surveys[e.id][-1]
        total = _representatives(e.employees)
        has_cc = rng.random() < 0.55
        meetings = []
        if has_cc:
            signed = today - dt.timedelta(days=rng.randint(45, 1000))
            filed = min(signed + dt.timedelta(days=rng.randint(2, union_rules.FILING_DAYS)), today)
            starts = union_rules.effective_date(filed)
            ends = union_rules.add_years(starts, rng.choice((2, 3, 3))) - DAY
            present, approving = _vote(rng, total)
            title = f"{e.name}集体合同（{starts.year}—{ends.year}年）"
            # The meeting that adopted it, linked: the contract's attendance is the meeting's
            # (集体合同规定 art. 36). Foreign keys are checked at commit, so the order of the COPYs
            # does not matter. Derived from the contract's id: the random sequence is unchanged.
            contract_id = rng.uuid()
            adopted_by = uuid.uuid5(contract_id, "adopted_by")
            cc.add(
                {
                    "id": contract_id,
                    "enterprise_id": e.id,
                    "union_id": e.union_id,
                    "congress_id": adopted_by,
                    "kind": CollectiveContract.Kind.COMPREHENSIVE,
                    "title": title,
                    "employer_representative": e.legal_representative,
                    "worker_representative": demo.person_name(rng),
                    "signed_on": signed,
                    "starts_on": starts,
                    "ends_on": ends,
                    "representatives_total": total,
                    "representatives_present": present,
                    "representatives_approving": approving,
                    "filed_on": filed,
                    "effective_on": starts,
                    "created_at": at(rng, filed),
                    "updated_at": at(rng, filed),
                }
            )
            meetings.append(
                (
                    signed - dt.timedelta(days=rng.randint(3, 12)),
                    present,
                    "审议通过《集体合同（草案）》",
                    adopted_by,
                )
            )
            latest["collective_contract"] = starts <= today <= ends
            latest["wage_bargaining"] = latest["collective_contract"] and rng.random() < 0.6
        if has_cc or rng.random() < 0.4:
            for year in years:
                held = dt.date(year, 1, 8) + dt.timedelta(days=rng.randint(0, 100))
                if held < today:
                    meetings.append((held, None, f"听取并审议《{year - 1}年度企业生产经营情况报告》", None))
            latest["workers_congress"] = True
        for n, (held, present, resolution, meeting_id) in enumerate(sorted(meetings, key=lambda m: m[0]), 1):
            congress.add(
                {
                    "id": meeting_id or rng.uuid(),
                    "enterprise_id": e.id,
                    "held_on": held,
                    "session": f"第{rng.randint(1, 4)}届第{n}次",
                    "representatives_total": total,
                    "representatives_present": present
                    if present is not None
                    else total - rng.randint(0, total // 5),
                    "resolutions": f"1. {resolution}",
                    "created_at": at(rng, held),
                    "updated_at": at(rng, held),
                }
            )

    # Enterprises and surveys.
    for e in enterprises:
        rows = surveys[e.id]
        for row in rows:
            tables[EnterpriseSurvey].add(row)
        tables[Enterprise].add(
            {
                "id": e.id,
                "organisation_id": e.org_id,
                "uscc": e.uscc,
                "name": e.name,
                "legal_representative": e.legal_representative,
                "address": e.address,
                "town_id": e.town_id,
                "industry": e.industry,
                "ownership": _ownership(rng, e.name, e.employees),
                "established_on": e.established_on,
                "employees": e.employees,
                "status": e.status,
                "contact_name": e.contact_name,
                "contact_phone": e.contact_phone,
                "latest_survey_id": rows[-1]["id"],
            }
        )

    # Logins: the demo roles, and one benchmark HR user per large enterprise.
    password = make_password(DEMO_PASSWORD)  # computed once for every login
    largest = enterprises[0]
    homes = {
        "park": park,
        "enterprise": largest.org_id,
        "union": federation_org,  # the federation's official sees the district's unions
        "mediation": mediation_org,
        "inspection": inspection_org,
    }
    users = tables[User]
    memberships = tables[Membership]
    logins = {}
    for username, name, role, kind in DEMO_USERS:
        user_id = rng.uuid()
        logins[username] = user_id
        users.add(
            {
                "id": user_id,
                "username": username,
                "password": password,
                "full_name": name,
                "email": f"{username}@demo.park.cn",
                "is_staff": role == Role.PARK_ADMIN,
                "is_active": True,
                "date_joined": clock.now,
            }
        )
        memberships.add({"id": rng.uuid(), "user_id": user_id, "organisation_id": homes[kind], "role": role})
    largest.hr_user_id, largest.hr_username = logins["hr"], "hr"
    bench = 0
    for e in enterprises:
        if e.employees < LARGE_EMPLOYEES or e.status != Status.OPERATING or e is largest:
            continue
        bench += 1
        user_id = rng.uuid()
        e.hr_user_id, e.hr_username = user_id, f"{BENCH_PREFIX}{bench:04d}"
        users.add(
            {
                "id": user_id,
                "username": f"{BENCH_PREFIX}{bench:04d}",
                "password": password,
                "full_name": f"基准测试 HR {bench:04d}",
                "email": f"{BENCH_PREFIX}{bench:04d}@{BENCH_DOMAIN}",
                "is_active": True,
                "date_joined": clock.now,
            }
        )
        memberships.add(
            {"id": rng.uuid(), "user_id": user_id, "organisation_id": e.org_id, "role": Role.ENTERPRISE_HR}
        )
    stdout.write(
        f"  registry: {len(enterprises)} enterprises in {len(towns)} towns, {len(covered)} covered by "
        f"{own_unions} enterprise and {joint_count} joint unions; "
        f"{bench} benchmark HR logins"
    )
    return {
        "district_id": district_id,
        "towns": towns,
        "park_org": park,
        "mediation_org": mediation_org,
        "town_mediation": town_mediation,
        "logins": logins,
    }
