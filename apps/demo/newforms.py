"""The demo park's workers of the new forms of employment (issue 19): 300 drivers, couriers and
delivery riders across 3 platform companies, in the park's towns, with the status of their labour
relationship (人社部发〔2021〕56号), most of them enrolled into the park's industry union for the new
forms of employment or a joint union (Trade Union Law art. 11), a few of whom left again.

Writes in bulk, bypassing the services for speed, with what they would produce (the rules of
`apps.unions.rules`: joinable union kinds, one current membership, dates never in the future).
Idempotent: nothing is added once 300 platform workers exist."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from apps.accounts.models import Organisation
from apps.core import personal_data
from apps.core.cache import figures_changed
from apps.core.models import Area
from apps.demo import generators as demo
from apps.unions.models import Platform, PlatformMembership, PlatformWorker, Union

COUNT = 300
INDUSTRY_UNION_NAME = f"{demo.DISTRICT[0]}新就业形态劳动者行业工会联合会"
#: (name, kind, weight, occupations with weights, relationships with weights)
PLATFORMS = [
    (
        "柳州畅行出行科技有限公司",
        Platform.Kind.RIDE_HAILING,
        30,
        [(PlatformWorker.Occupation.DRIVER, 1)],
        [("independent", 5), ("not_fully", 4), ("labour_contract", 1)],
    ),
    (
        "柳州快送网络科技有限公司",
        Platform.Kind.FOOD_DELIVERY,
        45,
        [(PlatformWorker.Occupation.RIDER, 9), (PlatformWorker.Occupation.OTHER, 1)],
        [("not_fully", 6), ("independent", 3), ("labour_contract", 1)],
    ),
    (
        "柳州速达供应链有限公司",
        Platform.Kind.EXPRESS,
        25,
        [(PlatformWorker.Occupation.COURIER, 8), (PlatformWorker.Occupation.TRUCK_DRIVER, 2)],
        [("labour_contract", 6), ("not_fully", 3), ("independent", 1)],
    ),
]
REGIONS = ["450206", "450205", "450221", "452226", "450981", "430521", "522633"]


def _pick(rng, weighted):
    total = sum(w for _v, w in weighted)
    point = rng.uniform(0, total)
    for value, weight in weighted:
        point -= weight
        if point <= 0:
            return value
    return weighted[-1][0]


def _industry_union(federation: Union) -> Union:
    union = Union.objects.filter(name=INDUSTRY_UNION_NAME).first()
    if union is not None:
        return union
    org = Organisation.objects.create(
        name=INDUSTRY_UNION_NAME,
        kind=Organisation.Kind.UNION,
        area=federation.organisation.area,
        parent=federation.organisation,
    )
    return Union.objects.create(
        organisation=org,
        name=INDUSTRY_UNION_NAME,
        kind=Union.Kind.INDUSTRY,
        parent=federation,
        chair_name="韦立新",
        founded_on=dt.date(2022, 6, 18),
        members=0,
    )


def seed(rng, stdout) -> None:
    today = timezone.localdate()
    existing = PlatformWorker.objects.count()
    if existing >= COUNT:
        stdout.write(f"New forms of employment: {existing} platform workers already, nothing added.")
        return
    federation = (
        Union.objects.filter(kind=Union.Kind.FEDERATION, parent__isnull=True).order_by("created_at").first()
    )
    towns = list(Area.objects.filter(kind=Area.Kind.TOWN).order_by("code"))
    if federation is None or not towns:  # pragma: no cover - the unions seeder always makes them
        stdout.write("New forms of employment: no federation or towns, nothing seeded.")
        return
    industry = _industry_union(federation)
    joints = list(Union.objects.filter(kind=Union.Kind.JOINT, is_active=True).order_by("name")[:3])
    platforms = []
    for name, kind, _w, _o, _r in PLATFORMS:
        platform, _created = Platform.objects.get_or_create(name=name, defaults={"kind": kind})
        platforms.append(platform)
    taken = set(PlatformWorker.objects.values_list("id_number_hash", flat=True))
    workers, links, memberships = [], [], []
    through = PlatformWorker.platforms.through
    for _ in range(COUNT - existing):
        index = _pick(rng, [(i, spec[2]) for i, spec in enumerate(PLATFORMS)])
        _name, _kind, _weight, occupations, relationships = PLATFORMS[index]
        while True:
            birth = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 34))
            number = personal_data.with_check_character(
                f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randint(0, 99):02d}{rng.choice('13579' if rng.random() < 0.85 else '02468')}"
            )
            digest = personal_data.lookup_hash(number)
            if digest not in taken:
                taken.add(digest)
                break
        worker = PlatformWorker(
            id=uuid.uuid4(),
            name=demo.person_name(rng),
            id_number=number,
            id_number_hash=digest,
            phone=demo.phone(rng),
            town=rng.choice(towns),
            occupation=_pick(rng, occupations),
            relationship=_pick(rng, relationships),
            registered_by=industry,
        )
        workers.append(worker)
        links.append(through(platformworker_id=worker.id, platform_id=platforms[index].id))
        if rng.random() < 0.15:  # some work for a second platform too
            other = platforms[(index + 1) % len(platforms)]
            links.append(through(platformworker_id=worker.id, platform_id=other.id))
        if rng.random() < 0.85:  # most are enrolled
            union = industry if not joints or rng.random() < 0.7 else rng.choice(joints)
            worker.registered_by = union
            joined = today - dt.timedelta(days=rng.randint(0, 3 * 365))
            left, reason = None, ""
            if rng.random() < 0.08 and (today - joined).days > 30:
                left = joined + dt.timedelta(days=rng.randint(30, (today - joined).days))
                reason = rng.choice(["离开本地", "转入其他工会", "不再从事平台工作"])
            memberships.append(
                PlatformMembership(
                    worker=worker, union=union, joined_on=joined, left_on=left, leave_reason=reason
                )
            )
    PlatformWorker.objects.bulk_create(workers, batch_size=500)
    through.objects.bulk_create(links, batch_size=1000)
    PlatformMembership.objects.bulk_create(memberships, batch_size=500)
    figures_changed("newforms")
    current = sum(1 for m in memberships if m.left_on is None)
    stdout.write(
        f"New forms of employment: {len(workers)} platform workers on {len(platforms)} platforms, "
        f"{current} current union members ({len(memberships) - current} left)."
    )
