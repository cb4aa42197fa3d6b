"""The demo park's labour contracts (issue 6): the contract library, the e-signing platform's
records and, through them, every enterprise's book (一户一册).

Called by `manage.py seed_demo` after the registry's seeder (INSTALLED_APPS order):

- every operating enterprise has filed contracts for most of its workers, in proportion to the
  registry's employee count (see `SIGNING_RATES`); enterprises that closed or moved out only have
  the contracts they terminated then;
- mostly fixed terms of three years (some of one, two or five), open-ended contracts after two
  fixed terms or ten years (art. 14), some part-time work (arts. 68-72) and contracts for a task.
  A worker's contracts at an enterprise are all on file, from the first one (the checks look at the
  earlier contracts on file: a later contract filed alone would be flagged as written years after
  the start of work); consecutive ones renew each other. A few workers moved to another enterprise;
- about 60 % signed on the e-signing platform 乐签 since it went live (`PLATFORM_SINCE`): record
  id, both signing times, the trusted timestamp and the SHA-256 of the signed PDF (`signed_pdf`);
  the rest on paper. The PDF itself is stored for a handful of the demo HR user's contracts only,
  one of them altered after signing so that "verify" shows the tampering;
- statuses in force, renewed, expired (lapsed: ended and neither renewed nor terminated, some more
  than a month ago) and terminated (reasons of arts. 36-44, a few filed later than the policy's
  working days); contracts expiring within 30 and 60 days;
- now and then a contract with a problem the checks flag, and in the demo HR user's enterprise
  (the first by name, a rich book of several hundred contracts with every figure above zero) one for
  every check of `rules.py`: probation too long or past the end, a second probation, a probation
  for part-time work or a task, pay below the minimum wage, written late or after a year, an
  open-ended contract due after two fixed terms or ten years, part-time work over 24 hours. The
  flags are the ones `rules.check` computes with the worker's earlier contracts and the policy in
  effect, as `services.file_batch` stores them.

Size and speed: the registry's enterprises report some 40,000 employees; contracts for all of
them (those in force at real signing rates, with every worker's earlier and ended contracts, some
60,000) take too long to seed. So enterprises of up to `FILED_IN_FULL` employees (most of the park)
have filed for their whole workforce, at signing rates of 70 to 100 % for most; the larger ones
file in phases and have filed for `PHASED_SHARE` of the rest so far (their rate in the book is low);
the demo HR user's enterprise has filed in full. That makes about 26,000 contracts for 17,000
workers, seeded in about 5 seconds on SQLite. Rows are prepared as dicts and inserted with
`executemany` (COPY on PostgreSQL): model instances and `bulk_create` cost several times as much.
What is written is what the services would write: a "file" history row for each contract and one
for each transition, no contract in force past its end, ID numbers encrypted with their keyed hash
(no audit events). Idempotent: nothing is written when contracts exist.
"""

from __future__ import annotations

import base64
import calendar
import datetime as dt
import hashlib
import hmac
import json
import operator
import uuid
from collections import Counter
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from apps.accounts.models import Membership
from apps.accounts.roles import Role
from apps.contracts import rules
from apps.contracts.models import ContractHistory, ContractPolicy, ESignature, LabourContract, Worker
from apps.core import personal_data
from apps.core.calendar import add_working_days, load_overrides
from apps.demo import generators as demo
from apps.enterprises.choices import Status as EnterpriseStatus
from apps.enterprises.models import Enterprise

K = rules.Kind
H = rules.HoursSystem
S = LabourContract.Status
SIGN = LabourContract.Signing
SRC = LabourContract.Source

PLATFORM = "乐签"
TIMESTAMP_AUTHORITIES = ("联合信任时间戳服务中心", "国家授时中心可信时间戳服务")
#: The e-signing platform went live in the park on this day; contracts before are on paper.
PLATFORM_SINCE = dt.date(2021, 3, 1)
#: Term lengths of fixed-term contracts in years, and their weights: the first, and a renewal.
FIRST_TERMS = ((3, 1, 2, 5), (70, 8, 7, 15))
RENEWED_TERMS = ((3, 1, 2, 5), (45, 5, 5, 45))
#: Share of an enterprise's employees with a contract in force: (probability, low, high).
SIGNING_RATES = ((0.82, 0.80, 1.00), (0.10, 0.65, 0.80), (0.08, 0.30, 0.60))
#: Enterprises up to this many employees have filed for their whole workforce; larger ones for
#: that many plus `PHASED_SHARE` of the rest so far (the park's largest employers file in phases).
FILED_IN_FULL = 150
PHASED_SHARE = 0.09
#: Stored signed PDFs (of the demo HR user's recent e-signed contracts); the last one is altered.
STORED_FILES = 6

#: Resident ID regions: Liuzhou's districts and counties, then migrant workers' home counties.
LOCAL_REGIONS = ("450202", "450203", "450204", "450205", "450206", "450222", "450223", "450224", "450225")
MIGRANT_REGIONS = ("450881", "450921", "451221", "452122", "430521", "431102", "522422", "510921", "440881")
JOBS = {
    "C": (
        "装配工",
        "操作工",
        "焊工",
        "质检员",
        "机修工",
        "叉车司机",
        "仓管员",
        "班组长",
        "工艺技术员",
        "设备工程师",
    ),
    "G": ("仓管员", "叉车司机", "货车司机", "调度员", "理货员", "客服专员"),
    "E": ("施工员", "安全员", "钢筋工", "木工", "电工", "资料员"),
    "F": ("销售代表", "收银员", "理货员", "店长"),
    "I": ("软件工程师", "测试工程师", "运维工程师", "产品经理"),
    "M": ("检测员", "实验员", "技术员"),
    "N": ("环保技术员", "操作工", "司机"),
    "O": ("保安员", "保洁员", "绿化工", "维修工", "客服专员"),
    "H": ("厨师", "服务员", "帮厨", "配送员"),
    "L": ("招聘专员", "派遣管理员", "客服专员"),
}
OFFICE_JOBS = ("文员", "会计", "人事专员", "出纳")
SENIOR_JOBS = {"设备工程师", "软件工程师", "产品经理", "店长", "班组长"}
PART_TIME_JOBS = ("保洁员", "钟点工", "配送员", "理货员", "服务员")
TASKS = (
    "新建厂房钢结构安装工程（至竣工验收）",
    "二期生产线设备安装调试（至验收合格）",
    "仓库智能化改造项目（至项目验收）",
    "年度设备大修任务（至大修完成）",
)
PAY_BASE = {"I": 7500, "M": 5500, "L": 4200, "H": 3600, "O": 3300}
REASON = {
    "expiry": "劳动合同期满终止（劳动合同法第四十四条）",
    "resigned": "劳动者提前三十日书面通知解除（劳动合同法第三十七条）",
    "agreed": "双方协商一致解除（劳动合同法第三十六条）",
    "probation": "试用期内劳动者提前三日通知解除（劳动合同法第三十七条）",
    "art40": "劳动者不能胜任工作，经培训仍不能胜任，用人单位提前三十日书面通知解除（劳动合同法第四十条）",
    "task": "工作任务完成，劳动合同终止（劳动合同法第四十四条）",
    "closed": "用人单位决定提前解散，劳动合同终止（劳动合同法第四十四条）",
    "moved_out": "用人单位迁出园区，双方协商一致解除（劳动合同法第三十六条）",
}
#: Problems planted now and then in the park: (cumulative probability, check).
PROBLEMS = (
    (0.010, "double_wage_risk"),
    (0.013, "written_after_a_year"),
    (0.023, "probation_too_long"),
    (0.028, "below_minimum_wage"),
    (0.031, "probation_not_allowed"),
    (0.034, "part_time_hours"),
)

DAY = dt.timedelta(days=1)


def months_later(day: dt.date, months: int) -> dt.date:
    """`rules.months_later` without relativedelta (the seeder calls it a hundred thousand times)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1])) - DAY


def years_later(day: dt.date, years: int) -> dt.date:
    return months_later(day, 12 * years)


def filed_workforce(employees: int) -> int:
    """How many of an enterprise's employees it has filed contracts for (see `FILED_IN_FULL`)."""
    if employees <= FILED_IN_FULL:
        return employees
    return FILED_IN_FULL + round(PHASED_SHARE * (employees - FILED_IN_FULL))


_PDF_HEAD = (
    b"%PDF-1.4\n"
    b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
    b"/Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n"
)
_PDF_FONT = b"5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n"
_PDF_OFFSETS = b"".join(b"%010d 00000 n \n" % _PDF_HEAD.index(b"%d 0 obj" % n) for n in (1, 2, 3))


def signed_pdf(lines: list[str]) -> bytes:
    """A small valid one-page PDF standing for the platform's signed file (ASCII text, the ID
    number masked): its SHA-256 is what the platform declares."""
    text = ("BT /F1 11 Tf 56 780 Td 14 TL (" + ") ' (".join(lines) + ") ' ET").encode("ascii", "replace")
    content = b"4 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (len(text), text)
    font_at = len(_PDF_HEAD) + len(content)
    xref_at = font_at + len(_PDF_FONT)
    return b"".join(
        (
            _PDF_HEAD,
            content,
            _PDF_FONT,
            b"xref\n0 6\n0000000000 65535 f \n",
            _PDF_OFFSETS,
            b"%010d 00000 n \n%010d 00000 n \n" % (len(_PDF_HEAD), font_at),
            b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref_at,
        )
    )


def _converter(field):
    """How the ORM would hand a value of the field to the driver (None passes as it is)."""
    kind = field.target_field.get_internal_type() if field.is_relation else field.get_internal_type()
    if isinstance(field, personal_data.EncryptedCharField):
        return personal_data.encrypt
    if connection.vendor != "sqlite":
        if kind == "JSONField":
            return lambda v: field.get_db_prep_save(v, connection)
        return None  # psycopg adapts dates, times, UUIDs and decimals itself
    if kind == "UUIDField":
        return operator.attrgetter("hex")
    if kind == "DateTimeField":  # naive UTC text, as Django's SQLite backend stores it
        return lambda v: str(v.astimezone(dt.UTC).replace(tzinfo=None))
    if kind == "JSONField":
        return json.dumps
    return None  # the backend registers adapters for dates and decimals


def _insert(model, rows: list[dict]) -> None:
    """INSERT the rows (dicts with every concrete field's attribute name) with executemany,
    converting values as the ORM would (dates, times, UUIDs, JSON; the encrypted field encrypts)."""
    if not rows:
        return
    fields = model._meta.concrete_fields
    converters = [(i, c) for i, c in enumerate(map(_converter, fields)) if c is not None]
    values = operator.itemgetter(*(f.attname for f in fields))
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model's meta
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    data = []
    for row in rows:
        record = list(values(row))
        for i, convert in converters:
            if record[i] is not None:
                record[i] = convert(record[i])
        data.append(record)
    data.sort(key=operator.itemgetter(0))  # in primary-key order: the key's index grows at its end
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: several times faster than executemany
            columns = ", ".join(qn(f.column) for f in fields)
            with cursor.cursor.copy(f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                for record in data:
                    copy.write_row(record)
            return
        for i in range(0, len(data), 5000):
            cursor.executemany(sql, data[i : i + 5000])


class _Park:
    """Plans every enterprise's contracts as rows, then writes them."""

    def __init__(self, rng, today: dt.date, hr_user_id):
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.hr_user_id = hr_user_id
        self.policies = list(ContractPolicy.objects.all())
        self.overrides = load_overrides()
        #: `personal_data.lookup_hash` of a normalised number, without normalising it again.
        self.hash_key = personal_data.hash_key()
        self.ids: set[str] = set()
        self.workers: list[dict] = []
        self.contracts: list[dict] = []
        self.signatures: list[dict] = []
        self.history: list[dict] = []
        self.files: list[tuple[dict, bytes]] = []
        self.records = Counter()
        self.references = Counter()
        #: Workers who left an enterprise, to be hired by another: (worker, left on).
        self.leavers: list[tuple[dict, dt.date]] = []

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def moment(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        rng = self.rng
        when = dt.datetime.combine(
            day,
            dt.time(rng.randint(8, 17) if hour is None else hour, rng.randint(0, 59), rng.randint(0, 59)),
            self.tz,
        )
        return min(when, self.now - dt.timedelta(minutes=5))

    # People -------------------------------------------------------------------------------------

    def worker(self, employment_start: dt.date, enterprise=None) -> dict:
        rng = self.rng
        if enterprise is not None and self.leavers and rng.random() < 0.04:
            index = rng.randrange(len(self.leavers))
            worker, left_on = self.leavers[index]
            if enterprise.pk not in worker["_at"] and left_on + dt.timedelta(days=14) <= employment_start:
                self.leavers.pop(index)
                return worker  # moved here from another enterprise of the park
        latest = years_later(employment_start, -18)
        earliest = years_later(self.today, -58)
        span = (latest - earliest).days
        birth = latest - dt.timedelta(days=int(rng.triangular(0, span, span * 0.2)))
        region = rng.choice(LOCAL_REGIONS if rng.random() < 0.6 else MIGRANT_REGIONS)
        female = rng.random() < 0.38
        while True:
            sex_digit = rng.choice("02468" if female else "13579")
            number = personal_data.with_check_character(
                f"{region}{birth:%Y%m%d}{rng.randint(0, 99):02d}{sex_digit}"
            )
            if number not in self.ids:
                break
            birth -= DAY
        self.ids.add(number)
        worker = {
            "id": self.uuid(),
            "created_at": None,
            "updated_at": None,
            "name": demo.person_name(rng),
            "id_number": number,
            "id_number_hash": hmac.new(self.hash_key, number.encode(), hashlib.sha256).hexdigest(),
            "sex": Worker.Sex.FEMALE if female else Worker.Sex.MALE,
            "birth_date": birth,
            "phone": f"1{rng.choice('3456789')}{rng.getrandbits(30) % 1_000_000_000:09d}",
            "_at": set(),  # the enterprises the worker worked at (not a column)
        }
        self.workers.append(worker)
        return worker

    # Terms --------------------------------------------------------------------------------------

    def chain(self, employment_start: dt.date, until: dt.date) -> list[tuple[str, dt.date, dt.date | None]]:
        """Consecutive full-time contracts from the start of work, the last covering `until`:
        open-ended after two fixed terms or ten years as a rule (art. 14), a third fixed term now
        and then."""
        rng = self.rng
        out, start, fixed = [], employment_start, 0
        while True:
            served = (start - employment_start).days / 365.25
            if (
                (fixed >= 2 and rng.random() < 0.88)
                or (served >= 10 and rng.random() < 0.85)
                or (fixed == 0 and rng.random() < 0.025)
            ):
                out.append((K.OPEN_ENDED, start, None))
                return out
            years = rng.choices(*(RENEWED_TERMS if fixed else FIRST_TERMS))[0]
            end = years_later(start, years)
            out.append((K.FIXED_TERM, start, end))
            fixed += 1
            if end >= until:
                return out
            start = end + DAY

    def probation(self, kind: str, start: dt.date, end: dt.date | None, *, too_long=False) -> dt.date | None:
        """A probation within art. 19 (too long: one to three months longer)."""
        if kind == K.OPEN_ENDED:
            limit = 6
        else:
            months = (end.year - start.year) * 12 + end.month - start.month
            while months > 0 and months_later(start, months) > end:
                months -= 1
            while months_later(start, months + 1) <= end:
                months += 1
            limit = 6 if months >= 36 else 2 if months >= 12 else 1 if months >= 3 else 0
        if limit == 0:
            return None
        months = self.rng.choice({6: (3, 6, 6), 2: (1, 2, 2), 1: (1,)}[limit])
        if too_long:
            months = limit + self.rng.randint(1, 3)
        return months_later(start, months)

    def terms(self, e, kind, employment_start, start, end, *, first: bool, problems=()) -> dict:
        """The terms of one contract; `problems` names the checks it should fail."""
        rng = self.rng
        section = e.industry if e.industry in JOBS else "C"
        if kind == K.PART_TIME:
            job = rng.choice(PART_TIME_JOBS)
        elif rng.random() < 0.06:
            job = rng.choice(OFFICE_JOBS)
        else:
            job = rng.choice(JOBS[section])
        hours_system, approval = H.STANDARD, ""
        r = rng.random()
        if job in ("货车司机", "叉车司机", "调度员", "保安员") and r < 0.5:
            hours_system = H.COMPREHENSIVE
            approval = f"柳东人社综审〔{rng.randint(2021, 2025)}〕{rng.randint(3, 60)}号"
        elif job in ("销售代表", "店长", "产品经理", "司机") and r < 0.4:
            hours_system = H.FLEXIBLE
            approval = f"柳东人社不定审〔{rng.randint(2021, 2025)}〕{rng.randint(3, 40)}号"
        probation_end = None
        if kind in (K.FIXED_TERM, K.OPEN_ENDED) and (
            (first and rng.random() < 0.75) or "second_probation" in problems
        ):
            probation_end = self.probation(kind, start, end, too_long="probation_too_long" in problems)
        if "probation_not_allowed" in problems:
            probation_end = months_later(start, 1)
        if "probation_after_end" in problems:
            probation_end = end + dt.timedelta(days=rng.randint(10, 40))
        signed_on = start - dt.timedelta(days=rng.choice((0, 0, 0, 1, 2, 3, 5, 7, 14)))
        since = employment_start if first else start
        if "double_wage_risk" in problems:
            signed_on = since + dt.timedelta(days=rng.randint(40, 300))
        elif "written_after_a_year" in problems:
            signed_on = since + dt.timedelta(days=rng.randint(380, 520))
        row = {
            "kind": kind,
            "employment_start": employment_start,
            "start": start,
            "end": end,
            "task": rng.choice(TASKS) if kind == K.TASK else "",
            "probation_end": probation_end,
            "job": job,
            "workplace": e.address or "柳州市柳东新区",
            "hours_system": hours_system,
            "hours_approval": approval,
            "monthly_pay": None,
            "hourly_pay": None,
            "weekly_hours": None,
            "social_insurance": rng.random() < 0.97,
            "signed_on": min(signed_on, self.today),
        }
        if kind == K.PART_TIME:
            row["hourly_pay"] = Decimal(rng.choice(("21.00", "22.00", "23.50", "25.00", "28.00", "30.00")))
            row["weekly_hours"] = Decimal(rng.choice(("8.0", "10.0", "12.0", "15.0", "16.0", "20.0", "24.0")))
            row["social_insurance"] = rng.random() < 0.3
            if "below_minimum_wage" in problems:
                row["hourly_pay"] = Decimal(rng.choice(("17.00", "18.00", "19.50")))
            if "part_time_hours" in problems:
                row["weekly_hours"] = Decimal(rng.choice(("26.0", "28.0", "30.0", "32.0")))
        else:
            base = PAY_BASE.get(section, 4600) * (1.5 if job in SENIOR_JOBS else 1)
            amount = max(2200, min(30000, rng.lognormvariate(0, 0.25) * base))
            row["monthly_pay"] = Decimal(int(amount / 50) * 50)
            if "below_minimum_wage" in problems:
                row["monthly_pay"] = Decimal(rng.choice((1700, 1800, 1850, 1900)))
        return row

    # Filing -------------------------------------------------------------------------------------

    def file(self, e, worker, specs, *, joined, state=S.IN_FORCE, ended=None, reason="", filed_on=None):
        """File a worker's consecutive contracts at one enterprise, each renewing the one before;
        the last is in force, expired, or terminated on `ended` and filed on `filed_on`."""
        rng = self.rng
        priors: list[rules.Prior] = []
        previous = None
        for spec in specs:
            policy = rules.policy_on(self.policies, spec["start"])
            findings = rules.check(
                rules.Terms(
                    kind=spec["kind"],
                    employment_start=spec["employment_start"],
                    start=spec["start"],
                    end=spec["end"],
                    task=spec["task"],
                    probation_end=spec["probation_end"],
                    hours_system=spec["hours_system"],
                    hours_approval=spec["hours_approval"],
                    monthly_pay=spec["monthly_pay"],
                    hourly_pay=spec["hourly_pay"],
                    weekly_hours=spec["weekly_hours"],
                    signed_on=spec["signed_on"],
                ),
                priors,
                rules.wage_policy(policy),
            )
            if any(f.severity == rules.REFUSE for f in findings):  # pragma: no cover - never planned
                raise ValueError(f"demo contract refused: {findings[0].code} {spec}")
            e_signed = spec["signed_on"] >= PLATFORM_SINCE and rng.random() < e.demo_e_share
            filed_day = max(spec["signed_on"], joined) + dt.timedelta(
                days=0 if e_signed else rng.randint(0, 6)
            )
            filed_at = self.moment(min(filed_day, self.today))
            self.references[e.pk] += 1
            source = (SRC.IMPORT if rng.random() < 0.7 else SRC.API) if e_signed else SRC.PAGE
            contract = {
                **spec,
                "id": self.uuid(),
                "created_at": filed_at,
                "updated_at": filed_at,
                "enterprise_id": e.pk,
                "worker_id": worker["id"],
                "reference": f"HT{spec['start']:%Y}-{e.demo_code}-{self.references[e.pk]:04d}",
                "signing": SIGN.E_SIGNATURE if e_signed else SIGN.PAPER,
                "renews_unfiled": False,
                "status": S.IN_FORCE,
                "flags": [f.code for f in findings],
                "source": source,
                "filed_by_id": self.hr_user_id if e.demo_rich and source == SRC.PAGE else None,
                "terminated_on": None,
                "termination_reason": "",
                "termination_filed_on": None,
                "termination_filing_due": None,
            }
            self.contracts.append(contract)
            worker["_at"].add(e.pk)
            if worker["created_at"] is None or worker["created_at"] > filed_at:
                worker["created_at"] = worker["updated_at"] = filed_at
            label = {SRC.IMPORT: "system", SRC.API: "api:乐签平台", SRC.PAGE: e.demo_hr_label}[source]
            self.transition(contract, "file", "", S.IN_FORCE, filed_at, label, contract["filed_by_id"])
            if e_signed:
                self.sign(e, contract, worker)
            if previous is not None:
                previous["status"] = S.RENEWED
                previous["updated_at"] = max(filed_at, previous["created_at"])
                self.transition(previous, "renew", S.IN_FORCE, S.RENEWED, previous["updated_at"], label)
            priors.append(
                rules.Prior(
                    kind=spec["kind"],
                    start=spec["start"],
                    end=spec["end"],
                    had_probation=spec["probation_end"] is not None,
                    reference=contract["reference"],
                )
            )
            previous = contract
        if state == S.EXPIRED:
            previous["status"] = S.EXPIRED
            previous["updated_at"] = max(self.moment(previous["end"] + DAY, hour=0), previous["created_at"])
            self.transition(previous, "expire", S.IN_FORCE, S.EXPIRED, previous["updated_at"], "system")
        elif state == S.TERMINATED:
            previous.update(
                status=S.TERMINATED,
                terminated_on=ended,
                termination_reason=reason,
                termination_filed_on=filed_on,
                termination_filing_due=rules.termination_filing(
                    ended, filed_on, self.policies, overrides=self.overrides
                ).due,
                updated_at=max(self.moment(filed_on), previous["created_at"]),
            )
            user = self.hr_user_id if e.demo_rich else None
            self.transition(
                previous,
                "terminate",
                S.IN_FORCE,
                S.TERMINATED,
                previous["updated_at"],
                e.demo_hr_label,
                user,
                reason,
            )
            self.leavers.append((worker, ended))
        return previous

    def transition(self, contract, action, source, target, at, label, user=None, reason="") -> None:
        self.history.append(
            {
                "id": self.uuid(),
                "subject_id": contract["id"],
                "at": at,
                "action": action,
                "from_status": source,
                "to_status": target,
                "actor_id": user,
                "actor_label": label,
                "reason": reason,
            }
        )

    def sign(self, e, contract, worker) -> None:
        rng = self.rng
        day = contract["signed_on"]
        self.records[day] += 1
        record_id = f"LQ{day:%Y%m%d}{self.records[day]:05d}"
        employer_at = self.moment(day, hour=rng.randint(8, 16))
        worker_at = min(
            employer_at + dt.timedelta(minutes=rng.randint(2, 300)), self.now - dt.timedelta(minutes=1)
        )
        data = signed_pdf(
            [
                f"Labour contract {contract['reference']}, e-signing record {record_id}",
                f"Employer USCC {e.uscc}",
                f"Worker ID {personal_data.mask_id_number(worker['id_number'])}",
                f"Term {contract['start']} to {contract['end'] or contract['kind']}",
                f"Pay {contract['monthly_pay'] or contract['hourly_pay']}",
                f"Signed {employer_at:%Y-%m-%d %H:%M} and {worker_at:%Y-%m-%d %H:%M}",
            ],
        )
        signature = {
            "id": self.uuid(),
            "created_at": contract["created_at"],
            "updated_at": contract["created_at"],
            "contract_id": contract["id"],
            "platform": PLATFORM,
            "record_id": record_id,
            "employer_signed_at": employer_at,
            "worker_signed_at": worker_at,
            "timestamp_authority": rng.choice(TIMESTAMP_AUTHORITIES),
            "timestamp_token": base64.b64encode(rng.randbytes(48)).decode(),
            "sha256": hashlib.sha256(data).hexdigest(),
            "file": "",
            "last_verified_at": None,
            "tampered": False,
        }
        self.signatures.append(signature)
        if (
            e.demo_rich
            and len(self.files) < STORED_FILES
            and contract["start"] >= self.today - dt.timedelta(days=400)
        ):
            self.files.append((signature, data))

    def termination_filed(self, ended: dt.date, *, late=False) -> dt.date:
        """Filed within the policy's working days after the termination (late: well after)."""
        days = rules.termination_filing_days(rules.policy_on(self.policies, ended))
        extra = days + self.rng.randint(3, 25) if late else self.rng.randint(0, days)
        return min(add_working_days(ended, extra, overrides=self.overrides).date, self.today)

    # Workers of an enterprise ---------------------------------------------------------------------

    def employment_start(self, e, days: tuple[int, int] | None = None) -> dt.date:
        rng = self.rng
        if days is None:
            r = rng.random()
            years = (
                rng.uniform(0.05, 3)
                if r < 0.55
                else rng.uniform(3, 6)
                if r < 0.82
                else rng.uniform(6, 10)
                if r < 0.94
                else rng.uniform(10, 16)
            )
            start = self.today - dt.timedelta(days=int(years * 365.25))
        else:
            start = self.today - dt.timedelta(days=rng.randint(*days))
        if e.established_on and start < e.established_on:
            room = max(0, (self.today - e.established_on).days - 20)
            start = e.established_on + dt.timedelta(days=rng.randint(0, room))
        return start

    def in_force(self, e, joined, problems=()) -> None:
        """A worker with a contract in force today, and their earlier contracts."""
        rng = self.rng
        r = rng.random()
        part_time = 0.12 if e.industry in ("H", "O", "F") else 0.025
        task = 0.12 if e.industry == "E" else 0.01
        if r < part_time + task:
            kind = K.PART_TIME if r < part_time else K.TASK
            start = self.employment_start(e, (10, 900 if kind == K.PART_TIME else 400))
            specs = [self.terms(e, kind, start, start, None, first=True, problems=problems)]
            worker = self.worker(start, e)
        else:
            employment_start = self.employment_start(e)
            chain = self.chain(employment_start, self.today)
            last = len(chain) - 1
            specs = [
                self.terms(
                    e, k, employment_start, s, en, first=i == 0, problems=problems if i == last else ()
                )
                for i, (k, s, en) in enumerate(chain)
            ]
            worker = self.worker(employment_start, e)
        self.file(e, worker, specs, joined=joined)

    def leaver(self, e, joined, *, late=False) -> None:
        """A worker whose employment ended (terminated and filed) since the enterprise joined."""
        rng = self.rng
        left = self.today - dt.timedelta(days=rng.randint(3, max(4, (self.today - joined).days)))
        employment_start = left - dt.timedelta(days=rng.randint(30, 2000))
        if e.established_on and employment_start < e.established_on:
            employment_start = e.established_on
        if employment_start >= left:
            return
        if e.industry == "E" and rng.random() < 0.15:
            specs = [self.terms(e, K.TASK, employment_start, employment_start, None, first=True)]
            key = "task"
        else:
            chain = self.chain(employment_start, left)
            specs = [
                self.terms(e, k, employment_start, s, en, first=i == 0) for i, (k, s, en) in enumerate(chain)
            ]
            last = specs[-1]
            if last["end"] is not None and last["end"] < self.today and rng.random() < 0.4:
                left, key = last["end"], "expiry"
            else:
                key = rng.choices(("resigned", "agreed", "probation", "art40"), weights=(60, 25, 8, 7))[0]
                if key == "probation" and (last["probation_end"] is None or left > last["probation_end"]):
                    key = "resigned"
        worker = self.worker(employment_start, e)
        self.file(
            e,
            worker,
            specs,
            joined=joined,
            state=S.TERMINATED,
            ended=left,
            reason=REASON[key],
            filed_on=self.termination_filed(left, late=late),
        )

    def lapsed(self, e, joined, days_ago: int) -> None:
        """A worker whose fixed term ended `days_ago`, neither renewed nor terminated: at work
        without a written contract once a month has passed."""
        end = self.today - dt.timedelta(days=days_ago)
        start = years_later(end + DAY, -self.rng.choice((1, 2, 3)))
        spec = self.terms(e, K.FIXED_TERM, start, start, end, first=True)
        self.file(e, self.worker(start, e), [spec], joined=min(joined, start), state=S.EXPIRED)

    def enterprise(self, e) -> None:
        rng = self.rng
        established = e.established_on or self.today - dt.timedelta(days=3650)
        joined = max(established, self.today - dt.timedelta(days=int(rng.uniform(0.6, 3.2) * 365)))
        e.demo_code = e.uscc[-6:-1]
        e.demo_hr_label = "hr" if e.demo_rich else f"hr:{e.uscc}"
        e.demo_e_share = 0.85 if e.demo_rich else min(0.97, max(0.05, rng.gauss(0.7, 0.2)))
        employees = (e.employees or 0) if e.demo_rich else filed_workforce(e.employees or 0)
        if e.status != EnterpriseStatus.OPERATING:
            # Closed or moved out: every contract ended then, terminated and filed.
            ended = self.today - dt.timedelta(days=rng.randint(40, 600))
            joined = min(joined, ended - dt.timedelta(days=30))
            key = "closed" if e.status == EnterpriseStatus.CLOSED else "moved_out"
            for _ in range(round(employees * rng.uniform(0.3, 0.6))):
                employment_start = ended - dt.timedelta(days=rng.randint(60, 2500))
                if e.established_on and employment_start < e.established_on:
                    employment_start = min(e.established_on, ended - dt.timedelta(days=30))
                chain = self.chain(employment_start, ended)
                specs = [
                    self.terms(e, k, employment_start, s, en, first=i == 0)
                    for i, (k, s, en) in enumerate(chain)
                ]
                self.file(
                    e,
                    self.worker(employment_start, e),
                    specs,
                    joined=joined,
                    state=S.TERMINATED,
                    ended=ended,
                    reason=REASON[key],
                    filed_on=self.termination_filed(ended),
                )
            return
        r = rng.random()
        rate = 0.9
        for probability, low, high in SIGNING_RATES:
            if r < probability:
                rate = rng.uniform(low, high)
                break
            r -= probability
        if e.demo_rich:
            rate = rng.uniform(0.9, 0.95)
        in_force = round(employees * rate)
        specials = self.specials(e, joined) if e.demo_rich else 0
        lapsed = sum(rng.random() < 0.012 for _ in range(in_force))
        for _ in range(lapsed):
            self.lapsed(e, joined, rng.randint(5, 200))
        for _ in range(max(0, in_force - specials - lapsed)):
            r = rng.random()
            self.in_force(e, joined, problems=next(((code,) for p, code in PROBLEMS if r < p), ()))
        years = (self.today - joined).days / 365
        for _ in range(round(in_force * rng.uniform(0.04, 0.1) * years)):
            self.leaver(e, joined, late=rng.random() < 0.06)

    def specials(self, e, joined) -> int:
        """The demo HR user's enterprise: contracts behind every figure of the book and for every
        check. Returns how many in-force workers they account for."""
        t = self.today
        made = 0

        def ago(days):
            return t - dt.timedelta(days=days)

        def ahead(days):
            return t + dt.timedelta(days=days)

        def fixed(employment_start, start, end, first, problems=()):
            return self.terms(e, K.FIXED_TERM, employment_start, start, end, first=first, problems=problems)

        def chain(employment_start, *specs):
            nonlocal made
            self.file(e, self.worker(employment_start), list(specs), joined=min(joined, employment_start))
            made += 1

        def one(kind, start, end=None, problems=()):
            chain(start, self.terms(e, kind, start, start, end, first=True, problems=problems))

        # Expiring within 30 and within 60 days.
        for days in (6, 13, 27, 38, 52):
            end = ahead(days)
            one(K.FIXED_TERM, years_later(end + DAY, -3), end)
        # An open-ended contract due at renewal (art. 14): the second fixed term ends in 25 days.
        es = years_later(ahead(26), -4)
        chain(
            es, fixed(es, es, years_later(es, 1), True), fixed(es, years_later(es, 1) + DAY, ahead(25), False)
        )
        # Flagged when filed: a third consecutive fixed term; a fixed term after ten years' service.
        es = ago(365 * 5)
        a_end, b_end = years_later(es, 2), years_later(es, 4)
        chain(
            es,
            fixed(es, es, a_end, True),
            fixed(es, a_end + DAY, b_end, False),
            fixed(es, b_end + DAY, years_later(b_end + DAY, 3), False),
        )
        es = ago(365 * 12 + 40)
        a_end = years_later(es, 5)
        b_end = years_later(a_end + DAY, 5)
        chain(
            es,
            fixed(es, es, a_end, True),
            fixed(es, a_end + DAY, b_end, False),
            fixed(es, b_end + DAY, years_later(b_end + DAY, 3), False),
        )
        # The other checks, on contracts in force.
        one(K.FIXED_TERM, ago(90), years_later(ago(90), 1), problems=("probation_too_long",))
        one(K.FIXED_TERM, ago(60), ahead(40), problems=("probation_after_end",))
        one(K.PART_TIME, ago(120), problems=("probation_not_allowed",))
        one(K.TASK, ago(45), problems=("probation_not_allowed",))
        one(K.PART_TIME, ago(200), problems=("part_time_hours",))
        one(K.PART_TIME, ago(150), problems=("below_minimum_wage",))
        one(K.FIXED_TERM, ago(300), years_later(ago(300), 3), problems=("below_minimum_wage",))
        one(K.FIXED_TERM, ago(400), years_later(ago(400), 3), problems=("double_wage_risk",))
        one(K.FIXED_TERM, ago(700), years_later(ago(700), 3), problems=("written_after_a_year",))
        es = ago(800)
        chain(
            es,
            fixed(es, es, ago(300), True, ("second_probation",)),
            fixed(es, ago(299), years_later(ago(299), 3), False, ("second_probation",)),
        )
        # Lapsed contracts (one more than a month ago) and late termination filings.
        self.lapsed(e, joined, 75)
        self.lapsed(e, joined, 12)
        made += 2
        for days in (40, 160, 300):
            ended = ago(days)
            es = ended - dt.timedelta(days=self.rng.randint(200, 900))
            specs = [
                self.terms(e, k, es, s, en, first=i == 0)
                for i, (k, s, en) in enumerate(self.chain(es, ended))
            ]
            self.file(
                e,
                self.worker(es),
                specs,
                joined=min(joined, es),
                state=S.TERMINATED,
                ended=ended,
                reason=REASON["resigned"],
                filed_on=self.termination_filed(ended, late=True),
            )
        return made

    # Writing ------------------------------------------------------------------------------------

    def save(self) -> None:
        field = ESignature._meta.get_field("file")
        for index, (signature, data) in enumerate(self.files):
            if index == len(self.files) - 1:
                data = data.replace(b"Pay ", b"Pay 1")  # altered after signing: the pay changed
            name = field.generate_filename(None, f"{signature['record_id']}.pdf")
            signature["file"] = default_storage.save(name, ContentFile(data))
        _insert(Worker, self.workers)
        _insert(LabourContract, self.contracts)
        _insert(ESignature, self.signatures)
        _insert(ContractHistory, self.history)


def seed(rng, stdout) -> None:
    if LabourContract.objects.exists():
        stdout.write(
            f"Contracts: nothing new ({LabourContract.objects.count()} filed, {Worker.objects.count()} workers)."
        )
        return
    enterprises = list(Enterprise.objects.order_by("name"))
    if not enterprises:  # pragma: no cover - the registry seeder runs first
        stdout.write("Contracts: no enterprises, no contracts seeded.")
        return
    hr = Membership.objects.filter(user__username="hr", role=Role.ENTERPRISE_HR).first()
    park = _Park(rng, timezone.localdate(), hr.user_id if hr else None)
    for e in enterprises:
        e.demo_rich = hr is not None and e.organisation_id == hr.organisation_id
        park.enterprise(e)
    park.save()
    contracts = park.contracts
    statuses = Counter(c["status"] for c in contracts)
    e_signed = sum(c["signing"] == SIGN.E_SIGNATURE for c in contracts)
    stdout.write(
        f"Contracts: {len(contracts)} filed for {len(park.workers)} workers at "
        f"{len({c['enterprise_id'] for c in contracts})} enterprises "
        f"({', '.join(f'{n} {s}' for s, n in sorted(statuses.items()))}); "
        f"{round(100 * e_signed / max(1, len(contracts)))} % e-signed, "
        f"{sum(bool(c['flags']) for c in contracts)} flagged, {len(park.files)} signed files stored (1 altered)."
    )
