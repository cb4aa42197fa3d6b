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

from apps.core.calendar import Deadline, DeadlineDate, DeadlineUnit, add_calendar_days

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
