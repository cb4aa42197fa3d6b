"""The certification rules at their boundaries (domain guide §4, programme part 4, the rule set):
group ratio, disclosure, size and age, the ladder and its wait, veto events, one open application
per round, the public notice period, the proposal cut-off, rule set versions and score input."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace as NS

import chinese_calendar
import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone, translation

from apps.audit.models import AuditEvent
from apps.certification import rules, selectors, services
from apps.certification.models import (
    Application,
    Category,
    Certificate,
    GroupMember,
    Item,
    ItemScore,
    Level,
    Round,
    RuleSet,
    VetoEvent,
    VetoRule,
)
from apps.core.errors import DomainError, NotAllowed

from .conftest import build, complete, level, p

pytestmark = pytest.mark.django_db

S = Application.Status
TODAY = timezone.localdate()
PROGRAMME = "harmony certification programme (2022), part 4 (2)"
RULE_SET_V1 = "version 1"


@pytest.fixture(autouse=True)
def _english():
    """The assertions below read the English messages and their sources."""
    with translation.override("en"):
        yield


def problems(app) -> dict:
    """The submission problems, read from a fresh copy (enterprise and group as stored)."""
    return selectors.submission_problems(Application.objects.get(pk=app.pk))


def group(n_reps, n_others):
    members = [{"name": f"职工代表{n}", "role": GroupMember.Role.WORKER_REP} for n in range(n_reps)]
    return members + [
        {"name": f"部门负责人{n}", "role": GroupMember.Role.DEPARTMENT_HEAD} for n in range(n_others)
    ]


@pytest.fixture
def ready(ent_a_old, ent_hr_a, cert_round):
    """A complete level-A draft of ent_a that may be submitted."""
    app = complete(build(ent_hr_a, ent_a_old, cert_round), ent_hr_a)
    assert problems(app) == {}
    return app


def old_round(rule_set, year) -> Round:
    return Round.objects.create(
        rule_set=rule_set,
        name=f"{year}年度（历史）",
        year=year,
        opens_on=dt.date(year, 1, 1),
        closes_on=dt.date(year, 12, 31),
    )


def hold(enterprise, rule_set, code, issued_on) -> Certificate:
    """A valid title held by the enterprise, issued on `issued_on` after a certified application
    in an older round."""
    lv = level(rule_set, code)
    rnd = old_round(rule_set, issued_on.year - 1)
    app = Application.objects.create(
        round=rnd,
        rule_set=rule_set,
        enterprise=enterprise,
        target_level=lv,
        proposed_level=lv,
        status=S.CERTIFIED,
    )
    return Certificate.objects.create(
        number=f"HX{rnd.year}-{code}-0099",
        application=app,
        enterprise=enterprise,
        level=lv,
        round=rnd,
        issuer=rule_set.issuer,
        issued_on=issued_on,
        valid_until=issued_on + relativedelta(years=3) - dt.timedelta(days=1),
    )


# ----------------------------------------------------------------------------- group ratio


@pytest.mark.parametrize(
    ("reps", "total", "ok"),
    [(4, 6, True), (3, 5, False), (2, 3, True), (0, 0, False), (0, 4, False), (5, 5, True), (5, 8, False)],
)
def test_group_ratio_met(rule_set, reps, total, ok):
    assert rules.group_ratio_met(reps, total, rule_set) is ok


@pytest.mark.parametrize(("reps", "others", "ok"), [(4, 2, True), (3, 2, False), (2, 1, True), (0, 0, False)])
def test_group_ratio_on_submission(ready, ent_hr_a, reps, others, ok):
    services.save_group(p(ent_hr_a), ready, group(reps, others))
    found = problems(ready)
    if ok:
        assert "group" not in found
    else:
        (message,) = found["group"]
        assert f"{reps} of {reps + others} group members" in message
        assert "2/3" in message
        assert PROGRAMME in message


def test_union_representatives_count_too(ready, ent_hr_a):
    members = [
        {"name": "工会主席", "role": GroupMember.Role.UNION_REP},
        {"name": "职工代表", "role": GroupMember.Role.WORKER_REP},
        {"name": "总经理", "role": GroupMember.Role.MANAGEMENT},
    ]
    services.save_group(p(ent_hr_a), ready, members)
    assert "group" not in problems(ready)


# ------------------------------------------------------------------------------ disclosure


def post(app, hr, start, end):
    return services.save_disclosure(
        p(hr), app, disclosure_method=Application.Disclosure.POSTED, posted_from=start, posted_to=end
    )


def test_posting_of_15_days_counted_inclusively_passes(ready, ent_hr_a):
    end = TODAY - dt.timedelta(days=1)
    post(ready, ent_hr_a, end - dt.timedelta(days=14), end)
    assert rules.disclosure_days(Application.objects.get(pk=ready.pk)) == 15
    assert "disclosure" not in problems(ready)


def test_posting_of_14_days_is_refused(ready, ent_hr_a):
    end = TODAY - dt.timedelta(days=1)
    post(ready, ent_hr_a, end - dt.timedelta(days=13), end)
    (message,) = problems(ready)["disclosure"]
    assert "posted for 14 day(s); at least 15 days are required" in message
    assert PROGRAMME in message


@pytest.mark.parametrize("end_offset", [0, 1, 10])
def test_posting_not_yet_ended_is_refused(ready, ent_hr_a, end_offset):
    """A posting whose last day is today (or later) is still running: submit after it ends."""
    end = TODAY + dt.timedelta(days=end_offset)
    post(ready, ent_hr_a, end - dt.timedelta(days=20), end)
    (message,) = problems(ready)["disclosure"]
    assert f"The posting ends on {end.isoformat()}; submit after it ends." in message


def congress(app, hr, *, total, present, on=None):
    return services.save_disclosure(
        p(hr),
        app,
        disclosure_method=Application.Disclosure.CONGRESS,
        congress_date=on or TODAY - dt.timedelta(days=3),
        congress_representatives=total,
        congress_attendance=present,
        congress_votes_for=present,
    )


@pytest.mark.parametrize(
    ("total", "present", "ok"), [(30, 20, True), (30, 19, False), (3, 2, True), (4, 2, False)]
)
def test_congress_needs_a_two_thirds_quorum(ready, ent_hr_a, total, present, ok):
    congress(ready, ent_hr_a, total=total, present=present)
    found = problems(ready)
    if ok:
        assert "disclosure" not in found
    else:
        (message,) = found["disclosure"]
        assert f"lacked a quorum: {present} of {total} representatives present" in message
        assert "Democratic Management" in message


def test_congress_in_the_future_is_refused(ready, ent_hr_a):
    on = TODAY + dt.timedelta(days=2)
    congress(ready, ent_hr_a, total=30, present=25, on=on)
    (message,) = problems(ready)["disclosure"]
    assert f"The workers' congress is on {on.isoformat()}; submit after it." in message


def test_no_disclosure_is_refused(ent_a_old, ent_hr_a, cert_round):
    app = build(ent_hr_a, ent_a_old, cert_round)
    (message,) = problems(app)["disclosure"]
    assert "Record how the result was disclosed" in message and PROGRAMME in message


def test_congress_refused_by_a_rule_set_that_requires_posting(rule_set, cert_admin, ent_a_old, ent_hr_a):
    strict = services.new_rule_set_version(p(cert_admin), rule_set, disclosure_congress_allowed=False)
    rnd = Round.objects.create(
        rule_set=strict,
        name="严格公开批次",
        year=TODAY.year,
        opens_on=TODAY - dt.timedelta(days=1),
        closes_on=TODAY + dt.timedelta(days=30),
    )
    app = build(ent_hr_a, ent_a_old, rnd)
    assert app.rule_set == strict
    with pytest.raises(DomainError) as exc:
        congress(app, ent_hr_a, total=30, present=30)
    (message,) = exc.value.fields["disclosure_method"]
    assert "requires posting on the workplace notice board" in message
    assert "version 2" in message
    assert Application.objects.get(pk=app.pk).disclosure_method == ""


# ------------------------------------------------------------------------------ enterprise


@pytest.mark.parametrize(("employees", "ok"), [(10, True), (9, False)])
def test_minimum_employees(ready, ent_a_old, employees, ok):
    ent_a_old.employees = employees
    ent_a_old.save()
    found = problems(ready)
    if ok:
        assert "enterprise" not in found
    else:
        (message,) = found["enterprise"]
        assert "9 employees; at least 10 are required" in message
        assert RULE_SET_V1 in message


@pytest.mark.parametrize(("days_short", "ok"), [(0, True), (1, False)])
def test_one_year_in_operation(ready, ent_a_old, days_short, ok):
    ent_a_old.established_on = TODAY - relativedelta(years=1) + dt.timedelta(days=days_short)
    ent_a_old.save()
    found = problems(ready)
    if ok:
        assert "enterprise" not in found
    else:
        (message,) = found["enterprise"]
        assert f"established on {ent_a_old.established_on.isoformat()}" in message
        assert "operated for 1 year(s)" in message


def test_no_date_of_establishment_is_refused(ready, ent_a_old):
    ent_a_old.established_on = None
    ent_a_old.save()
    (message,) = problems(ready)["enterprise"]
    assert "no date of establishment" in message


@pytest.mark.parametrize("status", ["closed", "moved_out"])
def test_only_operating_enterprises(ready, ent_a_old, status):
    ent_a_old.status = status
    ent_a_old.save()
    (message,) = problems(ready)["enterprise"]
    assert "Only operating enterprises can be certified." in message


# ------------------------------------------------------------------------------ the ladder


def test_first_title_is_a_and_aa_is_refused(ready, ent_hr_a):
    assert "target_level" not in problems(ready)
    services.change_target_level(p(ent_hr_a), ready, level(ready.rule_set, "AA"))
    (message,) = problems(ready)["target_level"]
    assert "one at a time: level AA needs level A first" in message
    assert RULE_SET_V1 in message


def test_aa_after_exactly_twelve_months_at_a(ready, ent_hr_a, ent_a_old, rule_set):
    hold(ent_a_old, rule_set, "A", TODAY - relativedelta(months=12))
    services.change_target_level(p(ent_hr_a), ready, level(rule_set, "AA"))
    assert "target_level" not in problems(ready)


def test_aa_one_day_before_twelve_months_is_refused_with_the_date(ready, ent_hr_a, ent_a_old, rule_set):
    issued = TODAY - relativedelta(months=12) + dt.timedelta(days=1)
    hold(ent_a_old, rule_set, "A", issued)
    services.change_target_level(p(ent_hr_a), ready, level(rule_set, "AA"))
    (message,) = problems(ready)["target_level"]
    ready_on = issued + relativedelta(months=12)
    assert ready_on > TODAY
    assert f"Level AA needs 12 months at level A; that is reached on {ready_on.isoformat()}." in message


def test_holding_a_and_applying_for_a_is_refused(ready, ent_a_old, rule_set):
    cert = hold(ent_a_old, rule_set, "A", TODAY - relativedelta(months=20))
    (message,) = problems(ready)["target_level"]
    assert f"already holds level A (certificate {cert.number})" in message


def test_aaa_while_holding_a_is_refused(ready, ent_hr_a, ent_a_old, rule_set):
    hold(ent_a_old, rule_set, "A", TODAY - relativedelta(months=30))
    services.change_target_level(p(ent_hr_a), ready, level(rule_set, "AAA"))
    (message,) = problems(ready)["target_level"]
    assert "level AAA needs level AA first" in message


def test_a_lapsed_title_no_longer_counts(ready, ent_a_old, rule_set):
    cert = hold(ent_a_old, rule_set, "A", TODAY - relativedelta(months=20))
    Certificate.objects.filter(pk=cert.pk).update(status=Certificate.Status.LAPSED)
    assert "target_level" not in problems(ready)


# ------------------------------------------------------------------------------ veto events


def veto(enterprise, occurred_on, kind="child_labour"):
    return VetoEvent.objects.create(
        enterprise=enterprise,
        kind=kind,
        kind_name="使用童工",
        occurred_on=occurred_on,
        source="柳人社监〔2024〕12号",
    )


def test_veto_event_exactly_24_months_ago_is_inside_the_window(ready, ent_a_old):
    event = veto(ent_a_old, TODAY - relativedelta(months=24))
    (message,) = problems(ready)["veto"]
    assert f"on {event.occurred_on.isoformat()} (柳人社监〔2024〕12号)" in message
    assert "24-month look-back window" in message
    assert RULE_SET_V1 in message
    [(rule, found)] = selectors.vetoes_in_window(ent_a_old, ready.rule_set, TODAY)
    assert rule.code == "child_labour" and found == event


def test_veto_event_one_day_earlier_is_outside(ready, ent_a_old):
    veto(ent_a_old, TODAY - relativedelta(months=24) - dt.timedelta(days=1))
    assert "veto" not in problems(ready)


def test_veto_event_of_a_kind_not_in_the_rule_set_is_ignored(ready, ent_a_old, rule_set):
    assert not rule_set.veto_rules.filter(code="late_filing").exists()
    veto(ent_a_old, TODAY - dt.timedelta(days=30), kind="late_filing")
    assert "veto" not in problems(ready)
    assert selectors.vetoes_in_window(ent_a_old, rule_set, TODAY) == []


def test_future_veto_events_are_ignored(ready, ent_a_old):
    veto(ent_a_old, TODAY + dt.timedelta(days=1))
    assert "veto" not in problems(ready)


def test_another_enterprises_veto_event_is_ignored(ready, ent_b):
    veto(ent_b, TODAY - dt.timedelta(days=30))
    assert "veto" not in problems(ready)


def test_submit_gathers_every_problem_at_once(ent_a_old, ent_hr_a, cert_round):
    app = build(ent_hr_a, ent_a_old, cert_round)
    veto(ent_a_old, TODAY - dt.timedelta(days=30))
    with pytest.raises(DomainError) as exc:
        services.submit(p(ent_hr_a), app)
    assert exc.value.code == "not_eligible"
    assert {"scores", "evidence", "group", "disclosure", "veto"} <= set(exc.value.fields)
    assert Application.objects.get(pk=app.pk).status == S.DRAFT


# ------------------------------------------------------------------------------ rounds


def test_one_open_application_per_round(ent_a_old, ent_hr_a, cert_round):
    first = build(ent_hr_a, ent_a_old, cert_round)
    with pytest.raises(DomainError) as exc:
        build(ent_hr_a, ent_a_old, cert_round)
    (message,) = exc.value.fields["round"]
    assert "already has an open application in this round" in message
    assert RULE_SET_V1 in message
    services.withdraw(p(ent_hr_a), first)
    second = build(ent_hr_a, ent_a_old, cert_round)
    assert second.status == S.DRAFT
    assert Application.objects.filter(enterprise=ent_a_old, round=cert_round).count() == 2


@pytest.mark.parametrize(
    ("opens", "closes"),
    [(-60, -1), (1, 30)],
    ids=["closed", "not-yet-open"],
)
def test_create_outside_the_round_is_refused(rule_set, ent_a_old, ent_hr_a, opens, closes):
    rnd = Round.objects.create(
        rule_set=rule_set,
        name="测试批次",
        year=TODAY.year,
        opens_on=TODAY + dt.timedelta(days=opens),
        closes_on=TODAY + dt.timedelta(days=closes),
    )
    with pytest.raises(DomainError) as exc:
        build(ent_hr_a, ent_a_old, rnd)
    (message,) = exc.value.fields["round"]
    assert f"takes applications from {rnd.opens_on.isoformat()} to {rnd.closes_on.isoformat()}" in message
    assert not Application.objects.filter(round=rnd).exists()


def test_level_of_another_rule_set_is_refused(rule_set, cert_admin, ent_a_old, ent_hr_a, cert_round):
    other = services.new_rule_set_version(p(cert_admin), rule_set)
    with pytest.raises(DomainError) as exc:
        services.create_application(
            p(ent_hr_a), enterprise=ent_a_old, round=cert_round, target_level=level(other, "A")
        )
    assert "target_level" in exc.value.fields


# ------------------------------------------------------------------------------ notice period


def test_five_working_days_from_a_monday_end_on_friday(rule_set):
    assert rules.notice_period(rule_set, dt.date(2026, 3, 9)) == (dt.date(2026, 3, 13), False)


def test_notice_across_the_2026_national_day_holiday(rule_set):
    # The official 2026 schedule: 1–7 October off, Saturday 10 October a make-up working day.
    assert all(not chinese_calendar.is_workday(dt.date(2026, 10, d)) for d in range(1, 8))
    assert chinese_calendar.is_workday(dt.date(2026, 10, 10))
    assert not chinese_calendar.is_workday(dt.date(2026, 10, 11))
    # 30 Sep (1), 8 Oct (2), 9 Oct (3), Sat 10 Oct (4), 12 Oct (5).
    assert rules.notice_period(rule_set, dt.date(2026, 9, 30)) == (dt.date(2026, 10, 12), False)


def test_notice_from_a_saturday_starts_counting_on_monday(rule_set):
    assert rules.notice_period(rule_set, dt.date(2026, 3, 7)) == (dt.date(2026, 3, 13), False)


def test_notice_in_calendar_days(rule_set, cert_admin):
    calendar = services.new_rule_set_version(p(cert_admin), rule_set, notice_unit="calendar_days")
    start = dt.date(2026, 9, 30)
    # Five days from 30 September end on 4 October, in the National Day holiday: the notice runs
    # to the next working day, 8 October (民法典 art. 203), so objections can be lodged.
    assert rules.notice_period(calendar, start) == (dt.date(2026, 10, 8), False)
    assert rules.notice_period(calendar, dt.date(2026, 3, 7))[0] == dt.date(2026, 3, 11)


# ------------------------------------------------------------------------------ proposal


def under_review(app, hr, admin):
    app = services.submit(p(hr), app)
    return services.start_review(p(admin), app)


def review_totalling(app, admin, total) -> Application:
    """Review every item so that the reviewed score is exactly `total`."""
    remaining = Decimal(total)
    scores = {}
    for item in Item.objects.filter(category__rule_set=app.rule_set).order_by("category__order", "order"):
        given = min(item.max_points, remaining)
        scores[str(item.pk)] = {"score": given}
        remaining -= given
    app = services.save_review_scores(p(admin), app, scores)
    assert app.reviewed_score == Decimal(total)
    return app


def test_proposal_below_the_cut_off_is_refused(ready, ent_hr_a, cert_admin):
    app = review_totalling(under_review(ready, ent_hr_a, cert_admin), cert_admin, "79.9")
    with pytest.raises(DomainError) as exc:
        services.propose(p(cert_admin), app)
    message = str(exc.value)
    assert "The reviewed score 79.9 does not reach the cut-off of level A (80.0)" in message
    assert RULE_SET_V1 in message
    assert exc.value.code == "not_eligible"
    assert Application.objects.get(pk=app.pk).status == S.UNDER_REVIEW


def test_proposal_at_the_cut_off(ready, ent_hr_a, cert_admin):
    app = review_totalling(under_review(ready, ent_hr_a, cert_admin), cert_admin, "80.0")
    app = services.propose(p(cert_admin), app)
    assert app.status == S.PROPOSED
    assert app.proposed_level.code == "A"


def test_proposal_refused_while_not_every_item_is_reviewed(ready, ent_hr_a, cert_admin):
    app = review_totalling(under_review(ready, ent_hr_a, cert_admin), cert_admin, "95")
    ItemScore.objects.filter(application=app).filter(pk=app.scores.first().pk).update(review_score=None)
    with pytest.raises(DomainError) as exc:
        services.propose(p(cert_admin), app)
    assert "Score every item" in str(exc.value)


def test_proposal_refused_for_a_veto_event_after_submission(ready, ent_hr_a, ent_a_old, cert_admin):
    app = review_totalling(under_review(ready, ent_hr_a, cert_admin), cert_admin, "95")
    veto(ent_a_old, TODAY - dt.timedelta(days=2))
    with pytest.raises(DomainError) as exc:
        services.propose(p(cert_admin), app)
    assert "Veto event" in str(exc.value) and "look-back window" in str(exc.value)


@pytest.mark.parametrize(
    ("target", "score", "expected"),
    [
        ("A", "95", "A"),
        ("A", "80", "A"),
        ("A", "79.9", None),
        ("AA", "84", "A"),
        ("AA", "85", "AA"),
        ("AA", "99", "AA"),
        ("AAA", "90", "AAA"),
        ("AAA", "89.9", "AA"),
    ],
)
def test_level_reached_never_exceeds_the_target(rule_set, target, score, expected):
    app = Application(rule_set=rule_set, target_level=level(rule_set, target), reviewed_score=Decimal(score))
    reached = rules.level_reached(app)
    assert (reached.code if reached else None) == expected


def test_level_reached_needs_a_reviewed_score(rule_set):
    assert rules.level_reached(Application(rule_set=rule_set, target_level=level(rule_set, "A"))) is None


def test_aa_reviewed_at_84_while_holding_a_is_refused(ent_a_old, ent_hr_a, cert_round, cert_admin, rule_set):
    hold(ent_a_old, rule_set, "A", TODAY - relativedelta(months=13))
    app = complete(build(ent_hr_a, ent_a_old, cert_round, "AA"), ent_hr_a)
    app = review_totalling(under_review(app, ent_hr_a, cert_admin), cert_admin, "84")
    with pytest.raises(DomainError) as exc:
        services.propose(p(cert_admin), app)
    assert "does not reach the cut-off of level AA (85.0)" in str(exc.value)


# ------------------------------------------------------------------------------ rule sets


def test_the_default_rule_set(rule_set):
    assert rules.rule_set_problems(rule_set) == []
    assert list(rule_set.levels.values_list("rank", "code", "min_score", "months_at_lower")) == [
        (1, "A", Decimal("80.0"), 12),
        (2, "AA", Decimal("85.0"), 12),
        (3, "AAA", Decimal("90.0"), 12),
    ]
    vetoes = list(rule_set.veto_rules.values_list("lookback_months", flat=True))
    assert vetoes == [24] * 6
    assert (rule_set.group_ratio_numerator, rule_set.group_ratio_denominator) == (2, 3)
    assert rule_set.disclosure_min_days == 15
    assert rule_set.disclosure_congress_allowed is True
    assert (rule_set.notice_length, rule_set.notice_unit) == (5, "working_days")
    assert (rule_set.min_employees, rule_set.min_years_operating) == (10, 1)
    assert (rule_set.validity_years, rule_set.report_grace_days) == (3, 30)
    assert rule_set.max_points == 100


def test_new_version_copies_everything(rule_set, cert_admin):
    copy = services.new_rule_set_version(p(cert_admin), rule_set, disclosure_min_days=20)
    assert copy.pk != rule_set.pk
    assert (copy.region, copy.year, copy.version) == (rule_set.region, rule_set.year, 2)
    assert copy.disclosure_min_days == 20
    rule_set.refresh_from_db()
    assert rule_set.disclosure_min_days == 15 and rule_set.version == 1

    def levels(rs):
        return list(rs.levels.values_list("rank", "code", "name", "min_score", "months_at_lower"))

    def vetoes(rs):
        return list(rs.veto_rules.values_list("order", "code", "name", "lookback_months"))

    def form(rs):
        return list(
            Item.objects.filter(category__rule_set=rs)
            .order_by("category__order", "order")
            .values_list("category__code", "code", "text", "max_points", "evidence_required")
        )

    assert levels(copy) == levels(rule_set)
    assert vetoes(copy) == vetoes(rule_set)
    assert form(copy) == form(rule_set)
    assert list(copy.categories.values_list("code", flat=True)) == list(
        rule_set.categories.values_list("code", flat=True)
    )
    assert copy.max_points == rule_set.max_points == 100
    assert rules.rule_set_problems(copy) == []
    # The copies are new rows; the original keeps its own.
    assert not Level.objects.filter(rule_set=copy, pk__in=rule_set.levels.values("pk")).exists()
    assert (
        Category.objects.filter(rule_set=rule_set).count() == Category.objects.filter(rule_set=copy).count()
    )
    assert VetoRule.objects.filter(rule_set=rule_set).count() == 6
    assert AuditEvent.objects.for_object(copy).filter(action="certification.new_rule_set_version").exists()
    # Copying an older version still numbers after the latest.
    assert services.new_rule_set_version(p(cert_admin), rule_set).version == 3


def test_only_park_administrators_version_rule_sets(rule_set, ent_hr_a):
    with pytest.raises(NotAllowed):
        services.new_rule_set_version(p(ent_hr_a), rule_set)
    assert RuleSet.objects.count() == 1


def test_a_form_totalling_99_is_a_problem(rule_set, cert_admin):
    copy = services.new_rule_set_version(p(cert_admin), rule_set)
    item = Item.objects.filter(category__rule_set=copy).order_by("category__order", "order").first()
    item.max_points -= 1
    item.save()
    (message,) = rules.rule_set_problems(copy)
    assert "totals 99.0 points; it must total 100" in message


def test_levels_with_falling_cut_offs_are_a_problem(rule_set, cert_admin):
    copy = services.new_rule_set_version(p(cert_admin), rule_set)
    copy.levels.filter(code="AAA").update(min_score=Decimal("84"))
    assert any("higher score cut-off" in m for m in rules.rule_set_problems(copy))


# ------------------------------------------------------------------------------ score input


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("6.1", "between 0 and 6"),
        ("-1", "between 0 and 6"),
        ("abc", "Enter a number."),
        ("1e400", "Enter a number."),
    ],
)
def test_self_scores_are_all_or_nothing(ent_a_old, ent_hr_a, cert_round, value, text):
    app = build(ent_hr_a, ent_a_old, cert_round)
    bad = Item.objects.filter(category__rule_set=app.rule_set, max_points=6).first()
    good = Item.objects.filter(category__rule_set=app.rule_set).exclude(pk=bad.pk).first()
    with pytest.raises(DomainError) as exc:
        services.save_self_scores(
            p(ent_hr_a), app, {str(good.pk): {"score": "3"}, str(bad.pk): {"score": value, "note": "x"}}
        )
    assert list(exc.value.fields) == [f"item_{bad.pk}"]
    assert text in exc.value.fields[f"item_{bad.pk}"][0]
    assert not ItemScore.objects.filter(application=app, self_score__isnull=False).exists()
    assert not ItemScore.objects.filter(application=app).exclude(self_note="").exists()
    assert Application.objects.get(pk=app.pk).self_score == 0


def test_self_scores_at_the_bounds_are_saved(ent_a_old, ent_hr_a, cert_round):
    app = build(ent_hr_a, ent_a_old, cert_round)
    item = Item.objects.filter(category__rule_set=app.rule_set, max_points=6).first()
    other = Item.objects.filter(category__rule_set=app.rule_set).exclude(pk=item.pk).first()
    app = services.save_self_scores(
        p(ent_hr_a), app, {str(item.pk): {"score": "6"}, str(other.pk): {"score": "0"}}
    )
    assert app.self_score == Decimal("6")
    assert ItemScore.objects.get(application=app, item=item).self_score == Decimal("6.0")
    assert ItemScore.objects.get(application=app, item=other).self_score == Decimal("0")


def test_an_item_of_another_form_is_refused(ent_a_old, ent_hr_a, cert_round, cert_admin, rule_set):
    app = build(ent_hr_a, ent_a_old, cert_round)
    copy = services.new_rule_set_version(p(cert_admin), rule_set)
    foreign = Item.objects.filter(category__rule_set=copy).first()
    with pytest.raises(DomainError) as exc:
        services.save_self_scores(p(ent_hr_a), app, {str(foreign.pk): {"score": "1"}})
    assert f"item_{foreign.pk}" in exc.value.fields


def test_states_of_reports_notices_and_titles_are_plain_rules():
    """The pages' badges read these rules (they were computed in the views and templates)."""
    today = dt.date(2026, 6, 15)
    due = dt.date(2026, 6, 30)
    report = NS(submitted_at=None, due_on=due)
    assert rules.report_state(report, 30, dt.date(2026, 5, 30)) == "upcoming"
    assert rules.report_state(report, 30, dt.date(2026, 5, 31)) == "open"  # the anniversary
    assert rules.report_state(report, 30, today) == "open"
    assert rules.report_state(report, 30, due) == "open" and not rules.report_overdue(report, due)
    assert rules.report_state(report, 30, due + dt.timedelta(days=1)) == "overdue"
    assert rules.report_state(NS(submitted_at=today, due_on=due), 30, dt.date(2027, 1, 1)) == "submitted"

    notice = NS(closed_at=None, starts_on=today, ends_on=today + dt.timedelta(days=4))
    assert rules.notice_state(notice, today - dt.timedelta(days=1)) == "upcoming"
    assert rules.notice_state(notice, today + dt.timedelta(days=4)) == "running"
    assert rules.notice_state(notice, today + dt.timedelta(days=5)) == "ended"
    notice.closed_at = today
    assert rules.notice_state(notice, today) == "closed"

    valid = NS(status="valid", issued_on=today, valid_until=dt.date(2029, 6, 14))
    assert rules.verification_state(valid, today) == "valid"
    assert rules.verification_state(valid, today - dt.timedelta(days=1)) == "not_yet_valid"
    assert rules.verification_state(valid, dt.date(2029, 6, 15)) == "expired"
    assert (
        rules.verification_state(NS(status="revoked", issued_on=today, valid_until=today), today) == "revoked"
    )
    rs = NS(validity_years=3, report_grace_days=30)
    assert rules.valid_until(rs, today) == dt.date(2029, 6, 14)
    assert rules.report_due_on(rs, today, 1) == dt.date(2027, 7, 15)
