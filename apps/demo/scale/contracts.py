"""The contract library at district scale: workers (ID numbers encrypted and hashed exactly as
`apps.contracts` stores them), their labour contracts in renewal chains, the e-signing platforms'
records and the contracts' history.

Every worker has a chain of consecutive contracts at one enterprise (the start of each is the day
after the end of the one before, so two never overlap); all but the last are renewed, and the last
is in force (covering today), expired (ended, neither renewed nor terminated) or terminated (on a
day within its term, filed within the policy's working days), as the enterprise's plan says (see
`registry.plan`). Part-time work and contracts for a task stand alone. Each contract's terms pass
`apps.contracts.rules.check` without a refusal, and its flags are the findings that check returns
with the worker's earlier contracts and the policy in effect, as `services.file_batch` stores them.

Exactly the planned number of contracts signed since the platforms went live are e-signed: they
are drawn at the end, with each enterprise's share of e-signing as weight, and carry a record per
platform (record ids unique per platform and day), both signing times and a SHA-256.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from decimal import Decimal

from django.db import connection

from apps.contracts import rules
from apps.contracts.models import ContractHistory, ContractPolicy, ESignature, LabourContract, Worker
from apps.core import personal_data
from apps.core.calendar import add_working_days, load_overrides
from apps.demo import generators as demo
from apps.demo.contracts import (
    JOBS,
    LOCAL_REGIONS,
    MIGRANT_REGIONS,
    OFFICE_JOBS,
    PART_TIME_JOBS,
    PAY_BASE,
    REASON,
    SENIOR_JOBS,
    TASKS,
    TIMESTAMP_AUTHORITIES,
)
from apps.enterprises.choices import Status as EnterpriseStatus

from .base import DAY, Rng, Table, add_years, years_later

K = rules.Kind
H = rules.HoursSystem
S = LabourContract.Status
SIGN = LabourContract.Signing
SRC = LabourContract.Source

#: The park's two e-signing platforms (name, record id prefix, share of enterprises using it) and
#: the day the first went live: contracts signed before are on paper.
PLATFORMS = (("乐签", "LQ", 0.8), ("e签宝", "ESQ", 0.2))
PLATFORM_SINCE = dt.date(2019, 7, 1)
FIRST_TERMS = ((3, 1, 2, 5), (70, 8, 7, 15))
RENEWED_TERMS = ((3, 1, 2, 5), (45, 5, 5, 45))
#: No contract on file starts before this day (the district's filing began with its earlier paper
#: contracts).
FLOOR = dt.date(2006, 1, 1)
#: Longest chain of contracts of one worker at one enterprise.
MAX_CHAIN = 6
#: Problems planted now and then (rules.check flags them): (cumulative probability, problem).
PROBLEMS = ((0.006, "probation_too_long"), (0.012, "double_wage_risk"))


class Contracts:
    def __init__(self, rng: Rng, clock, counts: dict):
        self.rng, self.clock = rng, clock
        self.today = clock.today
        self.counts = counts
        self.policies = list(ContractPolicy.objects.all())
        self.overrides = load_overrides()
        self.hash_key = personal_data.hash_key()
        self.bodies: set[str] = set()
        self.contracts = Table(LabourContract, now=clock.now)
        self.workers = Table(Worker, now=clock.now)
        self.signatures = Table(ESignature, now=clock.now)
        self.history = Table(ContractHistory, now=clock.now)
        self.rows: list[list] = []
        self.eligible: list[tuple[float, int]] = []
        self.col = {name: i for i, name in enumerate(self.contracts.attnames)}
        self.records: dict = {}
        self._filed: dict = {}
        self.moved_established: list = []
        self.ent_of_row: list = []  # the enterprise of each planned contract (by chain)

    # Dates --------------------------------------------------------------------------------------

    def filed_within(self, ended: dt.date) -> dt.date:
        """Termination filed within the policy's working days (services: termination_filing_days)."""
        policy = rules.policy_on(self.policies, ended)
        n = self.rng.randint(0, policy.termination_filing_days if policy else 7)
        key = (ended, n)
        if key not in self._filed:
            self._filed[key] = add_working_days(ended, n, overrides=self.overrides).date
        return min(self._filed[key], self.today)

    def filing_due(self, ended: dt.date) -> dt.date:
        """The last day to file the termination (`rules.termination_filing`), as stored when filed."""
        key = (ended, "due")
        if key not in self._filed:
            self._filed[key] = rules.termination_filing(
                ended, None, self.policies, overrides=self.overrides
            ).due
        return self._filed[key]

    def chain(self, e, k: int, state: str, floor: dt.date):
        """[(kind, start, end)] of one worker's consecutive contracts, and the day the last ended
        (terminated) or None."""
        rng, today = self.rng, self.today
        single = None
        if k == 1 and state != "expired":
            r = rng.random()
            part_time = 0.12 if e.industry in ("H", "O", "F") else 0.025
            task = 0.12 if e.industry == "E" else 0.01
            single = K.PART_TIME if r < part_time else K.TASK if r < part_time + task else None
        for attempt in range(30):
            short = attempt >= 10
            terms = [
                1 if short else rng.choices(*(RENEWED_TERMS if i else FIRST_TERMS))[0] for i in range(k - 1)
            ]
            if single:
                last_kind, years = single, 0
            elif state != "expired" and (
                (k >= 3 and rng.random() < 0.85) or (k == 1 and rng.random() < 0.025)
            ):
                last_kind, years = K.OPEN_ENDED, 0
            else:
                last_kind = K.FIXED_TERM
                years = 1 if short else rng.choices(*(RENEWED_TERMS if k > 1 else FIRST_TERMS))[0]
            span = years * 365 if years else {K.PART_TIME: 900, K.TASK: 400}.get(last_kind, 6 * 365)
            if short:
                span = min(span, 200)
            ended = None
            if state == "in_force":
                last_start = today - dt.timedelta(days=rng.randint(1, max(2, span - 20)))
            elif state == "expired":
                end = today - dt.timedelta(days=rng.randint(5, 400 if not short else 30))
                last_start = add_years(end + DAY, -years)
            else:
                ended = e.closed_on or today - dt.timedelta(days=rng.randint(3, 1800 if not short else 200))
                last_start = ended - dt.timedelta(days=rng.randint(1, max(2, span - 1)))
            start = add_years(last_start, -sum(terms))
            if start < floor:
                continue
            out = []
            for years_i in terms:
                end = years_later(start, years_i)
                out.append((K.FIXED_TERM, start, end))
                start = end + DAY
            end = years_later(start, years) if years else None
            out.append((last_kind, start, end))
            if start >= today:
                continue
            if state == "in_force" and end is not None and end < today:
                continue
            if state == "expired" and not (end is not None and end < today):
                continue
            if ended is not None:
                ended = min(max(ended, start + DAY), end or ended, today)
                if ended < start:
                    continue
            return out, ended
        return None, None

    def probation(self, kind: str, start: dt.date, end: dt.date | None, *, too_long=False) -> dt.date | None:
        """A probation within art. 19 (too long: one to three months longer)."""
        if kind == K.OPEN_ENDED:
            limit = 6
        else:
            months = rules.term_months(start, end)
            limit = 6 if months >= 36 else 2 if months >= 12 else 1 if months >= 3 else 0
        if limit == 0:
            return None
        months = self.rng.choice({6: (3, 6, 6), 2: (1, 2, 2), 1: (1,)}[limit])
        if too_long:
            months = limit + self.rng.randint(1, 3)
        return rules.months_later(start, months)

    # One enterprise ---------------------------------------------------------------------------------

    def enterprise(self, e) -> None:
        rng, today = self.rng, self.today
        n_w, n_c = e.workers, e.contracts
        lengths = [1] * n_w
        extra = n_c - n_w
        while extra:
            i = rng.randrange(n_w)
            if lengths[i] < MAX_CHAIN or n_w * MAX_CHAIN < n_c:
                lengths[i] += 1
                extra -= 1
        states = ["in_force"] * e.in_force + ["expired"] * e.expired + ["terminated"] * e.terminated
        rng.shuffle(states)
        joined = max(e.established_on, today - dt.timedelta(days=int(rng.uniform(0.6, 4) * 365)))
        platform = rng.weighted([(p, share) for p, _prefix, share in PLATFORMS])
        self.code = e.uscc[-6:-1]
        self.sequence = 0
        section = e.industry if e.industry in JOBS else "C"
        pay_base = PAY_BASE.get(section, 4600)
        for k, state in zip(lengths, states, strict=True):
            floor = max(FLOOR, e.established_on + dt.timedelta(days=30))
            specs, ended = self.chain(e, k, state, floor)
            if specs is None:
                specs, ended = self.chain(e, k, state, FLOOR)
                if specs is None:  # pragma: no cover - the short terms always fit after FLOOR
                    raise RuntimeError(f"no contract chain of {k} fits {state} at {e.name}")
                e.established_on = specs[0][1] - dt.timedelta(days=rng.randint(30, 365))
                self.moved_established.append((e.established_on, e.id))
            self.worker_chain(e, specs, state, ended, joined, platform, section, pay_base)

    def worker_chain(self, e, specs, state, ended, joined, platform, section, pay_base):
        rng, today = self.rng, self.today
        employment_start = specs[0][1]
        worker_id = rng.uuid()
        priors: list[rules.Prior] = []
        r = rng.random()
        problem = next((code for p, code in PROBLEMS if r < p), None)
        first_filed = None
        for index, (kind, start, end) in enumerate(specs):
            first = index == 0
            last = index == len(specs) - 1
            if kind == K.PART_TIME:
                job = rng.choice(PART_TIME_JOBS)
            elif rng.random() < 0.06:
                job = rng.choice(OFFICE_JOBS)
            else:
                job = rng.choice(JOBS[section])
            hours_system, approval = H.STANDARD, ""
            if job in ("货车司机", "叉车司机", "调度员", "保安员") and rng.random() < 0.5:
                hours_system = H.COMPREHENSIVE
                approval = f"柳东人社综审〔{max(2019, min(start.year, 2026))}〕{rng.randint(3, 60)}号"
            probation_end = None
            if first and kind in (K.FIXED_TERM, K.OPEN_ENDED) and rng.random() < 0.75:
                probation_end = self.probation(kind, start, end, too_long=problem == "probation_too_long")
            signed_on = start - dt.timedelta(days=rng.choice((0, 0, 0, 1, 2, 3, 5, 7, 14)))
            if problem == "double_wage_risk" and last and first:
                signed_on = start + dt.timedelta(days=rng.randint(40, 300))
            signed_on = min(signed_on, today)
            monthly = hourly = weekly = None
            insured = rng.random() < 0.97
            if kind == K.PART_TIME:
                hourly = Decimal(rng.choice(("21.00", "22.00", "23.50", "25.00", "28.00", "30.00")))
                weekly = Decimal(rng.choice(("8.0", "10.0", "12.0", "15.0", "16.0", "20.0", "24.0")))
                insured = rng.random() < 0.3
            else:
                base = pay_base * (1.5 if job in SENIOR_JOBS else 1)
                # Pay rose over the years: about 5 % a year before 2026.
                base *= 1.05 ** -max(0, 2026 - start.year)
                monthly = Decimal(int(max(2200, min(30000, rng.lognormvariate(0, 0.25) * base)) / 50) * 50)
            task = rng.choice(TASKS) if kind == K.TASK else ""
            policy = rules.policy_on(self.policies, start)
            findings = rules.check(
                rules.Terms(
                    kind=kind,
                    employment_start=employment_start,
                    start=start,
                    end=end,
                    task=task,
                    probation_end=probation_end,
                    hours_system=hours_system,
                    hours_approval=approval,
                    monthly_pay=monthly,
                    hourly_pay=hourly,
                    weekly_hours=weekly,
                    signed_on=signed_on,
                ),
                priors,
                rules.Policy(policy.monthly_minimum_wage, policy.hourly_minimum_wage) if policy else None,
            )
            if any(f.severity == rules.REFUSE for f in findings):  # pragma: no cover - never planned
                raise RuntimeError(f"contract refused by rules.check: {findings[0].code} at {e.name}")
            filed_day = min(max(signed_on, joined) + dt.timedelta(days=rng.randint(0, 3)), today)
            filed_at = self.clock.at(rng, filed_day)
            first_filed = first_filed or filed_at
            self.sequence += 1
            row = self.contracts.make(
                {
                    "id": rng.uuid(),
                    "created_at": filed_at,
                    "updated_at": filed_at,
                    "enterprise_id": e.id,
                    "worker_id": worker_id,
                    "reference": f"HT{start:%Y}-{self.code}-{self.sequence:05d}",
                    "kind": kind,
                    "employment_start": employment_start,
                    "start": start,
                    "end": end,
                    "task": task,
                    "probation_end": probation_end,
                    "job": job,
                    "workplace": e.address,
                    "hours_system": hours_system,
                    "hours_approval": approval,
                    "monthly_pay": monthly,
                    "hourly_pay": hourly,
                    "weekly_hours": weekly,
                    "social_insurance": insured,
                    "signed_on": signed_on,
                    "signing": SIGN.PAPER,
                    "renews_unfiled": False,
                    "status": S.RENEWED if not last else S.IN_FORCE,
                    "flags": [f.code for f in findings],
                    "source": SRC.PAGE,
                    "filed_by_id": e.hr_user_id,
                }
            )
            if last and state == "expired":
                row[self.col["status"]] = S.EXPIRED
            elif last and state == "terminated":
                closed = e.status != EnterpriseStatus.OPERATING
                if closed:
                    key = "closed" if e.status == EnterpriseStatus.CLOSED else "moved_out"
                elif kind == K.TASK and rng.random() < 0.5:
                    key = "task"
                elif end is not None and ended == end:
                    key = "expiry"
                else:
                    key = rng.choices(("resigned", "agreed", "art40"), weights=(65, 27, 8))[0]
                    if probation_end and ended <= probation_end and rng.random() < 0.5:
                        key = "probation"
                row[self.col["status"]] = S.TERMINATED
                row[self.col["terminated_on"]] = ended
                row[self.col["termination_reason"]] = REASON[key]
                row[self.col["termination_filed_on"]] = self.filed_within(ended)
                row[self.col["termination_filing_due"]] = self.filing_due(ended)
            if signed_on >= PLATFORM_SINCE:
                self.eligible.append((rng.random() ** (1 / e.esign_share), len(self.rows)))
            self.rows.append(row)
            self.ent_of_row.append((e, platform))
            priors.append(
                rules.Prior(
                    kind=kind,
                    start=start,
                    end=end,
                    had_probation=probation_end is not None,
                    reference=row[self.col["reference"]],
                )
            )
        self.worker(worker_id, employment_start, first_filed)

    def worker(self, worker_id, employment_start: dt.date, filed_at) -> None:
        """A person 18 to 60 years old today and at least 18 at the start of work, with a valid
        resident ID number (GB 11643-1999), stored encrypted with its keyed hash."""
        rng, today = self.rng, self.today
        latest = min(add_years(employment_start, -18), add_years(today, -18))
        earliest = add_years(today, -60) + DAY
        span = max(0, (latest - earliest).days)
        birth = latest - dt.timedelta(days=int(rng.triangular(0, span, span * 0.25)))
        region = rng.choice(LOCAL_REGIONS if rng.random() < 0.6 else MIGRANT_REGIONS)
        female = rng.random() < 0.38
        while True:
            body = (
                f"{region}{birth:%Y%m%d}{rng.randint(0, 99):02d}{rng.choice('02468' if female else '13579')}"
            )
            if body not in self.bodies:
                break
            if rng.random() < 0.2 and birth > earliest:
                birth -= DAY
        self.bodies.add(body)
        number = personal_data.with_check_character(body)
        self.workers.add(
            {
                "id": worker_id,
                "created_at": filed_at,
                "updated_at": filed_at,
                "name": demo.person_name(rng),
                "id_number": personal_data.encrypt(number),
                "id_number_hash": hmac.new(self.hash_key, number.encode(), hashlib.sha256).hexdigest(),
                "sex": Worker.Sex.FEMALE if female else Worker.Sex.MALE,
                "birth_date": birth,
                "phone": f"1{rng.choice('3456789')}{rng.getrandbits(30) % 1_000_000_000:09d}",
            }
        )

    # Writing -------------------------------------------------------------------------------------

    def esign(self) -> int:
        """Choose exactly the planned number of e-signed contracts among those signed since the
        platforms went live (weighted by the enterprise's share)."""
        wanted = min(self.counts["esignatures"], len(self.eligible))
        chosen = sorted(self.eligible, reverse=True)[:wanted]
        col = self.col
        for _key, index in chosen:
            row = self.rows[index]
            row[col["signing"]] = SIGN.E_SIGNATURE
            row[col["source"]] = SRC.IMPORT if self.rng.random() < 0.7 else SRC.API
            row[col["filed_by_id"]] = None
        return wanted

    def write(self) -> None:
        """The contracts with their history and e-signatures. A contract's row is written once its
        successor (which renews it, and sets its last change) has been seen."""
        rng, clock, col = self.rng, self.clock, self.col
        self.workers.flush()
        out = self.contracts
        previous = None
        for index, row in enumerate(self.rows):
            e, platform = self.ent_of_row[index]
            hr = (e.hr_username or f"hr:{e.uscc}", e.hr_user_id)
            source = row[col["source"]]
            if source == SRC.PAGE:
                label, actor = hr
            else:
                label, actor = ("system", None) if source == SRC.IMPORT else (f"api:{platform}平台", None)
            filed_at = row[col["created_at"]]
            self.transition(row, "file", "", S.IN_FORCE, filed_at, label, actor)
            if previous is not None and previous[col["worker_id"]] == row[col["worker_id"]]:
                at = max(filed_at, previous[col["created_at"]])
                previous[col["updated_at"]] = at
                self.transition(previous, "renew", S.IN_FORCE, S.RENEWED, at, label, actor)
            status = row[col["status"]]
            if status == S.EXPIRED:
                at = max(clock.at(rng, row[col["end"]] + DAY, (0, 0)), filed_at)
                row[col["updated_at"]] = at
                self.transition(row, "expire", S.IN_FORCE, S.EXPIRED, at, "system")
            elif status == S.TERMINATED:
                at = max(clock.at(rng, row[col["termination_filed_on"]]), filed_at)
                row[col["updated_at"]] = at
                self.transition(
                    row, "terminate", S.IN_FORCE, S.TERMINATED, at, *hr, row[col["termination_reason"]]
                )
            if row[col["signing"]] == SIGN.E_SIGNATURE:
                self.signature(row, platform)
            if previous is not None:
                out.rows.append(previous)
                if len(out.rows) >= out.chunk:
                    out.flush()
            previous = row
        if previous is not None:
            out.rows.append(previous)
        self.rows = []
        out.flush()
        self.signatures.flush()
        self.history.flush()
        if self.moved_established:
            with connection.cursor() as cursor:
                cursor.executemany(
                    "UPDATE enterprises_enterprise SET established_on = %s WHERE id = %s",
                    self.moved_established,
                )

    def transition(self, row, action, source, target, at, label, user=None, reason="") -> None:
        self.history.add(
            {
                "id": self.rng.uuid(),
                "subject_id": row[0],
                "at": at,
                "action": action,
                "from_status": source,
                "to_status": target,
                "actor_id": user,
                "actor_label": label,
                "reason": reason,
            }
        )

    def signature(self, row, platform: str) -> None:
        rng, clock, col = self.rng, self.clock, self.col
        prefix = next(p for name, p, _share in PLATFORMS if name == platform)
        day = row[col["signed_on"]]
        key = (platform, day)
        self.records[key] = self.records.get(key, 0) + 1
        record_id = f"{prefix}{day:%Y%m%d}{self.records[key]:05d}"
        employer_at = clock.at(rng, day, (8, 16))
        worker_at = min(
            employer_at + dt.timedelta(minutes=rng.randint(2, 300)), clock.now - dt.timedelta(minutes=1)
        )
        worker_at = max(worker_at, employer_at)
        self.signatures.add(
            {
                "id": rng.uuid(),
                "created_at": row[col["created_at"]],
                "updated_at": row[col["created_at"]],
                "contract_id": row[0],
                "platform": platform,
                "record_id": record_id,
                "employer_signed_at": employer_at,
                "worker_signed_at": worker_at,
                "timestamp_authority": rng.choice(TIMESTAMP_AUTHORITIES),
                "timestamp_token": base64.b64encode(rng.randbytes(48)).decode(),
                "sha256": hashlib.sha256(f"{platform}:{record_id}:{row[0]}".encode()).hexdigest(),
            }
        )


def build(rng: Rng, clock, enterprises, counts: dict, stdout) -> dict:
    c = Contracts(rng, clock, counts)
    for e in enterprises:
        c.enterprise(e)
    planned = len(c.rows)
    e_signed = c.esign()
    stdout.write(
        f"  contracts planned: {planned} for {c.workers.count + len(c.workers.rows)} workers; "
        f"{len(c.eligible)} signed since {PLATFORM_SINCE}, {e_signed} of them e-signed"
    )
    c.write()
    return {
        "contracts": c.contracts.count,
        "workers": c.workers.count,
        "esignatures": c.signatures.count,
        "history": c.history.count,
        "established_moved": len(c.moved_established),
    }
