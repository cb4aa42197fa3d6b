"""Deadlines in their units: 3 working days to accept or refuse (across the 2026 National Day
holiday and its make-up working day), 15 calendar days of mediation (30 for court-entrusted
cases), extensions with both parties' consent (at most 15 days in all, except for court cases),
and transfers that restart the clocks.

The 2026 schedule (国务院办公厅关于2026年部分节假日安排的通知, as shipped in `chinese_calendar`):
National Day 1-7 October off; Saturday 10 October is a working day; 8 and 9 October work."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.core.errors import DomainError, InvalidTransition
from apps.mediation import rules, selectors, services
from apps.mediation.models import Case, Extension

from .conftest import accepted, p, travel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = dt.date
TODAY = timezone.localdate()


@pytest.fixture
def walk_in(make_case):
    """A walk-in case registered by the platform with the day it arrived."""

    def make(received_on, channel=Case.Channel.WALK_IN, **data) -> Case:
        if channel == Case.Channel.COURT:
            data.setdefault("court_name", "柳州市柳江区人民法院")
        case, _code = make_case(channel=channel, received_on=received_on, **data)
        return case

    return make


# The decision: 3 working days ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "decide_by"),
    [
        # Wednesday before National Day: 8 Oct (Thu) 1, 9 Oct (Fri) 2, 10 Oct (Sat, make-up day) 3.
        (D(2026, 9, 30), D(2026, 10, 10)),
        # Received on the first day of the holiday: the same three working days.
        (D(2026, 10, 1), D(2026, 10, 10)),
        # Tuesday before: 30 Sep 1, then the holiday, 8 Oct 2, 9 Oct 3.
        (D(2026, 9, 29), D(2026, 10, 9)),
        # A plain week: Thursday → Friday 1, Monday 2, Tuesday 3.
        (D(2026, 3, 5), D(2026, 3, 10)),
        # Received on a Sunday: Monday, Tuesday, Wednesday.
        (D(2026, 3, 1), D(2026, 3, 4)),
    ],
)
def test_the_decision_is_due_three_working_days_after_receipt(walk_in, received, decide_by):
    case = walk_in(received)
    assert case.received_on == received == case.clock_starts_on
    assert case.decision_due_on == decide_by
    assert rules.clocks(received, Case.Channel.WALK_IN)[0] == decide_by
    assert rules.DECISION_PERIOD.describe() == "3 working days"


def test_the_official_schedule_is_the_one_used():
    """The hand computation above relies on these days (so a stale calendar fails loudly here)."""
    from apps.core.calendar import is_working_day

    assert not any(is_working_day(D(2026, 10, d)) for d in range(1, 8))
    assert is_working_day(D(2026, 10, 8)) and is_working_day(D(2026, 10, 9))
    assert is_working_day(D(2026, 10, 10))  # a Saturday, worked in exchange
    assert not is_working_day(D(2026, 10, 11))


def test_an_undecided_case_is_overdue_the_day_after_its_decision_date(walk_in):
    case = walk_in(D(2026, 9, 30))
    assert not selectors.is_overdue(case, today=D(2026, 10, 10))
    assert selectors.is_overdue(case, today=D(2026, 10, 11))
    rows = selectors.deadlines(case, today=D(2026, 10, 11))
    assert rows[0]["date"] == D(2026, 10, 10) and rows[0]["overdue"]
    assert rows[0]["unit"] == "3 working days"
    assert rows[0]["source"] == "企业劳动争议协商调解规定第二十条"


# The mediation period: 15 / 30 calendar days ------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "channel", "due"),
    [
        (D(2026, 3, 1), Case.Channel.WALK_IN, D(2026, 3, 16)),
        (D(2026, 3, 1), Case.Channel.PHONE, D(2026, 3, 16)),
        (D(2026, 3, 1), Case.Channel.INSPECTION, D(2026, 3, 16)),
        (D(2026, 3, 1), Case.Channel.COURT, D(2026, 3, 31)),
        # Calendar days run through the holiday; a deadline on a rest day moves to the next
        # working day (民法典 art. 203): 5 October is in the National Day holiday.
        (D(2026, 9, 30), Case.Channel.WALK_IN, D(2026, 10, 15)),
        (D(2026, 9, 20), Case.Channel.WALK_IN, D(2026, 10, 8)),
        (D(2026, 2, 1), Case.Channel.COURT, D(2026, 3, 3)),
    ],
)
def test_the_mediation_period_counts_calendar_days(walk_in, received, channel, due):
    case = walk_in(received, channel=channel)
    assert case.due_on == due
    assert rules.base_due_on(case) == due


def test_an_online_application_starts_its_clocks_today(make_case):
    case, _code = make_case()
    assert case.received_on == TODAY == case.clock_starts_on
    assert case.due_on == TODAY + dt.timedelta(days=15)
    assert case.decision_due_on == rules.DECISION_PERIOD.due(TODAY).date


def test_deadlines_show_their_units_and_sources(walk_in, mediator_user):
    case = accepted(walk_in(D(2026, 3, 1), channel=Case.Channel.COURT), mediator_user)
    (row,) = selectors.deadlines(case, today=D(2026, 3, 31))
    assert row["unit"].startswith("30 calendar days") and "next working day" in row["unit"]
    assert row["date"] == D(2026, 3, 31) and not row["overdue"]
    assert row["source"] == rules.COURT_MEDIATION_PERIOD.sources and row["extended_days"] == 0
    assert (
        row["source"].startswith(rules.COURT_MEDIATION_PERIOD.source)
        and "民法典第二百零三条" in row["source"]
    )
    assert selectors.is_overdue(case, today=D(2026, 4, 1))
    other = accepted(walk_in(D(2026, 3, 1)), mediator_user)
    (row,) = selectors.deadlines(other, today=D(2026, 3, 10))
    assert row["unit"].startswith("15 calendar days")
    assert row["source"] == "劳动争议调解仲裁法第十四条；民法典第二百零三条"


def test_a_staff_registration_cannot_be_received_in_the_future(make_case):
    with pytest.raises(DomainError) as exc:
        make_case(channel=Case.Channel.WALK_IN, received_on=TODAY + dt.timedelta(days=1))
    assert list(exc.value.fields) == ["received_on"]
    with pytest.raises(DomainError) as exc:
        make_case(channel=Case.Channel.WALK_IN, received_on="2026-02-30")
    assert list(exc.value.fields) == ["received_on"]
    assert not Case.objects.exists()


def test_the_public_cannot_backdate_an_application(make_case):
    case, _code = make_case(received_on=D(2025, 1, 1))
    assert case.received_on == TODAY


# Extensions ----------------------------------------------------------------------------------------


def extend(user, case, new_due_on, *, a_on=TODAY, r_on=TODAY, record="双方书面同意延长调解期限"):
    return services.extend(
        p(user),
        case,
        new_due_on=new_due_on,
        applicant_consent_on=a_on,
        respondent_consent_on=r_on,
        consent_record=record,
    )


def refused_extension(user, case, new_due_on, field, **kwargs) -> DomainError:
    due = Case.objects.get(pk=case.pk).due_on
    extensions = Extension.objects.filter(case=case).count()
    with pytest.raises(DomainError) as exc:
        extend(user, case, new_due_on, **kwargs)
    assert field in exc.value.fields, exc.value.fields
    assert Case.objects.get(pk=case.pk).due_on == due
    assert Extension.objects.filter(case=case).count() == extensions
    return exc.value


@pytest.fixture
def march_case(walk_in, mediator_user):
    """Received Sunday 1 March 2026, in mediation, due 16 March."""
    case = accepted(walk_in(D(2026, 3, 1)), mediator_user)
    assert case.due_on == D(2026, 3, 16)
    return case


def test_an_extension_needs_both_consents(march_case, mediator_user):
    refused_extension(mediator_user, march_case, D(2026, 3, 20), "applicant_consent_on", a_on=None)
    refused_extension(mediator_user, march_case, D(2026, 3, 20), "respondent_consent_on", r_on="")
    error = refused_extension(mediator_user, march_case, D(2026, 3, 20), "consent_record", record="  ")
    assert error.source == rules.EXTENSION_SOURCE
    refused_extension(mediator_user, march_case, None, "new_due_on")
    refused_extension(mediator_user, march_case, "2026-03-32", "new_due_on")
    refused_extension(mediator_user, march_case, D(2026, 3, 20), "applicant_consent_on", a_on="yesterday")
    assert not march_case.extensions.exists()
    assert not march_case.history.filter(action="extend").exists()


def test_consent_cannot_predate_the_application_or_lie_in_the_future(march_case, mediator_user):
    error = refused_extension(
        mediator_user, march_case, D(2026, 3, 20), "applicant_consent_on", a_on=D(2026, 2, 28)
    )
    assert "predate" in str(error)
    refused_extension(mediator_user, march_case, D(2026, 3, 20), "respondent_consent_on", r_on=D(2026, 2, 28))
    refused_extension(
        mediator_user, march_case, D(2026, 3, 20), "respondent_consent_on", r_on=TODAY + dt.timedelta(days=1)
    )
    # Consent given on the day of receipt is fine.
    case = extend(mediator_user, march_case, D(2026, 3, 20), a_on=D(2026, 3, 1), r_on=D(2026, 3, 1))
    assert case.due_on == D(2026, 3, 20)


def test_the_new_deadline_must_be_after_the_current_one(march_case, mediator_user):
    for day in (D(2026, 3, 16), D(2026, 3, 10)):
        error = refused_extension(mediator_user, march_case, day, "new_due_on")
        assert "2026-03-16" in str(error)


def test_at_most_fifteen_days_in_all_for_a_non_court_case(march_case, mediator_user):
    error = refused_extension(mediator_user, march_case, D(2026, 4, 1), "new_due_on")  # 16 days
    assert "企业劳动争议协商调解规定第二十六条" in str(error) and error.source == rules.EXTENSION_SOURCE
    assert "2026-03-31" in str(error)

    case = extend(mediator_user, march_case, D(2026, 3, 26))  # 10 days
    assert case.due_on == D(2026, 3, 26)
    # 10 + 6 = 16 days in all: too many; 10 + 5 = 15: the most allowed.
    refused_extension(mediator_user, case, D(2026, 4, 1), "new_due_on")
    case = extend(mediator_user, case, D(2026, 3, 31))
    assert case.due_on == D(2026, 3, 31)
    assert [(e.previous_due_on, e.new_due_on) for e in case.extensions.all()] == [
        (D(2026, 3, 16), D(2026, 3, 26)),
        (D(2026, 3, 26), D(2026, 3, 31)),
    ]
    assert [h.action for h in case.history.filter(action="extend")] == ["extend", "extend"]
    (row,) = selectors.deadlines(case, today=D(2026, 3, 20))
    assert row["extended_days"] == 15

    # 15 days used: the guard withdraws the action.
    pr = p(mediator_user)
    assert "extend" not in [t.action for t in selectors.available_actions(case, pr)]
    with pytest.raises(InvalidTransition) as exc:
        extend(mediator_user, case, D(2026, 4, 1))
    assert "15" in str(exc.value) and "企业劳动争议协商调解规定第二十六条" in str(exc.value)
    assert Case.objects.get(pk=case.pk).due_on == D(2026, 3, 31)
    assert case.extensions.count() == 2


def test_a_court_case_may_be_extended_beyond_fifteen_days(walk_in, mediator_user):
    case = accepted(walk_in(D(2026, 3, 1), channel=Case.Channel.COURT), mediator_user)
    assert case.due_on == D(2026, 3, 31)
    case = extend(mediator_user, case, D(2026, 4, 30))  # 30 more days
    assert case.due_on == D(2026, 4, 30)
    assert "extend" in [t.action for t in selectors.available_actions(case, p(mediator_user))]
    case = extend(mediator_user, case, D(2026, 5, 15))
    assert case.due_on == D(2026, 5, 15) and case.extensions.count() == 2
    refused_extension(mediator_user, case, D(2026, 5, 15), "new_due_on")


def test_an_extension_clears_the_overdue_flag(march_case, mediator_user):
    services.flag_overdue(today=D(2026, 3, 17))
    assert Case.objects.get(pk=march_case.pk).overdue_notified_on == D(2026, 3, 17)
    case = extend(mediator_user, march_case, D(2026, 3, 25))
    assert case.overdue_notified_on is None


def test_only_a_case_in_mediation_is_extended(walk_in, mediator_user):
    case = walk_in(D(2026, 3, 1))
    with pytest.raises(InvalidTransition):
        extend(mediator_user, case, D(2026, 3, 20))
    assert not case.extensions.exists()


# Transfers restart the clocks -----------------------------------------------------------------------


def test_a_transfer_restarts_the_decision_and_mediation_clocks(
    walk_in, mediator_user, mediator_b_user, med_org_b, monkeypatch
):
    case = accepted(walk_in(D(2026, 9, 1)), mediator_user)
    case = extend(mediator_user, case, D(2026, 9, 20), a_on=D(2026, 9, 5), r_on=D(2026, 9, 5))
    travel(monkeypatch, D(2026, 9, 30))
    case = services.transfer(p(mediator_user), case, to_organisation=med_org_b, reason="移交行业调解")
    assert case.status == Case.Status.RECEIVED
    assert case.organisation == med_org_b and case.mediator is None and case.accepted_on is None
    assert case.received_on == D(2026, 9, 1)  # the application's date does not change
    assert case.clock_starts_on == D(2026, 9, 30)
    assert case.decision_due_on == D(2026, 10, 10)  # 3 working days across National Day
    assert case.due_on == D(2026, 10, 15)  # 15 calendar days from the transfer
    assert rules.base_due_on(case) == D(2026, 10, 15)
    transfer = case.transfers.get()
    assert transfer.transferred_on == D(2026, 9, 30) and transfer.from_organisation_id != med_org_b.pk
    # The new organisation has its own 15 days of extension.
    travel(monkeypatch, D(2026, 10, 12))
    case = accepted(case, mediator_b_user)
    assert case.accepted_on == D(2026, 10, 12)
    case = extend(mediator_b_user, case, D(2026, 10, 30), a_on=D(2026, 10, 12), r_on=D(2026, 10, 12))
    assert case.due_on == D(2026, 10, 30)


def test_a_transferred_court_case_keeps_its_thirty_days(walk_in, mediator_user, med_org_b, monkeypatch):
    case = walk_in(D(2026, 3, 1), channel=Case.Channel.COURT)
    travel(monkeypatch, D(2026, 3, 5))
    case = services.transfer(p(mediator_user), case, to_organisation=med_org_b, reason="移交")
    # 30 days from 5 March end on Saturday 4 April (Qingming): the next working day is 7 April.
    assert case.due_on == D(2026, 4, 7) and case.decision_due_on == D(2026, 3, 10)


# Civil Code art. 203: a calendar-day period ending on a holiday ends on the next working day ------


def test_a_mediation_period_ending_in_the_national_day_holiday_ends_after_it(walk_in, mediator_user):
    """Received 20 September 2026: 15 days end on 5 October, inside the holiday (1-7 October);
    the period ends on Thursday 8 October, and the page says why."""
    case = walk_in(D(2026, 9, 20))
    assert case.due_on == D(2026, 10, 8)
    (decision, period) = selectors.deadlines(case, today=D(2026, 9, 21))
    assert "民法典第二百零三条" in period["source"] and rules.MEDIATION_PERIOD.source in period["source"]
    assert "next working day" in period["unit"]
    assert "民法典" not in decision["source"], "working days need no such rule"


def test_a_court_period_ending_on_new_year_2027_moves_to_monday(walk_in, mediator_user):
    case = walk_in(D(2026, 12, 2), channel=Case.Channel.COURT)  # 30 days: Friday 1 January 2027
    assert case.due_on == D(2027, 1, 4)


def test_the_extension_limit_is_counted_from_receipt_and_ends_on_a_working_day(walk_in, mediator_user):
    """15 + 15 days from Sunday 13 September 2026 end on 13 October (a Tuesday): the most an
    extension may set; once there the action is withdrawn."""
    case = accepted(walk_in(D(2026, 9, 13)), mediator_user)
    assert case.due_on == D(2026, 9, 28)
    assert rules.latest_extension(case) == D(2026, 10, 13)
    refused_extension(mediator_user, case, D(2026, 10, 14), "new_due_on")
    case = extend(mediator_user, case, D(2026, 10, 13))
    assert "extend" not in [t.action for t in selectors.available_actions(case, p(mediator_user))]


def test_the_limitation_year_ending_on_a_holiday_ends_on_the_next_working_day():
    case = Case(received_on=D(2026, 9, 20), infringed_on=D(2025, 10, 3))  # a year: 3 October 2026
    warning = rules.limitation(case, applicants=[], types=["dismissal"])
    assert warning["ends_on"] == D(2026, 10, 8) and warning["level"] == "near"
    assert "民法典第二百零三条" in warning["source"]
