"""Rules from law for unions, collective contracts and workers' congresses, each with its source.
Pure functions: services refuse with them, selectors and pages explain with them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from apps.core.i18n import lazy_format

#: 集体合同规定 art. 36: adopted with at least 2/3 of the representatives present and more than
#: half of all representatives approving.
VOTE_SOURCE = _("Provisions on Collective Contracts art. 36")
#: art. 42: filed with the labour administration within 10 days of signing.
FILING_DAYS = 10
FILING_SOURCE = _("Provisions on Collective Contracts art. 42")
#: art. 47: effective if no objection within 15 days of the administration receiving it.
REVIEW_DAYS = 15
REVIEW_SOURCE = _("Provisions on Collective Contracts art. 47")
#: art. 38: term generally 1 to 3 years.
MAX_TERM_YEARS = 3
TERM_SOURCE = _("Provisions on Collective Contracts art. 38")
#: art. 40: within 3 months before expiry either party may ask to renegotiate: remind then.
RENEWAL_NOTICE_DAYS = 90
RENEWAL_SOURCE = _("Provisions on Collective Contracts art. 40")
#: 企业民主管理规定 (2012) art. 17: a workers' congress needs 2/3 of the representatives present.
CONGRESS_QUORUM_SOURCE = _("Provisions on Democratic Management of Enterprises art. 17")


@dataclass(frozen=True)
class VoteResult:
    adopted: bool
    quorum: bool
    majority: bool


def vote_result(total: int, present: int, approving: int) -> VoteResult:
    """≥ 2/3 of all representatives present, and more than 1/2 of all approving (integers, exact)."""
    quorum = total > 0 and present * 3 >= total * 2
    majority = total > 0 and approving * 2 > total
    return VoteResult(quorum and majority, quorum, majority)


def congress_quorate(total: int, present: int) -> bool:
    return total > 0 and present * 3 >= total * 2


def effective_date(filed_on: dt.date) -> dt.date:
    """15 calendar days after filing (art. 47: 自收到文本之日起15日内未提出异议的，即行生效)."""
    return filed_on + dt.timedelta(days=REVIEW_DAYS)


def filing_due(signed_on: dt.date) -> dt.date:
    return signed_on + dt.timedelta(days=FILING_DAYS)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def is_filed(contract) -> bool:
    """Filed and not objected to: the HR bureau holds the text, which can no longer change."""
    return bool(contract.filed_on and contract.objection_on is None)


# --- A contract's attendance agrees with the congress meeting that adopted it (issue 17) ------------

#: 集体合同规定（劳动和社会保障部令第22号）第三十六条: the draft goes to the workers' congress (or all
#: workers), adopted with at least two thirds present and more than half of all approving. The
#: attendance on the contract is that meeting's attendance: it cannot say more (or fewer) were
#: present than the meeting's record. Same article as the vote (VOTE_SOURCE).
ATTENDANCE_SOURCE = VOTE_SOURCE
#: The figures of a contract that must be the adopting meeting's, paired with the meeting's field.
ATTENDANCE_FIELDS = (
    ("representatives_total", "representatives_total"),
    ("representatives_present", "representatives_present"),
)


def meeting_link_errors(meeting, *, enterprise_id, signed_on: dt.date | None) -> dict[str, list]:
    """Why `meeting` (a WorkersCongress or anything with enterprise_id and held_on) cannot be the
    meeting that adopted a contract of `enterprise_id` signed on `signed_on`: it must be the same
    enterprise's congress, held on or before the signing date. {} when it can."""
    if meeting.enterprise_id != enterprise_id:
        return {"congress": [_("This workers' congress meeting belongs to another enterprise.")]}
    if signed_on is not None and meeting.held_on > signed_on:
        return {
            "congress": [
                _(
                    "The workers' congress meeting of %(held)s is after the signing date %(signed)s: "
                    "a contract is adopted by a meeting held before it is signed (%(source)s)."
                )
                % {"held": meeting.held_on, "signed": signed_on, "source": ATTENDANCE_SOURCE}
            ]
        }
    return {}


def attendance_errors(figures: dict, meeting, *, linked: bool) -> dict[str, list]:
    """Each of the contract's attendance figures (`figures`: field -> int) that contradicts the
    meeting's, with a message naming the meeting's figures. `linked` says whether the meeting is
    the contract's linked one (else: the meeting recorded on the signing date, and the message
    suggests linking it). {} when they agree."""
    wrong = [
        name
        for name, meeting_field in ATTENDANCE_FIELDS
        if figures.get(name) is not None and figures[name] != getattr(meeting, meeting_field)
    ]
    if not wrong:
        return {}
    values = {
        "held": meeting.held_on,
        "present": meeting.representatives_present,
        "total": meeting.representatives_total,
        "source": ATTENDANCE_SOURCE,
    }
    if linked:
        message = _(
            "The workers' congress meeting of %(held)s that adopted the contract had %(present)d of "
            "%(total)d representatives present; the contract's figures must be the meeting's (%(source)s)."
        )
    else:
        message = _(
            "A workers' congress meeting is recorded on the signing date, %(held)s, with %(present)d of "
            "%(total)d representatives present: link it as the adopting meeting, or correct the figures "
            "(%(source)s)."
        )
    return {name: [message % values] for name in wrong}


def adopting_meeting_figures(meeting) -> dict:
    """The attendance figures a contract takes from its adopting meeting."""
    return {name: getattr(meeting, meeting_field) for name, meeting_field in ATTENDANCE_FIELDS}


# New forms of employment (新就业形态劳动者, issue 19) ------------------------------------------------

#: 人力资源社会保障部等八部门《关于维护新就业形态劳动者劳动保障权益的指导意见》(人社部发〔2021〕56号)
#: part 1 (2): where the situation establishes a labour relationship the enterprise signs a labour
#: contract; where it does not fully establish one but the enterprise manages the work (不完全符合确立
#: 劳动关系情形), the enterprise and the worker sign a written agreement fixing their rights and
#: duties; a person running their own business through the platform (个人依托平台自主开展经营活动) is
#: governed by civil law.
RELATIONSHIP_SOURCE = lazy_format(
    _("Guiding Opinions on the Labour Rights of Workers in New Forms of Employment (%(number)s) part 1 (2)"),
    number="人社部发〔2021〕56号",
)
#: Trade Union Law (工会法, 2021) art. 3: workers whose main income is their wage have the right to
#: join a union, and unions adapt to the changing forms of employment; art. 11: joint unions of
#: several small units, and industry unions of one or several related trades.
JOIN_RIGHT_SOURCE = _("Trade Union Law art. 3")
JOINABLE_UNION_SOURCE = _("Trade Union Law art. 11")
#: 《中国工会章程》 chapter 1 (members): a member belongs to one union organisation at a time; the
#: membership moves with the work (transfer = leave one, join the other).
ONE_MEMBERSHIP_SOURCE = _("Constitution of the Chinese Trade Unions, chapter 1")

#: Union kinds a platform worker may join: a joint union or an industry union (工会法第十一条), or the
#: federation directly where neither exists yet (the ACFTU's drives to enrol the new forms of
#: employment enrol workers first and organise the union after).
JOINABLE_UNION_KINDS = ("joint", "industry", "federation")


@dataclass(frozen=True)
class RelationshipRule:
    code: str
    #: What the platform company owes under the status (the 56号文's three situations).
    obligation: object
    #: Which body of law governs the relationship.
    governed_by: object
    source: object


RELATIONSHIP_RULES = {
    "labour_contract": RelationshipRule(
        "labour_contract",
        _("The enterprise signs a written labour contract with the worker."),
        _("Labour Contract Law"),
        RELATIONSHIP_SOURCE,
    ),
    "not_fully": RelationshipRule(
        "not_fully",
        _(
            "The enterprise manages the work without a full labour relationship: it signs a written "
            "agreement with the worker fixing their rights and duties (pay, hours, rest, safety)."
        ),
        _("Written agreement; minimum pay, working time and occupational-injury protection apply"),
        RELATIONSHIP_SOURCE,
    ),
    "independent": RelationshipRule(
        "independent",
        _("The person runs their own business through the platform: civil law governs the relationship."),
        _("Civil Code"),
        RELATIONSHIP_SOURCE,
    ),
}


def relationship_rule(code: str) -> RelationshipRule:
    """The rule of a labour-relationship status; KeyError for an unknown code."""
    return RELATIONSHIP_RULES[code]


def may_join(union_kind: str, union_active: bool) -> tuple[bool, object | None, object | None]:
    """Whether a platform worker may join a union of this kind: (ok, reason, source)."""
    if not union_active:
        return False, _("This union is no longer active."), None
    if union_kind not in JOINABLE_UNION_KINDS:
        return (
            False,
            _(
                "A platform worker joins a joint union, an industry union or the federation; an "
                "enterprise union organises the workers of its own enterprise (%(source)s)."
            )
            % {"source": JOINABLE_UNION_SOURCE},
            JOINABLE_UNION_SOURCE,
        )
    return True, None, None


def membership_dates_error(joined_on: dt.date | None, today: dt.date) -> object | None:
    if joined_on is None:
        return _("Enter the date of joining.")
    if joined_on > today:
        return _("The date of joining cannot be in the future.")
    return None


def leave_date_error(joined_on: dt.date, left_on: dt.date | None, today: dt.date) -> object | None:
    if left_on is None:
        return _("Enter the date of leaving.")
    if left_on > today:
        return _("The date of leaving cannot be in the future.")
    if left_on < joined_on:
        return _("The date of leaving is before the date of joining (%(joined)s).") % {"joined": joined_on}
    return None


def year_end(year: int, today: dt.date) -> dt.date:
    """The day a year's membership figures are counted on: 31 December, or today in the current year."""
    return min(dt.date(year, 12, 31), today)
