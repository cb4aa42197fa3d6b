"""Law about enterprises as the registry holds them: pure constants and predicates (as Q
objects over the registry's tables), each with its source."""

from decimal import Decimal, InvalidOperation

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Status

#: Trade Union Law (工会法) art. 11: 企业、事业单位、社会组织，有会员二十五人以上的，应当建立基层工会委员会.
UNION_COMMITTEE_THRESHOLD = 25
UNION_COMMITTEE_SOURCE = _("Trade Union Law art. 11")

#: Covered by an active grassroots union (its own or a joint union) in the union registry.
HAS_UNION = Q(union_coverage__union__is_active=True)
#: Has its own active enterprise union committee.
HAS_OWN_UNION = Q(union_coverage__union__is_active=True, union_coverage__union__kind="enterprise")
#: An operating enterprise with 25 or more union members (latest survey) and no union committee of
#: its own: it must set one up.
NEEDS_UNION = (
    Q(status=Status.OPERATING)
    & Q(latest_survey__union_members__gte=UNION_COMMITTEE_THRESHOLD)
    & ~HAS_OWN_UNION
)


# --- The yearly survey against the platform's records (issue 17 item 3, domain guide §9) -------------

#: A self-reported labour-contract signing rate disagrees with the contract book's when the two
#: differ by more than this many percentage points. The survey states the rate on its own date, the
#: book today; hiring and leaving move the book's rate a little in between, so only a gap larger
#: than that is a disagreement (the issue's example: 99.6 % reported against 89.6 % in the book).
SIGNING_RATE_TOLERANCE = Decimal("2.0")
#: Union members and employees reported disagree with the union register / the enterprise registry
#: when they differ by more than this share of the record's figure (at least one person): the
#: survey counts people on its own date, the records today.
HEADCOUNT_TOLERANCE_PERCENT = Decimal("5")
#: The enterprise registry's employee count, added to the facts by the survey's selector (the
#: enterprises module is the registry; the agreed fact codes of apps/core/facts.py hold none).
REGISTRY_EMPLOYEES = "enterprises.employees"

#: Survey field -> the fact code it is checked against.
SURVEY_FACTS = {
    "has_union": "unions.has_union",
    "union_members": "unions.members",
    "contract_signing_rate": "contracts.signing_rate",
    "collective_contract": "unions.collective_contract",
    "wage_bargaining": "unions.wage_agreement",
    "workers_congress": "unions.congress_held",
    "employees": REGISTRY_EMPLOYEES,
}


def _fact_value(facts: dict, code: str):
    """The value of a fact given either as a `Fact` (apps.core.facts) or as a bare value."""
    fact = facts.get(code)
    return getattr(fact, "value", fact)


def _number(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _count(value) -> str:
    """A head count as the platform shows it (1,366)."""
    return f"{int(value):,}" if isinstance(value, int | Decimal) else str(value)


def _headcount_differs(answer, record) -> bool:
    allowed = max(Decimal(1), abs(record) * HEADCOUNT_TOLERANCE_PERCENT / 100)
    return abs(answer - record) > allowed


def survey_disagreements(answers: dict, facts: dict) -> dict[str, str]:
    """Which survey answers disagree with the platform's records, and what the records say.

    `answers`: survey field -> answer (only the fields present are checked). `facts`: fact code ->
    `Fact` or bare value (`collect_facts` plus `REGISTRY_EMPLOYEES`). Returns field -> a message
    naming the record's value ("The platform holds a registered union (720 members)."). A fact
    whose value is None (the platform cannot tell) never disagrees; neither does an empty answer.
    Tolerances: SIGNING_RATE_TOLERANCE, HEADCOUNT_TOLERANCE_PERCENT."""
    marks: dict[str, str] = {}
    members = _fact_value(facts, "unions.members")

    if "has_union" in answers and answers["has_union"] is not None:
        record = _fact_value(facts, "unions.has_union")
        if record is not None and bool(answers["has_union"]) != bool(record):
            if record and members is not None:
                marks["has_union"] = _("The platform holds a registered union (%(members)s members).") % {
                    "members": _count(members)
                }
            elif record:
                marks["has_union"] = _("The platform holds a registered union.")
            else:
                marks["has_union"] = _("The platform holds no active union covering this enterprise.")

    answer = _number(answers.get("union_members"))
    record = _number(members)
    if answer is not None and record is not None and _headcount_differs(answer, record):
        marks["union_members"] = _("The union register holds %(members)s members.") % {
            "members": _count(members)
        }

    answer = _number(answers.get("contract_signing_rate"))
    record = _number(_fact_value(facts, "contracts.signing_rate"))
    if answer is not None and record is not None and abs(answer - record) > SIGNING_RATE_TOLERANCE:
        marks["contract_signing_rate"] = _(
            "The contract book shows a signing rate of %(rate)s %% (more than %(tolerance)s points apart)."
        ) % {"rate": record, "tolerance": SIGNING_RATE_TOLERANCE}

    # (fact, held, not held): with the fact's date when it has one ("on 2025-12-31").
    yes_no = {
        "collective_contract": (
            "unions.collective_contract",
            _("The platform holds a comprehensive collective contract in force%(on)s."),
            _("The platform holds no comprehensive collective contract in force%(on)s."),
        ),
        "wage_bargaining": (
            "unions.wage_agreement",
            _("The platform holds a wage special agreement in force%(on)s."),
            _("The platform holds no wage special agreement in force%(on)s."),
        ),
        "workers_congress": (
            "unions.congress_held",
            _("The platform holds a workers' congress meeting with quorum in the 12 months%(to)s."),
            _("The platform holds no workers' congress meeting with quorum in the 12 months%(to)s."),
        ),
    }
    for name, (code, held, not_held) in yes_no.items():
        if name not in answers or answers[name] is None:
            continue
        record = _fact_value(facts, code)
        if record is not None and bool(answers[name]) != bool(record):
            as_of = getattr(facts.get(code), "as_of", None)
            dates = {
                "on": _(" on %(date)s") % {"date": as_of.isoformat()} if as_of else "",
                "to": _(" to %(date)s") % {"date": as_of.isoformat()} if as_of else "",
            }
            marks[name] = (held if record else not_held) % dates

    answer = _number(answers.get("employees"))
    registry = _fact_value(facts, REGISTRY_EMPLOYEES)
    record = _number(registry)
    if answer is not None and record is not None and _headcount_differs(answer, record):
        marks["employees"] = _("The enterprise registry holds %(employees)s employees.") % {
            "employees": _count(registry)
        }

    return {name: str(message) for name, message in marks.items()}
