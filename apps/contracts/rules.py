"""The checks of the Labour Contract Law on a filed labour contract, as pure functions.

Each finding names its article. Three severities:

- ``REFUSE``: the filing itself is wrong or incomplete (an end before the start, a fixed term
  without an end, an overlap with the worker's other contract at the same employer, non-standard
  working hours without the labour department's approval number). The filing is not written.
- ``FLAG``: the contract was signed as it is, and the record must say so; the platform files it and
  shows the risk to HR and the park (a probation longer than art. 19 allows, a second probation,
  pay below the local minimum wage, a written contract later than one month after the start of
  work, an open-ended contract due).
- ``INFO``: what the filing said that changes how a rule is applied, stored with the contract
  (its own field, not among the flags): a renewal of an earlier contract that is not filed
  (``predecessor_not_filed``, 前一份合同未备案).

The services pass the worker's other contracts at the same employer (``Prior``) and the park's
policy (``Policy``: minimum wages); nothing here reads the database, so every rule is tested at
its exact boundaries without one.

Besides the checks of a filing: which policy row applies on a day (`policy_on`), when a
termination must be filed and whether it was filed late (`termination_filing`, [POLICY]), which
contract a following one renews (`renews`), whether a fixed term ending now must be renewed as an
open-ended contract (`open_ended_due_on_renewal`, art. 14), and the short labels of the flags.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.calendar import add_working_days
from apps.core.money import format_yuan

# The vocabulary of the checks (the models' choices), importable from here as before.
from .models import HoursSystem, Kind

LCL = "劳动合同法"
ART_10 = f"{LCL}第十条"
ART_12 = f"{LCL}第十二条"
ART_14 = f"{LCL}第十四条"
ART_19 = f"{LCL}第十九条"
ART_68 = f"{LCL}第六十八条"
ART_70 = f"{LCL}第七十条"
ART_82 = f"{LCL}第八十二条"
HOURS_SOURCE = "劳动法第三十九条；关于企业实行不定时工作制和综合计算工时工作制的审批办法"
MINIMUM_WAGE_SOURCE = "最低工资规定第十二条"

REFUSE, FLAG, INFO = "refuse", "flag", "info"


#: The working-hour systems (computed once: `HoursSystem.values` builds its list on every call,
#: which costs a large import a second per 100,000 rows).
HOURS_SYSTEMS = frozenset(HoursSystem.values)
#: Art. 19: the longest probation by contract term, in months: (term at least, probation at most).
#: Under 3 months or task-based: none; 3 months to under 1 year: 1; 1 to under 3 years: 2;
#: 3 years or more, and open-ended: 6.
PROBATION_LIMITS = ((36, 6), (12, 2), (3, 1))
#: Art. 68: part-time work averages at most 4 hours a day and 24 hours a week.
PART_TIME_WEEKLY_HOURS = 24
#: Art. 14: ten consecutive years of service, or two consecutive fixed terms, make an open-ended
#: contract due when the contract is renewed.
OPEN_ENDED_YEARS = 10
OPEN_ENDED_FIXED_TERMS = 2
#: [POLICY] A termination is filed within this many working days after it, unless the policy in
#: effect on the termination says otherwise (the park's rule, ADR 0014; the default
#: `ContractPolicy` row of migration 0002 and the column's default carry the same figure).
TERMINATION_FILING_DAYS = 7
#: The renewal of a contract (续订): a following contract of the worker at the same employer that
#: starts the day after it ends; consecutive terms count towards an open-ended contract (art. 14).
RENEWAL_SOURCE = f"{ART_14}；{LCL}第四十六条第五项"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    field: str
    message: str
    source: str


@dataclass(frozen=True)
class Terms:
    """What the filing says about one contract."""

    kind: str
    employment_start: dt.date
    start: dt.date
    end: dt.date | None = None
    task: str = ""
    probation_end: dt.date | None = None
    hours_system: str = HoursSystem.STANDARD
    hours_approval: str = ""
    monthly_pay: Decimal | None = None
    hourly_pay: Decimal | None = None
    weekly_hours: Decimal | None = None
    signed_on: dt.date | None = None
    #: The filing says the contract renews an earlier one that is not filed (`renews_unfiled`).
    renews_unfiled: bool = False


@dataclass(frozen=True)
class Prior:
    """Another contract of the same worker at the same employer."""

    kind: str
    start: dt.date
    end: dt.date | None
    had_probation: bool = False
    #: The other contract's end in fact (termination date), when it ended early.
    ended_on: dt.date | None = None
    reference: str = ""


@dataclass(frozen=True)
class Policy:
    """[POLICY] The local minimum wages (monthly for full-time work, hourly for part-time)."""

    monthly_minimum_wage: Decimal
    hourly_minimum_wage: Decimal


#: Terms's fields, named as the contract's and the filing row's columns.
TERMS_FIELDS = tuple(f.name for f in fields(Terms))
#: The contract's fields `prior_of` reads (a deferred one would cost a query per contract).
PRIOR_FIELDS = ("kind", "start", "end", "probation_end", "terminated_on", "reference")

#: [POLICY] Corrections by re-sending a filed contract (issue 15). A row that repeats a contract
#: already filed (the same platform record; for a paper contract the same enterprise, worker,
#: type, start, end and contract number, which identify it: `services.filing`) with other values
#: corrects it: these
#: columns, the terms of the contract (filing row column → the contract's field). Not the parties
#: (another enterprise or worker is another contract), not the worker's own record (the name and
#: phone of a filed worker are set when the worker is first filed and shared by all their
#: contracts: a row does not change them), not the signing evidence (`CORRECTION_EVIDENCE`).
CORRECTABLE_COLUMNS = {
    "contract_number": "reference",
    "kind": "kind",
    "employment_start": "employment_start",
    "start": "start",
    "end": "end",
    "task": "task",
    "probation_end": "probation_end",
    "job": "job",
    "workplace": "workplace",
    "hours_system": "hours_system",
    "hours_approval": "hours_approval",
    "monthly_pay": "monthly_pay",
    "hourly_pay": "hourly_pay",
    "weekly_hours": "weekly_hours",
    "social_insurance": "social_insurance",
    "signed_on": "signed_on",
    "renews_unfiled": "renews_unfiled",
}
#: [POLICY] The evidence of how and when a contract was signed (电子劳动合同订立指引: the
#: platform's record, the signing times, the trusted timestamp, the signed file's SHA-256) is what
#: was signed: a row that differs there is not a correction of the filing but another document
#: (a change of the contract is a new signed agreement). Filing row column → where it is kept
#: (the contract, or its e-signature).
CORRECTION_EVIDENCE = {
    "signing": ("contract", "signing"),
    "employer_signed_at": ("esignature", "employer_signed_at"),
    "worker_signed_at": ("esignature", "worker_signed_at"),
    "timestamp_authority": ("esignature", "timestamp_authority"),
    "timestamp_token": ("esignature", "timestamp_token"),
    "file_sha256": ("esignature", "sha256"),
}
#: [POLICY] A filed contract is corrected while it is in force. One that ended (terminated,
#: expired, renewed by the next one) is a closed record, kept as filed (劳动合同法第五十条: the
#: texts of ended contracts are kept at least two years); a re-sent row is then not applied and
#: says why (`contract_terminated`, `contract_expired`, `contract_renewed`).
CORRECTABLE_STATUSES = frozenset({"in_force"})


def terms_of(values) -> Terms:
    """The terms of a filing row (a mapping of its columns) or of a filed contract."""
    if isinstance(values, dict):
        return Terms(**{name: values[name] for name in TERMS_FIELDS})
    return Terms(**{name: getattr(values, name) for name in TERMS_FIELDS})


def prior_of(contract) -> Prior:
    """A filed contract as another contract of the worker at the same employer."""
    return Prior(
        kind=contract.kind,
        start=contract.start,
        end=contract.end,
        had_probation=contract.probation_end is not None,
        ended_on=contract.terminated_on,
        reference=contract.reference or str(contract.start),
    )


def wage_policy(policy) -> Policy | None:
    """The minimum wages of a `ContractPolicy` row (None without one: no pay check)."""
    if policy is None:
        return None
    return Policy(policy.monthly_minimum_wage, policy.hourly_minimum_wage)


def policy_on(policies: list, day: dt.date):
    """[POLICY] The newest policy row in effect on `day` (`policies` sorted newest first), or None."""
    return next((p for p in policies if p.effective_from <= day), None)


@dataclass
class _Findings:
    items: list[Finding] = field(default_factory=list)

    def add(self, code, severity, field_name, message, source):
        self.items.append(Finding(code, severity, field_name, str(message), source))


#: Days of each month in a common year (index 1-12).
_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_ONE_DAY = dt.timedelta(days=1)


def month_days(year: int, month: int) -> int:
    """The days of a month (as `calendar.monthrange(year, month)[1]`, without its weekday)."""
    return 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month]


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus `months` calendar months, the day of the month kept or cut to the month's last:
    31 January + 1 month → 28 February (as `day + relativedelta(months=months)`)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    last = month_days(year, month)
    return day.replace(year=year, month=month, day=day.day if day.day <= last else last)


def months_later(day: dt.date, months: int) -> dt.date:
    """The last day of a period of `months` months starting on `day` (both days counted):
    1 March + 3 months → 31 May; 31 January + 1 month → 27 February. (As `day +
    relativedelta(months=months) - 1 day`, without building a relativedelta: the import checks
    hundreds of thousands of rows.)"""
    return add_months(day, months) - _ONE_DAY


def whole_years(since: dt.date, until: dt.date) -> int:
    """Whole years from `since` to `until`, as `relativedelta(until, since).years` (negative when
    `until` is earlier; 29 February + 1 year is 28 February), without building a relativedelta."""
    months = (until.year - since.year) * 12 + until.month - since.month
    if until >= since:
        while months > 0 and until < add_months(since, months):
            months -= 1
    else:
        while months < 0 and until > add_months(since, months):
            months += 1
    return int(months / 12)


def term_months(start: dt.date, end: dt.date) -> int:
    """Whole months the term covers, both days counted: 1 Jan–31 Mar is 3 months."""
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and months_later(start, months) > end:
        months -= 1
    while months_later(start, months + 1) <= end:
        months += 1
    return max(0, months)


def longest_probation_months(terms: Terms) -> int:
    """Art. 19 (and art. 70 for part-time work): the longest probation the contract may have."""
    if terms.kind in (Kind.TASK, Kind.PART_TIME):
        return 0
    if terms.kind == Kind.OPEN_ENDED:
        return 6
    if terms.end is None:
        return 0
    months = term_months(terms.start, terms.end)
    for at_least, limit in PROBATION_LIMITS:
        if months >= at_least:
            return limit
    return 0


def _period_end(prior: Prior) -> dt.date | None:
    return prior.ended_on or prior.end


def overlapping(terms: Terms, prior: list[Prior]) -> Prior | None:
    """The worker's other contract at the same employer whose period meets this one's."""
    end = terms.end or dt.date.max
    for other in prior:
        other_end = _period_end(other) or dt.date.max
        if other.start <= end and terms.start <= other_end:
            return other
    return None


def check(terms: Terms, prior: list[Prior], policy: Policy | None) -> list[Finding]:
    """Every finding on the contract, refusals first."""
    f = _Findings()
    _check_dates(terms, f)
    _check_hours(terms, f)
    if not any(x.severity == REFUSE and x.field in ("start", "end") for x in f.items):
        other = overlapping(terms, prior)
        if other is not None:
            f.add(
                "overlap",
                REFUSE,
                "start",
                _(
                    "The period overlaps the worker's contract %(ref)s at the same employer (%(start)s to %(end)s)."
                )
                % {"ref": other.reference or "", "start": other.start, "end": _period_end(other) or "—"},
                ART_10,
            )
        _check_probation(terms, prior, f)
    _check_pay(terms, policy, f)
    _check_renews_unfiled(terms, f)
    _check_written_in_time(terms, prior, f)
    _check_open_ended_due(terms, prior, f)
    return sorted(f.items, key=lambda x: x.severity != REFUSE)


def flag_codes(findings: list[Finding]) -> list[str]:
    """The codes stored on a filed contract as its flags (the INFO findings are not flags)."""
    return [x.code for x in findings if x.severity == FLAG]


def _check_dates(terms: Terms, f: _Findings) -> None:
    if terms.start < terms.employment_start:
        f.add(
            "start_before_employment",
            REFUSE,
            "start",
            _("The contract cannot start before the employment started (%(date)s).")
            % {"date": terms.employment_start},
            ART_10,
        )
    if terms.kind == Kind.FIXED_TERM and terms.end is None:
        f.add("end_missing", REFUSE, "end", _("A fixed-term contract needs its end date."), ART_12)
    if terms.kind == Kind.OPEN_ENDED and terms.end is not None:
        f.add("end_not_allowed", REFUSE, "end", _("An open-ended contract has no end date."), ART_14)
    if terms.kind == Kind.TASK and not terms.task.strip():
        f.add("task_missing", REFUSE, "task", _("A contract for a task names the task that ends it."), ART_12)
    if terms.end is not None and terms.end <= terms.start:
        f.add("end_before_start", REFUSE, "end", _("The contract must end after it starts."), ART_12)
    if terms.probation_end is not None and terms.probation_end < terms.start:
        f.add(
            "probation_before_start",
            REFUSE,
            "probation_end",
            _("The probation cannot end before the contract starts."),
            ART_19,
        )


def _check_hours(terms: Terms, f: _Findings) -> None:
    if terms.hours_system not in HOURS_SYSTEMS:
        f.add("hours_system", REFUSE, "hours_system", _("Choose the working-hour system."), HOURS_SOURCE)
    elif terms.hours_system != HoursSystem.STANDARD and not terms.hours_approval.strip():
        f.add(
            "approval_missing",
            REFUSE,
            "hours_approval",
            _("Comprehensive or flexible working hours need the labour department's approval number."),
            HOURS_SOURCE,
        )
    if (
        terms.kind == Kind.PART_TIME
        and terms.weekly_hours is not None
        and terms.weekly_hours > PART_TIME_WEEKLY_HOURS
    ):
        f.add(
            "part_time_hours",
            FLAG,
            "weekly_hours",
            _("Part-time work is at most %(hours)s hours a week; %(actual)s hours makes it full-time work.")
            % {"hours": PART_TIME_WEEKLY_HOURS, "actual": terms.weekly_hours},
            ART_68,
        )


def _check_probation(terms: Terms, prior: list[Prior], f: _Findings) -> None:
    if terms.probation_end is None or terms.probation_end < terms.start:
        return
    if terms.kind in (Kind.TASK, Kind.PART_TIME):
        f.add(
            "probation_not_allowed",
            FLAG,
            "probation_end",
            _("A contract for a task or for part-time work may not have a probation."),
            ART_70 if terms.kind == Kind.PART_TIME else ART_19,
        )
        return
    limit = longest_probation_months(terms)
    if limit == 0:
        f.add(
            "probation_not_allowed",
            FLAG,
            "probation_end",
            _("A contract of less than 3 months may not have a probation."),
            ART_19,
        )
    elif terms.probation_end > months_later(terms.start, limit):
        f.add(
            "probation_too_long",
            FLAG,
            "probation_end",
            _("For this term the probation may last at most %(months)s month(s), until %(date)s.")
            % {"months": limit, "date": months_later(terms.start, limit)},
            ART_19,
        )
    if terms.end is not None and terms.probation_end > terms.end:
        f.add(
            "probation_after_end",
            FLAG,
            "probation_end",
            _("The probation is part of the contract term."),
            ART_19,
        )
    if any(p.had_probation for p in prior):
        f.add(
            "second_probation",
            FLAG,
            "probation_end",
            _("The employer already agreed a probation with this worker; only one is allowed."),
            ART_19,
        )


def _check_pay(terms: Terms, policy: Policy | None, f: _Findings) -> None:
    if policy is None:
        return
    if terms.kind == Kind.PART_TIME:
        if terms.hourly_pay is not None and terms.hourly_pay < policy.hourly_minimum_wage:
            f.add(
                "below_minimum_wage",
                FLAG,
                "hourly_pay",
                _("The hourly pay is below the local minimum wage for part-time work (%(wage)s yuan).")
                % {"wage": format_yuan(policy.hourly_minimum_wage)},
                f"{MINIMUM_WAGE_SOURCE}；{LCL}第七十二条",
            )
    elif terms.monthly_pay is not None and terms.monthly_pay < policy.monthly_minimum_wage:
        f.add(
            "below_minimum_wage",
            FLAG,
            "monthly_pay",
            _("The monthly pay is below the local minimum wage (%(wage)s yuan).")
            % {"wage": format_yuan(policy.monthly_minimum_wage)},
            MINIMUM_WAGE_SOURCE,
        )


def written_contract_due(since: dt.date) -> dt.date:
    """Art. 10: the written contract is due within one month of the start of work."""
    return months_later(since, 1)


#: The filing of a renewal whose earlier contract is not filed (`Terms.renews_unfiled`).
PREDECESSOR_SOURCE = f"{ART_10}；{ART_82}；{RENEWAL_SOURCE}"


def _check_renews_unfiled(terms: Terms, f: _Findings) -> None:
    """The filing says the contract renews an earlier one that is not filed (a first import
    without the worker's earlier contracts). Only a contract starting after the day work started
    can renew one: otherwise the filing contradicts itself and is refused on that column. Else an
    INFO finding, and the one-month rule counts from this contract's start
    (`_check_written_in_time`)."""
    if not terms.renews_unfiled:
        return
    if terms.start <= terms.employment_start:
        f.add(
            "renews_nothing",
            REFUSE,
            "renews_unfiled",
            _(
                "A contract starting on the day work started renews no earlier contract: leave "
                "“renews an earlier contract that is not filed” empty."
            ),
            ART_10,
        )
        return
    f.add(
        "predecessor_not_filed",
        INFO,
        "renews_unfiled",
        _(
            "Renews an earlier contract that is not filed: the written contract is judged against "
            "this contract's start (%(date)s), not the day work started."
        )
        % {"date": terms.start},
        PREDECESSOR_SOURCE,
    )


def _check_written_in_time(terms: Terms, prior: list[Prior], f: _Findings) -> None:
    """Arts. 10, 82: signed later than one month after the start of work (for a renewal, after the
    start of the renewed term), the employer owes double wages from then until the signing (at most
    11 months); after a year without a written contract an open-ended one is deemed concluded
    (art. 14). A renewal: the worker has an earlier contract filed at the employer, or the filing
    says the contract renews one that is not filed (`Terms.renews_unfiled`; never guessed from
    the dates: a first contract starting months after work started may well be written late)."""
    if terms.kind == Kind.PART_TIME or terms.signed_on is None:
        return  # part-time work may be agreed orally (art. 69)
    renewal = bool(prior) or (terms.renews_unfiled and terms.start > terms.employment_start)
    since = terms.start if renewal else terms.employment_start
    due = written_contract_due(since)
    if terms.signed_on <= due:
        return
    if terms.signed_on > months_later(since, 12):
        f.add(
            "written_after_a_year",
            FLAG,
            "signed_on",
            _(
                "Signed more than a year after work started: an open-ended contract is deemed "
                "concluded, and double wages are owed for 11 months."
            ),
            f"{ART_14}；{ART_82}",
        )
    else:
        f.add(
            "double_wage_risk",
            FLAG,
            "signed_on",
            _(
                "Signed more than one month after work started (due by %(date)s): the employer owes "
                "double wages for the months between."
            )
            % {"date": due},
            ART_82,
        )


def _consecutive_fixed_terms(terms: Terms, prior: list[Prior]) -> int:
    """How many fixed-term contracts directly precede this one (each starting by the day after
    the previous one ended)."""
    earlier = sorted((p for p in prior if p.start < terms.start), key=lambda p: p.start, reverse=True)
    count, next_start = 0, terms.start
    for p in earlier:
        end = _period_end(p)
        if p.kind != Kind.FIXED_TERM or end is None or (next_start - end).days > 1:
            break
        count += 1
        next_start = p.start
    return count


def _check_open_ended_due(terms: Terms, prior: list[Prior], f: _Findings) -> None:
    """Art. 14: on renewal after 10 consecutive years of service, or after two consecutive fixed
    terms, the worker may require an open-ended contract; filing another fixed term is flagged."""
    if terms.kind != Kind.FIXED_TERM:
        return
    years = whole_years(terms.employment_start, terms.start)
    if years >= OPEN_ENDED_YEARS:
        f.add(
            "open_ended_due",
            FLAG,
            "kind",
            _(
                "The worker has worked here %(years)s years: an open-ended contract is due unless the worker asked for a fixed term."
            )
            % {"years": years},
            ART_14,
        )
    elif _consecutive_fixed_terms(terms, prior) >= OPEN_ENDED_FIXED_TERMS:
        f.add(
            "open_ended_due",
            FLAG,
            "kind",
            _(
                "This follows two consecutive fixed-term contracts: an open-ended contract is due unless the worker asked for a fixed term."
            ),
            ART_14,
        )


def open_ended_due_on_renewal(this: Prior, employment_start: dt.date, others: list[Prior]) -> bool:
    """Art. 14: renewing this fixed-term contract when it ends must give an open-ended contract,
    unless the worker asks otherwise: ten years of service by its end, or it is the second
    consecutive fixed term (`others`: the worker's other contracts at the employer)."""
    if this.end is None:
        return False
    if whole_years(employment_start, this.end) >= OPEN_ENDED_YEARS:
        return True
    following = Terms(
        kind=Kind.FIXED_TERM, employment_start=employment_start, start=this.end + dt.timedelta(days=1)
    )
    return _consecutive_fixed_terms(following, [*others, this]) >= OPEN_ENDED_FIXED_TERMS


# Renewal -----------------------------------------------------------------------------------------


def renews(previous_end: dt.date | None, start: dt.date) -> bool:
    """A contract of the worker at the same employer starting the day after `previous_end` renews
    the contract that ended then (`RENEWAL_SOURCE`); a gap or an overlap is no renewal."""
    return previous_end is not None and (start - previous_end).days == 1


# Filing a termination ([POLICY]) --------------------------------------------------------------------


@dataclass(frozen=True)
class TerminationFiling:
    #: The last day to file the termination; None while the contract is not terminated.
    due: dt.date | None
    late: bool


def termination_filing_days(policy) -> int:
    """[POLICY] The working days a termination is filed within under `policy` (a `ContractPolicy`
    row, or None: `TERMINATION_FILING_DAYS`)."""
    return policy.termination_filing_days if policy is not None else TERMINATION_FILING_DAYS


def termination_filing(
    terminated_on: dt.date | None, filed_on: dt.date | None, policies: list, *, overrides: dict | None = None
) -> TerminationFiling:
    """[POLICY] When the termination of `terminated_on` had to be filed: the working days of the
    policy in effect on that day after it; and whether `filed_on` is later than that.
    `overrides`: the calendar's working-day overrides (read from the calendar when None)."""
    if terminated_on is None:
        return TerminationFiling(None, False)
    days = termination_filing_days(policy_on(policies, terminated_on))
    due = add_working_days(terminated_on, days, overrides=overrides).date
    return TerminationFiling(due, bool(filed_on and filed_on > due))


# Labels of the flags --------------------------------------------------------------------------------

#: Flag codes (the findings of severity FLAG above) → (short label, source).
FLAG_LABELS = {
    "probation_too_long": (gettext_lazy("Probation too long"), ART_19),
    "probation_not_allowed": (gettext_lazy("Probation not allowed"), ART_19),
    "probation_after_end": (gettext_lazy("Probation beyond the term"), ART_19),
    "second_probation": (gettext_lazy("Second probation"), ART_19),
    "part_time_hours": (gettext_lazy("Part-time over 24 hours a week"), ART_68),
    "below_minimum_wage": (gettext_lazy("Below the minimum wage"), MINIMUM_WAGE_SOURCE),
    "double_wage_risk": (gettext_lazy("Written late: double wages"), ART_82),
    "written_after_a_year": (gettext_lazy("Written after a year"), f"{ART_14}；{ART_82}"),
    "open_ended_due": (gettext_lazy("Open-ended contract due"), ART_14),
}
#: Flags of a written contract later than one month after the start of work (arts. 10, 82).
LATE_WRITTEN_FLAGS = ("double_wage_risk", "written_after_a_year")
#: INFO codes (stored as the contract's fields, not as flags) → (short label, source).
INFO_LABELS = {
    "predecessor_not_filed": (gettext_lazy("Predecessor not filed"), PREDECESSOR_SOURCE),
}


def flag_label(code: str) -> str:
    return str(FLAG_LABELS[code][0]) if code in FLAG_LABELS else code
