"""The demo park's labour inspection (劳动保障监察): a year of the brigade's work up to today.

Called by `manage.py seed_demo` after the other modules' seeders (it uses the registry, the
mediation cases and the demo users). It makes:

- about 130 cases received over the last 12 months, from every source: complaints online and at
  the counter, reports (the reporter kept apart, some anonymous), patrol and written-review
  findings, the winter campaign against wage arrears before the Spring Festival, referrals from
  the 12345 hotline (with their ticket numbers), from mediation (with the mediation case number)
  and from other departments; a few employers not yet in the registry;
- in every status: received (some due today or by the next working day, some overdue), accepted,
  under investigation (some overdue, one extension waiting for approval, extended ones), decided
  with each decision, in follow-up, closed, archived, refused on each ground, and transferred to
  mediation (the mediation case is created by inspection's own service and linked both ways);
- 15 orders to rectify (some past their deadline, one ignored: not done and escalated to an
  interview), and two enterprises on the wage-arrears list (one removed early: arrears paid, 6
  months passed, a written pledge);
- then, when the other rooms' services exist, interviews, patrol plans with patrols and findings,
  the written reviews of last year and the credit grades.

How: every act goes through inspection's services (register, accept, refuse, investigate, decide,
follow up, close, archive, the extension, the transfer, the listing), acting as the demo inspector
覃正忠 or the park administrator 张莉, so rows, history, audit and deadlines are exactly what the
pages would have written. A year of work needs the services' "today" to be the day of each act:
the acts are replayed in date order with the clock (`django.utils.timezone.now`) set to a moment
of that day (`_clock`), so the deadlines come from apps.inspection.rules on those dates, and the
history and audit times agree with them. Acts of today are placed before the real current time.

Idempotent: cases are made only when there are none; each later part only when it has no rows.
Deterministic from the seed (the serial numbers follow the order of receipt).
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from unittest import mock

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils import timezone as django_timezone

from apps.accounts.models import Membership, User
from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.certification.models import Application, Certificate
from apps.core import personal_data
from apps.core.calendar import add_working_days, day_info, on_working_day, overrides_read_once
from apps.core.context import acting_as
from apps.core.models import Area
from apps.core.principal import SYSTEM, principal_for_user
from apps.demo import generators as demo
from apps.demo.certification import _pdf
from apps.demo.mediation import ID_REGIONS
from apps.enterprises.choices import Status as EnterpriseStatus
from apps.enterprises.models import Enterprise
from apps.inspection import rules, services
from apps.inspection.models import (
    Attachment,
    CreditGrade,
    InspectionCase,
    Interview,
    Matter,
    Patrol,
    PatrolFinding,
    PatrolPlan,
    RectificationOrder,
    Source,
    WageArrearsListing,
    WrittenReview,
)
from apps.inspection.selectors import reviews as review_selectors
from apps.inspection.selectors.patrols import checklist_for
from apps.mediation.models import Case as MediationCase
from apps.notifications.models import Notification

S = InspectionCase.Status
D = InspectionCase.Decision
RB = InspectionCase.RefusalBasis
CH = InspectionCase.Channel
M = Matter
R = RectificationOrder.Result

#: The access code of the well-known online complaint for the public tracking page.
TRACKING_CODE = "DEMJCASE"
#: Cases received before this many days ago are the "background": they have run their course.
WINDOW_DAYS = 360
BACKGROUND_MIN_AGE = 70
BACKGROUND = 72
#: 春节 (the winter campaign against wage arrears runs in the weeks before it).
SPRING_FESTIVAL = {
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
}
CAMPAIGN_DAYS = 80
CAMPAIGN = "根治欠薪冬季专项行动"
DISTRICT = demo.DISTRICT[0]
HOTLINE_API = "柳州12345政务服务便民热线"

#: Employers not (yet) in the registry, in the park's towns: name, address, town index.
UNREGISTERED = [
    ("柳东新区顺发装饰工程队", "柳东新区官塘大道创业园B区3栋", 0),
    ("柳州市鑫旺劳务服务部", "雒容镇雒容街128号", 0),
    ("洛埠镇好再来快餐店", "洛埠镇洛埠街56号", 1),
    ("广西建工某项目部柳东分包班组", "柳东新区新柳大道以北工地", 0),
    ("柳州市蓝天保洁服务部", "洛埠镇工业园路9号", 1),
    ("柳东新区阿强汽车美容店", "雒容镇环镇路33号", 0),
]
#: Employers outside the park (refused: outside the jurisdiction).
OUTSIDE = [
    ("柳州市鱼峰区鸿运装饰工程队", "柳州市鱼峰区荣军路18号"),
    ("柳州市城中区老友记餐饮店", "柳州市城中区五一路106号"),
]

FACTS = {
    M.WAGE_ARREARS: "{who}反映，{employer}拖欠{n}名职工{period}工资共计{amount}，经多次催要，单位以资金周转困难为由拖延支付。",
    M.NO_WRITTEN_CONTRACT: "{who}反映，{employer}自{start}起用工，至今未与{n}名劳动者订立书面劳动合同。",
    M.HOURS_OVERTIME: "{who}反映，{employer}安排职工每天工作11至12小时，每月延长工作时间超过36小时，且未足额支付加班费。",
    M.REST_DAYS: "{who}反映，{employer}{period}期间安排职工连续上班，每周未保证休息一日，休息日加班既不安排补休也不支付加班费。",
    M.SOCIAL_INSURANCE: "{who}反映，{employer}未为{n}名职工办理社会保险登记、缴纳社会保险费。",
    M.MINIMUM_WAGE: "{who}反映，{employer}以试用期为由，支付给部分职工的月工资低于本市月最低工资标准。",
    M.CHILD_LABOUR: "{who}反映，{employer}生产线上有疑似未满十六周岁的未成年人做工。",
    M.FEMALE_UNDERAGE: "{who}反映，{employer}安排怀孕七个月以上的女职工上夜班并延长工作时间。",
    M.OTHER: "{who}反映，{employer}入职时向职工收取服装押金和工具押金，并扣押部分职工的身份证。",
}
WHO = {
    Source.COMPLAINT: "投诉人",
    Source.REPORT: "举报人",
    Source.PATROL: "日常巡视检查发现",
    Source.WRITTEN_REVIEW: "书面审查发现",
    Source.CAMPAIGN: f"{CAMPAIGN}排查发现",
    Source.REFERRAL: "转办单",
}
ITEMS = {
    M.WAGE_ARREARS: "限期足额支付拖欠的{n}名职工工资{amount}",
    M.NO_WRITTEN_CONTRACT: "与未订立书面劳动合同的劳动者补订劳动合同",
    M.HOURS_OVERTIME: "依法支付延长工作时间的加班费，每月延长工作时间不超过36小时",
    M.REST_DAYS: "保证职工每周至少休息一日，休息日加班安排补休或支付加班费",
    M.SOCIAL_INSURANCE: "为职工办理社会保险登记并补缴社会保险费",
    M.MINIMUM_WAGE: "按不低于本市月最低工资标准补足工资差额",
    M.CHILD_LABOUR: "立即清退未满十六周岁人员并送交其父母或其他监护人",
    M.FEMALE_UNDERAGE: "调整孕期女职工工作岗位，停止安排延长工作时间和夜班劳动",
    M.OTHER: "退还向职工收取的押金，返还扣押的身份证件",
}
NO_VIOLATION = [
    "经调取工资支付台账和银行代发记录，该单位已按时足额支付工资，反映事项不成立。",
    "经核查劳动合同台账和花名册，涉及职工均已订立书面劳动合同，未发现违法行为。",
    "经询问职工并核查考勤记录，加班时间在法定范围内，加班费已按规定支付，未发现违法行为。",
    "调查期间单位已足额支付所欠工资，职工确认收到，未发现其他违法行为。",
]
REFUSALS = {
    RB.NOT_LABOUR_MATTER: "反映事项系装修工程款结算纠纷，双方为承揽关系，不属于劳动保障监察事项，已告知通过民事途径解决。",
    RB.OUTSIDE_AREA: "用人单位住所地和用工地均不在本园区，已告知向用工所在地人力资源社会保障行政部门投诉。",
    RB.TIME_BARRED: "反映的违法行为已于两年前终止，超过劳动保障监察条例第二十条规定的期限。",
    RB.IN_ARBITRATION_OR_COURT: "同一事项已由柳州市劳动人事争议仲裁委员会立案受理，不再作为投诉案件受理。",
    RB.OTHER: "投诉人未能提供用人单位名称和地址，经联系补正未果，无法确定被投诉对象。",
}
EXTENSION_REASONS = [
    "涉及职工人数较多，工资台账缺失，需调取银行流水逐一核对，申请延长办案期限。",
    "用人单位法定代表人下落不明，需会同公安机关查找，申请延长办案期限。",
]
FOLLOW_UP_NOTES = {
    R.DONE: "复查时单位已按责令改正指令书要求整改到位，职工确认。",
    R.PARTLY: "复查时单位仅支付部分欠薪，其余部分承诺分期支付。",
    R.NOT_DONE: "复查时单位未按期整改，拒不履行责令改正指令书。",
}
JOBS = ["装配工", "焊工", "注塑操作工", "质检员", "叉车司机", "仓管员", "普工", "保洁员", "厨师", "钢筋工"]


# Helpers ----------------------------------------------------------------------------------------


def _yuan(amount: Decimal) -> str:
    return f"{int(amount):,}元"


def _period(end: dt.date, months: int) -> str:
    start = end
    for _ in range(months - 1):
        start = (start.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if (start.year, start.month) == (end.year, end.month):
        return f"{end.year}年{end.month}月"
    if start.year == end.year:
        return f"{start.year}年{start.month}月至{end.month}月"
    return f"{start.year}年{start.month}月至{end.year}年{end.month}月"


def _sub_rng(rng, label: str):
    """A generator of its own for a part of the demo, from the seeder's (without drawing from it)."""
    return random.Random(f"{rng.getstate()[1][:4]}-{label}")


def _wd(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day`; with 0, `day` itself or the next working day."""
    return add_working_days(day, n).date if n else on_working_day(day).date


def _prev_wd(day: dt.date) -> dt.date:
    while not day_info(day).is_working_day:
        day -= dt.timedelta(days=1)
    return day


def _id_number(rng, year: int, taken: set) -> str:
    while True:
        birth = dt.date(year - rng.randint(18, 55), rng.randint(1, 12), rng.randint(1, 28))
        number = personal_data.with_check_character(
            f"{rng.choice(ID_REGIONS)}{birth:%Y%m%d}{rng.randint(1, 999):03d}"
        )
        if number not in taken:
            taken.add(number)
            return number


@contextmanager
def _clock(moment: dt.datetime):
    """The services act on "today" (`timezone.localdate()`) and stamp rows with `timezone.now()`:
    for the replay of a past act, both answer `moment`."""

    def localdate(value=None, timezone=None):
        return django_timezone.localtime(moment if value is None else value, timezone).date()

    with (
        mock.patch.object(django_timezone, "now", return_value=moment),
        mock.patch.object(django_timezone, "localdate", localdate),
    ):
        yield


# Scenarios --------------------------------------------------------------------------------------


@dataclass
class _Spec:
    """One case: how it came in and how far it has gone today."""

    source: str
    target: str  # the status it must be in today; "" for the background (wherever it got to)
    channel: str = CH.PLATFORM
    decision: str = ""  # decide_* action
    order: str = ""  # future | overdue | follow_up | ignored | done | partly
    refusal: str = ""
    extension: str = ""  # requested | approved
    overdue: bool = False
    due_today: bool = False
    late_accept: bool = False
    transfer: bool = False
    anonymous: bool = False
    unregistered: bool = False
    outside: bool = False
    hr: bool = False
    listing: str = ""  # listed | removed
    campaign: str = ""  # last | current
    referral: str = ""  # hotline | mediation | department
    tracking: bool = False
    on_the_spot: bool = False  # a patrol finding turned into a case with an order the same day
    attachment: str = ""  # jpeg | pdf: a file on the patrol finding the case comes from
    window: tuple[int, int] = (BACKGROUND_MIN_AGE, WINDOW_DAYS)  # days ago the case may be received
    # Drafted.
    enterprise: Enterprise | None = None
    employer: tuple = ()
    town: Area | None = None
    matters: list = field(default_factory=list)
    workers: list = field(default_factory=list)
    workers_count: int = 1
    amount: Decimal = Decimal("0")
    facts: str = ""
    ended: dt.date | None = None
    reference: str = ""
    reporter: dict | None = None
    steps: list = field(default_factory=list)  # [(day, action)]
    dates: dict = field(default_factory=dict)
    case: InspectionCase | None = None


def _explicit(today: dt.date) -> list[_Spec]:
    C, RP, P, W, CA, RF = (
        Source.COMPLAINT,
        Source.REPORT,
        Source.PATROL,
        Source.WRITTEN_REVIEW,
        Source.CAMPAIGN,
        Source.REFERRAL,
    )
    specs = [
        # Received: to accept or refuse by today (or the next working day), overdue, fresh.
        _Spec(C, S.RECEIVED, channel=CH.ONLINE, due_today=True, tracking=True, window=(2, 12)),
        _Spec(RP, S.RECEIVED, channel=CH.COUNTER, due_today=True, window=(2, 12)),
        _Spec(C, S.RECEIVED, channel=CH.COUNTER, overdue=True, window=(9, 16)),
        _Spec(RF, S.RECEIVED, referral="hotline", channel=CH.API, overdue=True, window=(9, 16)),
        _Spec(C, S.RECEIVED, channel=CH.ONLINE, window=(0, 2)),
        _Spec(RP, S.RECEIVED, channel=CH.ONLINE, anonymous=True, window=(0, 3)),
        _Spec(RF, S.RECEIVED, referral="hotline", channel=CH.API, window=(0, 3)),
        _Spec(C, S.RECEIVED, channel=CH.COUNTER, unregistered=True, window=(1, 4)),
        # Transferred to mediation today: really a dispute between a worker and the employer.
        _Spec(C, S.CLOSED, channel=CH.ONLINE, transfer=True, window=(1, 5)),
        _Spec(C, S.CLOSED, channel=CH.COUNTER, transfer=True, window=(1, 5)),
        _Spec(RF, S.CLOSED, referral="hotline", channel=CH.API, transfer=True, window=(1, 5)),
        # Accepted, the investigation not started.
        *[_Spec(src, S.ACCEPTED, channel=ch, window=(2, 12)) for src, ch in [
            (C, CH.COUNTER), (C, CH.ONLINE), (RP, CH.COUNTER), (RF, CH.API), (P, CH.PLATFORM)
        ]],  # fmt: skip
        # Under investigation: on time, overdue, extended, an extension waiting.
        *[_Spec(src, S.INVESTIGATING, channel=ch, window=(12, 70)) for src, ch in [
            (C, CH.COUNTER), (C, CH.ONLINE), (C, CH.COUNTER), (RP, CH.COUNTER), (P, CH.PLATFORM),
            (W, CH.PLATFORM), (RF, CH.API),
        ]],  # fmt: skip
        _Spec(C, S.INVESTIGATING, channel=CH.COUNTER, overdue=True, window=(95, 125)),
        _Spec(RP, S.INVESTIGATING, channel=CH.ONLINE, anonymous=True, overdue=True, window=(95, 125)),
        _Spec(C, S.INVESTIGATING, channel=CH.ONLINE, late_accept=True, overdue=True, window=(95, 125)),
        _Spec(C, S.INVESTIGATING, channel=CH.COUNTER, extension="approved", window=(95, 120)),
        _Spec(P, S.INVESTIGATING, extension="approved", window=(100, 125)),
        _Spec(C, S.INVESTIGATING, channel=CH.COUNTER, extension="requested", window=(76, 84)),
        # Decided, each decision; orders to rectify running or past their deadline.
        _Spec(C, S.DECIDED, channel=CH.COUNTER, decision="decide_no_violation", window=(20, 60)),
        _Spec(RF, S.DECIDED, referral="hotline", channel=CH.API, decision="decide_no_violation", window=(20, 60)),
        _Spec(C, S.DECIDED, channel=CH.ONLINE, decision="decide_penalty", window=(30, 70)),
        _Spec(CA, S.DECIDED, decision="decide_penalty", campaign="current", window=(5, 20)),
        _Spec(RP, S.DECIDED, channel=CH.COUNTER, decision="decide_police", window=(30, 70)),
        _Spec(C, S.DECIDED, channel=CH.COUNTER, decision="decide_order", order="future", hr=True, window=(20, 60)),
        _Spec(P, S.DECIDED, decision="decide_order", order="future", on_the_spot=True, attachment="jpeg", window=(10, 25)),
        _Spec(CA, S.DECIDED, decision="decide_order", order="future", campaign="current", window=(3, 16)),
        _Spec(W, S.DECIDED, decision="decide_order", order="overdue", window=(45, 90)),
        _Spec(C, S.DECIDED, channel=CH.ONLINE, decision="decide_order", order="overdue", window=(45, 90)),
        # Follow-up checks: two waiting past the deadline, one ignored (escalated to an interview).
        _Spec(P, S.FOLLOW_UP, decision="decide_order", order="follow_up", attachment="pdf", window=(60, 110)),
        _Spec(C, S.FOLLOW_UP, channel=CH.COUNTER, decision="decide_order", order="follow_up", window=(60, 110)),
        _Spec(RP, S.FOLLOW_UP, channel=CH.COUNTER, decision="decide_order", order="ignored", window=(70, 120)),
        # Closed lately and archived earlier, with orders done or partly done.
        _Spec(C, S.CLOSED, channel=CH.COUNTER, decision="decide_order", order="done", window=(60, 110)),
        _Spec(P, S.CLOSED, decision="decide_order", order="done", window=(60, 110)),
        _Spec(W, S.CLOSED, decision="decide_order", order="done", window=(60, 120)),
        _Spec(CA, S.CLOSED, decision="decide_order", order="done", campaign="last", window=(0, WINDOW_DAYS)),
        _Spec(C, S.CLOSED, channel=CH.ONLINE, decision="decide_order", order="partly", window=(70, 130)),
        _Spec(CA, S.ARCHIVED, decision="decide_order", order="done", campaign="last", window=(0, WINDOW_DAYS)),
        _Spec(RF, S.ARCHIVED, referral="department", decision="decide_order", order="done", window=(150, 300)),
        # The wage-arrears list: one listed two months ago, one removed early.
        _Spec(C, S.CLOSED, channel=CH.COUNTER, decision="decide_penalty", listing="listed", window=(120, 170)),
        _Spec(C, S.ARCHIVED, channel=CH.COUNTER, decision="decide_penalty", listing="removed", window=(250, 340)),
        # Closed on each decision; referrals from mediation.
        _Spec(RF, S.CLOSED, referral="mediation", decision="decide_no_violation", window=(60, 120)),
        _Spec(RF, S.ARCHIVED, referral="mediation", decision="decide_penalty", window=(150, 300)),
        _Spec(RF, S.ACCEPTED, referral="mediation", window=(2, 12)),
        _Spec(RP, S.CLOSED, channel=CH.COUNTER, decision="decide_police", window=(90, 200)),
        _Spec(C, S.CLOSED, channel=CH.ONLINE, decision="decide_no_violation", unregistered=True, window=(60, 150)),
        _Spec(C, S.ARCHIVED, channel=CH.COUNTER, decision="decide_no_violation", unregistered=True, window=(150, 300)),
        _Spec(P, S.ARCHIVED, decision="decide_penalty", unregistered=True, window=(150, 300)),
        # Refused, on each ground (two archived after the period for remarks).
        _Spec(C, S.REFUSED, channel=CH.COUNTER, refusal=RB.NOT_LABOUR_MATTER, unregistered=True, window=(8, 60)),
        _Spec(RF, S.REFUSED, referral="hotline", channel=CH.API, refusal=RB.OUTSIDE_AREA, outside=True, window=(8, 60)),
        _Spec(C, S.REFUSED, channel=CH.ONLINE, refusal=RB.OUTSIDE_AREA, outside=True, window=(8, 60)),
        _Spec(C, S.REFUSED, channel=CH.COUNTER, refusal=RB.TIME_BARRED, window=(8, 60)),
        _Spec(C, S.REFUSED, channel=CH.ONLINE, refusal=RB.IN_ARBITRATION_OR_COURT, window=(8, 60)),
        _Spec(RP, S.REFUSED, channel=CH.ONLINE, anonymous=True, refusal=RB.OTHER, unregistered=True, window=(8, 60)),
        _Spec(C, S.ARCHIVED, channel=CH.COUNTER, refusal=RB.IN_ARBITRATION_OR_COURT, window=(120, 300)),
        _Spec(C, S.ARCHIVED, channel=CH.ONLINE, refusal=RB.TIME_BARRED, window=(120, 300)),
    ]  # fmt: skip
    return specs


def _background(rng) -> list[_Spec]:
    """Cases that have run their course (most closed or archived): complaints first, then reports,
    patrols, referrals from the hotline, the last winter campaign and written reviews."""
    kinds = [
        ((Source.COMPLAINT, CH.COUNTER, ""), 22),
        ((Source.COMPLAINT, CH.ONLINE, ""), 16),
        ((Source.REPORT, CH.COUNTER, ""), 6),
        ((Source.REPORT, CH.ONLINE, "anonymous"), 5),
        ((Source.PATROL, CH.PLATFORM, ""), 12),
        ((Source.REFERRAL, CH.API, "hotline"), 10),
        ((Source.CAMPAIGN, CH.PLATFORM, "last"), 10),
        ((Source.WRITTEN_REVIEW, CH.PLATFORM, ""), 6),
        ((Source.REFERRAL, CH.PLATFORM, "department"), 3),
    ]
    values, weights = zip(*kinds, strict=True)
    specs = []
    for _ in range(BACKGROUND):
        source, channel, extra = rng.choices(values, weights=weights)[0]
        decision = rng.choices(
            ["decide_no_violation", "decide_penalty", "decide_police", ""], weights=[70, 18, 3, 9]
        )[0]
        spec = _Spec(source, "", channel=channel, decision=decision)
        if not decision:  # refused
            spec.decision = ""
            spec.refusal = rng.choice([RB.NOT_LABOUR_MATTER, RB.IN_ARBITRATION_OR_COURT, RB.OTHER])
            if source not in (Source.COMPLAINT, Source.REPORT, Source.REFERRAL):
                spec.refusal, spec.decision = "", "decide_no_violation"
        spec.anonymous = extra == "anonymous"
        spec.referral = extra if extra in ("hotline", "department") else ""
        spec.campaign = extra if source == Source.CAMPAIGN else ""
        spec.unregistered = source in (Source.COMPLAINT, Source.REPORT) and rng.random() < 0.06
        specs.append(spec)
    return specs


# Dates ------------------------------------------------------------------------------------------


def _campaign_window(today: dt.date, which: str) -> tuple[dt.date, dt.date] | None:
    """The winter campaign's days: "current" (running now, before the coming Spring Festival) or
    "last" (before the last Spring Festival)."""
    festivals = sorted(SPRING_FESTIVAL.values())
    coming = next((f for f in festivals if f > today), None)
    last = max(f for f in festivals if f <= today)
    if which == "current":
        if coming is None or coming - dt.timedelta(days=CAMPAIGN_DAYS) > today:
            return None
        return coming - dt.timedelta(days=CAMPAIGN_DAYS), today
    return last - dt.timedelta(days=CAMPAIGN_DAYS), last - dt.timedelta(days=3)


def _plan(rng, spec: _Spec, today: dt.date) -> list[tuple[dt.date, str]] | None:
    """Draw the days of the case's acts from its receipt; None when they do not give the status
    the spec asks for today (the caller draws again)."""
    low, high = spec.window
    start, end = today - dt.timedelta(days=high), today - dt.timedelta(days=low)
    if spec.campaign:
        window = _campaign_window(today, spec.campaign)
        if window is None:
            return None
        start, end = max(start, window[0]), min(end, window[1])
        if start > end:
            return None
    received = start + dt.timedelta(days=rng.randint(0, (end - start).days))
    if spec.channel in (CH.COUNTER, CH.PLATFORM):
        received = _prev_wd(received)
    if received > today:
        return None
    steps = [(received, "register")]
    d = {"received": received, "decision_due": rules.acceptance_due(received).date}
    spec.dates = d
    if spec.due_today:
        if d["decision_due"] != on_working_day(today).date:
            return None
        return steps
    if spec.target == S.RECEIVED:
        overdue = d["decision_due"] < today
        return steps if overdue == spec.overdue else None
    if spec.transfer:
        steps.append((today, "transfer"))
        return steps if d["decision_due"] >= today else None
    inspector_initiated = spec.source in (Source.PATROL, Source.WRITTEN_REVIEW, Source.CAMPAIGN)
    if spec.refusal:
        refused = _wd(received, rng.randint(1, 4))
        steps.append((refused, "refuse"))
        if spec.target == S.ARCHIVED or (not spec.target and rng.random() < 0.6):
            steps.append((_wd(refused, rng.randint(10, 30)), "archive"))
    else:
        if inspector_initiated:
            accepted = _wd(received, 0)
        elif spec.late_accept:
            accepted = _wd(received, rng.randint(6, 8))
        else:
            accepted = _wd(received, rng.randint(1, 4))
        steps.append((accepted, "accept"))
        investigating = accepted if spec.on_the_spot else _wd(accepted, rng.choice((0, 0, 1, 2)))
        steps.append((investigating, "start_investigation"))
        due = rules.investigation_due(accepted).date
        d["due"] = due
        if spec.extension:
            requested = add_working_days(accepted, rng.randint(48, 55)).date
            steps.append((requested, "request_extension"))
            if spec.extension == "approved":
                steps.append((_wd(requested, rng.randint(1, 2)), "approve_extension"))
                due = rules.extended_due(due).date
                d["due"] = due
        if spec.overdue:
            decided = _wd(due, rng.randint(5, 25))
        elif spec.extension == "approved":
            decided = _wd(d["due"], 0) - dt.timedelta(days=rng.randint(5, 30))
            decided = _prev_wd(decided)
        elif spec.on_the_spot:
            decided = investigating
        else:
            decided = _wd(investigating, rng.randint(8, 45))
            if decided >= due:
                decided = _prev_wd(due - dt.timedelta(days=rng.randint(1, 10)))
        if spec.decision:
            steps.append((decided, spec.decision))
        closing = None
        if spec.order:
            order_due = on_working_day(decided + dt.timedelta(days=rng.randint(15, 30))).date
            d["order_due"] = order_due
            if spec.order in ("follow_up", "ignored", "done", "partly"):
                follow = _wd(order_due, rng.randint(1, 4))
                steps.append((follow, "start_follow_up"))
                if spec.order in ("ignored", "done", "partly"):
                    checked = _wd(follow, rng.randint(0, 2))
                    steps.append((checked, f"check_{spec.order}"))
                    if spec.order != "ignored":
                        closing = _wd(checked, rng.randint(0, 3))
        elif spec.decision and spec.target != S.DECIDED:
            closing = _wd(decided, rng.randint(1, 8))
        if spec.listing:
            d["listed"] = _wd(decided, rng.randint(8, 15))
        if closing:
            steps.append((closing, "close"))
            if spec.target == S.ARCHIVED or (not spec.target and rng.random() < 0.75):
                steps.append((_wd(closing, rng.randint(10, 30)), "archive"))
    steps.sort(key=lambda s: s[0])
    done = [s for s in steps if s[0] <= today]
    if not spec.target:
        # The background: never past a running clock.
        last = done[-1][1] if done else "register"
        if last == "register" and d["decision_due"] < today:
            return None
        if _status_after(done, spec) in InspectionCase.CLOCK_RUNNING and d["due"] < today:
            return None
        return done
    allowed = set(TARGET_ACTIONS[spec.target])
    for index, (_day, action) in enumerate(steps):
        if action not in allowed and not (action.startswith("decide_") and "decide" in allowed):
            steps = steps[:index]
            break
    if any(day > today for day, _action in steps):
        return None
    return _check(spec, steps, d, today)


_RECEIVED = ("register",)
_ACCEPTED = (*_RECEIVED, "accept")
_INVESTIGATING = (*_ACCEPTED, "start_investigation", "request_extension", "approve_extension")
_DECIDED = (*_INVESTIGATING, "decide")
_FOLLOW_UP = (*_DECIDED, "start_follow_up", "check_ignored", "check_done", "check_partly")
_CLOSED = (*_FOLLOW_UP, "close", "transfer")
#: The acts a case goes through to reach each status (the plan is cut at the first other act).
TARGET_ACTIONS = {
    S.RECEIVED: _RECEIVED,
    S.ACCEPTED: _ACCEPTED,
    S.INVESTIGATING: _INVESTIGATING,
    S.DECIDED: _DECIDED,
    S.FOLLOW_UP: _FOLLOW_UP,
    S.CLOSED: _CLOSED,
    S.ARCHIVED: (*_CLOSED, "archive", "refuse"),
    S.REFUSED: (*_RECEIVED, "refuse"),
}


def _check(spec, steps, d, today):
    """The extra conditions of a scenario, on its drawn days."""
    status = _status_after(steps, spec)
    if status != spec.target:
        return None
    if spec.target in (S.ACCEPTED, S.INVESTIGATING):
        if (d["due"] < today) != spec.overdue:
            return None
        if spec.extension == "requested" and not (
            today - dt.timedelta(days=6) <= steps[-1][0] and d["due"] >= today
        ):
            return None
    if spec.target == S.ACCEPTED and d["due"] < today:
        return None
    if spec.target == S.DECIDED and spec.order == "future" and d["order_due"] <= today:
        return None
    if spec.order in ("overdue", "follow_up") and d["order_due"] >= today:
        return None
    if spec.target in (S.DECIDED, S.FOLLOW_UP) and spec.order != "ignored" and d["due"] < today:
        return None
    if spec.listing:
        listed = d["listed"]
        if listed > today:
            return None
        if spec.listing == "listed" and not (
            today - dt.timedelta(days=90) <= listed <= today - dt.timedelta(days=30)
        ):
            return None
        if spec.listing == "removed" and rules.early_removal_from(listed) + dt.timedelta(days=90) > today:
            return None
    return steps


def _status_after(steps, spec) -> str:
    status = S.RECEIVED
    for _day, action in steps:
        status = {
            "register": S.RECEIVED,
            "accept": S.ACCEPTED,
            "refuse": S.REFUSED,
            "start_investigation": S.INVESTIGATING,
            "start_follow_up": S.FOLLOW_UP,
            "close": S.CLOSED,
            "transfer": S.CLOSED,
            "archive": S.ARCHIVED,
        }.get(action, S.DECIDED if action.startswith("decide_") else status)
    return status


# Who and what -----------------------------------------------------------------------------------


class _Drafter:
    def __init__(self, rng, today, enterprises, towns, hr_enterprise, listable, mediation_refs):
        self.rng, self.today = rng, today
        self.enterprises, self.towns = enterprises, towns
        self.hr_enterprise, self.listable = hr_enterprise, list(listable)
        self.mediation_refs = list(mediation_refs)
        self.taken_ids: set = set()
        self.hotline = 0
        self.department = 0

    def matters(self, spec) -> list[str]:
        rng = self.rng
        if spec.campaign or spec.listing or spec.decision == "decide_police":
            return [M.WAGE_ARREARS]
        if spec.refusal == RB.NOT_LABOUR_MATTER:
            return [M.WAGE_ARREARS]
        if spec.source == Source.WRITTEN_REVIEW:
            return rng.sample(
                [M.NO_WRITTEN_CONTRACT, M.SOCIAL_INSURANCE, M.HOURS_OVERTIME, M.MINIMUM_WAGE], 1
            )
        if spec.source == Source.PATROL:
            first = rng.choice([M.NO_WRITTEN_CONTRACT, M.HOURS_OVERTIME, M.REST_DAYS, M.SOCIAL_INSURANCE,
                                M.WAGE_ARREARS, M.FEMALE_UNDERAGE, M.CHILD_LABOUR])  # fmt: skip
        elif spec.source == Source.REPORT:
            first = rng.choice([M.WAGE_ARREARS, M.CHILD_LABOUR, M.HOURS_OVERTIME, M.SOCIAL_INSURANCE,
                                M.FEMALE_UNDERAGE, M.OTHER])  # fmt: skip
        else:
            first = rng.choices(
                [M.WAGE_ARREARS, M.NO_WRITTEN_CONTRACT, M.HOURS_OVERTIME, M.REST_DAYS, M.SOCIAL_INSURANCE,
                 M.MINIMUM_WAGE, M.OTHER],
                weights=[55, 10, 10, 5, 10, 6, 4],
            )[0]  # fmt: skip
        matters = [first]
        if first == M.WAGE_ARREARS and rng.random() < 0.3:
            matters.append(rng.choice([M.HOURS_OVERTIME, M.NO_WRITTEN_CONTRACT, M.SOCIAL_INSURANCE]))
        return matters

    def draft(self, spec: _Spec) -> None:
        rng, received = self.rng, spec.dates["received"]
        if spec.source == Source.REFERRAL and not spec.referral:
            spec.referral = "hotline" if spec.channel == CH.API else "department"
        if spec.outside:
            name, address = rng.choice(OUTSIDE)
            spec.employer = (name, "", address)
            spec.town = rng.choice(self.towns)
        elif spec.unregistered:
            name, address, town = rng.choice(UNREGISTERED)
            spec.employer = (name, "", address)
            spec.town = self.towns[town]
        elif spec.hr:
            spec.enterprise = self.hr_enterprise
        elif spec.listing:
            spec.enterprise = self.listable.pop(0)
        else:
            spec.enterprise = rng.choice(self.enterprises)
        spec.matters = self.matters(spec)
        collective = spec.campaign or spec.listing or spec.decision == "decide_police" or rng.random() < 0.12
        if spec.transfer:
            collective = False
        if collective and M.WAGE_ARREARS in spec.matters:
            spec.workers_count = rng.randint(12, 68)
        elif spec.source in (Source.PATROL, Source.WRITTEN_REVIEW):
            spec.workers_count = rng.randint(3, 40)
        else:
            spec.workers_count = rng.choice((1, 1, 1, 2, 3, 5))
        if spec.transfer:
            spec.workers_count = rng.randint(1, 3)
        months = rng.randint(1, 4)
        if M.WAGE_ARREARS in spec.matters:
            per = Decimal(rng.randint(25, 80) * 100) * months
            spec.amount = per * spec.workers_count
        elif M.MINIMUM_WAGE in spec.matters or M.HOURS_OVERTIME in spec.matters:
            spec.amount = Decimal(rng.randint(4, 30) * 100) * spec.workers_count
        if spec.transfer and not spec.amount:
            spec.amount = Decimal(rng.randint(30, 120) * 100)
        # The workers named: the complainant first; a few for the others.
        named = spec.workers_count if spec.source == Source.COMPLAINT else rng.choice((0, 0, 1, 2))
        named = min(named, 3, spec.workers_count)
        if spec.source == Source.COMPLAINT or spec.transfer:
            named = max(named, 1)
        spec.workers = [
            {
                "name": demo.person_name(rng),
                "id_number": _id_number(rng, received.year, self.taken_ids),
                "phone": demo.phone(rng),
                "is_complainant": spec.source == Source.COMPLAINT and i == 0,
            }
            for i in range(named)
        ]
        if spec.refusal == RB.TIME_BARRED:
            spec.ended = received - dt.timedelta(days=rng.randint(800, 1000))
        else:
            spec.ended = received - dt.timedelta(days=rng.randint(5, 60))
        employer = spec.enterprise.name if spec.enterprise else spec.employer[0]
        who = WHO[spec.source]
        if spec.source == Source.REFERRAL:
            who = {
                "hotline": "12345热线转办单",
                "mediation": "调解组织移送函",
                "department": "住房城乡建设局转办函",
            }[spec.referral or "department"]
        if spec.source in (Source.PATROL, Source.WRITTEN_REVIEW, Source.CAMPAIGN):
            who = who.removesuffix("发现") + "中发现"
        text = FACTS[spec.matters[0]].format(
            who=who,
            employer=employer,
            n=spec.workers_count,
            period=_period(spec.ended, months),
            amount=_yuan(spec.amount),
            start=f"{spec.ended.year}年{spec.ended.month}月",
        )
        if spec.source in (Source.PATROL, Source.WRITTEN_REVIEW, Source.CAMPAIGN):
            text = text.replace("中发现反映，", "中发现，")
        if spec.refusal == RB.NOT_LABOUR_MATTER:
            text += "（经了解，反映人系承包装修工程的个体施工队负责人。）"
        if spec.transfer:
            text += "投诉人表示主要诉求是尽快拿到钱，愿意与单位协商调解。"
        spec.facts = text
        if spec.referral == "hotline":
            self.hotline += 1
            spec.reference = f"12345-{received:%Y%m%d}-{self.hotline:04d}"
        elif spec.referral == "mediation":
            spec.reference = self.mediation_refs.pop(0) if self.mediation_refs else ""
            if spec.reference:
                spec.facts = (
                    f"{spec.reference}号调解案件中发现{employer}涉嫌拖欠工资，调解组织移送劳动保障监察处理。"
                    + text
                )
        elif spec.referral == "department":
            self.department += 1
            spec.reference = f"柳东住建转〔{received.year}〕{self.department}号"
        if spec.source == Source.REPORT:
            if spec.anonymous:
                spec.reporter = {"anonymous": True}
            else:
                spec.reporter = {"name": demo.person_name(rng), "phone": demo.phone(rng)}


# The replay -------------------------------------------------------------------------------------


class _Replay:
    """Runs the acts in date order, each as its actor with the clock on its day."""

    def __init__(self, today, inspector, admin):
        self.today = today
        self.inspector, self.admin = inspector, admin
        self.as_inspector = principal_for_user(inspector)
        self.as_admin = principal_for_user(admin)
        self.events: list = []
        self.real_now = timezone.now()
        self.penalties = 0
        self.police = 0
        self.orders = 0
        self.mediation_cases: list = []
        self.patrols: _PatrolYear | None = None

    def add(self, day, fn):
        self.events.append((day, len(self.events), fn))

    def run(self):
        self.events.sort(key=lambda e: (e[0], e[1]))
        per_day = Counter(day for day, _seq, _fn in self.events)
        seen: Counter = Counter()
        start_today = timezone.make_aware(dt.datetime.combine(self.today, dt.time(0, 0)))
        for day, _seq, fn in self.events:
            k = seen[day]
            seen[day] += 1
            if day >= self.today:
                span = max(self.real_now - start_today, dt.timedelta(minutes=1))
                moment = start_today + span * (k + 1) / (per_day[day] + 1)
            else:
                moment = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30))) + dt.timedelta(
                    minutes=4 * k
                )
            with _clock(moment):
                fn()

    @contextmanager
    def _as(self, user):
        with acting_as(user.get_username(), user):
            yield


def _schedule(replay: _Replay, spec: _Spec, rng, steps) -> None:
    insp, admin = replay.as_inspector, replay.as_admin

    def register():
        principal = SYSTEM if spec.channel == CH.ONLINE else insp
        user = None if spec.channel == CH.ONLINE else replay.inspector
        with acting_as("public form" if user is None else user.get_username(), user):
            # A patrol case of a registered enterprise comes from a violation found on a patrol:
            # the patrol is recorded first, the case registered with the finding's reference.
            finding = None
            if replay.patrols is not None and spec.source == Source.PATROL and spec.enterprise is not None:
                finding = replay.patrols.record_for_case(spec)
            case, _created = services.register_case(
                principal,
                source=spec.source,
                enterprise=spec.enterprise,
                employer_name=spec.employer[0] if spec.employer else "",
                employer_address=spec.employer[2] if spec.employer else "",
                town=spec.town,
                matters=spec.matters,
                facts=spec.facts,
                amount_owed=spec.amount,
                workers_count=spec.workers_count,
                workers=spec.workers,
                reporter=spec.reporter,
                violation_ended_on=spec.ended,
                received_on=spec.dates["received"],
                source_reference=f"patrol-finding:{finding.pk}" if finding is not None else spec.reference,
            )
            if finding is not None:
                case = replay.patrols.to_case(spec, finding)
            if spec.channel != CH.PLATFORM:
                changes = {"channel": spec.channel}
                if spec.channel == CH.ONLINE:
                    code = (
                        TRACKING_CODE
                        if spec.tracking
                        else "".join(
                            rng.choice(rules.ACCESS_CODE_ALPHABET) for _ in range(rules.ACCESS_CODE_LENGTH)
                        )
                    )
                    changes["access_code_hash"] = rules.access_code_hash(code)
                InspectionCase.objects.filter(pk=case.pk).update(**changes)
                if spec.channel == CH.ONLINE:
                    audit.record(
                        "inspection.submit_online",
                        case,
                        after={"serial": case.serial, "source": case.source, "channel": spec.channel},
                        note="public form",
                        only_changes=False,
                    )
        spec.case = case

    def act(fn):
        def run():
            user = replay.admin if fn.__name__.startswith("_admin") else replay.inspector
            with replay._as(user):
                fn()
            spec.case = InspectionCase.objects.get(pk=spec.case.pk)

        return run

    def _accept():
        services.accept(insp, spec.case)

    def _refuse():
        services.refuse(insp, spec.case, basis=spec.refusal, reason=REFUSALS[spec.refusal])

    def _start():
        services.start_investigation(insp, spec.case)

    def _request():
        services.request_extension(insp, spec.case, reason=rng.choice(EXTENSION_REASONS))

    def _admin_approve():
        services.approve_extension(admin, spec.case, note="同意延长30个工作日。")

    def _decide(action):
        def run():
            today = timezone.localdate()
            kwargs = {}
            if action == "decide_no_violation":
                kwargs["note"] = rng.choice(NO_VIOLATION)
            elif action == "decide_penalty":
                replay.penalties += 1
                kwargs["note"] = (
                    f"柳东人社监罚字〔{today.year}〕第{replay.penalties:03d}号行政处罚决定书："
                    f"罚款{rng.choice((5000, 10000, 20000, 30000, 50000)):,}元。"
                )
            elif action == "decide_police":
                replay.police += 1
                kwargs["note"] = (
                    f"涉嫌拒不支付劳动报酬罪，已移送柳州市公安局{DISTRICT}分局"
                    f"（柳东人社监移字〔{today.year}〕第{replay.police}号）。"
                )
            else:
                n = spec.workers_count
                kwargs["items"] = [ITEMS[m].format(n=n, amount=_yuan(spec.amount)) for m in spec.matters]
                kwargs["order_due_on"] = spec.dates["order_due"]
                kwargs["note"] = "责令用人单位限期改正。"
            services.decide(insp, spec.case, action, **kwargs)
            if action == "decide_order":
                replay.orders += 1
                RectificationOrder.objects.filter(case=spec.case).update(
                    reference=f"柳东人社监令字〔{today.year}〕第{replay.orders:03d}号"
                )

        run.__name__ = "_decide"
        return run

    def _follow():
        services.start_follow_up(insp, spec.case)

    def _check(result):
        def run():
            order = spec.case.orders.get()
            escalation = ""
            if result == R.NOT_DONE:
                escalation = RectificationOrder.Escalation.INTERVIEW
            elif result == R.PARTLY:
                escalation = RectificationOrder.Escalation.PENALTY
            services.record_follow_up(
                insp, order, result=result, note=FOLLOW_UP_NOTES[result], escalation=escalation
            )

        run.__name__ = "_check"
        return run

    def _close():
        services.close(insp, spec.case, reason="")

    def _archive():
        services.archive(insp, spec.case)

    def _transfer():
        _case, mediation_case, _code = services.transfer_to_mediation(
            insp,
            spec.case,
            reason="经询问，投诉人主要诉求为追讨工资，双方均同意调解，转劳动争议调解组织处理。",
        )
        # The complaint names when the wages stopped: the mediation case's infringement date.
        MediationCase.objects.filter(pk=mediation_case.pk).update(infringed_on=spec.ended)
        replay.mediation_cases.append(mediation_case.pk)

    replay.add(steps[0][0], register)
    table = {
        "accept": _accept,
        "refuse": _refuse,
        "start_investigation": _start,
        "request_extension": _request,
        "approve_extension": _admin_approve,
        "start_follow_up": _follow,
        "close": _close,
        "archive": _archive,
        "transfer": _transfer,
        "check_done": _check(R.DONE),
        "check_partly": _check(R.PARTLY),
        "check_ignored": _check(R.NOT_DONE),
    }
    for day, action in steps[1:]:
        if (
            spec.on_the_spot
            and day == steps[0][0]
            and action in ("accept", "start_investigation", "decide_order")
        ):
            continue  # done by finding_to_case(with_order=True) when the case is registered
        fn = _decide(action) if action.startswith("decide_") else table[action]
        replay.add(day, act(fn))
    if spec.listing:
        _schedule_listing(replay, spec, rng)


def _schedule_listing(replay: _Replay, spec: _Spec, rng) -> None:
    listed = spec.dates["listed"]

    def list_it():
        with replay._as(replay.admin):
            listing = services.list_wage_arrears(
                replay.as_admin,
                enterprise=spec.enterprise,
                listed_on=listed,
                decision_reference=f"柳东人社欠薪失信〔{listed.year}〕{1 if spec.listing == 'removed' else 2}号",
                case=spec.case,
            )
        spec.dates["listing"] = listing.pk

    replay.add(listed, list_it)
    if spec.listing == "removed":
        paid = listed + dt.timedelta(days=rng.randint(20, 50))
        earliest = rules.early_removal_from(listed, paid)
        pledge = earliest - dt.timedelta(days=rng.randint(3, 10))
        removed = _wd(earliest, rng.randint(5, 15))

        def remove_it():
            with replay._as(replay.admin):
                services.remove_listing(
                    replay.as_admin,
                    WageArrearsListing.objects.get(pk=spec.dates["listing"]),
                    removal=WageArrearsListing.Removal.EARLY,
                    removed_on=removed,
                    arrears_paid_on=paid,
                    pledge_received_on=pledge,
                    note="拖欠工资已全部清偿，已满6个月并提交书面信用承诺书，经园区审核同意提前移出。",
                )

        replay.add(removed, remove_it)


# The seeder -------------------------------------------------------------------------------------


def _make_cases(rng, today, stdout) -> None:
    inspector = User.objects.get(username="inspector")
    admin = User.objects.get(username="admin")
    towns = list(Area.objects.filter(kind=Area.Kind.TOWN).order_by("code"))
    enterprises = list(
        Enterprise.objects.filter(status=EnterpriseStatus.OPERATING).select_related("town").order_by("name")
    )
    hr_enterprise = Enterprise.objects.filter(organisation__memberships__user__username="hr").first()
    certified = set(Application.objects.values_list("enterprise_id", flat=True)) | set(
        Certificate.objects.values_list("enterprise_id", flat=True)
    )
    # Listed enterprises: outside certification (a listing revokes titles), not the HR's.
    listable = [
        e
        for e in enterprises
        if e.pk not in certified and e != hr_enterprise and e.industry in ("E", "G", "C")
    ]
    rng.shuffle(listable)
    mediation_refs = list(
        MediationCase.objects.filter(status__in=[MediationCase.Status.ARCHIVED, MediationCase.Status.CLOSED])
        .filter(types__code="remuneration")
        .order_by("received_on", "serial")
        .values_list("serial", flat=True)[:40]
    )
    mediation_refs = rng.sample(mediation_refs, min(3, len(mediation_refs)))
    drafter = _Drafter(rng, today, enterprises, towns, hr_enterprise, listable, mediation_refs)
    specs = _explicit(today)
    if _campaign_window(today, "current") is None:
        for spec in specs:
            if spec.campaign == "current":
                spec.campaign, spec.source = "", Source.PATROL
    specs += _background(rng)
    replay = _Replay(today, inspector, admin)
    patrol_year = None
    if not PatrolPlan.objects.exists():
        patrol_year = _patrol_year(_sub_rng(rng, "patrols"), today, replay, towns, enterprises)
    for spec in specs:
        for _attempt in range(400):
            steps = _plan(rng, spec, today)
            if steps:
                break
        else:
            raise RuntimeError(f"no dates fit the demo inspection scenario {spec}")
        spec.steps = steps
        drafter.draft(spec)
        _schedule(replay, spec, rng, steps)
    if patrol_year is not None:
        patrol_year.schedule_routine(
            _risky_from_specs(specs),
            case_patrols=sum(1 for s in specs if s.source == Source.PATROL and s.enterprise is not None),
        )
    pending_mail = set(
        Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).values_list(
            "pk", flat=True
        )
    )
    replay.run()
    # Demo data sends no e-mail: the notifications stay in the inbox only.
    Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).exclude(
        pk__in=pending_mail
    ).update(email_status=Notification.EmailStatus.SKIPPED)
    # What was recovered for the workers: rectified orders and penalties on wage arrears.
    for spec in specs:
        case = spec.case
        if case is None or not case.amount_owed:
            continue
        if case.decision in (D.ORDER_TO_RECTIFY, D.PENALTY_RECORDED) or (
            case.decision == D.NO_VIOLATION and "已足额支付所欠工资" in case.decision_note
        ):
            order = case.orders.first()
            if order is not None and order.result not in (R.DONE, R.PARTLY):
                continue
            share = Decimal("0.6") if order is not None and order.result == R.PARTLY else Decimal(1)
            InspectionCase.objects.filter(pk=case.pk).update(
                amount_recovered=(case.amount_owed * share).quantize(Decimal("1"))
            )


# Interviews and credit grades ---------------------------------------------------------------------

PLACE = f"{DISTRICT}人力资源和社会保障局三楼约谈室"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _make_interviews(rng, today) -> None:
    """Four interviews (约谈) in different states, through the interview services: the one the
    ignored order proposed (held, commitments due), one closed after its follow-up, one notified
    for next week and one just proposed by the inspector."""
    inspector, admin = User.objects.get(username="inspector"), User.objects.get(username="admin")
    replay = _Replay(today, inspector, admin)
    insp = replay.as_inspector
    listed = set(WageArrearsListing.objects.values_list("enterprise_id", flat=True))
    used: set = set()

    def pick(qs):
        case = (
            qs.exclude(enterprise__isnull=True)
            .exclude(enterprise_id__in=listed | used)
            .order_by("serial")
            .first()
        )
        if case is not None:
            used.add(case.enterprise_id)
        return case

    def as_inspector(fn):
        def run():
            with replay._as(inspector):
                fn()

        return run

    state: dict = {}
    ignored = RectificationOrder.objects.filter(result=R.NOT_DONE).select_related("case").first()
    auto = ignored.interviews.first() if ignored is not None else None
    if auto is not None:
        used.add(auto.enterprise_id)
        notice = _wd(auto.proposed_on, 2)
        held = _wd(notice, 5)
        if held < today:
            replay.add(notice, as_inspector(lambda held=held: services.send_interview_notice(
                insp, auto, scheduled_at=_at(held, 9, 30), place=PLACE)))  # fmt: skip
            replay.add(held, as_inspector(lambda held=held: services.record_interview(
                insp, Interview.objects.get(pk=auto.pk), held_on=held,
                attendees=f"{auto.enterprise.legal_representative or '法定代表人'}（法定代表人）、人事经理；监察大队覃正忠、王建国",
                representative_attended=True,
                record="通报责令改正指令书未履行情况，指出拖欠工资的法律后果，企业说明资金困难原因。",
                commitments="一个月内分两期支付全部拖欠工资，并书面报告整改情况。",
                rectify_by=max(held + dt.timedelta(days=45), today + dt.timedelta(days=10)))))  # fmt: skip
    closed_case = pick(
        InspectionCase.objects.filter(
            decision=D.PENALTY_RECORDED,
            decided_on__range=(today - dt.timedelta(days=300), today - dt.timedelta(days=120)),
        )
    )
    if closed_case is not None:
        proposed = _wd(closed_case.decided_on, 3)
        notice = _wd(proposed, 2)
        held = _wd(notice, 5)
        checked = _wd(held, 25)

        def propose_closed():
            state["closed"] = services.propose_interview(
                insp, closed_case.enterprise, case=closed_case,
                reason="该企业年内多次被投诉拖欠工资，并已受到行政处罚，约谈法定代表人督促依法支付工资。")  # fmt: skip

        replay.add(proposed, as_inspector(propose_closed))
        replay.add(notice, as_inspector(lambda held=held: services.send_interview_notice(
            insp, state["closed"], scheduled_at=_at(held, 14, 30), place=PLACE)))  # fmt: skip
        replay.add(held, as_inspector(lambda held=held: services.record_interview(
            insp, Interview.objects.get(pk=state["closed"].pk), held_on=held,
            attendees="法定代表人、财务负责人；监察大队覃正忠",
            representative_attended=True,
            record="企业承认存在延期支付工资问题，表示将建立工资支付保障制度。",
            commitments="建立工资专用账户，每月15日前足额发放工资。",
            rectify_by=_wd(held, 20))))  # fmt: skip
        replay.add(checked, as_inspector(lambda checked=checked: services.record_interview_follow_up(
            insp, Interview.objects.get(pk=state["closed"].pk), checked_on=checked, result=R.DONE,
            note="复查工资发放记录，已按承诺设立工资专用账户并按时发放。")))  # fmt: skip
    notified_case = pick(InspectionCase.objects.filter(decision=D.TRANSFERRED_TO_POLICE, status=S.DECIDED))
    if notified_case is not None:
        proposed = max(_wd(notified_case.decided_on, 1), today - dt.timedelta(days=8))
        notice = min(_wd(proposed, 2), today)

        def propose_notified():
            state["notified"] = services.propose_interview(
                insp, notified_case.enterprise, case=notified_case,
                reason="企业涉嫌拒不支付劳动报酬已移送公安机关，约谈法定代表人督促先行垫付职工工资。")  # fmt: skip

        replay.add(proposed, as_inspector(propose_notified))
        replay.add(notice, as_inspector(lambda: services.send_interview_notice(
            insp, state["notified"], scheduled_at=_at(_wd(today, 3), 9, 30), place=PLACE)))  # fmt: skip
    proposed_case = pick(
        InspectionCase.objects.filter(status__in=[S.INVESTIGATING, S.DECIDED], workers_count__gte=12)
    )
    if proposed_case is not None:
        replay.add(today, as_inspector(lambda: services.propose_interview(
            insp, proposed_case.enterprise, case=proposed_case,
            reason=f"{proposed_case.serial}涉及{proposed_case.workers_count}名职工，拖欠工资数额较大，建议约谈法定代表人。")))  # fmt: skip
    replay.run()


def _make_grades(today) -> None:
    """The credit grades of last year (computed early in January) and of this year so far."""
    for year, on in ((today.year - 1, _wd(dt.date(today.year, 1, 4), 0)), (today.year, today)):
        if CreditGrade.objects.filter(year=year).exists() or on > today:
            continue
        with _clock(_at(on, 7) if on < today else timezone.now()):
            services.compute_credit_grades(year, today=on)


# Patrol plans, patrols and findings (日常巡视检查) ---------------------------------------------------

PR = PatrolFinding.Result
#: The checklist item a matter is found on (rules.CHECKLIST_MATTERS read backwards).
ITEM_OF_MATTER = {matter: item for item, matter in rules.CHECKLIST_MATTERS.items()}
#: The winter campaign's patrols: construction, manufacturing, accommodation and catering.
CAMPAIGN_INDUSTRIES = ["C", "E", "H"]
#: Patrols over the year, all told (those a case came from and the routine ones).
PATROLS_IN_THE_YEAR = 27
COMPLIANT_NOTES = {
    "contracts": "抽查花名册{n}人，劳动合同均已订立并由职工签收。",
    "wages_on_time": "查阅近三个月工资支付台账和银行代发记录，工资按月足额发放。",
    "minimum_wage": "试用期职工月工资不低于本市最低工资标准。",
    "hours_overtime": "考勤记录显示每月延长工作时间在36小时以内，加班费已支付。",
    "rest_days": "排班表显示职工每周至少休息一日。",
    "social_insurance": "参保人数与花名册一致。",
    "child_labour": "核对在岗人员身份证件，未发现未满十六周岁人员。",
    "female_underage": "孕期女职工已调整岗位，未安排夜班。",
}
#: Violations put right on the spot (noted, no case).
MINOR_NOTES = {
    "contracts": "2名新入职职工超过一个月未订立书面劳动合同，现场责令补订，单位当日已补订。",
    "rest_days": "节前赶工期间个别班组连续上班，已要求单位安排补休并书面说明。",
    "hours_overtime": "个别岗位当月延长工作时间超过36小时，已责令单位调整排班。",
    "social_insurance": "3名试用期职工尚未参保，单位承诺当月补缴，已要求报送参保凭证。",
    "wages_on_time": "10月工资推迟至15日后发放，已要求单位按约定日期支付并建立工资专用账户。",
}
SUMMARIES = [
    "查阅劳动合同台账、工资支付台账和考勤记录，询问职工{n}名。",
    "检查用工花名册、工资发放凭证和社保缴费记录，现场询问职工{n}名。",
    "会同镇劳动保障所检查，查阅台账并询问职工{n}名。",
]
CAMPAIGN_SUMMARY = "{campaign}：检查工资支付台账、工资专用账户和农民工实名制管理，询问职工{n}名。"


def _jpeg() -> bytes:
    """A small photo (JPEG) of a finding: Pillow when installed, else None."""
    try:
        from PIL import Image, ImageDraw
    except ImportError:  # pragma: no cover - Pillow is installed with the project
        return b""
    image = Image.new("RGB", (160, 120), (205, 210, 215))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 30, 140, 100), outline=(90, 90, 90), width=3)
    draw.line((20, 30, 140, 100), fill=(160, 40, 40), width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


class _PatrolYear:
    """The brigade's patrols over the year, replayed with the cases: three plans (the routine
    plan of one town, the plan of C grades and the watch list, the winter campaign against wage
    arrears), the patrols the patrol cases come from (a violation found, the case registered from
    the finding) and routine ones (mostly compliant, a few violations put right on the spot)."""

    def __init__(self, rng, today, replay: _Replay, towns, enterprises):
        self.rng, self.today, self.replay = rng, today, replay
        self.insp = replay.as_inspector
        self.towns, self.enterprises = towns, enterprises
        self.plans: dict[str, PatrolPlan] = {}
        self.periods: dict[str, tuple[dt.date, dt.date]] = {}
        self.case_patrols = 0
        self.visited: set = set()

    # The plans.

    def schedule_plans(self) -> None:
        year = self.today.year
        town = self.towns[0]
        window = _campaign_window(self.today, "current") or _campaign_window(self.today, "last")
        festivals = sorted(SPRING_FESTIVAL.values())
        festival = next(f for f in festivals if f > window[0])
        plans = [
            ("town", f"{year}年度日常巡视检查计划（{town.name}）", dt.date(year, 1, 1), dt.date(year, 12, 31),
             {"towns": [town]}),
            ("risk", f"{year}年度重点企业巡视检查计划（信用C级及风险关注名单）", dt.date(year, 1, 1),
             dt.date(year, 12, 31), {"credit_grades": ["C"], "include_watch_list": True}),
            ("campaign", f"{window[0].year}—{festival.year}年度{CAMPAIGN}巡查", window[0], festival,
             {"industries": CAMPAIGN_INDUSTRIES}),
        ]  # fmt: skip
        for key, name, start, end, extra in plans:
            self.periods[key] = (start, end)

            def create(key=key, name=name, start=start, end=end, extra=extra):
                with self.replay._as(self.replay.inspector):
                    self.plans[key] = services.create_plan(
                        self.insp, name=name, starts_on=start, ends_on=end, **extra
                    )

            self.replay.add(_prev_wd(start - dt.timedelta(days=10)), create)

    def _plan_for(self, enterprise, day, key: str = ""):
        """The plan a patrol belongs to: the one asked for, else the campaign's (its industries),
        the town's (its town), or none (an ad-hoc patrol)."""
        keys = [key] if key else ["campaign", "town"]
        for k in keys:
            start, end = self.periods.get(k, (None, None))
            if start is None or not (start <= day <= end):
                continue
            if k == "campaign" and enterprise.industry not in CAMPAIGN_INDUSTRIES:
                continue
            if k == "town" and enterprise.town_id != self.towns[0].pk:
                continue
            return self.plans.get(k)
        return None

    # Findings.

    def _findings(self, enterprise, *, violations: dict, not_checked: bool = True) -> list[dict]:
        rng = self.rng
        rows = []
        for item in checklist_for(timezone.localdate()):
            code = item["code"]
            if code in violations:
                rows.append({"item": code, "result": PR.VIOLATION, "note": violations[code]})
            elif not_checked and code == "female_underage" and rng.random() < 0.3:
                rows.append(
                    {"item": code, "result": PR.NOT_CHECKED, "note": "现场无孕期、哺乳期女职工和未成年工。"}
                )
            else:
                note = COMPLIANT_NOTES.get(code, "") if rng.random() < 0.5 else ""
                rows.append({"item": code, "result": PR.COMPLIANT,
                             "note": note.format(n=min(enterprise.employees or 10, rng.randint(8, 20)))})  # fmt: skip
        return rows

    def _record(self, enterprise, day, *, violations, plan_key="", summary=""):
        rng = self.rng
        plan = self._plan_for(enterprise, day, plan_key)
        summary = summary or rng.choice(SUMMARIES)
        patrol = services.record_patrol(
            self.insp,
            enterprise,
            visited_on=day,
            findings=self._findings(enterprise, violations=violations),
            summary=summary.format(n=rng.randint(3, 8), campaign=CAMPAIGN),
            plan=plan,
        )
        self.visited.add(enterprise.pk)
        return patrol

    # The patrols the patrol cases come from.

    def record_for_case(self, spec: _Spec) -> PatrolFinding:
        """Record the patrol on the case's day of receipt, its violation on the checklist item of
        the case's first matter (the facts as the note); a second matter is a second violation."""
        day = timezone.localdate()
        violations = {}
        for n, matter in enumerate(spec.matters):
            item = ITEM_OF_MATTER.get(matter)
            if item:
                violations[item] = spec.facts if n == 0 else "与上一项一并立案调查。"
        patrol = self._record(spec.enterprise, day, violations=violations)
        self.case_patrols += 1
        return patrol.findings.get(item=ITEM_OF_MATTER[spec.matters[0]])

    def to_case(self, spec: _Spec, finding: PatrolFinding) -> InspectionCase:
        """Turn the finding into the case just registered (its reference): the finding is linked;
        on the spot, the case is accepted, investigated and decided with an order the same day."""
        kwargs = {}
        if spec.on_the_spot:
            n = spec.workers_count
            kwargs = {
                "with_order": True,
                "items": [ITEMS[m].format(n=n, amount=_yuan(spec.amount)) for m in spec.matters],
                "order_due_on": spec.dates["order_due"],
            }
        case = services.finding_to_case(self.insp, finding, **kwargs)
        if spec.on_the_spot:
            self.replay.orders += 1
            RectificationOrder.objects.filter(case=case).update(
                reference=f"柳东人社监令字〔{timezone.localdate().year}〕第{self.replay.orders:03d}号"
            )
        if spec.attachment:
            self._attach(finding, spec.attachment)
        return InspectionCase.objects.get(pk=case.pk)

    def _attach(self, finding, kind: str) -> None:
        data, name = (_jpeg(), "现场照片.jpg") if kind == "jpeg" else (b"", "")
        if not data:
            data = _pdf("Inquiry record", f"Patrol of {timezone.localdate():%Y-%m-%d}", "Labour inspection")
            name = "现场检查笔录.pdf"
        services.add_attachment(self.insp, finding, ContentFile(data, name=name))

    # Routine patrols.

    def schedule_routine(self, risky: list[tuple], case_patrols: int) -> None:
        """The routine patrols, so that the year has PATROLS_IN_THE_YEAR in all: the C grades and
        the watch list (enterprises penalised earlier in the year, a month or two after the
        decision; the older ones are due again), the campaign's, and the town's."""
        rng, today = self.rng, self.today
        routine = max(10, PATROLS_IN_THE_YEAR - case_patrols)
        plans = []
        start, _end = self.periods["risk"]
        for enterprise, decided in risky:
            day = _prev_wd(decided + dt.timedelta(days=rng.randint(25, 50)))
            if start <= day <= today - dt.timedelta(days=5) and len(plans) < 4:
                plans.append(("risk", enterprise, day))
        start, end = self.periods["campaign"]
        pool = [e for e in self.enterprises if e.industry in CAMPAIGN_INDUSTRIES]
        span = (min(today - dt.timedelta(days=1), end) - start).days
        for enterprise in rng.sample(pool, min(4, len(pool))):
            if span > 3:
                plans.append(("campaign", enterprise, start + dt.timedelta(days=rng.randint(3, span))))
        start, end = self.periods["town"]
        pool = [e for e in self.enterprises if e.town_id == self.towns[0].pk]
        span = (min(today - dt.timedelta(days=3), end) - start).days
        for enterprise in rng.sample(pool, min(max(routine - len(plans), 0), len(pool))):
            if span > 5:
                plans.append(("town", enterprise, start + dt.timedelta(days=rng.randint(5, span))))
        minor = set(rng.sample(range(len(plans)), min(4, len(plans))))
        for index, (key, enterprise, day) in enumerate(plans):
            day = _prev_wd(day)
            if day < self.periods[key][0]:
                continue
            violations = {}
            if index in minor:
                code = "wages_on_time" if key == "campaign" else rng.choice(
                    ["contracts", "rest_days", "hours_overtime", "social_insurance"])  # fmt: skip
                violations[code] = MINOR_NOTES[code]
            summary = CAMPAIGN_SUMMARY if key == "campaign" else ""

            def visit(key=key, enterprise=enterprise, day=day, violations=violations, summary=summary):
                with self.replay._as(self.replay.inspector):
                    self._record(enterprise, day, violations=violations, plan_key=key, summary=summary)

            self.replay.add(day, visit)


def _patrol_year(rng, today, replay: _Replay, towns, enterprises) -> _PatrolYear:
    year = _PatrolYear(rng, today, replay, towns, enterprises)
    year.schedule_plans()
    replay.patrols = year
    return year


def _risky_from_specs(specs) -> list[tuple]:
    """(enterprise, day decided) of the cases decided with a penalty or a transfer to the police."""
    out = []
    for spec in specs:
        for day, action in spec.steps:
            if spec.enterprise is not None and action in ("decide_penalty", "decide_police"):
                out.append((spec.enterprise, day))
    return sorted(out, key=lambda r: (r[1], r[0].name))


def _make_patrols(rng, today) -> None:
    """The patrol year alone, for a demo whose cases were made before patrols were seeded: the
    plans and the routine patrols (the patrol cases stay as they are)."""
    inspector, admin = User.objects.get(username="inspector"), User.objects.get(username="admin")
    replay = _Replay(today, inspector, admin)
    towns = list(Area.objects.filter(kind=Area.Kind.TOWN).order_by("code"))
    enterprises = list(
        Enterprise.objects.filter(status=EnterpriseStatus.OPERATING).select_related("town").order_by("name")
    )
    year = _patrol_year(rng, today, replay, towns, enterprises)
    risky = [
        (case.enterprise, case.decided_on)
        for case in InspectionCase.objects.filter(
            decision__in=[D.PENALTY_RECORDED, D.TRANSFERRED_TO_POLICE], enterprise__isnull=False
        )
        .select_related("enterprise", "enterprise__town")
        .order_by("decided_on", "serial")
    ]
    year.schedule_routine(risky, case_patrols=0)
    replay.run()


# Written reviews of last year (书面审查) ----------------------------------------------------------

WR = WrittenReview.Status
#: Of the enterprises that must file, the share with an HR login on the platform (the demo's
#: `hr` and, for the others, HR accounts without a password: nobody logs in as them).
HR_SHARE = 0.8
#: Fates of the reports of the enterprises with an HR login (the rest are accepted).
REVIEW_FATES = {"submitted": 6, "returned": 2, "resubmitted": 3, "draft": 5, "missing": 6, "late": 6}
#: Reports brought on paper by enterprises without an HR login: started by the inspector.
PAPER_REPORTS = 3
#: Reports whose figures the HR changed from the platform's proposal.
CHANGED_REPORTS = 12
RETURN_REASONS = [
    "参保人数与社保经办机构数据不一致，请核对年末参保名单后重新报送。",
    "最低月工资低于本市最低工资标准，请核实试用期职工工资或说明情况后重新报送。",
    "平均周工作时间应按一线职工统计，请按考勤记录重新计算后报送。",
]
CHANGE_NOTES = [
    "年末职工人数以12月工资表为准，劳务派遣人员未计入。",
    "合同台账含已离职人员，按年末在岗人数填报。",
    "12月新招职工尚在试用期，社保次月起缴，已如实填报。",
    "部分职工年底返乡离职，年末人数少于年度调查数。",
]


def _hr_accounts(rng, enterprises) -> dict:
    """An HR login for about HR_SHARE of the enterprises (the demo `hr` keeps its enterprise):
    enterprise id → user. The accounts have no usable password."""
    existing = {}
    for m in Membership.objects.filter(role=Role.ENTERPRISE_HR, user__is_active=True).select_related("user"):
        existing.setdefault(m.organisation_id, m.user)
    accounts = {}
    for n, enterprise in enumerate(enterprises, 1):
        user = existing.get(enterprise.organisation_id)
        if user is None and rng.random() < HR_SHARE:
            user, created = User.objects.get_or_create(
                username=f"hr{n:03d}",
                defaults={"full_name": demo.person_name(rng), "email": f"hr{n:03d}@demo.park.cn"},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            Membership.objects.get_or_create(
                user=user, organisation_id=enterprise.organisation_id, role=Role.ENTERPRISE_HR
            )
        if user is not None:
            accounts[enterprise.pk] = user
    return accounts


def _figures(rng, review: WrittenReview, enterprise, minimum: Decimal, *, change: bool) -> dict:
    """The figures the HR enter: the platform's proposal where it has one (kept consistent), the
    rest from what the enterprise knows; with `change`, one or two corrected with a note."""
    proposed = {f: review_selectors.prefill_value(review, f) for f in rules.WRITTEN_REVIEW_FIELDS}
    headcount = proposed["headcount"] or enterprise.employees or rng.randint(20, 200)
    contracts = proposed["contracts_signed"]
    contracts = headcount - rng.choice((0, 0, 0, 1, 2)) if contracts is None else contracts
    insured = proposed["social_insurance_insured"]
    insured = headcount - rng.choice((0, 0, 1, 3)) if insured is None else insured
    wage = proposed["lowest_monthly_wage"] or minimum + Decimal(rng.randint(0, 12) * 50)
    data = {
        "headcount": headcount,
        "contracts_signed": max(0, min(contracts, headcount)),
        "social_insurance_insured": max(0, min(insured, headcount)),
        "wages_paid_on_time": rng.random() > 0.03,
        "lowest_monthly_wage": wage,
        "average_weekly_hours": Decimal(rng.choice(("40.0", "40.0", "40.0", "41.5", "42.0", "44.0", "46.5"))),
        "note": "",
    }
    if change:
        which = rng.choice(("headcount", "contracts_signed", "social_insurance_insured"))
        if which == "headcount":
            data["headcount"] = max(
                data["contracts_signed"], data["social_insurance_insured"], headcount - 1
            ) + rng.randint(1, 9)
        else:
            data[which] = max(0, data[which] - rng.randint(1, 4))
        data["note"] = rng.choice(CHANGE_NOTES)
    elif (
        proposed["contracts_signed"] is not None and data["contracts_signed"] != proposed["contracts_signed"]
    ):
        data["note"] = CHANGE_NOTES[1]  # the contract book counted more than the employees
    return data


def _make_reviews(rng, today) -> None:
    """The reports of last year (due by the policy's day, e.g. 31 May, moved past a rest day),
    through the written-review services as the enterprises' HR and the inspector: most accepted
    (some submitted late, some returned once and accepted after the correction), some submitted
    and waiting for the inspector, a couple returned with a reason and not yet corrected, drafts
    never submitted, a few brought on paper (started by the inspector), and enterprises that have
    not filed (late once the due day has passed)."""
    year = today.year - 1
    opens = _wd(dt.date(year + 1, 1, 5), 0)
    if WrittenReview.objects.filter(year=year).exists() or today <= opens + dt.timedelta(days=10):
        return
    due = review_selectors.due_on(year).date
    inspector, admin = User.objects.get(username="inspector"), User.objects.get(username="admin")
    replay = _Replay(today, inspector, admin)
    year_end = rules.written_review_year_end(year)
    enterprises = [
        e
        for e in Enterprise.objects.filter(status=EnterpriseStatus.OPERATING)
        .select_related("town")
        .order_by("name")
        if e.established_on is None or e.established_on <= year_end
    ]
    accounts = _hr_accounts(rng, enterprises)
    minimum = review_selectors.minimum_wage_at(year) or Decimal("1990")
    on_time_end = min(due, today - dt.timedelta(days=1))
    late_span = (today - dt.timedelta(days=30) - due).days

    def day_between(low, high):
        return _prev_wd(low + dt.timedelta(days=rng.randint(0, max((high - low).days, 0))))

    def as_user(user, fn):
        def run():
            with replay._as(user):
                fn(principal_for_user(user))

        return run

    state: dict = {}

    def start(enterprise, user, day):
        def run(principal):
            state[enterprise.pk] = services.start_written_review(principal, enterprise, year).pk

        replay.add(day, as_user(user, run))

    def save(enterprise, user, day, *, change=False, fix=False):
        def run(principal):
            review = WrittenReview.objects.get(pk=state[enterprise.pk])
            data = _figures(rng, review, enterprise, minimum, change=change)
            if fix:
                data = {
                    **{f: getattr(review, f) for f in rules.WRITTEN_REVIEW_FIELDS},
                    "note": "已按退回意见核对更正。",
                }
                data["social_insurance_insured"] = max(0, (review.social_insurance_insured or 0) - 1)
            services.save_written_review(principal, review, data)

        replay.add(day, as_user(user, run))

    def step(enterprise, user, day, name, **kwargs):
        def run(principal):
            getattr(services, name)(principal, WrittenReview.objects.get(pk=state[enterprise.pk]), **kwargs)

        replay.add(day, as_user(user, run))

    with_hr = [e for e in enterprises if e.pk in accounts]
    demo_hr = Enterprise.objects.filter(organisation__memberships__user__username="hr").first()
    order = [e for e in with_hr if e != demo_hr]
    rng.shuffle(order)
    fates = {}
    for fate, n in REVIEW_FATES.items():
        for enterprise in order[:n]:
            fates[enterprise.pk] = fate
        order = order[n:]
    if demo_hr is not None and demo_hr.pk in accounts:
        fates[demo_hr.pk] = "returned"  # the demo HR has a report to correct
    changed = set(rng.sample([e.pk for e in with_hr], min(CHANGED_REPORTS, len(with_hr))))
    for enterprise in with_hr:
        user, fate = accounts[enterprise.pk], fates.get(enterprise.pk, "accepted")
        if fate == "missing":
            continue
        if fate == "late" and late_span > 0:
            started = day_between(due + dt.timedelta(days=1), due + dt.timedelta(days=late_span))
        elif fate == "submitted":
            started = day_between(max(opens, today - dt.timedelta(days=40)), today - dt.timedelta(days=2))
        else:
            started = day_between(opens, on_time_end - dt.timedelta(days=3))
        start(enterprise, user, started)
        filled = _wd(started, rng.choice((0, 0, 1, 3)))
        save(enterprise, user, filled, change=enterprise.pk in changed)
        if fate == "draft":
            continue
        submitted = _wd(filled, rng.choice((0, 0, 1, 2)))
        if submitted >= today:
            continue
        step(enterprise, user, submitted, "submit_written_review")
        if fate == "submitted":
            continue
        checked = _wd(submitted, rng.randint(2, 12))
        if checked >= today:
            continue
        if fate in ("returned", "resubmitted"):
            step(enterprise, inspector, checked, "return_written_review", reason=rng.choice(RETURN_REASONS))
            if fate == "returned":
                continue
            corrected = _wd(checked, rng.randint(2, 8))
            save(enterprise, user, corrected, fix=True)
            step(enterprise, user, corrected, "submit_written_review")
            checked = _wd(corrected, rng.randint(1, 5))
            if checked >= today:
                continue
        step(enterprise, inspector, checked, "accept_written_review")
    without = [e for e in enterprises if e.pk not in accounts]
    for enterprise in rng.sample(without, min(PAPER_REPORTS, len(without))):
        start(enterprise, inspector, day_between(due, today - dt.timedelta(days=1)) if due < today else today)
    replay.run()


def _summary(stdout, today) -> None:
    cases = InspectionCase.objects.all()
    statuses = Counter(cases.values_list("status", flat=True))
    sources = Counter(cases.values_list("source", flat=True))
    overdue = (
        cases.filter(status=S.RECEIVED, decision_due_on__lt=today).count()
        + cases.filter(status__in=InspectionCase.CLOCK_RUNNING, due_on__lt=today).count()
    )
    orders = RectificationOrder.objects.all()
    late = orders.filter(result="", due_on__lt=today).count()
    listings = WageArrearsListing.objects.all()
    interviews = Counter(Interview.objects.values_list("status", flat=True))
    grades = Counter(CreditGrade.objects.values_list("year", "grade"))
    stdout.write(
        f"Inspection: {cases.count()} cases ("
        + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
        + "; by source "
        + ", ".join(f"{n} {s}" for s, n in sorted(sources.items()))
        + f"), {overdue} overdue; {orders.count()} orders to rectify ({late} past their deadline); "
        f"{listings.filter(status='listed').count()} listed, {listings.filter(status='removed').count()} removed "
        "from the wage-arrears list; interviews: "
        + (", ".join(f"{n} {s}" for s, n in sorted(interviews.items())) or "none")
        + "; credit grades: "
        + (", ".join(f"{y} {g}: {n}" for (y, g), n in sorted(grades.items())) or "none")
        + "."
    )
    findings = PatrolFinding.objects.all()
    stdout.write(
        f"Inspection: {PatrolPlan.objects.count()} patrol plans, {Patrol.objects.count()} patrols "
        f"({findings.count()} findings, {findings.filter(result=PR.VIOLATION).count()} violations, "
        f"{findings.filter(case__isnull=False).count()} turned into cases), "
        f"{Attachment.objects.count()} attachments."
    )
    year = today.year - 1
    reviews = Counter(WrittenReview.objects.filter(year=year).values_list("status", flat=True))
    missing = review_selectors.missing_reports(SYSTEM, year, today)
    stdout.write(
        f"Inspection: written reviews {year}: "
        + (", ".join(f"{n} {s}" for s, n in sorted(reviews.items())) or "none")
        + f"; {missing.enterprises.count()} enterprises not filed"
        + (f" (late since {missing.due.date})" if missing.late else f" (due {missing.due.date})")
        + "."
    )


def seed(rng, stdout) -> None:
    today = timezone.localdate()
    pending_mail = set(
        Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).values_list(
            "pk", flat=True
        )
    )
    with overrides_read_once():
        if InspectionCase.objects.exists():
            stdout.write("Inspection: nothing new (cases exist).")
        else:
            _make_cases(rng, today, stdout)
        if not Interview.objects.filter(order__isnull=True).exists():
            _make_interviews(rng, today)
        _make_grades(today)
        if not PatrolPlan.objects.exists():
            _make_patrols(_sub_rng(rng, "patrols"), today)
        _make_reviews(_sub_rng(rng, "reviews"), today)
        # Demo data sends no e-mail: what the acts notified stays in the inboxes.
        Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).exclude(
            pk__in=pending_mail
        ).update(email_status=Notification.EmailStatus.SKIPPED)
        _summary(stdout, today)
        tracking = InspectionCase.objects.filter(
            channel=CH.ONLINE, access_code_hash=rules.access_code_hash(TRACKING_CODE)
        ).first()
        if tracking is not None:
            stdout.write(f"Inspection: tracking demo {tracking.serial} / {TRACKING_CODE}")


__all__ = ["TRACKING_CODE", "seed"]
