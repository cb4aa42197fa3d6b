"""The demo park's labour-dispute mediation (劳动争议调解).

Called by `manage.py seed_demo` after the registry's, the unions' and certification's seeders
(INSTALLED_APPS order):

- the mediation organisations: the district committee the foundation made (柳东新区劳动人事争议调解
  委员会, where the demo mediator 罗浩 works; recorded as the arbitration commission's mediation
  centre, covering both towns), one township committee per town, the enterprise committees of the
  four largest enterprises whose survey reports one, the auto-parts industry committee (its members:
  the auto-parts and car-seat makers), a people's mediation committee and the court's pre-litigation
  mediation centre; two to four mediators each, a few no longer active;
- 256 cases received over the last 18 months with 755 workers and 9.79 million yuan claimed (the
  figures of seed 000), in every status and with every outcome: applications waiting for a decision
  (some past the 3 working days), cases in mediation (some overdue, some extended with both parties'
  consent, court-entrusted ones with their 30 days, one transferred), refusals, closings of all seven
  kinds, and the older ones archived; ten collective disputes with their representatives; the demo
  HR user's enterprise as the respondent in ten cases in various states;
- agreements with their items, signatures, follow-ups, payments and performance (archived agreements
  are performed or not performed); sessions, extensions, transfers, re-employment referrals, and a
  history row for every transition at a plausible time.

Writes in bulk, bypassing the services for speed, but with what they would produce: statuses follow
the lifecycle table, clocks come from `rules.clocks`, dates are in order and never in the future,
the agreed amount is the sum of the items, serial numbers run per year of receipt and the counters
continue after them. Each case's access code is random, except one well-known case (the first of the
current year) whose code is `TRACKING_CODE`, printed for the public tracking page. Two recent
agreements ready for archiving have their PDF rendered; the others have none (the pages allow it).
Idempotent: organisations are created when missing, cases only when there are none.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, Organisation, User
from apps.accounts.roles import Role
from apps.core import personal_data
from apps.core.calendar import add_working_days, day_info, load_overrides
from apps.core.models import Area, object_ref
from apps.core.principal import SYSTEM
from apps.demo import generators as demo
from apps.documents.models import GeneratedDocument
from apps.documents.services import render_and_store
from apps.enterprises.choices import Status as EnterpriseStatus
from apps.enterprises.models import Enterprise
from apps.mediation import rules, services
from apps.mediation.models import (
    Agreement,
    AgreementItem,
    Applicant,
    Case,
    CaseHistory,
    CaseType,
    Extension,
    FollowUp,
    MediationOrganisation,
    Mediator,
    Payment,
    Referral,
    SerialCounter,
    Session,
    Transfer,
)
from apps.mediation.rules import DisputeType as T
from apps.mediation.selectors import agreement_pdf_context
from apps.mediation.workflow import CLOSING_OUTCOMES, WORKFLOW
from apps.unions.models import Union, UnionCoverage

S = Case.Status
K = MediationOrganisation.Kind
CH = Case.Channel
ONE_DAY = dt.timedelta(days=1)

#: The figures of seed 000: 256 cases, 755 workers, 9.79 million yuan.
CASES = 256
WORKERS = 755
CLAIMED = Decimal("9790000")
#: Cases are received over the last 18 months; the scenarios below take the last two, the other
#: cases ("background") are older than BACKGROUND_MIN_AGE days and have run their course.
WINDOW_DAYS = 548
BACKGROUND_MIN_AGE = 60
#: The access code of the well-known tracking demo (letters of rules.ACCESS_CODE_ALPHABET).
TRACKING_CODE = "DEMACASE"
DISTRICT = demo.DISTRICT[0]
DISTRICT_NAME = f"{DISTRICT}劳动人事争议调解委员会"
COURT_NAME = f"{DISTRICT}人民法院"
COURT_CENTRE = f"{COURT_NAME}诉前调解中心"
INDUSTRY_NAME = "汽车零部件行业劳动争议调解委员会"
PEOPLE_NAME = f"{DISTRICT}劳动争议人民调解委员会"
INDUSTRY_WORDS = ("汽车零部件", "汽车座椅")
ENTERPRISE_COMMITTEES = 4
COURT_API = "api:柳东新区人民法院诉调对接平台"
INSPECTION_API = "api:柳东新区劳动保障监察系统"
HOTLINE_API = "api:柳州12345政务服务便民热线"

#: Resident ID number regions: Liuzhou, the rest of Guangxi, and migrant workers' home provinces.
ID_REGIONS = [
    "450202",
    "450203",
    "450204",
    "450205",
    "450221",
    "450222",
    "450102",
    "450103",
    "450305",
    "450403",
    "450521",
    "430521",
    "520102",
    "522101",
    "441821",
    "510623",
]
JOBS = {
    "C": ["装配工", "焊工", "注塑操作工", "质检员", "叉车司机", "仓管员", "机修工", "冲压工", "喷涂工"],
    "G": ["货车司机", "装卸工", "仓管员", "调度员"],
    "E": ["钢筋工", "木工", "泥水工", "杂工"],
    "O": ["保安", "保洁员", "绿化工"],
    "H": ["厨师", "服务员", "帮厨"],
    "L": ["派遣员工", "装配工", "普工"],
}
OFFICE_JOBS = ["文员", "业务员", "销售员", "会计", "行政专员"]
OUTSIDE = [
    ("柳州市鱼峰区鸿运装饰工程队", "柳州市鱼峰区荣军路18号", "E"),
    ("柳州恒达劳务有限公司", "柳州市柳南区航岭路52号", "L"),
    ("柳州市城中区老友记餐饮店", "柳州市城中区五一路106号", "H"),
    ("广西宏图建设工程有限公司柳东项目部", "柳州市柳东新区新柳大道88号", "E"),
    ("柳州市柳北区顺达汽车修理厂", "柳州市柳北区跃进路203号", "C"),
    ("柳州市新城物业管理有限公司", "柳州市柳南区潭中西路12号", "O"),
    ("柳州市柳江区金穗米粉厂", "柳州市柳江区拉堡镇柳堡路66号", "C"),
    ("柳州佳信家政服务有限公司", "柳州市城中区中山西路21号", "O"),
    ("柳州市柳南区顺丰达快递服务部", "柳州市柳南区西环路77号", "G"),
    ("柳州市鹿寨县华南木业有限公司", "柳州市鹿寨县鹿寨镇工业园", "C"),
]
#: (primary type, weight, [(second type or None, weight)]) — wages most common, then dismissal.
TYPES = [
    (T.REMUNERATION, 46, [(None, 55), (T.WORKING_TIME, 15), (T.COMPENSATION, 15), (T.SOCIAL_INSURANCE, 10), (T.RELATIONSHIP, 5)]),
    (T.DISMISSAL, 15, [(T.COMPENSATION, 70), (None, 30)]),
    (T.SOCIAL_INSURANCE, 10, [(None, 70), (T.COMPENSATION, 30)]),
    (T.COMPENSATION, 8, [(None, 100)]),
    (T.INJURY_MEDICAL, 6, [(None, 60), (T.DAMAGES, 40)]),
    (T.CONTRACT, 5, [(T.REMUNERATION, 50), (None, 50)]),
    (T.WORKING_TIME, 4, [(T.REMUNERATION, 50), (None, 50)]),
    (T.RELATIONSHIP, 3, [(T.REMUNERATION, 80), (None, 20)]),
    (T.WELFARE, 1.5, [(None, 100)]),
    (T.DAMAGES, 1, [(None, 100)]),
    (T.OTHER, 0.5, [(None, 100)]),
]  # fmt: skip
#: Yuan claimed per worker, by the primary type.
AMOUNTS = {
    T.REMUNERATION: (3000, 26000),
    T.WORKING_TIME: (2000, 15000),
    T.DISMISSAL: (18000, 90000),
    T.COMPENSATION: (8000, 60000),
    T.SOCIAL_INSURANCE: (6000, 40000),
    T.INJURY_MEDICAL: (20000, 160000),
    T.CONTRACT: (12000, 50000),
    T.RELATIONSHIP: (3000, 30000),
    T.WELFARE: (600, 5000),
    T.DAMAGES: (3000, 30000),
    T.OTHER: (500, 5000),
}
COLLECTIVE_AMOUNT = (4000, 14000)
CLAIMS = {
    T.REMUNERATION: "请求被申请人支付{period}拖欠的工资共计{amount}。",
    T.WORKING_TIME: "请求被申请人支付{period}延长工作时间加班费{amount}。",
    T.DISMISSAL: "请求被申请人支付违法解除劳动合同赔偿金{amount}。",
    T.COMPENSATION: "请求被申请人支付解除劳动合同经济补偿{amount}。",
    T.SOCIAL_INSURANCE: "请求被申请人补缴{period}的社会保险费，并赔偿未缴纳社会保险费造成的损失{amount}。",
    T.INJURY_MEDICAL: "请求被申请人支付工伤医疗费、停工留薪期工资共计{amount}。",
    T.CONTRACT: "请求被申请人支付未签订书面劳动合同的二倍工资差额{amount}。",
    T.RELATIONSHIP: "请求确认申请人与被申请人之间存在劳动关系，并支付工资{amount}。",
    T.WELFARE: "请求被申请人发放高温津贴及劳动防护用品折款{amount}。",
    T.DAMAGES: "请求被申请人赔偿未及时办理退工手续造成的失业保险待遇损失{amount}。",
    T.OTHER: "请求被申请人退还入职时收取的服装押金和工具押金{amount}。",
}
SECOND_CLAIMS = {
    T.WORKING_TIME: "其中包括延长工作时间加班费。",  # joined to the first claim with a comma
    T.COMPENSATION: "并依法支付解除劳动合同经济补偿。",
    T.SOCIAL_INSURANCE: "并为申请人补缴社会保险费。",
    T.RELATIONSHIP: "并确认双方存在劳动关系。",
    T.DAMAGES: "并赔偿相应损失。",
    T.REMUNERATION: "并支付拖欠的工资。",
}
FACTS = {
    T.REMUNERATION: "申请人于{start}入职被申请人处从事{job}工作，{period}的工资至今未发放，经多次催要，被申请人以资金周转困难为由拖延支付。",
    T.WORKING_TIME: "申请人在被申请人处从事{job}工作，{period}期间每月延长工作时间约{hours}小时，被申请人未依法支付加班费。",
    T.DISMISSAL: "申请人于{start}入职被申请人处从事{job}工作，{end}被申请人以“严重违反规章制度”为由解除劳动合同，申请人认为被申请人未提供相关规章制度及违纪证据，属违法解除。",
    T.COMPENSATION: "申请人于{start}入职被申请人处从事{job}工作，{end}被申请人因生产经营调整与申请人解除劳动合同，但未依法支付经济补偿。",
    T.SOCIAL_INSURANCE: "申请人于{start}入职被申请人处从事{job}工作，被申请人未依法为其缴纳{period}的社会保险费，申请人多次要求补缴未果。",
    T.INJURY_MEDICAL: "申请人在被申请人处从事{job}工作，{end}在工作中受伤，已被认定为工伤；被申请人未参加工伤保险，拒绝支付医疗费和停工留薪期工资。",
    T.CONTRACT: "申请人自{start}起在被申请人处从事{job}工作，被申请人一直未与其签订书面劳动合同。",
    T.RELATIONSHIP: "申请人自{start}起在被申请人处从事{job}工作，被申请人以双方系劳务关系为由否认劳动关系并拖欠工资。",
    T.WELFARE: "申请人在被申请人处从事{job}工作，被申请人在高温季节未发放高温津贴，也未按规定发放劳动防护用品。",
    T.DAMAGES: "被申请人解除劳动合同后未及时为申请人办理退工备案和社会保险转移手续，致使申请人无法领取失业保险金。",
    T.OTHER: "申请人入职时被申请人收取服装押金和工具押金，申请人离职后被申请人拒不退还。",
}
COLLECTIVE_CLAIMS = {
    T.REMUNERATION: "请求被申请人支付{workers}名职工{period}拖欠的工资共计{amount}。",
    T.SOCIAL_INSURANCE: "请求被申请人为{workers}名职工补缴{period}的社会保险费，并赔偿相应损失共计{amount}。",
    T.DISMISSAL: "请求被申请人因搬迁解除劳动合同向{workers}名职工支付经济补偿共计{amount}。",
}
COLLECTIVE_FACTS = {
    T.REMUNERATION: "被申请人拖欠{workers}名职工{period}的工资，职工多次集体向企业反映未果，推选{reps}为代表申请调解。",
    T.SOCIAL_INSURANCE: "被申请人{period}未为{workers}名职工缴纳社会保险费，职工推选{reps}为代表申请调解。",
    T.DISMISSAL: "被申请人因厂区搬迁，{end}通知{workers}名职工解除劳动合同，未依法支付经济补偿，职工推选{reps}为代表申请调解。",
}
#: Agreement item kind per dispute type (non-money types give no money item).
ITEM_KINDS = {
    T.REMUNERATION: AgreementItem.Kind.WAGES,
    T.WORKING_TIME: AgreementItem.Kind.WAGES,
    T.RELATIONSHIP: AgreementItem.Kind.WAGES,
    T.DISMISSAL: AgreementItem.Kind.COMPENSATION,
    T.COMPENSATION: AgreementItem.Kind.COMPENSATION,
    T.INJURY_MEDICAL: AgreementItem.Kind.INJURY_MEDICAL,
    T.DAMAGES: AgreementItem.Kind.DAMAGES,
    T.SOCIAL_INSURANCE: AgreementItem.Kind.DAMAGES,
    T.CONTRACT: AgreementItem.Kind.OTHER,
    T.WELFARE: AgreementItem.Kind.OTHER,
    T.OTHER: AgreementItem.Kind.OTHER,
}
ITEM_TEXT = {
    AgreementItem.Kind.WAGES: "支付{period}工资",
    AgreementItem.Kind.COMPENSATION: "支付解除劳动合同经济补偿",
    AgreementItem.Kind.INJURY_MEDICAL: "支付工伤医疗费及停工留薪期工资",
    AgreementItem.Kind.DAMAGES: "支付赔偿金",
    AgreementItem.Kind.OTHER: "支付款项",
}
EXTRA_ITEMS = {
    T.SOCIAL_INSURANCE: "为申请人补缴{period}的社会保险费",
    T.CONTRACT: "与申请人补签书面劳动合同",
    T.DISMISSAL: "为申请人出具解除劳动合同证明并办理社会保险转移手续",
    T.RELATIONSHIP: "确认双方自申请人入职之日起存在劳动关系",
}
REFUSALS = [
    "经核实，申请人与被申请人之间系承揽关系，不属于劳动争议调解范围，已告知申请人通过民事途径解决。",
    "同一争议已由柳州市劳动人事争议仲裁委员会立案受理，本委员会不再受理调解申请。",
    "被申请人已进入破产清算程序，相关债权应向破产管理人申报，不宜调解，已告知申请人申报途径。",
    "申请事项已经人民法院作出生效判决，不再受理调解申请。",
]
TRANSFERS = {
    "early": [
        "本企业调解委员会委员与本案有利害关系，申请人要求由区域性调解组织调解。",
        "争议涉及企业高层管理人员，移送属地调解组织办理。",
    ],
    "mid": [
        "申请人对行业调解组织的调解员提出回避申请，经协商移送区劳动人事争议调解委员会调解。",
    ],
}
NOTES = {
    "close_no_agreement": [
        "双方对经济补偿金额分歧较大，经多次调解未能达成一致，已告知申请人可向劳动人事争议仲裁委员会申请仲裁。",
        "被申请人只同意支付部分款项，申请人不接受，调解不成，已告知仲裁时效和申请途径。",
    ],
    "withdraw": [
        "被申请人已主动支付拖欠款项，申请人撤回调解申请。",
        "申请人决定直接申请劳动仲裁，撤回调解申请。",
        "双方自行和解，申请人撤回调解申请。",
    ],
    "respondent_refused": [
        "被申请人明确表示不同意调解，已告知申请人可向劳动人事争议仲裁委员会申请仲裁。",
        "经三次电话及书面通知，被申请人拒不参加调解，视为不同意调解。",
    ],
    "refer_arbitration": [
        "调解未达成协议，申请人要求仲裁，已引导其向柳州市劳动人事争议仲裁委员会申请并移送相关材料。",
        "争议涉及工资标准认定，双方同意通过仲裁解决，已移送相关材料。",
    ],
    "refer_court": [
        "争议涉及工伤认定后的民事赔偿，双方同意通过诉讼解决，已告知向人民法院起诉。",
        "诉前调解未达成协议，退回柳东新区人民法院立案审理。",
    ],
}
SESSION_NOTES = [
    "双方陈述争议事实，调解员释明相关法律规定，约定核对工资台账后再次调解。",
    "被申请人提供了考勤和工资发放记录，双方对加班时长仍有分歧。",
    "被申请人同意分期支付，双方就金额仍有分歧，约定三日内答复。",
    "被申请人未到场，电话联系后表示愿意继续调解。",
    "调解员分别与双方单独沟通，双方均表示愿意在合理范围内让步。",
]
SIGNING_NOTE = "双方就支付金额和期限达成一致，当场签署调解协议。"
#: Re-employment referrals: the kind of service and its provider, by the outcome they led to.
_JOB_CENTRE = f"{DISTRICT}公共就业服务中心"
_REFERRAL_JOBS = [
    (Referral.Kind.JOB_MATCHING, _JOB_CENTRE),
    (Referral.Kind.JOB_MATCHING, "雒容镇人力资源和社会保障服务中心"),
    (Referral.Kind.JOB_MATCHING, "洛埠镇人力资源和社会保障服务中心"),
    (Referral.Kind.JOB_MATCHING, "柳州市人力资源市场（柳东分市场）"),
    (Referral.Kind.START_UP, f"{DISTRICT}创业孵化基地"),
]
_REFERRAL_TRAINING = [
    (Referral.Kind.TRAINING, "柳州市第一职业技术学校"),
    (Referral.Kind.TRAINING, f"{DISTRICT}职业技能培训中心"),
]
_REFERRAL_ANY = [
    *_REFERRAL_JOBS[:4],
    *_REFERRAL_TRAINING,
    (Referral.Kind.UNEMPLOYMENT_INSURANCE, f"{DISTRICT}社会保险服务中心（失业保险）"),
]
REFERRAL_OPTIONS = {
    Referral.Result.EMPLOYED: _REFERRAL_JOBS,
    Referral.Result.TRAINING: _REFERRAL_TRAINING,
    Referral.Result.DECLINED: _REFERRAL_ANY,
    Referral.Result.NO_RESULT: _REFERRAL_ANY,
    Referral.Result.PENDING: _REFERRAL_ANY,
}
#: The mediator asks again two weeks after the referral.
REFERRAL_FOLLOW_UP_DAYS = 14
REFERRAL_FOLLOW_UP_NOTE = "电话回访申请人及服务机构，了解推荐进展。"
REFERRAL_NOTES = {
    Referral.Result.EMPLOYED: "经推荐到园区汽车零部件企业从事装配工作。",
    Referral.Result.TRAINING: "参加园区职业技能提升培训（焊工）。",
    Referral.Result.DECLINED: "申请人表示暂不需要就业推荐。",
    Referral.Result.NO_RESULT: "推荐两个岗位均未录用，继续跟踪。",
    Referral.Result.PENDING: "已登记求职意向，等待推荐岗位。",
}
EXTENSION_RECORD = (
    "申请人于{a}在延期调解申请书上签字同意；被申请人人事负责人于{r}电话确认同意，已录音并记入调解笔录。"
)


# Helpers ----------------------------------------------------------------------------------------


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _day(rng, low: dt.date, high: dt.date) -> dt.date:
    if high <= low:
        return low
    return low + dt.timedelta(days=rng.randint(0, (high - low).days))


def _yuan(amount: Decimal) -> str:
    return f"{int(amount):,}元" if amount == amount.to_integral_value() else f"{amount:,.2f}元"


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _period(end: dt.date, months: int) -> str:
    start = (end.replace(day=1) - dt.timedelta(days=28 * (months - 1))).replace(day=1)
    if (start.year, start.month) == (end.year, end.month):
        return f"{end.year}年{end.month}月"
    if start.year == end.year:
        return f"{start.year}年{start.month}月至{end.month}月"
    return f"{start.year}年{start.month}月至{end.year}年{end.month}月"


def _id_number(rng, year: int, taken: set) -> tuple[str, dt.date]:
    """A resident ID number with a correct check character (GB 11643-1999) of someone aged 19 to
    55 in `year`, and the birth date."""
    while True:
        birth = dt.date(year - rng.randint(19, 55), rng.randint(1, 12), rng.randint(1, 28))
        number = personal_data.with_check_character(
            f"{rng.choice(ID_REGIONS)}{birth:%Y%m%d}{rng.randint(1, 999):03d}"
        )
        if number not in taken:
            taken.add(number)
            return number, birth


@contextmanager
def _given_timestamps(*models):
    """Let bulk_create keep the timestamps the objects carry (the history happened in the past)."""
    fields = [
        f
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _stamp(obj, when):
    obj.created_at = obj.updated_at = when
    return obj


@dataclass
class _Spec:
    """One case to make: the scenario (explicit ones name the status they must end in) and,
    once drafted, who and what."""

    target: str = ""  # explicit: the status the case must be in today
    age: tuple[int, int] = (0, 0)  # explicit: days since receipt
    received: dt.date | None = None  # background: the day of receipt
    decision: str | None = "accept"  # accept | refuse | withdraw | respondent_refused | None
    close: str | None = None  # closing action once in mediation; None: still open
    extend: bool = False
    transfer: str = ""  # "early" (before acceptance) | "mid" (during mediation)
    overdue: bool | None = None  # open cases: past the current deadline or not
    performance: str = ""  # explicit agreements: the performance today
    pay: str = ""  # ontime | late | never | partial_never
    installments: bool = False
    archive: bool = True
    pdf: bool = False
    referral: bool = False
    sessions: tuple[int, int] = (1, 3)
    channel: str = ""
    collective: bool = False
    respondent: str = ""  # "hr" | "outside" | "" (any)
    org: str = ""  # district | town | enterprise | industry | people | court
    luohao: bool = False
    # Drafted.
    enterprise: Enterprise | None = None
    outside: tuple = ()
    town: Area | None = None
    types: list = field(default_factory=list)
    workers: int = 1
    amount: Decimal = Decimal("0")
    first_org: MediationOrganisation | None = None
    final_org: MediationOrganisation | None = None
    mediator: Mediator | None = None
    first_mediator: Mediator | None = None
    infringed_days: int = 30
    months: int = 2  # months of wages or contributions in dispute
    form: str = Case.Form.WRITTEN
    people: list = field(default_factory=list)  # applicant dicts
    claims: str = ""
    facts: str = ""


# Organisations ----------------------------------------------------------------------------------


def _phone_landline(rng) -> str:
    return f"0772-{rng.randint(2000000, 8999999)}"


def _organisations(rng, district_org, towns, enterprises, luohao):
    """The mediation organisations and their mediators, created when missing."""
    existing = {mo.organisation_id: mo for mo in MediationOrganisation.objects.all()}
    by_name = {mo.name: mo for mo in existing.values()}

    def registered(org, kind, *, towns=(), address=""):
        mo = existing.get(org.pk)
        if mo is None:
            mo = MediationOrganisation.objects.create(
                organisation=org, name=org.name, kind=kind, address=address, phone=_phone_landline(rng)
            )
            mo.towns.set(towns)
        return mo

    def new(name, kind, area, *, towns=(), enterprises=(), address=""):
        mo = by_name.get(name)
        if mo is None:
            mo = services.create_organisation(
                SYSTEM,
                name=name,
                kind=kind,
                area=area,
                towns=towns,
                enterprises=enterprises,
                address=address,
                phone=_phone_landline(rng),
            )
        return mo

    district = registered(
        district_org,
        K.ARBITRATION,
        towns=towns,
        address=f"柳州市{DISTRICT}文昌路{rng.randint(1, 300)}号政务服务中心三楼",
    )
    town_orgs = {}
    for town in towns:
        org = Organisation.objects.filter(
            kind=Organisation.Kind.MEDIATION, name=f"{town.name}劳动争议调解委员会"
        ).first()
        if org is not None:
            town_orgs[town.pk] = registered(
                org, K.TOWN, towns=[town], address=f"柳州市{DISTRICT}{town.name}人民政府一楼"
            )
    operating = [e for e in enterprises if e.status == EnterpriseStatus.OPERATING]
    with_committee = sorted(
        (e for e in operating if e.latest_survey and e.latest_survey.mediation_committee),
        key=lambda e: (-e.employees, e.name),
    )
    if len(with_committee) < ENTERPRISE_COMMITTEES:  # pragma: no cover - the survey has enough
        with_committee += sorted(
            (e for e in operating if e not in with_committee), key=lambda e: (-e.employees, e.name)
        )
    # The enterprise committees are run by the enterprise's union (企业劳动争议协商调解规定 art. 13):
    # one of them is the demo union official's, so that login sees and works its cases (issue 18).
    covered = {c.enterprise_id: c.union for c in UnionCoverage.objects.select_related("union")}
    demo_union = Union.objects.filter(
        organisation__memberships__user__username="union", organisation__memberships__role=Role.UNION_OFFICIAL
    ).first()
    chosen = with_committee[:ENTERPRISE_COMMITTEES]
    own = [e for e in operating if demo_union is not None and covered.get(e.pk) == demo_union]
    if own and own[0] not in chosen:
        chosen = [*chosen[:-1], own[0]]
    committees = {}
    for e in chosen:
        committees[e.pk] = new(
            f"{e.name}劳动争议调解委员会", K.ENTERPRISE, e.town, enterprises=[e], address=e.address
        )
        union = covered.get(e.pk)
        if union is not None and committees[e.pk].union_id is None:
            committees[e.pk].union = union
            committees[e.pk].save(update_fields=["union", "updated_at"])
    members = [e for e in operating if any(word in e.name for word in INDUSTRY_WORDS)]
    district_area = district_org.area
    industry = new(
        INDUSTRY_NAME,
        K.INDUSTRY,
        district_area,
        enterprises=members,
        address=f"柳州市{DISTRICT}车园路{rng.randint(1, 300)}号汽车城服务中心",
    )
    people = new(
        PEOPLE_NAME,
        K.PEOPLE,
        district_area,
        towns=towns,
        address=f"柳州市{DISTRICT}官塘大道{rng.randint(1, 300)}号",
    )
    court = new(
        COURT_CENTRE,
        K.COURT,
        district_area,
        towns=towns,
        address=f"柳州市{DISTRICT}文昌路{rng.randint(301, 600)}号{COURT_NAME}诉讼服务中心",
    )

    # Mediators: the demo mediator at the district, two to four everywhere, a few inactive.
    staffed = set(Mediator.objects.values_list("organisation_id", flat=True).distinct())
    specialities = [
        T.REMUNERATION,
        T.DISMISSAL,
        T.SOCIAL_INSURANCE,
        T.COMPENSATION,
        T.INJURY_MEDICAL,
        T.CONTRACT,
        T.WORKING_TIME,
    ]
    mediators = []

    def staff(mo, count, inactive=0):
        if mo.pk in staffed:
            return
        names = set()
        for i in range(count):
            name = demo.person_name(rng)
            while name in names or name == luohao_name:
                name = demo.person_name(rng)
            names.add(name)
            mediators.append(
                Mediator(
                    organisation=mo,
                    name=name,
                    phone=demo.phone(rng),
                    specialities=sorted(t.value for t in rng.sample(specialities, rng.randint(1, 3))),
                    is_active=i >= inactive,
                )
            )

    luohao_name = luohao.full_name if luohao else "罗浩"
    if district.pk not in staffed:
        mediators.append(
            Mediator(
                organisation=district,
                user=luohao,
                name=luohao_name,
                phone=demo.phone(rng),
                specialities=[T.REMUNERATION.value, T.DISMISSAL.value, T.COMPENSATION.value],
            )
        )
    staff(district, 3)
    for i, mo in enumerate(town_orgs.values()):
        staff(mo, 4 if i == 0 else 3, inactive=1 if i == 0 else 0)
    for mo in committees.values():
        staff(mo, 2)
    staff(industry, 3, inactive=1)
    staff(people, 3, inactive=1)
    staff(court, 3)
    Mediator.objects.bulk_create(mediators)
    if luohao is not None:
        Membership.objects.get_or_create(user=luohao, organisation=district_org, role=Role.MEDIATOR)
    return {
        "district": district,
        "towns": town_orgs,
        "committees": committees,
        "industry": industry,
        "members": members,
        "people": people,
        "court": court,
    }


# Cases ------------------------------------------------------------------------------------------


def _explicit() -> list[_Spec]:
    """The recent cases, each in the state the demo needs today."""
    R, M, F, C = S.RECEIVED, S.IN_MEDIATION, S.REFUSED, S.CLOSED
    return [
        # Waiting for a decision: fresh ones, two past the 3 working days, one just transferred.
        _Spec(R, (0, 2), decision=None, overdue=False, channel=CH.ONLINE, respondent="hr", org="town"),
        _Spec(R, (1, 3), decision=None, overdue=False, channel=CH.WALK_IN, collective=True, org="district"),
        _Spec(R, (0, 2), decision=None, overdue=False, channel=CH.ONLINE, org="town"),
        _Spec(R, (5, 14), decision=None, overdue=True, channel=CH.ONLINE, org="district"),
        _Spec(R, (5, 14), decision=None, overdue=True, channel=CH.PHONE, org="town"),
        _Spec(R, (3, 16), decision=None, overdue=False, transfer="early", org="enterprise"),
        # 12345 hotline referrals (issue 15): one waiting for a decision, one in mediation.
        _Spec(R, (0, 2), decision=None, overdue=False, channel=CH.HOTLINE, org="town"),
        # In mediation.
        _Spec(M, (2, 12), overdue=False, respondent="hr", luohao=True, sessions=(1, 1)),
        _Spec(M, (3, 12), overdue=False, collective=True, luohao=True, sessions=(1, 2)),
        _Spec(M, (1, 12), overdue=False, org="town", sessions=(0, 1)),
        _Spec(M, (2, 12), overdue=False, org="industry", sessions=(0, 2)),
        _Spec(M, (2, 12), overdue=False, org="enterprise", sessions=(0, 1)),
        _Spec(M, (17, 30), overdue=True, luohao=True, sessions=(2, 2)),
        _Spec(M, (17, 30), overdue=True, org="town", sessions=(1, 2)),
        _Spec(M, (12, 26), overdue=False, extend=True, luohao=True, sessions=(2, 2)),
        _Spec(M, (12, 26), overdue=False, extend=True, org="town", sessions=(1, 2)),
        _Spec(M, (8, 25), overdue=False, channel=CH.COURT, luohao=True, sessions=(1, 2)),
        _Spec(M, (5, 28), overdue=False, channel=CH.COURT, org="court", sessions=(0, 2)),
        _Spec(M, (27, 40), overdue=False, channel=CH.COURT, org="court", extend=True, sessions=(2, 3)),
        _Spec(M, (6, 16), overdue=False, transfer="mid", org="industry", luohao=True, referral=True),
        _Spec(M, (3, 12), overdue=False, channel=CH.HOTLINE, org="town", sessions=(0, 1)),
        # Not accepted, not yet archived.
        _Spec(F, (3, 30), decision="refuse", channel=CH.ONLINE, org="town"),
        _Spec(F, (3, 40), decision="refuse", channel=CH.WALK_IN, respondent="hr", org="district"),
        _Spec(F, (3, 40), decision="refuse", channel=CH.ONLINE, respondent="outside", org="people"),
        # Closed, not yet archived: every outcome, agreements in every stage of performance.
        _Spec(C, (20, 60), close="close_agreement", luohao=True, performance="performed", pay="ontime", pdf=True, archive=False),
        _Spec(C, (15, 55), close="close_agreement", respondent="hr", luohao=True, performance="partly", pay="ontime", installments=True, archive=False),
        _Spec(C, (8, 30), close="close_agreement", org="town", performance="pending", pay="ontime", archive=False),
        _Spec(C, (20, 60), close="close_agreement", respondent="hr", org="town", performance="performed", pay="ontime", pdf=True, archive=False),
        _Spec(C, (10, 40), close="close_agreement", collective=True, luohao=True, performance="pending", pay="ontime", installments=True, archive=False),
        _Spec(C, (20, 60), close="close_agreement", org="enterprise", performance="performed", pay="ontime", archive=False),
        _Spec(C, (15, 50), close="close_agreement", channel=CH.COURT, org="court", performance="pending", pay="ontime", archive=False),
        _Spec(C, (15, 60), close="close_no_agreement", luohao=True, archive=False),
        _Spec(C, (10, 60), close="close_no_agreement", respondent="hr", org="town", archive=False),
        _Spec(C, (20, 60), close="close_timed_out", org="town", archive=False),
        _Spec(C, (20, 60), close="close_timed_out", luohao=True, archive=False),
        _Spec(C, (10, 50), close="withdraw", org="industry", archive=False),
        _Spec(C, (5, 40), decision="withdraw", channel=CH.ONLINE, org="town", archive=False),
        _Spec(C, (5, 40), decision="respondent_refused", respondent="outside", org="people", archive=False),
        _Spec(C, (10, 50), close="respondent_refused", org="district", archive=False),
        _Spec(C, (15, 60), close="refer_arbitration", luohao=True, archive=False),
        _Spec(C, (15, 60), close="refer_arbitration", org="town", archive=False),
        _Spec(C, (20, 60), close="refer_court", channel=CH.COURT, org="court", archive=False),
        _Spec(C, (20, 60), close="refer_court", org="town", archive=False),
    ]  # fmt: skip


class _Builder:
    def __init__(self, rng, today, orgs, enterprises, towns, hr_enterprise, luohao):
        self.rng, self.today = rng, today
        self.yesterday = today - ONE_DAY
        self.now = timezone.now()
        self.orgs, self.towns = orgs, towns
        self.hr_enterprise = hr_enterprise
        self.operating = [e for e in enterprises if e.status == EnterpriseStatus.OPERATING]
        self.weights = [max(e.employees, 10) ** 0.5 for e in self.operating]
        self.committee_of = dict(orgs["committees"])
        self.member_ids = {e.pk for e in orgs["members"]}
        self.mediators: dict = {}
        for m in Mediator.objects.filter(organisation__in=self._all_orgs()).select_related("user"):
            self.mediators.setdefault(m.organisation_id, []).append(m)
        for group in self.mediators.values():
            group.sort(key=lambda m: (m.user_id is None, m.name))
        self.luohao_mediator = next(
            (m for m in self.mediators.get(orgs["district"].pk, []) if luohao and m.user_id == luohao.pk),
            None,
        )
        self.overrides = load_overrides(
            today - dt.timedelta(days=WINDOW_DAYS + 60), today + dt.timedelta(days=120)
        )
        self._working: dict = {}
        self._clocks: dict = {}
        self.ids: set = set()
        #: The senders' numbers given so far: one case per channel and reference (`Case.Meta`).
        self.references: set = set()
        self.rows: dict[type, list] = {
            model: []
            for model in (
                Case,
                CaseType,
                Applicant,
                CaseHistory,
                Session,
                Extension,
                Transfer,
                Agreement,
                AgreementItem,
                FollowUp,
                Payment,
                Referral,
            )
        }
        self.pdf_cases: list[Case] = []

    def _all_orgs(self):
        o = self.orgs
        return [
            o["district"],
            *o["towns"].values(),
            *o["committees"].values(),
            o["industry"],
            o["people"],
            o["court"],
        ]

    # Calendar ------------------------------------------------------------------------------------

    def working(self, day: dt.date) -> bool:
        if day not in self._working:
            self._working[day] = day_info(day, overrides=self.overrides).is_working_day
        return self._working[day]

    def on_or_after(self, day):
        while not self.working(day):
            day += ONE_DAY
        return day

    def on_or_before(self, day):
        while not self.working(day):
            day -= ONE_DAY
        return day

    def add_working(self, day, n):
        return add_working_days(day, n, overrides=self.overrides).date if n else self.on_or_after(day)

    def clocks(self, day, channel):
        key = (day, channel == CH.COURT)
        if key not in self._clocks:
            self._clocks[key] = rules.clocks(day, channel)
        return self._clocks[key]

    def moment(self, day: dt.date, hours=(8, 17)) -> dt.datetime:
        rng = self.rng
        when = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(*hours), rng.randint(0, 59))))
        if when >= self.now:
            start = timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))
            when = start + (self.now - start) * rng.uniform(0.3, 0.9)
        return when

    # Drafting -----------------------------------------------------------------------------------

    def draft(self, spec: _Spec) -> None:
        """Who and what: channel, respondent, organisation, mediator, types, workers."""
        rng, orgs = self.rng, self.orgs
        if not spec.channel:
            spec.channel = _weighted(
                rng,
                [(CH.ONLINE, 42), (CH.WALK_IN, 33), (CH.PHONE, 10), (CH.COURT, 9), (CH.INSPECTION, 6)],
            )
            if spec.org == "court":
                spec.channel = CH.COURT
            elif spec.channel == CH.COURT and (spec.org or spec.target):
                # explicit scenarios name their court cases; the others keep their 15 days
                spec.channel = CH.WALK_IN
        if spec.channel == CH.COURT and not spec.org and not spec.luohao:
            spec.org = "court" if rng.random() < 0.85 else "district"
        # The respondent.
        if spec.respondent == "hr" and self.hr_enterprise is not None:
            spec.enterprise = self.hr_enterprise
        elif spec.org == "enterprise" and self.committee_of:
            chosen = rng.choice(sorted(self.committee_of))
            spec.enterprise = next(e for e in self.operating if e.pk == chosen)
        elif spec.org == "industry" and self.member_ids:
            spec.enterprise = rng.choice([e for e in self.operating if e.pk in self.member_ids])
        elif spec.respondent == "outside" or (not spec.collective and rng.random() < 0.13):
            spec.outside = rng.choice(OUTSIDE)
            spec.respondent = "outside"
        else:
            spec.enterprise = rng.choices(self.operating, weights=self.weights)[0]
        if spec.enterprise is not None:
            spec.town = spec.enterprise.town
        elif rng.random() < 0.7:
            spec.town = rng.choice(self.towns)
        # The organisation (first = where it was received, final = where it is now).
        key = spec.org or self._route(spec)
        if spec.luohao:
            key = "district"
        if spec.transfer == "early":
            committee = self.committee_of.get(spec.enterprise.pk) if spec.enterprise else None
            spec.first_org = committee or orgs["industry"]
            town_org = orgs["towns"].get(spec.town.pk) if spec.town else None
            spec.final_org = orgs["district"] if (spec.target or not town_org) else town_org
        elif spec.transfer == "mid":
            spec.first_org = self._org(key if key != "district" else "industry", spec)
            spec.final_org = orgs["district"]
        else:
            spec.first_org = spec.final_org = self._org(key, spec)
        # Types, workers, amount.
        if spec.collective:
            spec.types = rng.choice(
                [[T.REMUNERATION]] * 6 + [[T.SOCIAL_INSURANCE, T.REMUNERATION], [T.DISMISSAL, T.COMPENSATION]]
            )
            spec.workers = rng.randint(10, 60)
        else:
            primary = _weighted(rng, [(t, w) for t, w, _s in TYPES])
            second = _weighted(rng, next(s for t, _w, s in TYPES if t == primary))
            spec.types = [primary] + ([second] if second else [])
            spec.workers = _weighted(rng, [(1, 62), (2, 17), (3, 9), (4, 5), (5, 3), (6, 2), (7, 1), (8, 1)])
        if spec.channel in (CH.ONLINE, CH.COURT, CH.INSPECTION, CH.HOTLINE):
            spec.form = Case.Form.WRITTEN
        elif spec.channel == CH.PHONE or rng.random() < 0.35:
            spec.form = Case.Form.ORAL
        # Infringed: usually weeks or months before; a few near or past the one-year limit.
        r = rng.random()
        spec.infringed_days = (
            rng.randint(340, 362) if r < 0.03 else rng.randint(380, 420) if r < 0.04 else rng.randint(7, 200)
        )
        spec.months = rng.randint(1, 4)

    def _route(self, spec):
        rng = self.rng
        if spec.channel == CH.COURT:
            return "court"
        if spec.collective:
            return "district" if rng.random() < 0.8 else "town"
        if spec.enterprise is not None:
            if spec.enterprise.pk in self.committee_of and rng.random() < 0.6:
                return "enterprise"
            if spec.enterprise.pk in self.member_ids and rng.random() < 0.35:
                return "industry"
            return "town" if rng.random() < 0.62 else "district"
        return _weighted(rng, [("people", 45), ("town", 35), ("district", 20)])

    def _org(self, key, spec):
        orgs = self.orgs
        if key == "enterprise" and spec.enterprise and spec.enterprise.pk in self.committee_of:
            return self.committee_of[spec.enterprise.pk]
        if key == "town":
            town = spec.town or self.rng.choice(self.towns)
            spec.town = spec.town or town
            return orgs["towns"].get(town.pk) or orgs["district"]
        if key in ("industry", "people", "court", "district"):
            return orgs[key]
        return orgs["district"]

    def pick_mediator(self, mo, spec, received) -> Mediator | None:
        if spec.luohao and mo == self.orgs["district"] and self.luohao_mediator:
            return self.luohao_mediator
        old = (self.today - received).days > 150
        group = [m for m in self.mediators.get(mo.pk, []) if m.is_active or old]
        if not group:
            return None
        weights = [
            (2 if set(spec.types) & set(m.specialities) else 1) * (2.5 if m == self.luohao_mediator else 1)
            for m in group
        ]
        return self.rng.choices(group, weights=weights)[0]

    def people(self, spec: _Spec, received: dt.date) -> None:
        """Applicants: every worker of an individual case, the 3-5 representatives of a collective one."""
        rng = self.rng
        section = spec.enterprise.industry if spec.enterprise else (spec.outside[2] if spec.outside else "C")
        jobs = JOBS.get(section, OFFICE_JOBS)
        count = (
            rng.randint(rules.REPRESENTATIVES_MIN, rules.REPRESENTATIVES_MAX)
            if spec.collective
            else spec.workers
        )
        infringed = received - dt.timedelta(days=spec.infringed_days)
        left = spec.types[0] in (T.DISMISSAL, T.COMPENSATION, T.DAMAGES, T.OTHER) or (
            spec.types[0] == T.REMUNERATION and rng.random() < 0.5
        )
        lost = T.DISMISSAL in spec.types
        employer = spec.enterprise.name if spec.enterprise else spec.outside[0]
        spec.people = []
        for _i in range(count):
            id_number, birth = _id_number(rng, infringed.year - 1, self.ids)
            left_on = min(infringed + dt.timedelta(days=rng.randint(0, 20)), received)
            adult = dt.date(birth.year + 18, birth.month, birth.day)
            start = _day(rng, max(dt.date(2012, 1, 1), adult), infringed - dt.timedelta(days=90))
            spec.people.append(
                {
                    "name": demo.person_name(rng),
                    "id_number": id_number,
                    "phone": demo.phone(rng),
                    "employer": employer,
                    "job": rng.choice(jobs),
                    "employed_from": start,
                    "employed_until": (infringed if lost or spec.types[0] != T.REMUNERATION else left_on)
                    if left
                    else None,
                    "is_representative": spec.collective,
                    "lost_job": lost,
                }
            )

    def texts(self, spec: _Spec, received: dt.date) -> None:
        rng = self.rng
        infringed = received - dt.timedelta(days=spec.infringed_days)
        period = _period(infringed, spec.months)
        first = spec.people[0]
        values = {
            "amount": _yuan(spec.amount),
            "period": period,
            "workers": spec.workers,
            "start": _cn(first["employed_from"]),
            "end": _cn(first["employed_until"] or infringed),
            "job": first["job"],
            "hours": rng.choice([40, 50, 60, 72]),
            "reps": "、".join(p["name"] for p in spec.people),
        }
        primary = spec.types[0]
        if spec.collective:
            spec.claims = COLLECTIVE_CLAIMS[primary].format(**values)
            spec.facts = COLLECTIVE_FACTS[primary].format(**values)
        else:
            spec.claims = CLAIMS[primary].format(**values)
            second = SECOND_CLAIMS.get(spec.types[1], "") if len(spec.types) > 1 else ""
            # (damages for unlawful dismissal and economic compensation exclude each other)
            if second and primary != T.DISMISSAL:
                spec.claims = f"{spec.claims[:-1]}，{second}"
            spec.facts = FACTS[primary].format(**values)

    # The path of a case -------------------------------------------------------------------------

    def staff_label(self, mediator: Mediator | None, mo) -> tuple:
        """(actor, label) of a step taken by `mediator`, or by the organisation's first mediator."""
        m = mediator
        if m is None and mo is not None:
            m = (self.mediators.get(mo.pk) or [None])[0]
        if m is None:
            return None, "system"
        if m.user_id:
            return m.user, m.user.get_username()
        return None, m.name

    def simulate(self, spec: _Spec):
        """Walk the case through the lifecycle from its receipt; None if the result does not fit
        the scenario (the caller draws again)."""
        rng, today, yesterday = self.rng, self.today, self.yesterday
        ch = spec.channel
        received = spec.received or today - dt.timedelta(days=rng.randint(*spec.age))
        if ch != CH.ONLINE:
            received = self.on_or_before(received)
        events = []  # (day, order, action, from, to, (actor, label), reason)
        extra = {"sessions": [], "transfers": [], "extension": None, "referral": None}
        org = spec.first_org
        clock = received
        decision_due, due = self.clocks(received, ch)
        if ch == CH.ONLINE:
            receive_by = (None, "anonymous")
        elif ch == CH.COURT:
            receive_by = (None, COURT_API)
        elif ch == CH.INSPECTION:
            receive_by = (None, INSPECTION_API)
        elif ch == CH.HOTLINE:
            receive_by = (None, HOTLINE_API)
        else:
            receive_by = self.staff_label(spec.first_mediator if spec.transfer != "mid" else None, org)
        events.append((received, 0, "receive", "", S.RECEIVED, receive_by, ""))
        status = S.RECEIVED
        accepted = closed = None
        outcome, note = "", ""
        mediator = None

        def lag():
            return _weighted(rng, [(0, 3), (1, 4), (2, 2), (3, 1)])

        if spec.transfer == "early":
            moved = self.add_working(received, rng.randint(1, 2))
            extra["transfers"].append((moved, spec.first_org, spec.final_org, rng.choice(TRANSFERS["early"])))
            events.append(
                (
                    moved,
                    1,
                    "transfer",
                    S.RECEIVED,
                    S.RECEIVED,
                    self.staff_label(None, org),
                    extra["transfers"][-1][3],
                )
            )
            org, clock = spec.final_org, moved
            decision_due, due = self.clocks(moved, ch)
        decided = self.add_working(clock, lag())
        if spec.decision == "accept":
            if spec.transfer == "mid":
                first = spec.first_mediator
                events.append(
                    (decided, 2, "accept", S.RECEIVED, S.IN_MEDIATION, self.staff_label(first, org), "")
                )
                extra["sessions"].append((self.add_working(decided, 1), first))
                moved = self.add_working(decided, rng.randint(2, 4))
                extra["transfers"].append((moved, spec.first_org, spec.final_org, TRANSFERS["mid"][0]))
                events.append(
                    (
                        moved,
                        1,
                        "transfer",
                        S.IN_MEDIATION,
                        S.RECEIVED,
                        self.staff_label(first, org),
                        TRANSFERS["mid"][0],
                    )
                )
                org, clock = spec.final_org, moved
                decision_due, due = self.clocks(moved, ch)
                decided = self.add_working(moved, rng.randint(0, 1))
            mediator = spec.mediator
            events.append(
                (decided, 2, "accept", S.RECEIVED, S.IN_MEDIATION, self.staff_label(mediator, org), "")
            )
            status, accepted = S.IN_MEDIATION, decided
        elif spec.decision == "refuse":
            note = rng.choice(REFUSALS)
            events.append((decided, 2, "refuse", S.RECEIVED, S.REFUSED, self.staff_label(None, org), note))
            status, closed, note = S.REFUSED, decided, ""
        elif spec.decision in ("withdraw", "respondent_refused"):
            note = rng.choice(NOTES[spec.decision])
            events.append(
                (decided, 6, spec.decision, S.RECEIVED, S.CLOSED, self.staff_label(None, org), note)
            )
            status, closed, outcome = S.CLOSED, decided, CLOSING_OUTCOMES[spec.decision]

        final_due = due
        agreement_day = None
        if status == S.IN_MEDIATION:
            extended = None
            if spec.extend:
                low = max(accepted + ONE_DAY, due - dt.timedelta(days=5))
                extended = max(self.on_or_before(_day(rng, low, due)), accepted)
                days = rng.randint(10, 20) if ch == CH.COURT else rng.randint(5, rules.MAX_EXTENSION_DAYS)
                new_due = due + dt.timedelta(days=days)
                consent_a = max(extended - dt.timedelta(days=rng.randint(0, 1)), received)
                extra["extension"] = (extended, due, new_due, consent_a, extended)
                events.append(
                    (extended, 4, "extend", S.IN_MEDIATION, S.IN_MEDIATION, self.staff_label(mediator, org),
                     f"经双方同意，调解期限延长至{_cn(new_due)}。")
                )  # fmt: skip
                final_due = new_due
            if spec.close:
                if spec.close == "close_timed_out":
                    closed = self.on_or_after(final_due + dt.timedelta(days=rng.randint(1, 5)))
                else:
                    low = extended + ONE_DAY if extended else accepted
                    span = max(0, (final_due - low).days)
                    closed = low + dt.timedelta(
                        days=min(span, int(rng.triangular(1, span + 1, span * 0.45 + 1)))
                    )
                    closed = max(self.on_or_before(closed), low)
                outcome = CLOSING_OUTCOMES[spec.close]
                note = rng.choice(NOTES[spec.close]) if spec.close in NOTES else ""
                if spec.close == "refer_court" and ch == CH.COURT:
                    note = NOTES["refer_court"][1]
                events.append(
                    (closed, 6, spec.close, S.IN_MEDIATION, S.CLOSED, self.staff_label(mediator, org), note)
                )
                status = S.CLOSED
                if spec.close == "close_agreement":
                    agreement_day = closed
            # Sessions between acceptance and the end (the signing session on the agreement's day).
            end = closed or yesterday
            if end >= accepted:
                n = rng.randint(*spec.sessions) if spec.close is None else rng.randint(1, 3)
                days = sorted(self.on_or_after(_day(rng, accepted, end)) for _ in range(n))
                days = [d for d in days if d <= end]
                if agreement_day:
                    days = days[:-1] + [agreement_day] if days else [agreement_day]
                extra["sessions"] += [(d, mediator) for d in days]
            if spec.referral or (
                not spec.target and T.DISMISSAL in spec.types and rng.random() < 0.3 and closed is not None
            ):
                extra["referral"] = self.on_or_before(
                    _day(rng, accepted, min(closed or yesterday, yesterday))
                )

        # Every step but the receipt happened before today (the receipt may be today).
        if any(e[0] > (today if e[2] == "receive" else yesterday) for e in events):
            return None
        if any(day < received for day, _ in extra["sessions"]):
            return None

        # The agreement, its performance and follow-ups.
        agreement_rows = None
        performance_final = None
        if outcome == Case.Outcome.AGREEMENT:
            agreement_rows, performance, performance_final = self.agreement(spec, received, accepted, closed)
            if spec.performance and performance != spec.performance:
                return None
        # Archive.
        archived = None
        if status in (S.CLOSED, S.REFUSED) and spec.archive:
            start = performance_final if outcome == Case.Outcome.AGREEMENT else closed
            if start is not None:
                archived = self.on_or_after(start + dt.timedelta(days=rng.randint(3, 25)))
                if archived <= yesterday:
                    events.append(
                        (archived, 7, "archive", status, S.ARCHIVED, self.staff_label(mediator, org), "")
                    )
                    status = S.ARCHIVED
                else:
                    archived = None

        # The scenario's checks.
        if spec.target:
            if status != spec.target:
                return None
            if spec.overdue is not None:
                late = decision_due < today if status == S.RECEIVED else final_due < today
                if late != spec.overdue:
                    return None
        return {
            "received": received,
            "events": events,
            "extra": extra,
            "status": status,
            "org": org,
            "mediator": mediator,
            "clock": clock,
            "decision_due": decision_due,
            "due": final_due,
            "accepted": accepted,
            "closed": closed,
            "archived": archived,
            "outcome": outcome,
            "note": note,
            "agreement": agreement_rows,
        }

    def agreement(self, spec, received, accepted, closed):
        """Items, signatures, payments and follow-ups of an agreement signed on `closed`."""
        rng, today, yesterday = self.rng, self.today, self.yesterday
        factor = Decimal(str(round(rng.uniform(0.55, 1.0), 2)))
        agreed = max(Decimal("100"), (spec.amount * factor / 100).quantize(Decimal("1")) * 100)
        kinds = list(dict.fromkeys(ITEM_KINDS[t] for t in spec.types))
        money = [k for k in kinds if k != AgreementItem.Kind.OTHER] or [AgreementItem.Kind.OTHER]
        period = _period(received - dt.timedelta(days=spec.infringed_days), spec.months)
        items = []
        first_due = closed + dt.timedelta(days=rng.randint(5, 20))
        method = AgreementItem.Method.TRANSFER if rng.random() < 0.85 else AgreementItem.Method.CASH
        if len(money) == 1 and (spec.installments or (agreed >= 20000 and rng.random() < 0.3)):
            half = (agreed / 2 / 100).quantize(Decimal("1")) * 100
            text = ITEM_TEXT[money[0]].format(period=period)
            items.append((money[0], f"{text}（第一期）", half, first_due, method))
            second = first_due + dt.timedelta(days=rng.randint(15, 30))
            items.append((money[0], f"{text}（第二期）", agreed - half, second, method))
        else:
            shares = (
                [agreed]
                if len(money) == 1
                else [(agreed * Decimal("0.6") / 100).quantize(Decimal("1")) * 100]
            )
            if len(money) > 1:
                shares.append(agreed - shares[0])
            due = first_due
            for kind, amount in zip(money[:2], shares, strict=False):
                items.append((kind, ITEM_TEXT[kind].format(period=period), amount, due, method))
                if spec.installments:
                    due = due + dt.timedelta(days=rng.randint(15, 30))
        for t in spec.types:
            if t in EXTRA_ITEMS and rng.random() < 0.6:
                items.append(
                    (AgreementItem.Kind.OTHER, EXTRA_ITEMS[t].format(period=period), Decimal("0"),
                     closed + dt.timedelta(days=rng.randint(10, 30)), AgreementItem.Method.OTHER)
                )  # fmt: skip
        # Payments: on time, late, never, or the first instalment only.
        plan = spec.pay or _weighted(rng, [("ontime", 72), ("late", 16), ("never", 7), ("partial_never", 5)])
        payments = []
        paying = [it for it in items if it[2] > 0]
        for i, (_kind, _text, amount, due, _method) in enumerate(paying):
            if plan == "never" or (plan == "partial_never" and i > 0):
                break
            if plan == "late":
                paid = due + dt.timedelta(days=rng.randint(2, 15))
            else:
                paid = max(closed, due - dt.timedelta(days=rng.randint(0, 3)))
            if paid <= today:
                payments.append((amount, paid))
        last_due = max(it[3] for it in items)
        paid_total = sum((a for a, _d in payments), Decimal("0"))
        final = None
        if plan in ("never", "partial_never"):
            given_up = self.on_or_after(last_due + dt.timedelta(days=rng.randint(10, 30)))
            if given_up <= yesterday:
                performance, final = Agreement.Performance.NOT_PERFORMED, given_up
            else:
                performance = Agreement.Performance.PARTLY if payments else Agreement.Performance.PENDING
        elif paid_total >= agreed and (not any(it[2] == 0 for it in items) or last_due <= today):
            performance, final = Agreement.Performance.PERFORMED, max([d for _a, d in payments] + [closed])
        elif payments:
            performance = Agreement.Performance.PARTLY
        else:
            performance = Agreement.Performance.PENDING
        if final is not None and any(it[2] == 0 for it in items):
            final = max(final, min(last_due, yesterday))
        respondent_signed = max(closed - dt.timedelta(days=rng.choice([0, 0, 0, 1])), accepted)
        return (
            {
                "agreed": agreed,
                "items": items,
                "payments": payments,
                "performance": performance,
                "final": final,
                "signed": (closed, respondent_signed, closed, closed),
                "plan": plan,
            },
            performance,
            final,
        )

    # Rows ---------------------------------------------------------------------------------------

    def reference(self, channel: str, received: dt.date) -> str:
        """The sender's number of a court-entrusted, inspection or 12345 hotline case (empty for
        the others), never one given before on the same channel: a case is registered once per
        channel and reference (`Case.Meta`), a number drawn twice is drawn again."""
        while channel in (CH.COURT, CH.INSPECTION, CH.HOTLINE):
            if channel == CH.COURT:
                reference = f"（{received.year}）桂0271民诉前调{self.rng.randint(100, 2999)}号"
            elif channel == CH.INSPECTION:
                reference = f"柳东人社监〔{received.year}〕{self.rng.randint(10, 199)}号"
            else:  # the hotline's work order: 12345-<day>-<number of the day>
                reference = f"12345-{received:%Y%m%d}-{self.rng.randint(1, 9999):06d}"
            if (channel, reference) not in self.references:
                self.references.add((channel, reference))
                return reference
        return ""

    def build(self, spec: _Spec, result) -> Case:
        rng = self.rng
        received = result["received"]
        rows = self.rows
        # Times: in order, on working hours (an online application at any hour).
        events = sorted(result["events"], key=lambda e: (e[0], e[1]))
        times = {}
        last = None
        for index, (day, _order, action, *_rest) in enumerate(events):
            hours = (7, 22) if action == "receive" and spec.channel == CH.ONLINE else (8, 17)
            when = self.moment(day, hours)
            if last is not None and when <= last:
                when = last + dt.timedelta(minutes=rng.randint(10, 90))
            times[index] = last = when
        received_at = times[0]
        history_last = last
        org, mediator = result["org"], result["mediator"]
        enterprise = spec.enterprise
        outside = spec.outside
        case = Case(
            serial="",
            access_code_hash=rules.access_code_hash(services.new_access_code()),
            status=result["status"],
            channel=spec.channel,
            form=spec.form,
            court_name=COURT_NAME if spec.channel == CH.COURT else "",
            source_reference=self.reference(spec.channel, received),
            respondent_enterprise=enterprise,
            respondent_name=enterprise.name if enterprise else outside[0],
            respondent_uscc=enterprise.uscc
            if enterprise
            else (demo.make_uscc(rng, "450203") if rng.random() < 0.5 else ""),
            respondent_contact=enterprise.contact_name if enterprise else demo.person_name(rng),
            respondent_phone=enterprise.contact_phone if enterprise else demo.phone(rng),
            respondent_address=enterprise.address if enterprise else outside[1],
            town=spec.town,
            claims=spec.claims,
            facts=spec.facts,
            amount_claimed=spec.amount,
            workers_count=spec.workers,
            common_claim=True,
            is_collective=rules.is_collective(spec.workers, True),
            infringed_on=received - dt.timedelta(days=spec.infringed_days),
            organisation=org,
            mediator=mediator,
            received_on=received,
            clock_starts_on=result["clock"],
            decision_due_on=result["decision_due"],
            due_on=result["due"],
            accepted_on=result["accepted"],
            closed_on=result["closed"],
            archived_on=result["archived"],
            outcome=result["outcome"],
            outcome_note=result["note"],
            consent_at=received_at if spec.channel == CH.ONLINE else None,
            created_by=events[0][5][0],
        )
        if spec.form == Case.Form.ORAL:
            how = "来电" if spec.channel == CH.PHONE else "到本委员会"
            case.oral_record = (
                f"{_cn(received)}，申请人{spec.people[0]['name']}{how}口头申请调解，称：{spec.facts}"
                f"{spec.claims}调解员当场记录，经向申请人宣读确认无误。"
            )
        rows[Case].append(_stamp(case, received_at))
        rows[CaseType] += [CaseType(case=case, code=code) for code in spec.types]
        applicants = [
            _stamp(
                Applicant(
                    case=case,
                    position=i,
                    id_number_hash=personal_data.lookup_hash(person["id_number"]),
                    **person,
                ),
                received_at,
            )
            for i, person in enumerate(spec.people)
        ]
        rows[Applicant] += applicants
        for index, (_when, _order, action, source, target, (actor, label), reason) in enumerate(events):
            rows[CaseHistory].append(
                CaseHistory(
                    subject=case,
                    at=times[index],
                    action=action,
                    from_status=source,
                    to_status=target,
                    actor=actor,
                    actor_label=label,
                    reason=reason,
                )
            )
            if action != "receive":
                assert WORKFLOW.get(action).target == target and source in WORKFLOW.get(action).sources
        extra = result["extra"]
        names = "、".join(p["name"] for p in spec.people[:3]) + ("等" if spec.workers > 3 else "")
        agreement_day = result["closed"] if result["outcome"] == Case.Outcome.AGREEMENT else None
        result["close_at"] = next((times[i] for i, e in enumerate(events) if e[2] == "close_agreement"), None)
        for day, who in extra["sessions"]:
            signing = day == agreement_day
            # After the day's receipt, transfer or acceptance; before its extension or closing.
            after = max((times[i] for i, e in enumerate(events) if e[0] == day and e[1] <= 2), default=None)
            before = min((times[i] for i, e in enumerate(events) if e[0] == day and e[1] >= 4), default=None)
            if after and before:
                when = after + (before - after) * rng.uniform(0.3, 0.7)
            elif before:
                when = before - dt.timedelta(minutes=rng.randint(20, 60))
            elif after:
                when = after + dt.timedelta(minutes=rng.randint(20, 90))
            else:
                when = self.moment(day, (9, 15))
            rows[Session].append(
                _stamp(
                    Session(
                        case=case,
                        held_at=when,
                        mode=_weighted(
                            rng,
                            [
                                (Session.Mode.IN_PERSON, 65),
                                (Session.Mode.PHONE, 20),
                                (Session.Mode.VIDEO, 15),
                            ],
                        ),
                        attendees=f"申请人{names}；被申请人委托代理人{case.respondent_contact}；调解员{who.name if who else ''}",
                        notes=SIGNING_NOTE if signing else rng.choice(SESSION_NOTES),
                        recorded_by=who.user if who and who.user_id else None,
                    ),
                    when,
                )
            )
        if extra["extension"]:
            day, previous, new, consent_a, consent_r = extra["extension"]
            at = next(times[i] for i, e in enumerate(events) if e[2] == "extend")
            rows[Extension].append(
                _stamp(
                    Extension(
                        case=case,
                        previous_due_on=previous,
                        new_due_on=new,
                        applicant_consent_on=consent_a,
                        respondent_consent_on=consent_r,
                        consent_record=EXTENSION_RECORD.format(a=_cn(consent_a), r=_cn(consent_r)),
                        recorded_by=mediator.user if mediator and mediator.user_id else None,
                    ),
                    at,
                )
            )
        transfer_times = [times[i] for i, e in enumerate(events) if e[2] == "transfer"]
        for (day, source, target, reason), at in zip(extra["transfers"], transfer_times, strict=True):
            rows[Transfer].append(
                _stamp(
                    Transfer(
                        case=case,
                        from_organisation=source,
                        to_organisation=target,
                        transferred_on=day,
                        reason=reason,
                    ),
                    at,
                )
            )
        if extra["referral"]:
            day = extra["referral"]
            person = next((a for a in applicants if a.lost_job), applicants[0])
            person.lost_job = True
            result_day = day + dt.timedelta(days=rng.randint(15, 60))
            if result["status"] in (S.CLOSED, S.ARCHIVED) and result_day <= self.yesterday:
                outcome = _weighted(
                    rng,
                    [(Referral.Result.EMPLOYED, 45), (Referral.Result.TRAINING, 20), (Referral.Result.DECLINED, 15), (Referral.Result.NO_RESULT, 20)],
                )  # fmt: skip
            else:
                outcome, result_day = Referral.Result.PENDING, None
            kind, provider = rng.choice(REFERRAL_OPTIONS[outcome])
            rows[Referral].append(
                _stamp(
                    Referral(
                        case=case,
                        applicant=person,
                        kind=kind,
                        provider=provider,
                        referred_on=day,
                        follow_up_on=day + dt.timedelta(days=REFERRAL_FOLLOW_UP_DAYS),
                        follow_up_note=REFERRAL_FOLLOW_UP_NOTE,
                        result=outcome,
                        result_on=result_day,
                        note=REFERRAL_NOTES[outcome],
                    ),
                    self.moment(day),
                )
            )
        if result["agreement"]:
            history_last = max(history_last, self.agreement_rows(case, spec, result))
        case.updated_at = history_last
        return case

    def agreement_rows(self, case, spec, result) -> dt.datetime:
        rng, today, yesterday = self.rng, self.today, self.yesterday
        data = result["agreement"]
        close_at = result["close_at"]
        signed = data["signed"]
        mediator = result["mediator"]
        who = mediator.user if mediator and mediator.user_id else None
        agreed = data["agreed"]
        items = data["items"]
        paying = [it for it in items if it[2] > 0]
        due_text = "、".join(f"{_cn(it[3])}前{it[1]}{_yuan(it[2])}" for it in paying)
        extras = "；".join(f"{_cn(it[3])}前{it[1]}" for it in items if it[2] == 0)
        result_text = (
            f"经调解，双方自愿达成如下协议：被申请人{due_text}，共计{_yuan(agreed)}"
            + (f"；{extras}" if extras else "")
            + "。申请人放弃其他请求，双方因本案产生的劳动争议就此了结。"
        )
        agreement = _stamp(
            Agreement(
                case=case,
                result=result_text,
                applicant_signed_on=signed[0],
                respondent_signed_on=signed[1],
                mediator_signed_on=signed[2],
                sealed_on=signed[3],
                effective_on=max(signed),
                performance=data["performance"],
            ),
            close_at - dt.timedelta(minutes=20),
        )
        last = close_at
        self.rows[Agreement].append(agreement)
        self.rows[AgreementItem] += [
            AgreementItem(
                agreement=agreement,
                kind=kind,
                description=text,
                amount=amount,
                due_on=due,
                method=method,
                position=i,
            )
            for i, (kind, text, amount, due, method) in enumerate(items)
        ]
        case.agreed_amount = sum((it[2] for it in items), Decimal("0"))
        for amount, paid in data["payments"]:
            when = self.moment(paid)
            last = max(last, when)
            self.rows[Payment].append(
                _stamp(
                    Payment(
                        agreement=agreement,
                        amount=amount,
                        paid_on=paid,
                        note="银行转账回单已核对" if rng.random() < 0.7 else "",
                        recorded_by=who,
                    ),
                    when,
                )
            )
        if data["final"]:
            agreement.updated_at = max(agreement.updated_at, self.moment(data["final"]))
        # Follow-ups, opened at the closing (services.agreement.open_follow_ups).
        effective = agreement.effective_on
        arb_due = rules.ARBITRATION_CONFIRMATION_PERIOD.due(effective).date
        jud_due = rules.JUDICIAL_CONFIRMATION_PERIOD.due(effective).date
        arb = FollowUp(agreement=agreement, kind=FollowUp.Kind.ARBITRATION_CONFIRMATION, due_on=arb_due)
        jud = FollowUp(agreement=agreement, kind=FollowUp.Kind.JUDICIAL_CONFIRMATION, due_on=jud_due)
        arb_done = effective + dt.timedelta(days=rng.randint(2, 12))
        if rng.random() < 0.2 and arb_done <= yesterday:
            arb.status, arb.done_on = FollowUp.Status.DONE, arb_done
            arb.note = (
                f"双方于{_cn(arb_done)}共同向柳州市劳动人事争议仲裁委员会申请审查确认，已出具仲裁调解书。"
            )
        elif arb_due < today:
            arb.status = FollowUp.Status.NOT_PURSUED
        jud_done = effective + dt.timedelta(days=rng.randint(5, 25))
        if arb.status != FollowUp.Status.DONE and rng.random() < 0.12 and jud_done <= yesterday:
            jud.status, jud.done_on = FollowUp.Status.DONE, jud_done
            jud.note = f"{_cn(jud_done)}经{COURT_NAME}司法确认，裁定调解协议有效。"
        elif jud_due < today:
            jud.status = FollowUp.Status.NOT_PURSUED
        follow_ups = [arb, jud]
        if any(it[0] in rules.PAYMENT_ORDER_KINDS for it in items):
            order = FollowUp(agreement=agreement, kind=FollowUp.Kind.PAYMENT_ORDER, due_on=None)
            if data["performance"] == Agreement.Performance.NOT_PERFORMED:
                applied = data["final"] + dt.timedelta(days=rng.randint(2, 10))
                if rng.random() < 0.6 and applied <= yesterday:
                    order.status, order.done_on = FollowUp.Status.DONE, applied
                    order.note = f"申请人已于{_cn(applied)}向{COURT_NAME}申请支付令。"
            elif data["performance"] == Agreement.Performance.PERFORMED:
                order.status, order.note = FollowUp.Status.NOT_PURSUED, "协议已履行完毕。"
            follow_ups.append(order)
        for f in follow_ups:
            _stamp(f, close_at)
            if f.done_on:
                f.updated_at = self.moment(f.done_on)
                last = max(last, f.updated_at)
        self.rows[FollowUp] += follow_ups
        if spec.pdf:
            self.pdf_cases.append(case)
        return last

    def save(self):
        models = (
            Case,
            Applicant,
            CaseHistory,
            Session,
            Extension,
            Transfer,
            Agreement,
            FollowUp,
            Payment,
            Referral,
        )
        with _given_timestamps(*models):
            for model, rows in self.rows.items():
                model.objects.bulk_create(rows, batch_size=500)


def _normalise(rng, specs: list[_Spec]) -> None:
    """Workers and amounts adding up to the figures of seed 000."""
    diff = WORKERS - sum(s.workers for s in specs)
    collective = [s for s in specs if s.collective]
    single = [s for s in specs if not s.collective]
    guard = 0
    while diff and guard < 100000:
        guard += 1
        s = rng.choice(collective if rng.random() < 0.5 and collective else single)
        low, high = (10, 60) if s.collective else (1, 8)
        step = 1 if diff > 0 else -1
        if low <= s.workers + step <= high:
            s.workers += step
            diff -= step
    for s in specs:
        if s.collective:
            low, high = COLLECTIVE_AMOUNT
            s.amount = Decimal(sum(rng.randint(low, high) for _ in range(s.workers)))
        else:
            low, high = AMOUNTS[s.types[0]]
            s.amount = Decimal(sum(rng.randint(low, high) for _ in range(s.workers)))
    total = sum(s.amount for s in specs)
    factor = CLAIMED / total
    for s in specs:
        s.amount = max(Decimal("300"), (s.amount * factor).quantize(Decimal("1")))
    biggest = max(specs, key=lambda s: s.amount)
    biggest.amount += CLAIMED - sum(s.amount for s in specs)


def _background_dates(rng, today, count) -> list[dt.date]:
    """Days of receipt over the older part of the window, busier before the Spring Festival and
    at the end of the year (wage arrears)."""
    start = today - dt.timedelta(days=WINDOW_DAYS)
    end = today - dt.timedelta(days=BACKGROUND_MIN_AGE + 1)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    season = {1: 1.6, 2: 0.8, 6: 1.1, 7: 1.1, 12: 1.5}
    weights = [season.get(d.month, 1.0) * (0.6 if d.weekday() >= 5 else 1.0) for d in days]
    return sorted(rng.choices(days, weights=weights, k=count))


def _background(rng, dates, year) -> list[_Spec]:
    specs = []
    for day in dates:
        spec = _Spec(received=day)
        r = rng.random()
        if r < 0.045:
            spec.decision = "refuse"
        elif r < 0.075:
            spec.decision = "withdraw"
        elif r < 0.10:
            spec.decision = "respondent_refused"
        else:
            spec.close = _weighted(
                rng,
                [
                    ("close_agreement", 62),
                    ("close_no_agreement", 12),
                    ("close_timed_out", 4),
                    ("withdraw", 6),
                    ("respondent_refused", 3),
                    ("refer_arbitration", 9),
                    ("refer_court", 3),
                ],
            )
            spec.extend = rng.random() < 0.1
        specs.append(spec)
    # The tracking demo (the first case of the year): an online application settled by agreement.
    tracking = next((s for s in specs if s.received.year == year), None)
    if tracking is not None:
        tracking.channel, tracking.decision, tracking.close = CH.ONLINE, "accept", "close_agreement"
        tracking.extend, tracking.pay = False, "ontime"
    # Special ones: collective disputes, the demo HR user's enterprise, a few transfers.
    accepted = [s for s in specs if s.decision == "accept" and s is not tracking]
    chosen = rng.sample(accepted, 7 + 4 + 3)
    for s in chosen[:7]:
        s.collective = True
        if s.close in ("withdraw", "respondent_refused", "close_timed_out"):
            s.close = "close_agreement"
    for s in chosen[7:11]:
        s.respondent = "hr"
    for s, how in zip(chosen[11:], ("early", "early", "mid"), strict=True):
        s.transfer = how
        s.org = "enterprise" if how == "early" else "industry"
    return specs


def _render(stdout, case: Case) -> None:
    """Render one agreement PDF now (what the Celery task does after closing)."""
    agreement = Agreement.objects.get(case=case)
    object_type, object_id = object_ref(agreement)
    doc = GeneratedDocument.objects.create(
        kind="mediation_agreement",
        title=_("Mediation agreement %(serial)s") % {"serial": case.serial},
        template_name="mediation/pdf/agreement.html",
        context=agreement_pdf_context(case),
        language="zh-hans",
        object_type=object_type,
        object_id=object_id,
    )
    try:
        doc = render_and_store(doc.pk)
    except Exception as exc:  # the demo goes on without this PDF
        doc.delete()
        stdout.write(f"Mediation: the agreement PDF of {case.serial} could not be rendered ({exc}).")
        return
    agreement.document = doc
    agreement.save(update_fields=["document"])


def _summary(stdout, created: bool) -> None:
    statuses = dict(Case.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    totals = Case.objects.aggregate(workers=Sum("workers_count"), claimed=Sum("amount_claimed"))
    tracking = Case.objects.filter(access_code_hash=rules.access_code_hash(TRACKING_CODE)).first()
    text = (
        f"{MediationOrganisation.objects.count()} organisations, {Mediator.objects.count()} mediators, "
        f"{sum(statuses.values())} cases ({', '.join(f'{n} {s}' for s, n in sorted(statuses.items()))}), "
        f"{Case.objects.filter(is_collective=True).count()} collective, {totals['workers'] or 0} workers, "
        f"{(totals['claimed'] or 0):,.0f} yuan claimed."
    )
    stdout.write(f"Mediation: {text}" if created else f"Mediation: nothing new ({text})")
    if tracking:
        stdout.write(f"Mediation: tracking demo {tracking.serial} / {TRACKING_CODE}")


def seed(rng, stdout) -> None:
    today = timezone.localdate()
    district_org = Organisation.objects.filter(kind=Organisation.Kind.MEDIATION, name=DISTRICT_NAME).first()
    if district_org is None:  # pragma: no cover - the foundation always makes it
        stdout.write("Mediation: no district mediation organisation, nothing seeded.")
        return
    towns = list(Area.objects.filter(kind=Area.Kind.TOWN).order_by("code"))
    enterprises = list(Enterprise.objects.select_related("latest_survey", "town").order_by("name"))
    luohao = User.objects.filter(username="mediator").first()
    orgs = _organisations(rng, district_org, towns, enterprises, luohao)
    if Case.objects.exists():
        _summary(stdout, created=False)
        return
    if not enterprises or not towns:  # pragma: no cover - the registry seeder runs first
        stdout.write("Mediation: no enterprises, no cases seeded.")
        return
    hr_membership = Membership.objects.filter(user__username="hr", role=Role.ENTERPRISE_HR).first()
    hr_enterprise = next(
        (e for e in enterprises if hr_membership and e.organisation_id == hr_membership.organisation_id), None
    )
    b = _Builder(rng, today, orgs, enterprises, towns, hr_enterprise, luohao)

    explicit = _explicit()
    specs = explicit + _background(rng, _background_dates(rng, today, CASES - len(explicit)), today.year)
    for spec in specs:
        b.draft(spec)
    _normalise(rng, specs)
    for spec in specs:
        # Mediators, applicants and texts depend on the day of receipt: draw it first.
        result = None
        for _attempt in range(400):
            spec.first_mediator = b.pick_mediator(spec.first_org, spec, spec.received or today)
            spec.mediator = b.pick_mediator(spec.final_org, spec, spec.received or today)
            result = b.simulate(spec)
            if result is not None:
                break
        if result is None:  # pragma: no cover - the scenarios leave room
            raise RuntimeError(
                f"Mediation demo: no path fits {spec.target} {spec.close or spec.decision} {spec.age} {spec.channel} {spec.transfer} {spec.overdue}"
            )
        b.people(spec, result["received"])
        b.texts(spec, result["received"])
        b.build(spec, result)

    # Serial numbers in order of receipt, per year; the well-known tracking case.
    cases = sorted(b.rows[Case], key=lambda c: c.created_at)
    counters: Counter = Counter()
    for case in cases:
        counters[case.received_on.year] += 1
        case.serial = (
            f"{settings.MEDIATION_SERIAL_PREFIX}{case.received_on.year}-{counters[case.received_on.year]:05d}"
        )
    this_year = [c for c in cases if c.received_on.year == today.year]
    tracking = this_year[0] if this_year else cases[-1]
    tracking.access_code_hash = rules.access_code_hash(TRACKING_CODE)
    b.save()
    for year, last in counters.items():
        counter, _ = SerialCounter.objects.get_or_create(year=year)
        if counter.last < last:
            counter.last = last
            counter.save(update_fields=["last"])
    for case in b.pdf_cases:
        _render(stdout, Case.objects.select_related("organisation", "mediator").get(pk=case.pk))
    _summary(stdout, created=True)
