"""Labour-dispute mediation at district scale: the organisations (the district committee, one per
town, the auto-parts industry committee, a people's committee, the court's pre-litigation centre and
the committees of the largest enterprises), their mediators, and cases received over five years.

Each case walks the lifecycle of `apps.mediation.workflow` from its receipt: accepted (about 90 %),
refused, withdrawn or refused by the respondent before acceptance; once in mediation it closes with
one of the seven outcomes (agreement the most common), some after an extension with both parties'
consent. Its clocks are `rules.clocks` of the day of receipt; what falls after yesterday has not
happened yet, so the recent cases are the open ones. Older closed cases are archived. Every step
has its history row at a plausible time. Applicants carry encrypted ID numbers with their keyed
hash; respondents are enterprises of the registry (a few employers outside it). Serial numbers run
per year of receipt as `services._next_serial` allocates them, and each year's `SerialCounter`
holds the last one, so the app numbers the next case after them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from decimal import Decimal

from django.conf import settings

from apps.accounts.models import Organisation
from apps.core import personal_data
from apps.core.calendar import add_working_days, day_info, load_overrides
from apps.demo import generators as demo
from apps.demo.mediation import (
    AMOUNTS,
    CLAIMS,
    COLLECTIVE_AMOUNT,
    COLLECTIVE_CLAIMS,
    COLLECTIVE_FACTS,
    COURT_API,
    COURT_NAME,
    FACTS,
    ID_REGIONS,
    INDUSTRY_WORDS,
    INSPECTION_API,
    ITEM_KINDS,
    ITEM_TEXT,
    JOBS,
    NOTES,
    OFFICE_JOBS,
    OUTSIDE,
    REFUSALS,
    SESSION_NOTES,
    TYPES,
    _cn,
    _period,
    _yuan,
)
from apps.enterprises.choices import Status as EnterpriseStatus
from apps.mediation import rules
from apps.mediation.models import (
    Agreement,
    AgreementItem,
    Applicant,
    Case,
    CaseHistory,
    CaseType,
    Extension,
    MediationOrganisation,
    Mediator,
    SerialCounter,
    Session,
)
from apps.mediation.rules import DisputeType as T
from apps.mediation.workflow import CLOSING_OUTCOMES, WORKFLOW

from .base import DAY, Rng, Tables

S = Case.Status
CH = Case.Channel
MK = MediationOrganisation.Kind
YEARS = 5
#: Enterprise mediation committees of the largest enterprises at scale 1.0.
ENTERPRISE_COMMITTEES = 40
DECISIONS = (("accept", 90), ("refuse", 4.5), ("withdraw", 3), ("respondent_refused", 2.5))
CLOSINGS = (
    ("close_agreement", 62),
    ("close_no_agreement", 12),
    ("close_timed_out", 4),
    ("withdraw", 6),
    ("respondent_refused", 3),
    ("refer_arbitration", 9),
    ("refer_court", 3),
)
CHANNELS = ((CH.ONLINE, 42), (CH.WALK_IN, 33), (CH.PHONE, 10), (CH.COURT, 9), (CH.INSPECTION, 6))


class Mediation:
    def __init__(self, rng: Rng, clock, tables: Tables, enterprises, context, counts):
        self.rng, self.clock, self.t = rng, clock, tables
        self.today = clock.today
        self.yesterday = self.today - DAY
        self.enterprises = enterprises
        self.context = context
        self.counts = counts
        self.overrides = load_overrides(
            self.today - dt.timedelta(days=YEARS * 366 + 60), self.today + dt.timedelta(days=120)
        )
        self._working: dict = {}
        self._add: dict = {}
        self._clocks: dict = {}
        self.hash_key = personal_data.hash_key()
        self.ids: set[str] = set()

    # Calendar -------------------------------------------------------------------------------------

    def working(self, day):
        if day not in self._working:
            self._working[day] = day_info(day, overrides=self.overrides).is_working_day
        return self._working[day]

    def on_or_after(self, day):
        while not self.working(day):
            day += DAY
        return day

    def on_or_before(self, day):
        while not self.working(day):
            day -= DAY
        return day

    def add_working(self, day, n):
        key = (day, n)
        if key not in self._add:
            self._add[key] = (
                add_working_days(day, n, overrides=self.overrides).date if n else self.on_or_after(day)
            )
        return self._add[key]

    def clocks(self, day, channel):
        """`rules.clocks` with the holiday calendar read once (it reads it on every call)."""
        key = (day, channel == CH.COURT)
        if key not in self._clocks:
            self._clocks[key] = (
                rules.DECISION_PERIOD.due(day, overrides=self.overrides).date,
                rules.period_for(channel).due(day, overrides=self.overrides).date,
            )
        return self._clocks[key]

    # Organisations -----------------------------------------------------------------------------

    def organisations(self):
        rng, t, ctx = self.rng, self.t, self.context
        towns = ctx["towns"]
        district_area = ctx["district_id"]
        orgs = {}

        def register(org_id, name, kind, *, towns_=(), enterprises=(), address="", area_id=None, new=False):
            if new:
                t[Organisation].add(
                    {"id": org_id, "name": name, "kind": Organisation.Kind.MEDIATION, "area_id": area_id}
                )
            mo_id = rng.uuid()
            t[MediationOrganisation].add(
                {
                    "id": mo_id,
                    "organisation_id": org_id,
                    "name": name,
                    "kind": kind,
                    "address": address,
                    "phone": f"0772-{rng.randint(2000000, 8999999)}",
                }
            )
            for town_id in towns_:
                t[MediationOrganisation.towns.through].add(
                    {"mediationorganisation_id": mo_id, "area_id": town_id}
                )
            for e in enterprises:
                t[MediationOrganisation.enterprises.through].add(
                    {"mediationorganisation_id": mo_id, "enterprise_id": e.id}
                )
            return mo_id

        district = demo.DISTRICT[0]
        all_towns = [town_id for town_id, _ in towns]
        orgs["district"] = register(
            ctx["mediation_org"], f"{district}劳动人事争议调解委员会", MK.ARBITRATION, towns_=all_towns,
            address=f"柳州市{district}文昌路{rng.randint(1, 300)}号政务服务中心三楼",
        )  # fmt: skip
        orgs["towns"] = {
            town_id: register(
                ctx["town_mediation"][town_id],
                f"{name}劳动争议调解委员会",
                MK.TOWN,
                towns_=[town_id],
                address=f"柳州市{district}{name}人民政府一楼",
            )  # fmt: skip
            for town_id, name in towns
        }
        operating = [e for e in self.enterprises if e.status == EnterpriseStatus.OPERATING]
        members = [e for e in operating if any(word in e.name for word in INDUSTRY_WORDS)]
        orgs["industry"] = register(
            rng.uuid(), "汽车零部件行业劳动争议调解委员会", MK.INDUSTRY, enterprises=members,
            area_id=district_area, new=True, address=f"柳州市{district}车园路{rng.randint(1, 300)}号汽车城服务中心",
        )  # fmt: skip
        orgs["people"] = register(
            rng.uuid(), f"{district}劳动争议人民调解委员会", MK.PEOPLE, towns_=all_towns, area_id=district_area,
            new=True, address=f"柳州市{district}官塘大道{rng.randint(1, 300)}号",
        )  # fmt: skip
        orgs["court"] = register(
            rng.uuid(), f"{COURT_NAME}诉前调解中心", MK.COURT, towns_=all_towns, area_id=district_area, new=True,
            address=f"柳州市{district}文昌路{rng.randint(301, 600)}号{COURT_NAME}诉讼服务中心",
        )  # fmt: skip
        largest = sorted(operating, key=lambda e: -e.employees)[
            : max(1, round(ENTERPRISE_COMMITTEES * len(self.enterprises) / 20_000))
        ]
        orgs["committees"] = {
            e.id: register(
                rng.uuid(),
                f"{e.name}劳动争议调解委员会",
                MK.ENTERPRISE,
                enterprises=[e],
                area_id=e.town_id,
                new=True,
                address=e.address,
            )  # fmt: skip
            for e in largest
        }
        self.member_ids = {e.id for e in members}

        # Mediators: a dozen at the district (the demo mediator among them), six per town, three
        # to four elsewhere; a few no longer active.
        self.mediators: dict = {}
        specialities = [T.REMUNERATION, T.DISMISSAL, T.SOCIAL_INSURANCE, T.COMPENSATION, T.INJURY_MEDICAL, T.CONTRACT, T.WORKING_TIME]  # fmt: skip

        def staff(mo_id, n, inactive=0, user=None):
            group = []
            for i in range(n):
                m_id = rng.uuid()
                name = "罗浩" if user and i == 0 else demo.person_name(rng)
                active = i >= inactive or (user and i == 0)
                t[Mediator].add(
                    {
                        "id": m_id,
                        "organisation_id": mo_id,
                        "user_id": user if i == 0 else None,
                        "name": name,
                        "phone": demo.phone(rng),
                        "specialities": sorted(x.value for x in rng.sample(specialities, rng.randint(1, 3))),
                        "is_active": bool(active),
                    }
                )
                group.append(
                    (m_id, name if not (user and i == 0) else "mediator", user if i == 0 else None, active)
                )
            self.mediators[mo_id] = group

        staff(orgs["district"], 12, inactive=0, user=ctx["logins"].get("mediator"))
        for mo_id in orgs["towns"].values():
            staff(mo_id, 6, inactive=1)
        for key in ("industry", "people", "court"):
            staff(orgs[key], 4, inactive=1)
        for mo_id in orgs["committees"].values():
            staff(mo_id, 3)
        self.orgs = orgs

    # Cases ----------------------------------------------------------------------------------------

    def route(self, channel, enterprise, collective):
        rng, orgs = self.rng, self.orgs
        if channel == CH.COURT:
            return orgs["court"] if rng.random() < 0.85 else orgs["district"]
        if collective:
            return orgs["district"]
        if enterprise is not None:
            if enterprise.id in orgs["committees"] and rng.random() < 0.4:
                return orgs["committees"][enterprise.id]
            if enterprise.id in self.member_ids and rng.random() < 0.2:
                return orgs["industry"]
            return orgs["towns"][enterprise.town_id] if rng.random() < 0.7 else orgs["district"]
        return rng.weighted(
            [(orgs["people"], 45), (orgs["district"], 20)]
            + [(o, 35 / len(orgs["towns"])) for o in orgs["towns"].values()]
        )

    def id_number(self, year):
        rng = self.rng
        while True:
            birth = dt.date(year - rng.randint(19, 55), rng.randint(1, 12), rng.randint(1, 28))
            number = personal_data.with_check_character(
                f"{rng.choice(ID_REGIONS)}{birth:%Y%m%d}{rng.randint(1, 999):03d}"
            )
            if number not in self.ids:
                self.ids.add(number)
                return number, birth

    def build(self, stdout):
        rng, today, t = self.rng, self.today, self.t
        self.organisations()
        n = self.counts["cases"]
        start = today - dt.timedelta(days=YEARS * 365)
        # Receipts grow over the years (the platform's reach widens), busier in January and December.
        span = (today - start).days
        days = [start + dt.timedelta(days=int(rng.triangular(0, span, span))) for _ in range(n)]
        days.sort()
        operating = [e for e in self.enterprises if e.status == EnterpriseStatus.OPERATING]
        weights = [max(e.employees, 5) ** 0.8 for e in operating]
        respondents = rng.choices(operating, weights=weights, k=n) if operating else [None] * n
        serials: dict[int, int] = {}
        statuses: dict = {}
        for received, enterprise in zip(days, respondents, strict=True):
            status = self.case(received, enterprise if rng.random() < 0.92 else None, serials)
            statuses[status] = statuses.get(status, 0) + 1
        for year, last in sorted(serials.items()):
            t[SerialCounter].add({"year": year, "last": last})
        stdout.write(
            f"  mediation: {n} cases over {YEARS} years ("
            + ", ".join(f"{v} {k}" for k, v in sorted(statuses.items()))
            + f"), serials {min(serials)}-{max(serials)}"
        )

    def case(self, received, enterprise, serials) -> str:
        rng, t, clock = self.rng, self.t, self.clock
        today, yesterday = self.today, self.yesterday
        channel = rng.weighted(CHANNELS)
        if channel != CH.ONLINE:
            received = min(self.on_or_before(received), today)
        collective = rng.random() < 0.02
        outside = None if enterprise is not None else rng.choice(OUTSIDE)
        if collective:
            types = rng.choice(
                [[T.REMUNERATION]] * 6 + [[T.SOCIAL_INSURANCE, T.REMUNERATION], [T.DISMISSAL, T.COMPENSATION]]
            )
            workers = rng.randint(10, 60)
            amount = Decimal(sum(rng.randint(*COLLECTIVE_AMOUNT) for _ in range(workers)))
        else:
            primary = rng.weighted([(ty, w) for ty, w, _s in TYPES])
            second = rng.weighted(next(s for ty, _w, s in TYPES if ty == primary))
            types = [primary] + ([second] if second else [])
            workers = rng.weighted([(1, 62), (2, 17), (3, 9), (4, 5), (5, 3), (6, 2), (7, 1), (8, 1)])
            amount = Decimal(sum(rng.randint(*AMOUNTS[primary]) for _ in range(workers)))
        form = Case.Form.WRITTEN
        if channel == CH.PHONE or (channel == CH.WALK_IN and rng.random() < 0.35):
            form = Case.Form.ORAL
        org = self.route(channel, enterprise, collective)
        active = [m for m in self.mediators[org] if m[3] or (today - received).days > 150]
        mediator = rng.choice(active)
        mediator_label = (mediator[2], mediator[1])  # (user id, label)
        decision_due, due = self.clocks(received, channel)
        infringed = received - dt.timedelta(
            days=rng.randint(7, 200) if rng.random() < 0.96 else rng.randint(340, 420)
        )

        events = []  # (day, action, from, to, (user, label), reason)
        if channel == CH.ONLINE:
            receive_by = (None, "anonymous")
        elif channel == CH.COURT:
            receive_by = (None, COURT_API)
        elif channel == CH.INSPECTION:
            receive_by = (None, INSPECTION_API)
        else:
            receive_by = mediator_label
        events.append((received, "receive", "", S.RECEIVED, receive_by, ""))
        status, accepted, closed, archived, outcome, note = S.RECEIVED, None, None, None, "", ""
        decision = rng.weighted(DECISIONS)
        decided = self.add_working(received, rng.weighted([(0, 3), (1, 4), (2, 2), (3, 1)]))
        extension = None
        final_due = due
        if decided <= yesterday:
            if decision == "accept":
                events.append((decided, "accept", S.RECEIVED, S.IN_MEDIATION, mediator_label, ""))
                status, accepted = S.IN_MEDIATION, decided
            elif decision == "refuse":
                events.append(
                    (decided, "refuse", S.RECEIVED, S.REFUSED, mediator_label, rng.choice(REFUSALS))
                )
                status, closed = S.REFUSED, decided
            else:
                note = rng.choice(NOTES[decision])
                events.append((decided, decision, S.RECEIVED, S.CLOSED, mediator_label, note))
                status, closed, outcome = S.CLOSED, decided, CLOSING_OUTCOMES[decision]
        if status == S.IN_MEDIATION:
            action = rng.weighted(CLOSINGS)
            if action != "close_timed_out" and rng.random() < 0.08:
                low = max(accepted + DAY, due - dt.timedelta(days=5))
                extended = max(self.on_or_before(rng.day(low, due)), accepted)
                days = (
                    rng.randint(10, 20) if channel == CH.COURT else rng.randint(5, rules.MAX_EXTENSION_DAYS)
                )
                if extended <= yesterday:
                    final_due = due + dt.timedelta(days=days)
                    extension = (extended, due, final_due)
                    events.append((extended, "extend", S.IN_MEDIATION, S.IN_MEDIATION, mediator_label, f"经双方同意，调解期限延长至{_cn(final_due)}。"))  # fmt: skip
            if action == "close_timed_out":
                day = self.on_or_after(final_due + dt.timedelta(days=rng.randint(1, 5)))
            else:
                low = extension[0] + DAY if extension else accepted
                span = max(0, (final_due - low).days)
                day = max(
                    self.on_or_before(
                        low + dt.timedelta(days=min(span, int(rng.triangular(1, span + 1, span * 0.45 + 1))))
                    ),
                    low,
                )
            if day <= yesterday:
                note = rng.choice(NOTES[action]) if action in NOTES else ""
                events.append((day, action, S.IN_MEDIATION, S.CLOSED, mediator_label, note))
                status, closed, outcome = S.CLOSED, day, CLOSING_OUTCOMES[action]
        agreed = Decimal(0)
        performance = None
        if status in (S.CLOSED, S.REFUSED):
            archive_day = self.on_or_after(closed + dt.timedelta(days=rng.randint(10, 60)))
            if archive_day <= yesterday and rng.random() < 0.97:
                if outcome == Case.Outcome.AGREEMENT:
                    performance = (
                        Agreement.Performance.PERFORMED
                        if rng.random() < 0.9
                        else Agreement.Performance.NOT_PERFORMED
                    )
                events.append((archive_day, "archive", status, S.ARCHIVED, mediator_label, ""))
                status, archived = S.ARCHIVED, archive_day
        for _day, action, source, target, *_rest in events[1:]:
            transition = WORKFLOW.get(action)
            assert transition.target == target and source in transition.sources, (action, source, target)

        # Times in order; the receipt may be today, every other step before today.
        times = []
        last = None
        for day, action, *_rest in events:
            when = clock.at(rng, day, (7, 22) if action == "receive" and channel == CH.ONLINE else (8, 17))
            if last is not None and when <= last:
                when = last + dt.timedelta(minutes=rng.randint(10, 90))
            times.append(when)
            last = when
        case_id = rng.uuid()
        serials[received.year] = serials.get(received.year, 0) + 1
        serial = f"{settings.MEDIATION_SERIAL_PREFIX}{received.year}-{serials[received.year]:05d}"
        code = "".join(rng.choice(rules.ACCESS_CODE_ALPHABET) for _ in range(rules.ACCESS_CODE_LENGTH))

        # Applicants and texts.
        section = enterprise.industry if enterprise else outside[2]
        jobs = JOBS.get(section, OFFICE_JOBS)
        employer = enterprise.name if enterprise else outside[0]
        count = rng.randint(rules.REPRESENTATIVES_MIN, rules.REPRESENTATIVES_MAX) if collective else workers
        lost = T.DISMISSAL in types
        left = types[0] in (T.DISMISSAL, T.COMPENSATION, T.DAMAGES, T.OTHER)
        people = []
        for i in range(count):
            number, birth = self.id_number(infringed.year - 1)
            adult = dt.date(birth.year + 18, birth.month, birth.day)
            employed_from = rng.day(max(dt.date(2008, 1, 1), adult), infringed - dt.timedelta(days=90))
            people.append(
                {
                    "id": rng.uuid(),
                    "created_at": times[0],
                    "updated_at": times[0],
                    "case_id": case_id,
                    "name": demo.person_name(rng),
                    "id_number": personal_data.encrypt(number),
                    "id_number_hash": hmac.new(self.hash_key, number.encode(), hashlib.sha256).hexdigest(),
                    "phone": demo.phone(rng),
                    "employer": employer,
                    "job": rng.choice(jobs),
                    "employed_from": employed_from,
                    "employed_until": infringed if left else None,
                    "is_representative": collective,
                    "lost_job": lost,
                    "position": i,
                }
            )
        months = rng.randint(1, 4)
        values = {
            "amount": _yuan(amount),
            "period": _period(infringed, months),
            "workers": workers,
            "start": _cn(people[0]["employed_from"]),
            "end": _cn(infringed),
            "job": people[0]["job"],
            "hours": rng.choice([40, 50, 60, 72]),
            "reps": "、".join(p["name"] for p in people),
        }
        if collective:
            claims = COLLECTIVE_CLAIMS[types[0]].format(**values)
            facts = COLLECTIVE_FACTS[types[0]].format(**values)
        else:
            claims = CLAIMS[types[0]].format(**values)
            facts = FACTS[types[0]].format(**values)

        # The agreement of a case closed with one.
        if outcome == Case.Outcome.AGREEMENT:
            factor = Decimal(str(round(rng.uniform(0.55, 1.0), 2)))
            agreed = max(Decimal("100"), (amount * factor / 100).quantize(Decimal("1")) * 100)
            if performance is None:
                performance = rng.weighted([(Agreement.Performance.PENDING, 30), (Agreement.Performance.PARTLY, 15), (Agreement.Performance.PERFORMED, 55)])  # fmt: skip
            agreement_id = rng.uuid()
            close_at = next(times[i] for i, e in enumerate(events) if e[1] == "close_agreement")
            kind = ITEM_KINDS[types[0]]
            due_on = closed + dt.timedelta(days=rng.randint(5, 20))
            t[Agreement].add(
                {
                    "id": agreement_id,
                    "created_at": close_at - dt.timedelta(minutes=20),
                    "updated_at": close_at,
                    "case_id": case_id,
                    "result": f"经调解，双方自愿达成如下协议：被申请人于{_cn(due_on)}前支付{_yuan(agreed)}。申请人放弃其他请求。",
                    "applicant_signed_on": closed,
                    "respondent_signed_on": closed,
                    "mediator_signed_on": closed,
                    "sealed_on": closed,
                    "effective_on": closed,
                    "performance": performance,
                }
            )
            t[AgreementItem].add(
                {
                    "agreement_id": agreement_id,
                    "kind": kind,
                    "description": ITEM_TEXT[kind].format(period=values["period"]),
                    "amount": agreed,
                    "due_on": due_on,
                    "method": AgreementItem.Method.TRANSFER,
                    "position": 0,
                }
            )
        if accepted is not None:
            end = min(closed or yesterday, yesterday)
            for _ in range(rng.randint(1, 2)):
                day = self.on_or_after(rng.day(accepted, end))
                if day <= end:
                    t[Session].add(
                        {
                            "id": rng.uuid(),
                            "created_at": clock.at(rng, day, (9, 16)),
                            "updated_at": clock.at(rng, day, (9, 16)),
                            "case_id": case_id,
                            "held_at": clock.at(rng, day, (9, 16)),
                            "mode": rng.weighted(
                                [
                                    (Session.Mode.IN_PERSON, 65),
                                    (Session.Mode.PHONE, 20),
                                    (Session.Mode.VIDEO, 15),
                                ]
                            ),
                            "attendees": f"调解员{mediator[1]}；申请人{people[0]['name']}；被申请人代理人",
                            "notes": rng.choice(SESSION_NOTES),
                            "recorded_by_id": mediator[2],
                        }
                    )
        if extension:
            extended, previous_due, new_due = extension
            t[Extension].add(
                {
                    "id": rng.uuid(),
                    "created_at": clock.at(rng, extended),
                    "updated_at": clock.at(rng, extended),
                    "case_id": case_id,
                    "previous_due_on": previous_due,
                    "new_due_on": new_due,
                    "applicant_consent_on": extended,
                    "respondent_consent_on": extended,
                    "consent_record": "申请人在延期调解申请书上签字同意；被申请人电话确认同意，已记入调解笔录。",
                    "recorded_by_id": mediator[2],
                }
            )
        for p in people:
            t[Applicant].add(p)
        for code_ in types:
            t[CaseType].add({"case_id": case_id, "code": code_})
        for when, (_day, action, source, target, (user, label), reason) in zip(times, events, strict=True):
            t[CaseHistory].add(
                {
                    "id": rng.uuid(),
                    "subject_id": case_id,
                    "at": when,
                    "action": action,
                    "from_status": source,
                    "to_status": target,
                    "actor_id": user,
                    "actor_label": label,
                    "reason": reason,
                }
            )
        oral = ""
        if form == Case.Form.ORAL:
            how = "来电" if channel == CH.PHONE else "到本委员会"
            oral = f"{_cn(received)}，申请人{people[0]['name']}{how}口头申请调解，称：{facts}{claims}调解员当场记录，经向申请人宣读确认无误。"
        t[Case].add(
            {
                "id": case_id,
                "created_at": times[0],
                "updated_at": times[-1],
                "serial": serial,
                "access_code_hash": rules.access_code_hash(code),
                "status": status,
                "channel": channel,
                "form": form,
                "oral_record": oral,
                "court_name": COURT_NAME if channel == CH.COURT else "",
                # One case per channel and reference (`Case.Meta`): the year's serial number
                # stands in for the sender's own, so no number is given twice.
                "source_reference": (
                    f"（{received.year}）桂0271民诉前调{serials[received.year]}号"
                    if channel == CH.COURT
                    else f"柳东人社监〔{received.year}〕{serials[received.year]}号"
                    if channel == CH.INSPECTION
                    else ""
                ),  # fmt: skip
                "respondent_enterprise_id": enterprise.id if enterprise else None,
                "respondent_name": employer,
                "respondent_uscc": enterprise.uscc if enterprise else "",
                "respondent_contact": enterprise.contact_name if enterprise else demo.person_name(rng),
                "respondent_phone": enterprise.contact_phone if enterprise else demo.phone(rng),
                "respondent_address": enterprise.address if enterprise else outside[1],
                "town_id": enterprise.town_id if enterprise else rng.choice(self.context["towns"])[0],
                "claims": claims,
                "facts": facts,
                "amount_claimed": amount,
                "workers_count": workers,
                "common_claim": True,
                "is_collective": rules.is_collective(workers, True),
                "infringed_on": infringed,
                "organisation_id": org,
                "mediator_id": mediator[0],
                "received_on": received,
                "clock_starts_on": received,
                "decision_due_on": decision_due,
                "due_on": final_due,
                "accepted_on": accepted,
                "closed_on": closed,
                "archived_on": archived,
                "outcome": outcome,
                "outcome_note": note if status in (S.CLOSED, S.ARCHIVED) and outcome else "",
                "agreed_amount": agreed,
                "consent_at": times[0] if channel == CH.ONLINE else None,
            }
        )
        return status


def build(rng: Rng, clock, tables: Tables, enterprises, context, counts, stdout) -> None:
    Mediation(rng, clock, tables, enterprises, context, counts).build(stdout)
