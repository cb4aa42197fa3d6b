"""The Labour Contract Law checks on a filing, each at its exact boundaries (apps/contracts/rules.py).
Pure functions: no database."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from apps.contracts import rules
from apps.contracts.rules import FLAG, REFUSE, HoursSystem, Kind, Policy, Prior, Terms

D = dt.date
POLICY = Policy(monthly_minimum_wage=Decimal("1990"), hourly_minimum_wage=Decimal("20.1"))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def terms(**kw) -> Terms:
    data = {
        "kind": Kind.FIXED_TERM,
        "employment_start": D(2026, 1, 1),
        "start": D(2026, 1, 1),
        "end": D(2028, 12, 31),
        "monthly_pay": Decimal("4500"),
        "signed_on": D(2026, 1, 1),
    }
    data.update(kw)
    return Terms(**data)


def codes(t: Terms, prior=(), policy=POLICY) -> dict[str, str]:
    return {f.code: f.severity for f in rules.check(t, list(prior), policy)}


def test_a_clean_contract_has_no_findings():
    assert rules.check(terms(), [], POLICY) == []


# Art. 19: probation by term --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "longest"),
    [
        (D(2026, 3, 30), 0),  # 2 months 30 days: under 3 months
        (D(2026, 3, 31), 1),  # exactly 3 months
        (D(2026, 12, 30), 1),  # a day short of a year
        (D(2026, 12, 31), 2),  # exactly 1 year
        (D(2028, 12, 30), 2),  # a day short of 3 years
        (D(2028, 12, 31), 6),  # exactly 3 years
    ],
)
def test_the_longest_probation_follows_the_term(end, longest):
    assert rules.longest_probation_months(terms(end=end)) == longest


@pytest.mark.parametrize(
    ("end", "probation_end", "found"),
    [
        (D(2026, 3, 31), D(2026, 1, 31), None),  # 3-month term: one month is allowed
        (D(2026, 3, 31), D(2026, 2, 1), "probation_too_long"),
        (D(2026, 12, 31), D(2026, 2, 28), None),  # 1 year: two months
        (D(2026, 12, 31), D(2026, 3, 1), "probation_too_long"),
        (D(2028, 12, 31), D(2026, 6, 30), None),  # 3 years: six months
        (D(2028, 12, 31), D(2026, 7, 1), "probation_too_long"),
        (D(2026, 3, 30), D(2026, 1, 10), "probation_not_allowed"),  # under 3 months: none
    ],
)
def test_probation_length_at_the_boundaries(end, probation_end, found):
    result = codes(terms(end=end, probation_end=probation_end))
    if found is None:
        assert result == {}
    else:
        assert result == {found: FLAG}


def test_an_open_ended_contract_allows_six_months():
    base = {"kind": Kind.OPEN_ENDED, "end": None}
    assert codes(terms(**base, probation_end=D(2026, 6, 30))) == {}
    assert codes(terms(**base, probation_end=D(2026, 7, 1))) == {"probation_too_long": FLAG}


@pytest.mark.parametrize(("kind", "source"), [(Kind.TASK, rules.ART_19), (Kind.PART_TIME, rules.ART_70)])
def test_no_probation_for_task_or_part_time_work(kind, source):
    t = terms(
        kind=kind, end=None, task="完成A线改造" if kind == Kind.TASK else "", probation_end=D(2026, 1, 15)
    )
    findings = rules.check(t, [], POLICY)
    assert [(f.code, f.source) for f in findings] == [("probation_not_allowed", source)]


def test_only_one_probation_per_worker_and_employer():
    earlier = Prior(kind=Kind.FIXED_TERM, start=D(2023, 1, 1), end=D(2025, 12, 31), had_probation=True)
    t = terms(employment_start=D(2023, 1, 1), probation_end=D(2026, 1, 31))
    assert codes(t, [earlier]) == {"second_probation": FLAG}
    assert codes(terms(employment_start=D(2023, 1, 1)), [earlier]) == {}


def test_the_message_names_the_limit_and_its_date():
    finding = rules.check(terms(end=D(2026, 12, 31), probation_end=D(2026, 3, 1)), [], POLICY)[0]
    assert "2 month(s)" in finding.message and "2026-02-28" in finding.message
    assert finding.source == "劳动合同法第十九条"


# Dates, term and overlap ------------------------------------------------------------------------


def test_end_after_start():
    assert codes(terms(end=D(2026, 1, 1))) == {"end_before_start": REFUSE}
    assert codes(terms(end=D(2025, 12, 31))) == {"end_before_start": REFUSE}
    assert codes(terms(end=D(2026, 1, 2))) == {}


def test_each_kind_has_the_ends_it_needs():
    assert codes(terms(end=None)) == {"end_missing": REFUSE}
    assert codes(terms(kind=Kind.OPEN_ENDED)) == {"end_not_allowed": REFUSE}
    assert codes(terms(kind=Kind.TASK, end=None, task=" ")) == {"task_missing": REFUSE}
    assert codes(terms(kind=Kind.TASK, end=None, task="完成A线改造")) == {}


def test_the_contract_cannot_start_before_the_employment():
    assert codes(terms(employment_start=D(2026, 1, 2))) == {"start_before_employment": REFUSE}


@pytest.mark.parametrize(
    ("other_start", "other_end", "ended_on", "overlaps"),
    [
        (D(2023, 1, 1), D(2025, 12, 31), None, False),  # ends the day before: renewal
        (D(2023, 1, 1), D(2026, 1, 1), None, True),  # ends on the first day
        (D(2023, 1, 1), D(2026, 6, 30), D(2025, 12, 31), False),  # terminated early
        (D(2029, 1, 1), D(2030, 12, 31), None, False),  # after this one
        (D(2028, 12, 31), D(2030, 12, 31), None, True),  # starts on the last day
        (D(2024, 1, 1), None, None, True),  # an open-ended contract still running
    ],
)
def test_no_overlap_with_the_same_workers_other_contract(other_start, other_end, ended_on, overlaps):
    kind = Kind.OPEN_ENDED if other_end is None else Kind.FIXED_TERM
    other = Prior(kind=kind, start=other_start, end=other_end, ended_on=ended_on, reference="HT-1")
    t = terms(employment_start=D(2023, 1, 1))
    assert ("overlap" in codes(t, [other])) is overlaps


# Working hours, pay -----------------------------------------------------------------------------


@pytest.mark.parametrize("system", [HoursSystem.COMPREHENSIVE, HoursSystem.FLEXIBLE])
def test_non_standard_hours_need_the_approval_number(system):
    assert codes(terms(hours_system=system)) == {"approval_missing": REFUSE}
    assert codes(terms(hours_system=system, hours_approval="柳人社工时〔2026〕12号")) == {}


def test_pay_not_below_the_minimum_wage():
    assert codes(terms(monthly_pay=Decimal("1989.99"))) == {"below_minimum_wage": FLAG}
    assert codes(terms(monthly_pay=Decimal("1990"))) == {}
    part = {"kind": Kind.PART_TIME, "end": None, "monthly_pay": None}
    assert codes(terms(**part, hourly_pay=Decimal("20.09"))) == {"below_minimum_wage": FLAG}
    assert codes(terms(**part, hourly_pay=Decimal("20.10"))) == {}
    assert codes(terms(monthly_pay=Decimal("1000")), policy=None) == {}


def test_part_time_is_at_most_24_hours_a_week():
    part = {"kind": Kind.PART_TIME, "end": None}
    assert codes(terms(**part, weekly_hours=Decimal("24"))) == {}
    assert codes(terms(**part, weekly_hours=Decimal("24.5"))) == {"part_time_hours": FLAG}


# Art. 82: a written contract within one month ---------------------------------------------------


@pytest.mark.parametrize(
    ("signed_on", "found"),
    [
        (D(2026, 2, 14), None),  # work started 15 January: due by 14 February
        (D(2026, 2, 15), "double_wage_risk"),
        (D(2027, 1, 14), "double_wage_risk"),  # the last day of the first year
        (D(2027, 1, 15), "written_after_a_year"),
    ],
)
def test_a_written_contract_within_one_month_of_the_start_of_work(signed_on, found):
    t = terms(employment_start=D(2026, 1, 15), start=D(2026, 1, 15), end=D(2029, 1, 14), signed_on=signed_on)
    assert codes(t) == ({} if found is None else {found: FLAG})


def test_part_time_work_may_be_agreed_orally():
    t = terms(kind=Kind.PART_TIME, end=None, signed_on=D(2026, 6, 1))
    assert codes(t) == {}


# Art. 14: open-ended contract due ---------------------------------------------------------------


def test_open_ended_due_after_ten_years():
    def renewal(started):
        return [Prior(kind=Kind.FIXED_TERM, start=started, end=D(2025, 12, 31))]

    assert codes(terms(employment_start=D(2016, 1, 2)), renewal(D(2016, 1, 2))) == {}  # a day short
    assert codes(terms(employment_start=D(2016, 1, 1)), renewal(D(2016, 1, 1))) == {"open_ended_due": FLAG}
    open_ended = terms(employment_start=D(2016, 1, 1), kind=Kind.OPEN_ENDED, end=None)
    assert codes(open_ended, renewal(D(2016, 1, 1))) == {}


def test_a_renewal_is_due_within_a_month_of_its_own_start():
    earlier = [Prior(kind=Kind.FIXED_TERM, start=D(2023, 1, 1), end=D(2025, 12, 31))]
    base = {"employment_start": D(2023, 1, 1)}
    assert codes(terms(**base, signed_on=D(2026, 1, 31)), earlier) == {}
    assert codes(terms(**base, signed_on=D(2026, 2, 1)), earlier) == {"double_wage_risk": FLAG}


def test_open_ended_due_after_two_consecutive_fixed_terms():
    first = Prior(kind=Kind.FIXED_TERM, start=D(2020, 1, 1), end=D(2022, 12, 31))
    second = Prior(kind=Kind.FIXED_TERM, start=D(2023, 1, 1), end=D(2025, 12, 31))
    t = terms(employment_start=D(2020, 1, 1))
    assert codes(t, [first]) == {}
    assert codes(t, [first, second]) == {"open_ended_due": FLAG}
    # A gap between them breaks the run.
    gap = Prior(kind=Kind.FIXED_TERM, start=D(2023, 2, 1), end=D(2025, 12, 31))
    assert codes(t, [first, gap]) == {}


def test_refusals_come_first():
    t = terms(end=None, monthly_pay=Decimal("100"), hours_system=HoursSystem.FLEXIBLE)
    severities = [f.severity for f in rules.check(t, [], POLICY)]
    assert severities == sorted(severities, key=lambda s: s != REFUSE)
    assert severities[0] == REFUSE and FLAG in severities


def test_term_months_counts_both_days():
    assert rules.term_months(D(2026, 1, 1), D(2026, 3, 31)) == 3
    assert rules.term_months(D(2026, 1, 1), D(2026, 3, 30)) == 2
    assert rules.term_months(D(2026, 1, 31), D(2026, 2, 27)) == 1
    assert rules.months_later(D(2026, 1, 31), 1) == D(2026, 2, 27)


def _days():
    """Every day of 2023-2025 and some far apart, with the ends of months and 29 February."""
    first = D(2023, 1, 1)
    days = [first + dt.timedelta(days=n) for n in range(0, 3 * 366, 1)]
    return days + [D(1990, 2, 28), D(2000, 2, 29), D(2010, 12, 31), D(2016, 2, 29), D(2036, 2, 29)]


def test_the_date_helpers_match_relativedelta():
    """`add_months`, `months_later` and `whole_years` compute what relativedelta does, without it."""
    from dateutil.relativedelta import relativedelta

    days = _days()
    for day in days[::7] + days[-5:]:
        for months in (0, 1, 2, 3, 6, 11, 12, 13, 24, 36, 120, -1, -12, -13):
            assert rules.add_months(day, months) == day + relativedelta(months=months), (day, months)
        assert rules.months_later(day, 3) == day + relativedelta(months=3) - dt.timedelta(days=1)
    for since in days[::37] + days[-5:]:
        for until in days[::11] + days[-5:]:
            assert rules.whole_years(since, until) == relativedelta(until, since).years, (since, until)
    assert rules.whole_years(D(2016, 2, 29), D(2017, 2, 28)) == 1
    assert rules.whole_years(D(2016, 2, 29), D(2026, 2, 28)) == 10
    assert rules.whole_years(D(2016, 3, 1), D(2026, 2, 28)) == 9
    assert [rules.month_days(2024, m) for m in range(1, 13)] == [
        31,
        29,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    assert rules.month_days(2100, 2) == 28 and rules.month_days(2000, 2) == 29


def test_the_user_reads_the_reason_in_chinese():
    with translation.override("zh-hans"):
        finding = rules.check(terms(end=D(2026, 12, 31), probation_end=D(2026, 3, 1)), [], POLICY)[0]
    assert "试用期最长 2 个月" in finding.message and "2026-02-28" in finding.message


# The policy in effect, the termination filing, renewals, open-ended on renewal -----------------------


def policy_row(effective_from, days=7):
    from types import SimpleNamespace

    return SimpleNamespace(
        effective_from=effective_from,
        termination_filing_days=days,
        monthly_minimum_wage=Decimal("1990"),
        hourly_minimum_wage=Decimal("20.1"),
    )


def test_the_newest_policy_in_effect_applies():
    new, old = policy_row(D(2026, 1, 1), 5), policy_row(D(2022, 4, 1))
    assert rules.policy_on([new, old], D(2025, 12, 31)) is old
    assert rules.policy_on([new, old], D(2026, 1, 1)) is new
    assert rules.policy_on([new, old], D(2022, 3, 31)) is None
    assert rules.wage_policy(new) == POLICY and rules.wage_policy(None) is None


def test_a_termination_is_filed_within_the_policys_working_days():
    friday = D(2026, 3, 6)
    # 7 working days after Friday 6 March 2026: Tuesday 17 March (two weekends).
    due = D(2026, 3, 17)
    assert rules.termination_filing(friday, due, [], overrides={}) == rules.TerminationFiling(due, False)
    assert rules.termination_filing(friday, due + dt.timedelta(1), [], overrides={}).late
    assert rules.termination_filing(friday, None, [], overrides={}) == rules.TerminationFiling(due, False)
    # A policy row says how many working days; the one in effect on the termination applies.
    three = [policy_row(D(2026, 1, 1), 3), policy_row(D(2022, 4, 1))]
    assert rules.termination_filing(friday, due, three, overrides={}) == rules.TerminationFiling(
        D(2026, 3, 11), True
    )
    assert rules.termination_filing(None, friday, three) == rules.TerminationFiling(None, False)


def test_the_default_filing_days_are_stated_once():
    from apps.contracts.models import ContractPolicy

    assert rules.termination_filing_days(None) == rules.TERMINATION_FILING_DAYS == 7
    assert ContractPolicy._meta.get_field("termination_filing_days").default == rules.TERMINATION_FILING_DAYS


@pytest.mark.parametrize(
    "previous_end, renewed",
    [(D(2025, 12, 31), True), (D(2026, 1, 1), False), (D(2025, 12, 30), False), (None, False)],
)
def test_a_contract_starting_the_day_after_another_ends_renews_it(previous_end, renewed):
    assert rules.renews(previous_end, D(2026, 1, 1)) is renewed


def test_open_ended_due_on_renewal():
    this = Prior(Kind.FIXED_TERM, D(2024, 1, 1), D(2026, 12, 31))
    first = Prior(Kind.FIXED_TERM, D(2021, 1, 1), D(2023, 12, 31))
    # The first fixed term: not yet; the second consecutive one: due (art. 14).
    assert not rules.open_ended_due_on_renewal(this, D(2024, 1, 1), [])
    assert rules.open_ended_due_on_renewal(this, D(2021, 1, 1), [first])
    # A gap between the terms breaks the series.
    gap = Prior(Kind.FIXED_TERM, D(2021, 1, 1), D(2023, 12, 29))
    assert not rules.open_ended_due_on_renewal(this, D(2021, 1, 1), [gap])
    # Ten years of service by the end.
    assert rules.open_ended_due_on_renewal(this, D(2016, 12, 31), [])
    assert not rules.open_ended_due_on_renewal(this, D(2017, 1, 1), [])
