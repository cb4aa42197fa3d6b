"""The rules of labour-dispute mediation fixed by national law, each with its source, and the
few numbers of platform policy (marked as such); the calculations on them (the clocks, the
collective threshold, the limitation warning, the payment-order rule, the access code's hash).

The law's rules are constants in code, not park policy (domain guide §5); the pages and the API
show the source next to every refusal or warning. Nothing here writes: services, selectors,
workflow and pages all read the same answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from apps.core import personal_data
from apps.core.calendar import PERIOD_END_SOURCE, Deadline, DeadlineUnit, on_working_day

from .models import Agreement, Case

#: The vocabulary of dispute types is stored by the models; its source is here.
from .models import DisputeType as DisputeType

LDMAL = "劳动争议调解仲裁法"

DISPUTE_TYPE_SOURCE = f"{LDMAL}第二条"

#: LDMAL art. 7 / 企业劳动争议协商调解规定: a dispute of 10 or more workers with a common claim is a
#: collective dispute; they may elect 3 to 5 representatives.
COLLECTIVE_THRESHOLD = 10
REPRESENTATIVES_MIN, REPRESENTATIVES_MAX = 3, 5
COLLECTIVE_SOURCE = f"{LDMAL}第七条"
#: A collective dispute that led to a mass incident (因劳动争议引发群体性事件) is a veto event of
#: harmony certification (the park's rule set, veto catalogue "mass_incident"); the platform
#: records the incident on the case and certification proposes the veto event from it.
MASS_INCIDENT_SOURCE = "和谐劳动关系企业认定一票否决事项：因劳动争议引发群体性事件"

#: The organisation decides to accept or refuse within 3 working days of receipt
#: (企业劳动争议协商调解规定 art. 20: 应当在3个工作日内受理).
DECISION_PERIOD = Deadline(3, DeadlineUnit.WORKING_DAYS, "企业劳动争议协商调解规定第二十条")

#: LDMAL art. 14 (3): no agreement within 15 days of the organisation receiving the application,
#: either party may apply for arbitration. Calendar days; the day of receipt is not counted
#: (民法典 art. 201).
MEDIATION_PERIOD = Deadline(15, DeadlineUnit.CALENDAR_DAYS, f"{LDMAL}第十四条")
#: 人民法院在线调解规则 / 最高人民法院关于人民法院特邀调解的规定 art. 20: entrusted pre-litigation
#: mediation runs 30 days.
COURT_MEDIATION_PERIOD = Deadline(
    30, DeadlineUnit.CALENDAR_DAYS, "最高人民法院关于人民法院特邀调解的规定第二十条"
)
EXTENSION_SOURCE = f"{LDMAL}第十四条；企业劳动争议协商调解规定第二十六条"
#: 企业劳动争议协商调解规定 art. 26: with both parties' consent the period may be extended by at
#: most 15 days in all. Court-entrusted mediation has no such cap when both parties agree
#: (最高人民法院关于人民法院特邀调解的规定 art. 20).
MAX_EXTENSION_DAYS = 15

#: LDMAL art. 27: one year from when the right was known to be infringed; unpaid wages during
#: employment may be claimed until one year after the employment ends.
LIMITATION_YEARS = 1
LIMITATION_SOURCE = f"{LDMAL}第二十七条"
#: Warn this many days before the limitation period ends (platform policy).
LIMITATION_WARNING_DAYS = 30

#: After an agreement: joint request to the arbitration commission within 15 days
#: (劳动人事争议仲裁办案规则 art. 74 / 企业劳动争议协商调解规定 art. 27), judicial confirmation
#: within 30 days (民事诉讼法 art. 205; 人民调解法 art. 33).
ARBITRATION_CONFIRMATION_PERIOD = Deadline(
    15, DeadlineUnit.CALENDAR_DAYS, "劳动人事争议仲裁办案规则第七十四条"
)
JUDICIAL_CONFIRMATION_PERIOD = Deadline(30, DeadlineUnit.CALENDAR_DAYS, "民事诉讼法第二百零五条")
#: LDMAL art. 16: an unpaid agreement on wages, work-injury medical costs, economic compensation or
#: damages lets the worker apply to a court for a payment order.
PAYMENT_ORDER_KINDS = frozenset({"wages", "injury_medical", "compensation", "damages"})
PAYMENT_ORDER_SOURCE = f"{LDMAL}第十六条"
AGREEMENT_SOURCE = f"{LDMAL}第十四条"
ORAL_APPLICATION_SOURCE = f"{LDMAL}第十二条"


# Platform policy (no law behind these numbers; each says why it is what it is) -------------------

#: The largest amount in yuan a claim, an agreement item or a payment may state (the columns'
#: precision: 12 digits and 2 decimals).
MAX_AMOUNT = Decimal("999999999999.99")
#: Applicants listed by name on one application; a larger collective dispute gives the number of
#: workers involved instead.
MAX_APPLICANTS = 200
#: The largest document a mediator may attach to a case.
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
#: Access codes avoid look-alike characters (0/O, 1/I/L) so they can be read out on the phone.
ACCESS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACCESS_CODE_LENGTH = 8
#: Channels each kind of principal may register: staff take walk-in, phone, court-entrusted,
#: inspection and 12345 hotline cases (a work order forwarded on paper or by phone); district systems send court-entrusted, inspection and 12345 hotline cases
#: (with `mediation:write` or `mediation:intake`: the scope limits what a client may do with a case
#: afterwards, not where the case comes from); the public applies online only (LDMAL art. 12: in
#: writing or orally; the online form is a written application).
STAFF_CHANNELS = (
    Case.Channel.WALK_IN,
    Case.Channel.PHONE,
    Case.Channel.COURT,
    Case.Channel.INSPECTION,
    Case.Channel.HOTLINE,
)
API_CHANNELS = (Case.Channel.COURT, Case.Channel.INSPECTION, Case.Channel.HOTLINE)
#: Channels whose cases always carry the sender's reference (platform policy): a 12345 referral is a
#: work order with its number, and the number is what makes sending it again safe (one case per
#: channel and reference).
REFERENCE_REQUIRED_CHANNELS = (Case.Channel.HOTLINE,)

#: Withdrawing is the applicant's own act. Mediation rests on the parties' free will: a party may
#: accept, refuse or ask to end mediation (人民调解法第三条、第二十三条第二项; 企业劳动争议协商调解规定
#: 第六条: 自愿); a party unwilling to mediate goes to arbitration (劳动争议调解仲裁法第五条). Neither
#: the organisation nor a district system may withdraw for the applicant: a district system only
#: passes on the applicant's own request, stating how and when it was made (services.close).
WITHDRAW_SOURCE = "人民调解法第二十三条；企业劳动争议协商调解规定第六条；劳动争议调解仲裁法第五条"


# Calculations --------------------------------------------------------------------------------------


def access_code_hash(code: str) -> str:
    """The stored form of an access code: an HMAC with the platform's personal-data key, of the
    code as read out on the phone (case, spaces and dashes do not matter)."""
    normal = (code or "").strip().upper().replace(" ", "").replace("-", "")
    return hmac.new(
        personal_data.hash_key(), f"mediation-access:{normal}".encode(), hashlib.sha256
    ).hexdigest()


def check_access_code(case: Case, code: str) -> bool:
    """Whether `code` is the case's access code (compared in constant time)."""
    return hmac.compare_digest(case.access_code_hash, access_code_hash(code))


def period_for(channel: str) -> Deadline:
    """The mediation period of a case received through `channel`: 30 days for court-entrusted
    cases (特邀调解规定 art. 20), else 15 days (LDMAL art. 14)."""
    return COURT_MEDIATION_PERIOD if channel == Case.Channel.COURT else MEDIATION_PERIOD


def clocks(received_on: dt.date, channel: str) -> tuple[dt.date, dt.date]:
    """(accept-or-refuse by, mediation deadline) for an application received on `received_on`:
    3 working days (企业劳动争议协商调解规定 art. 20) and 15 calendar days, 30 for court-entrusted
    cases (LDMAL art. 14; 特邀调解规定 art. 20). The day of receipt is not counted (民法典 art. 201);
    a calendar-day period whose last day is a holiday or rest day ends on the next working day
    (民法典 art. 203, `Deadline`)."""
    return DECISION_PERIOD.due(received_on).date, period_for(channel).due(received_on).date


def base_due_on(case: Case) -> dt.date:
    """The deadline without extensions: the mediation period from the day the current
    organisation received the case (`clock_starts_on`; a transfer restarts it)."""
    return period_for(case.channel).due(case.clock_starts_on).date


def latest_extension(case: Case) -> dt.date:
    """The latest deadline an extension may set outside court-entrusted mediation: the period
    plus MAX_EXTENSION_DAYS, counted from the same day and ending on a working day (企业劳动争议协商
    调解规定 art. 26; 民法典 art. 203)."""
    period = period_for(case.channel)
    return (
        Deadline(period.days + MAX_EXTENSION_DAYS, period.unit, EXTENSION_SOURCE)
        .due(case.clock_starts_on)
        .date
    )


def extension_days_used(case: Case) -> int:
    """Days the deadline has been extended beyond `base_due_on` (capped by MAX_EXTENSION_DAYS
    except for court-entrusted cases)."""
    return max(0, (case.due_on - base_due_on(case)).days)


def is_collective(workers_count: int, common_claim: bool) -> bool:
    """LDMAL art. 7: 10 or more workers with a common claim."""
    return bool(common_claim) and workers_count >= COLLECTIVE_THRESHOLD


def _add_years(day: dt.date, years: int) -> dt.date:
    return day + relativedelta(years=years)


def limitation(case: Case, applicants=None, types=None) -> dict | None:
    """The limitation warning for an application (LDMAL art. 27), or None.

    One year from the day the worker knew the right was infringed; for labour remuneration owed
    during employment, until one year after the employment ended (no limit while it lasts).
    `applicants` and `types` default to the case's own (its prefetched relations).
    Returns {"level": "near"|"past", "ends_on", "message", "source"}."""
    applicants = list(case.applicants.all()) if applicants is None else applicants
    types = {t.code for t in case.types.all()} if types is None else set(types)
    on = case.received_on
    ends: list[tuple[dt.date, bool]] = []  # (end, is the wage rule)
    other_types = types - {DisputeType.REMUNERATION}
    if case.infringed_on and (other_types or not types):
        ends.append((_add_years(case.infringed_on, LIMITATION_YEARS), False))
    if DisputeType.REMUNERATION in types:
        ended = [a.employed_until for a in applicants if a.employed_until]
        if ended and len(ended) == len(applicants):
            ends.append((_add_years(min(ended), LIMITATION_YEARS), True))
        elif not other_types and case.infringed_on is None:
            return None
    if not ends:
        return None
    end, wage_rule = min(ends)
    end = on_working_day(
        end
    ).date  # a year ending on a holiday ends on the next working day (民法典 art. 203)
    if on > end:
        level = "past"
        message = _("The application came after the one-year limitation period ended on %(date)s.")
    elif (end - on).days <= LIMITATION_WARNING_DAYS:
        level = "near"
        message = _(
            "The one-year limitation period ends on %(date)s; tell the applicant to apply for arbitration in time if mediation fails."
        )
    else:
        return None
    message = message % {"date": end}
    if wage_rule:
        message += " " + _("For wages owed during employment the year runs from the end of the employment.")
    return {
        "level": level,
        "ends_on": end,
        "message": message,
        "source": f"{LIMITATION_SOURCE}；{PERIOD_END_SOURCE}",
    }


def payment_order_eligible(agreement: Agreement) -> bool:
    """LDMAL art. 16: items on wages, work-injury medical costs, economic compensation or damages
    let the worker apply to a court for a payment order if the agreement is not performed."""
    return any(item.kind in PAYMENT_ORDER_KINDS for item in agreement.items.all())
