"""The demo park's enterprise registry: one Enterprise for every enterprise organisation of the
foundation, and the yearly surveys of 2024 and 2025.

Called by `manage.py seed_demo` (`apps.demo.management.commands.seed_demo.SEEDERS`). Writes in bulk, bypassing the
services for speed, but produces what they would: the organisation keeps the enterprise's name,
code and town (and is inactive once the enterprise has moved out or closed), the latest survey is
the 2025 one and the registry's employee count is the one it reports. Idempotent: organisations that
already have an Enterprise, and enterprises that already have surveys, are left alone.

The union module's seeder (apps.demo.unions) builds the unions from what the 2025 survey says: an
enterprise reporting a union gets one; a handful of enterprises report 25 or more union members and
no union (the federation's work list, Trade Union Law art. 11).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from apps.accounts.models import Organisation
from apps.core.models import Area
from apps.demo import generators as demo
from apps.enterprises.choices import Industry, Ownership, Status
from apps.enterprises.models import Enterprise, EnterpriseSurvey
from apps.enterprises.rules import UNION_COMMITTEE_THRESHOLD

SURVEY_YEARS = (2024, 2025)
#: Enterprises reporting 25 or more union members and no union of their own (4 to 6).
NEEDS_UNION_RANGE = (4, 6)
#: The suffix of the foundation's enterprise-union organisations ("<enterprise>工会委员会").
UNION_ORG_SUFFIX = "工会委员会"

ROADS = [
    "车园",
    "新安",
    "凤凰",
    "官塘",
    "文昌",
    "东环",
    "初阳",
    "花岭",
    "阳和",
    "宝骏",
    "新兴",
    "双仁",
    "雒容",
    "洛埠",
    "柳东",
    "沙塘",
]

#: Share of women workers by trade word (the rest by section), as (low, high).
WOMEN_BY_TRADE = {
    "食品": (0.45, 0.65),
    "电子科技": (0.40, 0.60),
    "塑料制品": (0.30, 0.45),
    "汽车座椅": (0.25, 0.40),
}
WOMEN_BY_SECTION = {
    "C": (0.12, 0.32),
    "E": (0.06, 0.18),
    "G": (0.12, 0.28),
    "F": (0.40, 0.60),
    "H": (0.50, 0.70),
    "O": (0.45, 0.65),
    "L": (0.40, 0.60),
}
#: Share of migrant workers (农民工) by section.
MIGRANTS_BY_SECTION = {"C": (0.45, 0.80), "E": (0.60, 0.90), "G": (0.40, 0.70), "H": (0.50, 0.80)}


def industry_of(name: str) -> str:
    """The GB/T 4754 section of a demo enterprise, from the trade word in its name."""
    for section, trade in sorted(demo.INDUSTRIES, key=lambda item: -len(item[1])):
        if trade in name:
            return section
    return Industry.C


def trade_of(name: str) -> str:
    for _section, trade in sorted(demo.INDUSTRIES, key=lambda item: -len(item[1])):
        if trade in name:
            return trade
    return ""


def _log_uniform(rng, low: int, high: int) -> int:
    return min(high, max(low, int(math.exp(rng.uniform(math.log(low), math.log(high + 1))))))


def _employees(rng, section: str) -> int:
    """Many 10-99, some 100-999, a few 1,000-3,000 (the car industry's suppliers)."""
    r = rng.random()
    if r < 0.04:
        return rng.randint(5, 9)
    if r < 0.66:
        return _log_uniform(rng, 10, 99)
    if r < 0.93 or section != Industry.C:
        return _log_uniform(rng, 100, 999)
    return _log_uniform(rng, 1000, 3000)


def _ownership(rng, name: str, employees: int) -> str:
    if "股份有限公司" in name:
        return Ownership.JOINT_STOCK if rng.random() < 0.85 else Ownership.STATE
    if employees >= 1000:
        return rng.choice([Ownership.STATE, Ownership.FOREIGN, Ownership.JOINT_STOCK, Ownership.PRIVATE])
    return rng.choices(
        [
            Ownership.PRIVATE,
            Ownership.JOINT_STOCK,
            Ownership.FOREIGN,
            Ownership.HMT,
            Ownership.STATE,
            Ownership.COLLECTIVE,
        ],
        weights=[70, 8, 8, 7, 5, 2],
    )[0]


def _established(rng) -> dt.date:
    year = round(rng.triangular(1995, 2024, 2013))
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364 if year < 2024 else 180))


def _status(rng) -> str:
    r = rng.random()
    if r < 0.03:
        return Status.MOVED_OUT
    if r < 0.05:
        return Status.CLOSED
    return Status.OPERATING


def _share(rng, employees: int, bounds) -> int:
    return min(employees, round(employees * rng.uniform(*bounds)))


def _contract_probability(employees: int) -> float:
    if employees >= 1000:
        return 0.95
    if employees >= 300:
        return 0.75
    if employees >= 100:
        return 0.5
    if employees >= 50:
        return 0.3
    return 0.12


def _union_probability(employees: int) -> float:
    if employees >= 1000:
        return 1.0
    if employees >= 100:
        return 0.85
    if employees >= UNION_COMMITTEE_THRESHOLD:
        return 0.55
    return 0.35


class _Profile:
    """What the seeder decides about one enterprise before writing its surveys."""

    def __init__(self, enterprise: Enterprise, employees: int, has_union: bool, rich: bool = False):
        self.enterprise = enterprise
        self.employees = employees
        self.has_union = has_union
        self.needs_union = False
        self.founded_2025 = False
        self.rich = rich


def _surveys(rng, profile: _Profile) -> list[EnterpriseSurvey]:
    e = profile.enterprise
    trade = trade_of(e.name)
    women_bounds = WOMEN_BY_TRADE.get(trade) or WOMEN_BY_SECTION.get(e.industry, (0.30, 0.50))
    migrant_bounds = MIGRANTS_BY_SECTION.get(e.industry, (0.20, 0.50))
    emp25 = profile.employees
    emp24 = max(3, round(emp25 * rng.uniform(0.85, 1.12)))
    rate = min(1.0, max(0.62, rng.gauss(0.86, 0.07)))

    # 2025: the latest survey.
    union = profile.has_union
    if union:
        members = min(emp25, round(emp25 * rate))
        if profile.rich:
            cc, wage, congress, mediation = True, True, True, True
        else:
            cc = rng.random() < _contract_probability(emp25)
            wage = cc and rng.random() < 0.7
            congress = cc or rng.random() < 0.6
            mediation = rng.random() < (0.8 if emp25 >= 100 else 0.35)
        signing = rng.uniform(93, 100)
    else:
        if profile.needs_union:
            # Members who joined elsewhere (transferred, or recruited by the federation's drive)
            # and no committee yet: the federation must help them set one up (art. 11).
            members = min(emp25, max(UNION_COMMITTEE_THRESHOLD, round(emp25 * rng.uniform(0.3, 0.7))))
        elif rng.random() < 0.3:
            members = rng.randint(1, max(1, min(emp25, UNION_COMMITTEE_THRESHOLD - 1) // 3))
        else:
            members = 0
        cc, wage = False, False
        congress = emp25 >= 100 and rng.random() < 0.15
        mediation = rng.random() < 0.1
        signing = rng.uniform(80, 97)
    s25 = EnterpriseSurvey(
        enterprise=e,
        year=2025,
        employees=emp25,
        union_members=members,
        women=_share(rng, emp25, women_bounds),
        migrant_workers=_share(rng, emp25, migrant_bounds),
        has_union=union,
        contract_signing_rate=Decimal(str(round(signing, 2))),
        collective_contract=cc,
        wage_bargaining=wage,
        workers_congress=congress,
        mediation_committee=mediation,
    )

    # 2024: a year earlier; a union founded in 2025 was not there yet.
    union24 = union and not profile.founded_2025
    if union24:
        members24 = min(emp24, round(emp24 * max(0.5, rate - rng.uniform(0, 0.06))))
    elif profile.needs_union:
        members24 = min(emp24, round(emp24 * rng.uniform(0.2, 0.5)))
    else:
        members24 = min(emp24, members, UNION_COMMITTEE_THRESHOLD - 1)
    s24 = EnterpriseSurvey(
        enterprise=e,
        year=2024,
        employees=emp24,
        union_members=members24,
        women=_share(rng, emp24, women_bounds),
        migrant_workers=_share(rng, emp24, migrant_bounds),
        has_union=union24,
        contract_signing_rate=Decimal(str(round(max(80.0, signing - rng.uniform(0, 4)), 2))),
        collective_contract=union24 and cc and (profile.rich or rng.random() < 0.9),
        wage_bargaining=union24 and wage and (profile.rich or rng.random() < 0.8),
        workers_congress=congress and (profile.rich or rng.random() < 0.9),
        mediation_committee=mediation and (profile.rich or rng.random() < 0.92),
    )
    return [s24, s25]


def seed(rng, stdout) -> None:
    towns = list(Area.objects.filter(kind=Area.Kind.TOWN).order_by("code"))
    orgs = list(
        Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE, enterprise__isnull=True)
        .select_related("area")
        .order_by("name")
    )
    first_name = (
        Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE)
        .order_by("name")
        .values_list("name", flat=True)
        .first()
    )
    # The foundation gave a dozen enterprises a union organisation: they have a union.
    union_orgs = set(
        Organisation.objects.filter(
            kind=Organisation.Kind.UNION, name__endswith=UNION_ORG_SUFFIX
        ).values_list("name", flat=True)
    )
    taken = set(Enterprise.objects.values_list("uscc", flat=True))

    created, changed_orgs = [], []
    for org in orgs:
        if not org.code or org.code in taken or (org.area is None and not towns):
            continue  # pragma: no cover - not a demo organisation
        taken.add(org.code)
        section = industry_of(org.name)
        designated = f"{org.name}{UNION_ORG_SUFFIX}" in union_orgs
        employees = _employees(rng, section)
        if designated:
            employees = max(employees, rng.randint(60, 400))
        if org.name == first_name:
            employees = rng.randint(600, 900)
        status = Status.OPERATING if designated else _status(rng)
        enterprise = Enterprise(
            organisation=org,
            uscc=org.code,
            name=org.name,
            town=org.area or rng.choice(towns),
            industry=section,
            ownership=_ownership(rng, org.name, employees),
            established_on=_established(rng),
            employees=employees,
            status=status,
            legal_representative=demo.person_name(rng),
            address=f"柳州市柳东新区{rng.choice(ROADS)}路{rng.randint(1, 688)}号",
            contact_name=demo.person_name(rng),
            contact_phone=demo.phone(rng),
        )
        if org.area_id is None or org.is_active != (status == Status.OPERATING):
            org.area = enterprise.town
            org.is_active = status == Status.OPERATING
            changed_orgs.append(org)
        has_union = designated or rng.random() < _union_probability(employees)
        profile = _Profile(enterprise, employees, has_union, rich=org.name == first_name)
        profile.founded_2025 = has_union and not designated and rng.random() < 0.1
        created.append(profile)

    Enterprise.objects.bulk_create([p.enterprise for p in created], batch_size=500)
    if changed_orgs:
        Organisation.objects.bulk_update(changed_orgs, ["area", "is_active"], batch_size=500)

    # Enterprises without any survey: the new ones, and any registered without one.
    new_ids = {p.enterprise.pk for p in created}
    bare_qs = Enterprise.objects.filter(surveys__isnull=True).exclude(pk__in=new_ids).order_by("name")
    covered = set(bare_qs.filter(union_coverage__isnull=False).values_list("pk", flat=True))
    bare = [_Profile(e, e.employees or _employees(rng, e.industry), e.pk in covered) for e in bare_qs]
    profiles = created + bare

    # A few operating enterprises with 25 or more union members and no union of their own.
    candidates = [
        p
        for p in created
        if p.enterprise.status == Status.OPERATING
        and not p.rich
        and f"{p.enterprise.name}{UNION_ORG_SUFFIX}" not in union_orgs
        and p.employees >= 40
    ]
    if candidates:
        wanted = rng.randint(*NEEDS_UNION_RANGE)
        without = [p for p in candidates if not p.has_union]
        chosen = rng.sample(without, min(wanted, len(without)))
        if len(chosen) < wanted:
            with_union = [p for p in candidates if p.has_union]
            chosen += rng.sample(with_union, min(len(with_union), wanted - len(chosen)))
        for p in chosen:
            p.has_union, p.needs_union, p.founded_2025 = False, True, False

    surveys = []
    for profile in profiles:
        pair = _surveys(rng, profile)
        surveys.extend(pair)
        profile.enterprise.latest_survey = pair[-1]
        profile.enterprise.employees = pair[-1].employees
    EnterpriseSurvey.objects.bulk_create(surveys, batch_size=500)
    Enterprise.objects.bulk_update(
        [p.enterprise for p in profiles], ["latest_survey", "employees"], batch_size=500
    )

    if not profiles:
        stdout.write(
            f"Enterprises: nothing new ({Enterprise.objects.count()} registered, with their surveys)."
        )
        return
    latest = [s for s in surveys if s.year == SURVEY_YEARS[-1]]
    operating = [s for s in latest if s.enterprise.status == Status.OPERATING]
    stdout.write(
        f"Enterprises: {len(created)} registered, {len(surveys)} surveys ({SURVEY_YEARS[0]}, "
        f"{SURVEY_YEARS[-1]}); {SURVEY_YEARS[-1]}: {sum(s.has_union for s in operating)} of "
        f"{len(operating)} operating report a union, "
        f"{sum(1 for p in profiles if p.needs_union)} with {UNION_COMMITTEE_THRESHOLD}+ members and none."
    )
