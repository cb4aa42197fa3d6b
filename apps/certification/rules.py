"""Where the certification rules come from, and the rules themselves.

Almost every number in harmony certification is local policy, held per region and year in a
`RuleSet` (domain guide §4). The defaults shipped in migration 0002 follow the park's programme:

- 柳东新区劳动关系和谐企业认定工作方案 (柳东新区管委会办公室, 2022-06-17), 四、工作步骤 (二):
  the self-evaluation group is made up of the enterprise, department heads, union representatives
  and worker representatives, the union and worker representatives being **no fewer than 2/3**;
  the result is disclosed under 厂务公开 or reported to the workers' congress before submission.
- Same programme, 四、(三): those proposed are publicly noticed online and offline and open to
  objections from anyone.
- 广西壮族自治区劳动关系和谐单位认定办法（试行）(桂人社规〔2018〕4号): the levels, the veto
  catalogue (一票否决) and the scoring form on which the park's form is based.

The constants below name these sources so the messages a refused user sees can cite them. The
functions are the calculations over a given rule set and the predicates on values: they write
nothing and read nothing but the rule set (and the application) they are handed; what they need
from other tables (the title held, veto events) the selectors read and pass in.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.calendar import Deadline, DeadlineUnit, is_working_day
from apps.enterprises.choices import Status as EnterpriseStatus
from apps.unions import rules as union_rules

from .models import Application, Certificate, FactTest, GroupMember, Item

SOURCE_PROGRAMME = gettext_lazy("Liudong harmony certification programme (2022), part 4 (2)")
SOURCE_NOTICE = gettext_lazy("Liudong harmony certification programme (2022), part 4 (3)")
SOURCE_RULE_SET = gettext_lazy("certification rule set %(name)s")
#: The same sources in English, for the API's descriptions (read by integrators; not translated).
SOURCE_PROGRAMME_EN = "Liudong harmony certification programme (2022), part 4 (2)"
SOURCE_NOTICE_EN = "Liudong harmony certification programme (2022), part 4 (3)"
SOURCE_GUANGXI_EN = (
    "Guangxi measures for certifying harmonious labour-relations units (trial), 桂人社规〔2018〕4号: "
    "the levels and the veto catalogue"
)

#: Evidence files: what HR may upload and how large.
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

#: The fields of the disclosure of the self-evaluation result before submission (programme part 4 (2)).
DISCLOSURE_FIELDS = (
    "disclosure_method",
    "posted_from",
    "posted_to",
    "congress_date",
    "congress_attendance",
    "congress_representatives",
    "congress_votes_for",
    "summary",
)

#: Labels used by pages for the submission checklist keys (`submission_problems`).
PROBLEM_LABELS = {
    "scores": gettext_lazy("Scores"),
    "evidence": gettext_lazy("Evidence"),
    "group": gettext_lazy("Self-evaluation group"),
    "disclosure": gettext_lazy("Disclosure"),
    "enterprise": gettext_lazy("Enterprise"),
    "target_level": gettext_lazy("Level applied for"),
    "veto": gettext_lazy("Veto events"),
    "round": gettext_lazy("Round"),
}


# Messages and their sources -----------------------------------------------------------------------


def with_source(message, source) -> str:
    return f"{message} ({source})"


def rule_set_source(rule_set) -> str:
    return _("rule set “%(name)s”, version %(version)s") % {
        "name": rule_set.name,
        "version": rule_set.version,
    }


# The rule set itself ------------------------------------------------------------------------------


def rule_set_problems(rule_set) -> list[str]:
    """What makes a rule set unusable: levels not ranked 1..n with rising cut-offs, a scoring form
    that does not total 100, no categories."""
    problems = []
    levels = list(rule_set.levels.order_by("rank"))
    if not levels:
        problems.append(_("The rule set has no levels."))
    if [lv.rank for lv in levels] != list(range(1, len(levels) + 1)):
        problems.append(_("Levels must be ranked 1, 2, 3… without gaps."))
    cutoffs = [lv.min_score for lv in levels]
    if cutoffs != sorted(cutoffs) or len(set(cutoffs)) != len(cutoffs):
        problems.append(_("Each level needs a higher score cut-off than the level below."))
    total = sum(
        Item.objects.filter(category__rule_set=rule_set).values_list("max_points", flat=True), Decimal(0)
    )
    if total != 100:
        problems.append(_("The scoring form totals %(total)s points; it must total 100.") % {"total": total})
    return problems


# Scores -------------------------------------------------------------------------------------------


def parse_score(value, field: str, errors: dict, *, maximum: Decimal) -> Decimal | None:
    """A score from 0 to the item's maximum, in tenths of a point; None when blank. A bad value adds
    its message to `errors[field]` and gives None."""
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    if number < 0 or number > maximum:
        errors.setdefault(field, []).append(
            _("Enter a score between 0 and %(max)s.") % {"max": f"{maximum.normalize():f}"}
        )
        return None
    return number


def level_reached(application):
    """The highest level whose cut-off the reviewed score reaches, never above the level applied for."""
    if application.reviewed_score is None:
        return None
    return (
        application.rule_set.levels.filter(
            min_score__lte=application.reviewed_score, rank__lte=application.target_level.rank
        )
        .order_by("-rank")
        .first()
    )


# Self-scores against the platform's facts (issue 17; domain guide §9) -----------------------------

SOURCE_FACTS = gettext_lazy("the platform's records (domain guide §9)")

#: The states of a self-score checked against a fact.
AGREE, DISAGREE, UNKNOWN = "agree", "disagree", "unknown"

FACT_STATE_LABELS = {
    AGREE: gettext_lazy("agrees with the record"),
    DISAGREE: gettext_lazy("disagrees with the record"),
    UNKNOWN: gettext_lazy("the platform cannot check"),
}


@dataclass(frozen=True)
class FactCheck:
    """A self-score beside the fact that checks its item: `state` is agree, disagree or unknown,
    `passes` whether the fact meets the item's test (None when the platform cannot tell),
    `rule` the test in words ("contract signing rate ≥ 100"), `message` what the reviewer reads."""

    state: str
    passes: bool | None
    rule: str
    message: str

    @property
    def disagrees(self) -> bool:
        return self.state == DISAGREE

    @property
    def label(self) -> str:
        return str(FACT_STATE_LABELS[self.state])


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def fact_passes(test: str, value, threshold) -> bool | None:
    """Whether a fact's `value` meets the item's test; None when the value cannot be tested (no
    figure, or not the type the test needs)."""
    if value is None:
        return None
    if test in (FactTest.IS_TRUE, FactTest.IS_FALSE):
        if not isinstance(value, bool):
            return None
        return value if test == FactTest.IS_TRUE else not value
    number = _number(value)
    if number is None:
        return None
    if test == FactTest.EQUALS_ZERO:
        return number == 0
    limit = _number(threshold)
    if limit is None:
        return None
    if test == FactTest.AT_LEAST:
        return number >= limit
    if test == FactTest.AT_MOST:
        return number <= limit
    return None


def _threshold_text(threshold) -> str:
    number = _number(threshold)
    return f"{number.normalize():f}" if number is not None else "—"


def fact_rule(item, label: str = "") -> str:
    """The item's test in words, e.g. "labour contract signing rate ≥ 100"."""
    name = label or item.fact_code
    test = item.fact_test
    if test == FactTest.AT_LEAST:
        return f"{name} ≥ {_threshold_text(item.fact_threshold)}"
    if test == FactTest.AT_MOST:
        return f"{name} ≤ {_threshold_text(item.fact_threshold)}"
    if test == FactTest.EQUALS_ZERO:
        return f"{name} = 0"
    if test == FactTest.IS_TRUE:
        return _("%(fact)s: yes") % {"fact": name}
    if test == FactTest.IS_FALSE:
        return _("%(fact)s: no") % {"fact": name}
    return name


def unknown_fact_codes(items, known: set[str] | None) -> list[str]:
    """A warning for each item mapped to a fact code no installed module provides (`known`; None:
    cannot tell): the platform cannot check such an item until a module provides the fact."""
    if known is None:
        return []
    return [
        _("Item “%(item)s”: no module provides the fact “%(code)s”; the platform cannot check it.")
        % {"item": item.code, "code": item.fact_code}
        for item in items
        if item.fact_code and item.fact_code not in known
    ]


def _points(value) -> str:
    return f"{Decimal(value).normalize():f}"


def check_self_score(item, self_score, fact) -> FactCheck:
    """Judge a self-score of `item` against the platform's `fact` (an `apps.core.facts.Fact`, or
    None when no module provides the item's fact code).

    - unknown: the item has no fact, no module provides it, or the fact has no value (e.g. the
      registry has no employee count), or the item is not scored yet;
    - disagree: full points claimed while the record fails the item's test, or no points given
      while the record meets it;
    - agree: otherwise (fewer than full points while the record fails it is the enterprise's own
      deduction; partial points while it passes may reflect what the platform does not see)."""
    if not item.fact_code:
        return FactCheck(UNKNOWN, None, "", _("The platform cannot check this item."))
    rule = fact_rule(item, str(fact.label) if fact is not None else "")
    if fact is None:
        return FactCheck(
            UNKNOWN,
            None,
            rule,
            _("The platform cannot check this item: no module provides “%(code)s”.")
            % {"code": item.fact_code},
        )
    passes = fact_passes(item.fact_test, fact.value, item.fact_threshold)
    if passes is None:
        return FactCheck(
            UNKNOWN,
            None,
            rule,
            _("The platform cannot tell: %(display)s") % {"display": fact.display or "—"},
        )
    if self_score is None:
        return FactCheck(
            UNKNOWN,
            passes,
            rule,
            (
                _("Not scored yet; the record meets the rule %(rule)s.")
                if passes
                else _("Not scored yet; the record fails the rule %(rule)s.")
            )
            % {"rule": rule},
        )
    values = {
        "score": _points(self_score),
        "max": _points(item.max_points),
        "rule": rule,
        "display": fact.display,
    }
    if not passes and Decimal(self_score) >= item.max_points:
        return FactCheck(
            DISAGREE,
            passes,
            rule,
            _(
                "Full points (%(score)s of %(max)s) claimed, but the platform's record fails the rule "
                "%(rule)s: %(display)s"
            )
            % values,
        )
    if passes and Decimal(self_score) == 0:
        return FactCheck(
            DISAGREE,
            passes,
            rule,
            _("No points given, but the platform's record meets the rule %(rule)s: %(display)s") % values,
        )
    if passes:
        return FactCheck(AGREE, passes, rule, _("The record meets the rule %(rule)s.") % values)
    return FactCheck(
        AGREE,
        passes,
        rule,
        _("%(score)s of %(max)s points: the record fails the rule %(rule)s, and full points are not claimed.")
        % values,
    )


# Eligibility --------------------------------------------------------------------------------------


def group_ratio_met(representatives: int, total: int, rule_set) -> bool:
    """representatives / total ≥ numerator / denominator, in integers (no rounding at 2/3)
    (programme part 4 (2): union and worker representatives no fewer than 2/3 of the group)."""
    return (
        total > 0
        and representatives * rule_set.group_ratio_denominator >= total * rule_set.group_ratio_numerator
    )


def disclosure_days(application) -> int:
    """Calendar days of the posting, counting both the first and the last day."""
    if not (application.posted_from and application.posted_to):
        return 0
    return (application.posted_to - application.posted_from).days + 1


def vetoes_in_window(veto_rules, events, on: dt.date) -> list:
    """(rule, event) for each of `events` (veto events up to `on`) that lies within its kind's
    look-back window ending on `on` (domain guide §4: 24 months by default). The window includes
    its first day: an event exactly 24 months before is still inside it."""
    found = []
    for rule in veto_rules:
        start = on - relativedelta(months=rule.lookback_months)
        found += [(rule, e) for e in events if e.kind == rule.code and e.occurred_on >= start]
    return found


def submission_problems(
    application, on: dt.date, *, scores, evidenced, members, held, vetoes, another_open: bool
) -> dict[str, list[str]]:
    """Every reason the application may not be submitted on `on`, keyed by what it concerns, each
    message ending with its source. Empty when it may. What it needs beyond the application is
    read by `selectors.submission_problems`: its score rows (with their items), the ids of the
    items with evidence, the group, the title held on `on`, the veto events in their window, and
    whether another application of the enterprise is open in the round."""
    app = application
    rs = app.rule_set
    rs_source = rule_set_source(rs)
    problems: dict[str, list[str]] = {}

    def add(key, message, source=rs_source):
        problems.setdefault(key, []).append(with_source(message, source))

    # Complete form.
    unscored = [s for s in scores if s.self_score is None]
    if unscored:
        add("scores", _("%(n)s item(s) have no score yet.") % {"n": len(unscored)})
    missing = [s for s in scores if s.item.evidence_required and s.item_id not in evidenced]
    if missing:
        add(
            "evidence",
            _("%(n)s item(s) need evidence: %(items)s.")
            % {
                "n": len(missing),
                "items": "; ".join(s.item.text for s in missing[:3]) + ("…" if len(missing) > 3 else ""),
            },
        )

    # The self-evaluation group: union + worker representatives ≥ 2/3 (programme part 4 (2)).
    reps = sum(1 for m in members if m.role in GroupMember.REPRESENTATIVES)
    if not group_ratio_met(reps, len(members), rs):
        add(
            "group",
            _(
                "Union and worker representatives are %(reps)s of %(total)s group members; at least "
                "%(num)s/%(den)s are required."
            )
            % {
                "reps": reps,
                "total": len(members),
                "num": rs.group_ratio_numerator,
                "den": rs.group_ratio_denominator,
            },
            SOURCE_PROGRAMME,
        )

    # Disclosure before submission (programme part 4 (2)).
    if app.disclosure_method == Application.Disclosure.POSTED:
        days = disclosure_days(app)
        if days < rs.disclosure_min_days:
            add(
                "disclosure",
                _("The result was posted for %(days)s day(s); at least %(min)s days are required.")
                % {"days": days, "min": rs.disclosure_min_days},
                SOURCE_PROGRAMME,
            )
        elif app.posted_to and app.posted_to >= on:  # the last day of the posting must be over
            add(
                "disclosure",
                _("The posting ends on %(date)s; submit after it ends.") % {"date": app.posted_to},
            )
    elif app.disclosure_method == Application.Disclosure.CONGRESS and rs.disclosure_congress_allowed:
        if app.congress_date and app.congress_date > on:
            add(
                "disclosure",
                _("The workers' congress is on %(date)s; submit after it.") % {"date": app.congress_date},
            )
        if not union_rules.congress_quorate(app.congress_representatives or 0, app.congress_attendance or 0):
            add(
                "disclosure",
                _(
                    "The workers' congress lacked a quorum: %(present)s of %(total)s representatives present, 2/3 required."
                )
                % {"present": app.congress_attendance or 0, "total": app.congress_representatives or 0},
                union_rules.CONGRESS_QUORUM_SOURCE,
            )
    else:
        add(
            "disclosure",
            _(
                "Record how the result was disclosed: posted on the workplace notice board (open factory "
                "affairs), or reported to the workers' congress."
            ),
            SOURCE_PROGRAMME,
        )

    # Eligibility of the enterprise.
    ent = app.enterprise
    if ent.status != EnterpriseStatus.OPERATING:
        add("enterprise", _("Only operating enterprises can be certified."))
    if ent.employees < rs.min_employees:
        add(
            "enterprise",
            _("The enterprise has %(n)s employees; at least %(min)s are required.")
            % {"n": ent.employees, "min": rs.min_employees},
        )
    if ent.established_on is None:
        add(
            "enterprise",
            _("The registry has no date of establishment for the enterprise; ask the park to add it."),
        )
    elif ent.established_on + relativedelta(years=rs.min_years_operating) > on:
        add(
            "enterprise",
            _("The enterprise was established on %(date)s; it must have operated for %(years)s year(s).")
            % {"date": ent.established_on, "years": rs.min_years_operating},
        )

    # The ladder: one level at a time, after the wait at the level below.
    held_rank = held.level.rank if held else 0
    target = app.target_level
    if target.rank <= held_rank:
        add(
            "target_level",
            _("The enterprise already holds level %(held)s (certificate %(number)s).")
            % {"held": held.level.code, "number": held.number},
        )
    elif target.rank > held_rank + 1:
        below = rs.levels.filter(rank=target.rank - 1).first()
        add(
            "target_level",
            _("Levels are climbed one at a time: level %(target)s needs level %(below)s first.")
            % {"target": target.code, "below": below.code if below else "—"},
        )
    elif held is not None:
        ready_on = held.issued_on + relativedelta(months=target.months_at_lower)
        if ready_on > on:
            add(
                "target_level",
                _("Level %(target)s needs %(months)s months at level %(held)s; that is reached on %(date)s.")
                % {
                    "target": target.code,
                    "months": target.months_at_lower,
                    "held": held.level.code,
                    "date": ready_on,
                },
            )

    # Veto events (一票否决) in their look-back window.
    for rule, event in vetoes:
        add(
            "veto",
            _(
                "Veto event “%(kind)s” on %(date)s (%(source)s) lies within the %(months)s-month look-back window."
            )
            % {
                "kind": rule.name,
                "date": event.occurred_on,
                "source": event.source,
                "months": rule.lookback_months,
            },
        )

    # One open application per enterprise and round.
    if another_open:
        add("round", _("The enterprise already has an open application in this round."))
    return problems


# Public notice ------------------------------------------------------------------------------------


def notice_period(rule_set, starts_on: dt.date) -> tuple[dt.date, bool]:
    """Last day of a notice starting on `starts_on` and lasting the rule set's length, the first
    day counted (5 working days from a Monday end on Friday) (programme part 4 (3)). A notice in
    calendar days whose last day is a holiday or rest day runs to the next working day (民法典
    art. 203), so that an objection can be lodged on its last day. Also whether the holiday
    calendar used is an estimate."""
    days = rule_set.notice_length
    if rule_set.notice_unit == DeadlineUnit.WORKING_DAYS:
        first_counts = is_working_day(starts_on)
        due = Deadline(days - 1 if first_counts else days, DeadlineUnit.WORKING_DAYS).due(starts_on)
    else:
        due = Deadline(days - 1, DeadlineUnit.CALENDAR_DAYS).due(starts_on)
    return due.date, due.estimated


def notice_state(notice, today: dt.date) -> str:
    """closed (by the daily job); upcoming; running (until its last day); ended, not yet closed."""
    if notice.closed_at:
        return "closed"
    if notice.starts_on > today:
        return "upcoming"
    if notice.ends_on >= today:
        return "running"
    return "ended"


# Certificates and annual reports --------------------------------------------------------------------


def add_years(day: dt.date, years: int) -> dt.date:
    return day + relativedelta(years=years)


def valid_until(rule_set, issued_on: dt.date) -> dt.date:
    """The last day of a title issued on `issued_on`: the rule set's years of validity (domain
    guide §4, renewal)."""
    return add_years(issued_on, rule_set.validity_years) - dt.timedelta(days=1)


def report_due_on(rule_set, issued_on: dt.date, year_no: int) -> dt.date:
    """The annual report of year `year_no` of a title is due the rule set's grace days after that
    anniversary (domain guide §4, renewal)."""
    return add_years(issued_on, year_no) + dt.timedelta(days=rule_set.report_grace_days)


def report_overdue(report, today: dt.date) -> bool:
    """Not handed in by its due date (the daily job lapses the title)."""
    return not report.submitted_at and report.due_on < today


def report_state(report, grace_days: int, today: dt.date) -> str:
    """submitted; overdue (due date passed); open (the anniversary has come); upcoming."""
    if report.submitted_at:
        return "submitted"
    if report_overdue(report, today):
        return "overdue"
    if report.due_on - dt.timedelta(days=grace_days) <= today:
        return "open"
    return "upcoming"


#: The longest certificate number (`Certificate.number`).
CERTIFICATE_NUMBER_MAX = 40
#: What a certificate number is made of once normalised: letters (of any script: a region's
#: prefix may be Chinese), digits, "-" and "_". Anything else ("/", "?", "%"...) is not one.
_CERTIFICATE_NUMBER = re.compile(r"[\w-]+")
#: Dashes typed instead of "-" (read off a printed certificate, typed with a Chinese keyboard).
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63", "-"))


def normal_certificate_number(typed: str) -> str:
    """A certificate number as someone typed it, in the form numbers are issued: full-width
    characters folded (NFKC: "ＨＸ２０２６－Ａ" is "HX2026-A"), every dash "-", every space
    (inner ones too) removed, upper case. Issued numbers are upper case
    (`services.certificates`); the verification page looks them up upper-cased."""
    text = unicodedata.normalize("NFKC", typed or "").translate(_DASHES)
    return "".join(text.split()).upper()


def certificate_number_problem(number: str) -> str | None:
    """Why a (normalised) number cannot be a certificate number, or None: empty, too long, or
    with characters no number has."""
    if not number:
        return _("Enter the certificate number printed on the certificate.")
    if len(number) > CERTIFICATE_NUMBER_MAX:
        return _("A certificate number has at most %(max)s characters.") % {"max": CERTIFICATE_NUMBER_MAX}
    if not _CERTIFICATE_NUMBER.fullmatch(number):
        return _("A certificate number has only letters, digits and dashes, like HX2026-AA-0001.")
    return None


def verification_state(certificate, today: dt.date) -> str:
    """What the public verification page says: lapsed or revoked as recorded; a valid title is
    `expired` after its last day and `not_yet_valid` before its first."""
    if certificate.status != Certificate.Status.VALID:
        return certificate.status
    if certificate.valid_until < today:
        return "expired"
    if certificate.issued_on > today:
        return "not_yet_valid"
    return "valid"


# Figures ------------------------------------------------------------------------------------------


def percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def needed_for_target(total: int, target_pct: float) -> int:
    """Enterprises to certify for the coverage target (the rule set's `coverage_target`)."""
    return math.ceil(total * target_pct / 100 - 1e-9)
