"""The rules of labour inspection fixed by law, each with its source, the few numbers of platform
policy (marked as such) and the calculations on them: the clocks, the 2-year limitation, the
wage-arrears list's term and early removal, and the credit grade.

Sources:
- 劳动保障监察条例 (国务院令第423号, "the Regulations") arts. 9, 14, 17, 18, 20;
- 关于实施《劳动保障监察条例》若干规定 (劳动和社会保障部令第25号, "the Implementing Rules");
- 拖欠农民工工资失信联合惩戒对象名单管理暂行办法 (人力资源社会保障部令第45号);
- 民法典 (Civil Code) arts. 201-203 on how periods are counted;
- 企业劳动保障守法诚信等级评价办法 (人社部规〔2016〕1号) for the credit grades (park policy data).

Nothing here writes or reads the database (except the calendar's override table, as every
deadline of the platform does): services, selectors, workflow and pages all read the same answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.core.calendar import Deadline, DeadlineDate, DeadlineUnit, add_calendar_days
from apps.core.money import format_yuan

from .models import InspectionCase, Matter, Source

REGULATIONS = "劳动保障监察条例"
IMPLEMENTING_RULES = "关于实施《劳动保障监察条例》若干规定"
BLACKLIST_MEASURES = "拖欠农民工工资失信联合惩戒对象名单管理暂行办法（人社部令第45号）"
CIVIL_CODE = "民法典"

#: Art. 9 of the Regulations: the department keeps the reporter's identity confidential.
REPORTER_CONFIDENTIALITY_SOURCE = f"{REGULATIONS}第九条"
#: Art. 14 of the Regulations: inspection by patrols, written reviews and complaints and reports.
SOURCES_SOURCE = f"{REGULATIONS}第十四条"
#: Art. 18 of the Regulations: the decisions that end an investigation.
DECISION_SOURCE = f"{REGULATIONS}第十八条"

#: A complaint is accepted (and the case opened the same day), or refused in writing, within 5
#: working days of its receipt (Implementing Rules art. 18). The day of receipt is not counted
#: (Civil Code art. 201).
ACCEPTANCE_PERIOD = Deadline(5, DeadlineUnit.WORKING_DAYS, f"{IMPLEMENTING_RULES}第十八条")
#: The investigation is completed within 60 working days of the case being opened (Regulations
#: art. 17); here the day of acceptance, when the case is opened (立案).
INVESTIGATION_PERIOD = Deadline(60, DeadlineUnit.WORKING_DAYS, f"{REGULATIONS}第十七条")
#: Complex cases may be extended once by 30 working days with the approval of the head of the
#: department (Regulations art. 17); in the park, a park administrator approves.
EXTENSION_PERIOD = Deadline(30, DeadlineUnit.WORKING_DAYS, f"{REGULATIONS}第十七条")
MAX_EXTENSIONS = 1

#: A violation not discovered, reported or complained of within 2 years is not pursued; the period
#: runs from the violation, or from its end when it was continuous (Regulations art. 20).
LIMITATION_YEARS = 2
LIMITATION_SOURCE = f"{REGULATIONS}第二十条"

#: The wage-arrears list: 3 years from the listing decision (Measures art. 11); early removal on
#: application when the arrears are paid (the violation corrected), the enterprise has been on the
#: list for 6 months counted from that correction (自改正之日起被列入名单满6个月), and a written
#: credit pledge is given (Measures art. 12). Arrears paid before the listing count from the
#: listing (domain guide §7: "6 months have passed since listing").
LISTING_TERM_YEARS = 3
LISTING_TERM_SOURCE = f"{BLACKLIST_MEASURES}第十一条"
EARLY_REMOVAL_MONTHS = 6
EARLY_REMOVAL_SOURCE = f"{BLACKLIST_MEASURES}第十二条"

#: Civil Code art. 203: a period whose last day is a statutory holiday ends on the day after the
#: holiday; art. 202: a period in months or years ends on the corresponding day (or the month's
#: last day when there is none).
PERIOD_END_SOURCE = f"{CIVIL_CODE}第二百零二条、第二百零三条"

#: The veto catalogue code of certification (certification.default_rules.VETOES) that a listing
#: records.
WAGE_ARREARS_VETO_KIND = "wage_arrears_blacklist"

#: Which source needs what: a complaint is made by a worker concerned (Regulations art. 9).
SOURCES_NEEDING_A_WORKER = frozenset({Source.COMPLAINT})
#: The vocabulary of matters is stored by the models.
MATTERS = tuple(Matter.values)


# Platform policy ------------------------------------------------------------------------------------

#: The largest amount in yuan a case may state (the columns' precision).
MAX_AMOUNT = Decimal("999999999999.99")
#: Workers listed by name on one case; a larger group is given as the number of workers concerned.
MAX_WORKERS = 200

#: Matters → mediation dispute types, when a complaint is really a labour dispute and is
#: transferred to mediation (domain guide §7).
MEDIATION_TYPES = {
    Matter.WAGE_ARREARS: "remuneration",
    Matter.MINIMUM_WAGE: "remuneration",
    Matter.NO_WRITTEN_CONTRACT: "contract",
    Matter.HOURS_OVERTIME: "working_time",
    Matter.REST_DAYS: "working_time",
    Matter.SOCIAL_INSURANCE: "social_insurance",
    Matter.CHILD_LABOUR: "welfare",
    Matter.FEMALE_UNDERAGE: "welfare",
    Matter.OTHER: "other",
}

#: [POLICY] The yearly credit grade (守法诚信等级, 企业劳动保障守法诚信等级评价办法; domain guide
#: §7): the first grade whose facts the enterprise's year shows, C before B; A when none.
#: Kept as data so the park can change it without code; the facts are those `credit_grade` takes.
DEFAULT_CREDIT_GRADE_RULE = {
    "source": "企业劳动保障守法诚信等级评价办法（人社部规〔2016〕1号）",
    "grades": [
        (
            "C",
            [
                "penalty_recorded",
                "transferred_to_police",
                "wage_arrears_listed",
                "serious_violation_published",
                "order_not_rectified",
            ],
        ),
        ("B", ["order_to_rectify"]),
    ],
    "default": "A",
}


# Calculations ---------------------------------------------------------------------------------------


def acceptance_due(received_on: dt.date) -> DeadlineDate:
    """The day by which a case received on `received_on` is accepted or refused (5 working days)."""
    return ACCEPTANCE_PERIOD.due(received_on)


def investigation_due(accepted_on: dt.date) -> DeadlineDate:
    """The day by which the investigation of a case accepted on `accepted_on` is completed
    (60 working days)."""
    return INVESTIGATION_PERIOD.due(accepted_on)


def extended_due(due_on: dt.date) -> DeadlineDate:
    """The deadline after the one extension: 30 working days after the current deadline."""
    return EXTENSION_PERIOD.due(due_on)


def period_end(start: dt.date, *, years: int = 0, months: int = 0, days: int = 0) -> DeadlineDate:
    """The last day of a period in calendar units starting with the event on `start`: the
    corresponding day (Civil Code arts. 201, 202; the day of the event is not counted), moved to
    the next working day when it is a statutory holiday or rest day (art. 203)."""
    end = start + relativedelta(years=years, months=months, days=days)
    return add_calendar_days(end, 0, extend_past_rest_day=True)


@dataclass(frozen=True)
class LimitationWarning:
    level: str
    message: str
    source: str
    ends_on: dt.date | None = None


def limitation_ends_on(violation_ended_on: dt.date) -> dt.date:
    """The last day a violation that ended on `violation_ended_on` may still be pursued."""
    return period_end(violation_ended_on, years=LIMITATION_YEARS).date


def limitation_warning(violation_ended_on: dt.date | None, received_on: dt.date) -> LimitationWarning | None:
    """The 2-year warning (Regulations art. 20): when the case was received after the period that
    began when the violation ended. None when the date is unknown or within the period."""
    if violation_ended_on is None:
        return None
    ends = limitation_ends_on(violation_ended_on)
    if received_on <= ends:
        return None
    return LimitationWarning(
        "past",
        _(
            "The violation ended more than 2 years before the case was received (the period ended on "
            "%(date)s); it is not pursued (%(source)s)."
        )
        % {"date": ends, "source": LIMITATION_SOURCE},
        LIMITATION_SOURCE,
        ends,
    )


def listing_expires_on(listed_on: dt.date) -> dt.date:
    """The last day on the wage-arrears list: 3 years from the listing decision (Measures art. 11),
    moved past a holiday (Civil Code art. 203)."""
    return period_end(listed_on, years=LISTING_TERM_YEARS).date


def early_removal_from(listed_on: dt.date, arrears_paid_on: dt.date | None = None) -> dt.date:
    """The first day an early removal may take effect: the day after 6 months on the list counted
    from the correction (the arrears paid) or from the listing when they were paid before it
    (Measures art. 12), their last day moved past a holiday (Civil Code art. 203)."""
    start = max(listed_on, arrears_paid_on) if arrears_paid_on else listed_on
    return period_end(start, months=EARLY_REMOVAL_MONTHS).date + dt.timedelta(days=1)


def early_removal_refusals(
    *, listed_on: dt.date, on: dt.date, arrears_paid_on: dt.date | None, pledge_received_on: dt.date | None
) -> dict[str, str]:
    """Why an enterprise may not be removed early on `on`, per field ({} when it may): the arrears
    paid, 6 months on the list since they were paid and a written credit pledge (Measures art. 12)."""
    refusals = {}
    if arrears_paid_on is None or arrears_paid_on > on:
        refusals["arrears_paid_on"] = _(
            "Early removal needs the arrears paid: enter the day they were paid (%(source)s)."
        ) % {"source": EARLY_REMOVAL_SOURCE}
    paid = arrears_paid_on if arrears_paid_on is not None and arrears_paid_on <= on else None
    earliest = early_removal_from(listed_on, paid)
    if on < earliest:
        refusals["removed_on"] = _(
            "Early removal is possible once the enterprise has been on the list for 6 months since the "
            "arrears were paid, from %(date)s (%(source)s)."
        ) % {"date": earliest, "source": EARLY_REMOVAL_SOURCE}
    if pledge_received_on is None or pledge_received_on > on:
        refusals["pledge_received_on"] = _(
            "Early removal needs a written credit pledge: enter the day it was received (%(source)s)."
        ) % {"source": EARLY_REMOVAL_SOURCE}
    return refusals


def credit_grade(facts, rule: dict | None = None) -> str:
    """The credit grade for a year with these `facts` (codes as in DEFAULT_CREDIT_GRADE_RULE):
    the first grade of the rule whose facts appear, else the default."""
    rule = rule or DEFAULT_CREDIT_GRADE_RULE
    facts = set(facts)
    for grade, triggers in rule["grades"]:
        if facts & set(triggers):
            return grade
    return rule["default"]


def decision_overdue(case: InspectionCase, today: dt.date) -> bool:
    """Received and not accepted nor refused by its day."""
    return case.status == InspectionCase.Status.RECEIVED and case.decision_due_on < today


def investigation_overdue(case: InspectionCase, today: dt.date) -> bool:
    """The investigation clock runs and its (possibly extended) deadline has passed."""
    return case.status in InspectionCase.CLOCK_RUNNING and case.due_on is not None and case.due_on < today


# Public complaint pages: the access code -------------------------------------------------------------
# (room "public complaint pages": a worker or reporter without an account files online and follows
# the case with its serial number and an access code; only the code's keyed hash is kept.)

#: The access code's alphabet (no 0/O, 1/I/L, which are misread on the phone) and length.
ACCESS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACCESS_CODE_LENGTH = 8


def access_code_hash(code: str) -> str:
    """The stored form of an access code: an HMAC with the platform's personal-data key, of the
    code as read out on the phone (case, spaces and dashes do not matter). The key's domain differs
    from mediation's, so a code of one module never opens a case of the other."""
    import hashlib
    import hmac

    from apps.core import personal_data

    normal = (code if isinstance(code, str) else "").strip().upper().replace(" ", "").replace("-", "")
    return hmac.new(
        personal_data.hash_key(), f"inspection-access:{normal}".encode(), hashlib.sha256
    ).hexdigest()


def check_access_code(case: InspectionCase, code: str) -> bool:
    """Whether `code` opens `case` (compared in constant time). A case without a code (registered
    by staff, not online) is never opened."""
    import hmac

    stored = case.access_code_hash or "0" * 64
    return hmac.compare_digest(stored, access_code_hash(code)) and bool(case.access_code_hash)


# Published serious violations and credit grades (wage-arrears room) ---------------------------------

SERIOUS_VIOLATIONS_MEASURES = "重大劳动保障违法行为社会公布办法（人社部令第29号）"
#: A serious violation decided by the HR bureau is published within 20 working days of the
#: decision (Measures art. 8; domain guide §7). The day of the decision is not counted (Civil Code
#: art. 201).
PUBLICATION_PERIOD = Deadline(20, DeadlineUnit.WORKING_DAYS, f"{SERIOUS_VIOLATIONS_MEASURES}第八条")
#: The veto catalogue code of certification (certification.default_rules.VETOES) that a
#: publication records.
SERIOUS_VIOLATION_VETO_KIND = "serious_violation"

#: The facts a credit grade is computed from (the codes of DEFAULT_CREDIT_GRADE_RULE), in the order
#: a page lists them.
CREDIT_FACTS = (
    "penalty_recorded",
    "transferred_to_police",
    "wage_arrears_listed",
    "serious_violation_published",
    "order_not_rectified",
    "order_to_rectify",
)


def publication_due(decided_on: dt.date) -> DeadlineDate:
    """The day by which a serious violation decided on `decided_on` is published (20 working days)."""
    return PUBLICATION_PERIOD.due(decided_on)


def credit_fact_label(code: str) -> str:
    """The words for a credit-grade fact (the rule keeps codes)."""
    labels = {
        "penalty_recorded": _("Administrative penalty recorded"),
        "transferred_to_police": _("Transferred to the police"),
        "wage_arrears_listed": _("On the wage-arrears list"),
        "serious_violation_published": _("Serious violation published"),
        "order_not_rectified": _("Order to rectify not carried out"),
        "order_to_rectify": _("Order to rectify"),
    }
    return str(labels.get(code, code))


def credit_rule_source(rule: dict | None) -> str:
    """The source a credit-grade rule names, the default rule's when it names none."""
    return (rule or {}).get("source") or DEFAULT_CREDIT_GRADE_RULE["source"]


# Patrols (日常巡视检查) -------------------------------------------------------------------------------

#: Art. 14 of the Regulations: inspection by routine patrols (日常巡视检查), among other forms;
#: art. 11: the matters inspected (the checklist's items).
PATROL_SOURCE = f"{REGULATIONS}第十一条、第十四条"
#: [POLICY] A credit grade that makes an enterprise high-risk for patrols (domain guide §7: "more
#: often for C grades and watch-list enterprises"); the interval is the policy's
#: `patrol_interval_days_high_risk`.
PATROL_HIGH_RISK_GRADES = frozenset({"C"})
#: [POLICY] Photos and documents of a finding: JPEG, PNG, WebP or PDF (typed by content), at most
#: 10 MB each (as certification evidence) and 10 per finding.
PATROL_ATTACHMENT_TYPES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "application/pdf": "PDF",
}
PATROL_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
PATROL_ATTACHMENTS_PER_FINDING = 10
#: [POLICY] The longest plan: one year and a day.
PATROL_PLAN_MAX_DAYS = 366

#: The default checklist's item codes → the matter of the case a violation becomes; an item the
#: park adds to its checklist later maps to "other".
CHECKLIST_MATTERS = {
    "contracts": Matter.NO_WRITTEN_CONTRACT,
    "wages_on_time": Matter.WAGE_ARREARS,
    "minimum_wage": Matter.MINIMUM_WAGE,
    "hours_overtime": Matter.HOURS_OVERTIME,
    "rest_days": Matter.REST_DAYS,
    "social_insurance": Matter.SOCIAL_INSURANCE,
    "child_labour": Matter.CHILD_LABOUR,
    "female_underage": Matter.FEMALE_UNDERAGE,
}


def matter_of_checklist_item(code: str) -> str:
    """The matter of a case opened from a violation found on checklist item `code`."""
    return CHECKLIST_MATTERS.get(code, Matter.OTHER)


def patrol_interval_days(policy, *, high_risk: bool) -> int:
    """[POLICY] Days between two patrols of an enterprise: the high-risk interval for C grades and
    watch-list enterprises, the ordinary one for the others."""
    return policy.patrol_interval_days_high_risk if high_risk else policy.patrol_interval_days


def next_patrol_due(last_visited_on: dt.date | None, policy, *, high_risk: bool, plan_starts_on: dt.date):
    """The day the next patrol of an enterprise is due: its interval after the last visit, or the
    plan's first day when it was never patrolled (calendar days; a platform policy, not a legal
    period, so not moved past holidays)."""
    if last_visited_on is None:
        return plan_starts_on
    return last_visited_on + dt.timedelta(days=patrol_interval_days(policy, high_risk=high_risk))


# Orders to rectify and interviews (约谈) (room "orders and interviews") -----------------------------

#: Art. 18 of the Regulations: on an investigation's result the department orders a violation
#: rectified (责令改正); art. 30 (3): refusing to rectify when ordered is fined 2,000 to 20,000 yuan.
#: Both are cited on the order to rectify (责令改正通知书).
ORDER_SOURCE = f"{REGULATIONS}第十八条"
ORDER_REFUSAL_SOURCE = f"{REGULATIONS}第三十条"
#: The suffix of an order's document number after the case's serial (`JC2026-00001-Z1`).
ORDER_REFERENCE_SUFFIX = "Z"
#: The suffix of an interview notice's number after the case's serial (`JC2026-00001-YT1`), or the
#: prefix of one not tied to a case (`YT20260315-3FA2C1`).
INTERVIEW_REFERENCE_SUFFIX = "YT"

#: [POLICY] The interview (约谈) of an enterprise's legal representative is not an act named in the
#: Regulations: it is the park's administrative practice (行政指导), held with the powers of art. 15
#: (to question the persons concerned and require explanations); the triggers are park policy
#: (domain guide §7), kept as data in InspectionPolicy and edited in the admin.
INTERVIEW_SOURCE = f"{REGULATIONS}第十五条；园区约谈制度（行政指导）"
INTERVIEW_TRIGGER_SOURCE = "领域指南第7节 [POLICY]：园区约谈触发条件（管理后台“监察政策”）"


@dataclass(frozen=True)
class RecordRef:
    """A record a trigger cites: its kind (`inspection_case`, `rectification_order`,
    `mediation_case`), its key, the label shown (a serial or a document number) and, for an order,
    its case (the page links to the case)."""

    type: str
    id: str
    label: str
    case_id: str = ""

    def as_json(self) -> dict:
        row = {"type": self.type, "id": self.id, "label": self.label}
        if self.case_id:
            row["case_id"] = self.case_id
        return row


@dataclass(frozen=True)
class InterviewFacts:
    """What the daily job knows about one enterprise on a day (selectors.interview_facts):

    - `arrears_complaints`: complaints about wage arrears received in the policy's window, not
      refused;
    - `amount_owed` / `workers`: the sums over its open inspection cases (`open_cases`);
    - `collective_disputes`: its open collective disputes in mediation (劳动争议调解仲裁法 art. 7);
    - `orders_not_rectified`: its orders found not rectified at a check in the window."""

    arrears_complaints: tuple[RecordRef, ...] = ()
    amount_owed: Decimal = Decimal("0")
    workers: int = 0
    open_cases: tuple[RecordRef, ...] = ()
    collective_disputes: tuple[RecordRef, ...] = ()
    orders_not_rectified: tuple[RecordRef, ...] = ()


@dataclass(frozen=True)
class FiredTrigger:
    """A trigger that fired: its code (Interview.Trigger), the numbers behind it (`params`, to
    explain it again in the reader's language) and the records it cites."""

    code: str
    params: dict
    records: tuple[RecordRef, ...]

    @property
    def facts(self) -> str:
        return explain_trigger(self.code, self.params, self.records)

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "facts": self.facts,
            "params": self.params,
            "records": [r.as_json() for r in self.records],
            "source": INTERVIEW_TRIGGER_SOURCE,
        }


def arrears_window_start(today: dt.date, months: int) -> dt.date:
    """The first day of the last `months` months up to `today` (both counted): complaints received
    on or after it count. 12 months on 2026-03-15: from 2025-03-16."""
    return today - relativedelta(months=months) + dt.timedelta(days=1)


def _labels(records) -> str:
    return "、".join(r.label for r in records)


def explain_trigger(code: str, params: dict, records=()) -> str:
    """The human explanation of a fired trigger, in the active language: the count or sum, the
    threshold of the policy and the records, e.g. "3 wage-arrears complaints in 12 months (the
    policy's threshold: 3): JC2026-00003、JC2026-00007、JC2026-00009"."""
    records = [r if isinstance(r, RecordRef) else RecordRef(**r) for r in records]
    listed = _labels(records)
    if code == "arrears_complaints":
        text = (
            _(
                "%(count)s wage-arrears complaints in %(months)s months (the policy's threshold: %(threshold)s)"
            )
            % params
        )
    elif code == "arrears_amount":
        text = _("%(amount)s yuan owed on open cases (the policy's threshold: %(threshold)s yuan)") % params
    elif code == "workers":
        text = _("%(count)s workers concerned on open cases (the policy's threshold: %(threshold)s)") % params
    elif code == "collective_dispute":
        text = (
            ngettext(
                "%(count)s open collective labour dispute in mediation",
                "%(count)s open collective labour disputes in mediation",
                params["count"],
            )
            % params
        )
    elif code == "order_ignored":
        text = (
            ngettext(
                "%(count)s order to rectify found not carried out",
                "%(count)s orders to rectify found not carried out",
                params["count"],
            )
            % params
        )
    else:
        text = params.get("reason") or _("Proposed by an inspector")
    return f"{text}: {listed}" if listed else str(text)


def _money(value: Decimal) -> str:
    return format_yuan(value)


def interview_triggers(facts: InterviewFacts, policy) -> list[FiredTrigger]:
    """[POLICY] The interview triggers that fire for one enterprise's `facts` under `policy` (an
    InspectionPolicy; domain guide §7 for the defaults), each with what fired it. A number set to
    0 (or a switch turned off) disables its trigger. Each threshold is reached at its value:
    3 complaints fire, 2 do not; 500,000.00 yuan fires, 499,999.99 does not; 20 workers fire."""
    fired = []
    months = policy.trigger_arrears_months
    threshold = policy.trigger_arrears_complaints
    complaints = facts.arrears_complaints
    if threshold and months and len(complaints) >= threshold:
        fired.append(
            FiredTrigger(
                "arrears_complaints",
                {"count": len(complaints), "months": months, "threshold": threshold},
                tuple(complaints),
            )
        )
    amount_threshold = Decimal(policy.trigger_arrears_amount or 0)
    if amount_threshold > 0 and facts.amount_owed >= amount_threshold:
        fired.append(
            FiredTrigger(
                "arrears_amount",
                {"amount": _money(facts.amount_owed), "threshold": _money(amount_threshold)},
                tuple(facts.open_cases),
            )
        )
    if policy.trigger_workers and facts.workers >= policy.trigger_workers:
        fired.append(
            FiredTrigger(
                "workers",
                {"count": facts.workers, "threshold": policy.trigger_workers},
                tuple(facts.open_cases),
            )
        )
    if policy.trigger_collective_dispute and facts.collective_disputes:
        fired.append(
            FiredTrigger(
                "collective_dispute",
                {"count": len(facts.collective_disputes)},
                tuple(facts.collective_disputes),
            )
        )
    if policy.trigger_order_ignored and facts.orders_not_rectified:
        fired.append(
            FiredTrigger(
                "order_ignored",
                {"count": len(facts.orders_not_rectified)},
                tuple(facts.orders_not_rectified),
            )
        )
    return fired


def new_triggers(fired: list[FiredTrigger], cited: set[tuple[str, str]]) -> list[FiredTrigger]:
    """The fired triggers that cite at least one record no earlier interview of the enterprise
    cited (`cited`: (type, id) pairs): the same facts do not propose an interview twice, whether
    the earlier one was held or not pursued; a new complaint, case or order does."""
    return [t for t in fired if any((r.type, r.id) not in cited for r in t.records)]


# Written review (书面审查) ---------------------------------------------------------------------------
# (room: written reviews, issue 16 item 7)

#: The written review of the material an enterprise submits is one of the three forms of labour
#: inspection (Regulations art. 14: 日常巡视检查、审查用人单位按照要求报送的书面材料以及接受举报投诉);
#: the Implementing Rules govern the forms of inspection (article not cited here).
WRITTEN_REVIEW_SOURCE = f"{REGULATIONS}第十四条"
#: Not submitting the written material as the department requires may be dealt with under art. 30
#: of the Regulations (the platform lists and reminds; a penalty is the HR bureau's decision).
WRITTEN_REVIEW_REFUSAL_SOURCE = f"{REGULATIONS}第三十条"
#: [POLICY] The report of year Y is due on the policy's month and day of Y + 1
#: (InspectionPolicy.written_review_due_month / _day); a last day on a rest day or holiday moves
#: to the next working day (Civil Code art. 203).
WRITTEN_REVIEW_DUE_SOURCE = f"园区劳动保障监察政策；{CIVIL_CODE}第二百零三条"
#: The reminders start this many days before the due day and repeat at most once a week
#: [POLICY: platform].
WRITTEN_REVIEW_REMIND_DAYS = 30
WRITTEN_REVIEW_REMIND_EVERY_DAYS = 7
#: The figures of a report, in the order of the form.
WRITTEN_REVIEW_FIELDS = (
    "headcount",
    "contracts_signed",
    "wages_paid_on_time",
    "lowest_monthly_wage",
    "average_weekly_hours",
    "social_insurance_insured",
)
#: Bounds of the figures [platform checks of plausibility, not law]: a week has at most 84 hours of
#: work (7 × 12) as a report can state them; counts and amounts within the columns' precision.
REVIEW_MAX_WEEKLY_HOURS = Decimal("84")
REVIEW_MAX_HEADCOUNT = 1_000_000
REVIEW_MAX_MONTHLY_WAGE = Decimal("99999999.99")
#: The first year a report can be filed for.
FIRST_REVIEW_YEAR = 2000

#: The sources of the findings an inspector reads beside a report.
REVIEW_WRITTEN_CONTRACT_SOURCE = "劳动合同法第十条"
REVIEW_WAGES_ON_TIME_SOURCE = "劳动法第五十条"
REVIEW_MINIMUM_WAGE_SOURCE = "劳动法第四十八条；最低工资规定第十二条"
REVIEW_HOURS_SOURCE = "劳动法第三十六条、第四十一条"
REVIEW_SOCIAL_INSURANCE_SOURCE = "社会保险法第五十八条"
#: Average weekly hours above which the report is flagged for a check of overtime: the standard
#: 44-hour week of 劳动法 art. 36 (overtime is limited by art. 41). A flag, not a finding.
REVIEW_HOURS_FLAG_ABOVE = Decimal("44")


def written_review_due(year: int, policy) -> DeadlineDate:
    """The last day to file the report of `year`: the policy's month and day of the next year (the
    month's last day when the day does not exist, e.g. 30 February), moved to the next working day
    when it is a statutory holiday or rest day (Civil Code art. 203)."""
    import calendar

    month = min(max(int(policy.written_review_due_month or 1), 1), 12)
    last = calendar.monthrange(year + 1, month)[1]
    day = min(max(int(policy.written_review_due_day or 1), 1), last)
    return add_calendar_days(dt.date(year + 1, month, day), 0, extend_past_rest_day=True)


def written_review_year_end(year: int) -> dt.date:
    """The day the report's figures describe: 31 December of the year reported."""
    return dt.date(year, 12, 31)


@dataclass(frozen=True)
class ReviewFinding:
    """Something in a report an inspector should look at: the matter it would be, why, the source."""

    matter: str
    message: str
    source: str


def written_review_findings(review, minimum_wage: Decimal | None = None) -> list[ReviewFinding]:
    """What a report's figures suggest (no database): fewer contracts or insured employees than
    employees, wages not paid on time, a lowest wage under the local minimum (`minimum_wage`, the
    contracts policy of the year's end, when known), average hours over 44 a week."""
    found = []
    headcount = review.headcount
    if headcount is not None and review.contracts_signed is not None and review.contracts_signed < headcount:
        found.append(
            ReviewFinding(
                Matter.NO_WRITTEN_CONTRACT,
                _("%(n)s employees without a written labour contract.")
                % {"n": headcount - review.contracts_signed},
                REVIEW_WRITTEN_CONTRACT_SOURCE,
            )
        )
    if review.wages_paid_on_time is False:
        found.append(
            ReviewFinding(
                Matter.WAGE_ARREARS, _("Wages not paid in full and on time."), REVIEW_WAGES_ON_TIME_SOURCE
            )
        )
    if (
        minimum_wage is not None
        and review.lowest_monthly_wage is not None
        and Decimal(review.lowest_monthly_wage) < minimum_wage
    ):
        found.append(
            ReviewFinding(
                Matter.MINIMUM_WAGE,
                _("The lowest monthly wage %(wage)s is below the local minimum wage of %(minimum)s yuan.")
                % {
                    "wage": _money(Decimal(review.lowest_monthly_wage)),
                    "minimum": _money(Decimal(minimum_wage)),
                },
                REVIEW_MINIMUM_WAGE_SOURCE,
            )
        )
    if (
        review.average_weekly_hours is not None
        and Decimal(review.average_weekly_hours) > REVIEW_HOURS_FLAG_ABOVE
    ):
        found.append(
            ReviewFinding(
                Matter.HOURS_OVERTIME,
                _("Average weekly hours of %(hours)s exceed 44: check overtime.")
                % {"hours": review.average_weekly_hours},
                REVIEW_HOURS_SOURCE,
            )
        )
    insured = review.social_insurance_insured
    if headcount is not None and insured is not None and insured < headcount:
        found.append(
            ReviewFinding(
                Matter.SOCIAL_INSURANCE,
                _("%(n)s employees not insured for social insurance.") % {"n": headcount - insured},
                REVIEW_SOCIAL_INSURANCE_SOURCE,
            )
        )
    return found
