"""Legal aid's rules: the deadlines the union's policy sets, the access code, the limits of input.

The deadlines are [POLICY] data (`LegalAidPolicy`, kept in the admin from a date): the law sets
none for a union's own legal aid (工会法第二十二条 makes the union help and support workers in
labour disputes; 法律援助法第六十八条 lets people's organisations such as unions give legal aid
to their members and workers). Working days follow the official calendar (apps.core.calendar).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from decimal import Decimal

from apps.core import personal_data
from apps.core.calendar import Deadline, DeadlineUnit

from .models import LegalAidPolicy

#: Why the union gives legal aid at all.
UNION_SOURCE = "工会法第二十二条；法律援助法第六十八条"
#: Consent to processing the worker's personal data, and sensitive data (the ID number).
CONSENT_SOURCE = "个人信息保护法第十三条、第二十八条、第二十九条"
#: The policy's name as the source of its deadlines.
POLICY_SOURCE = "工会法律援助办理规定（园区政策）"

ACCESS_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ACCESS_CODE_LENGTH = 10
SERIAL_PREFIX = "FY"

MAX_TEXT = 4000
MAX_AMOUNT = Decimal("99999999.99")

#: The defaults when the park has set no policy (an unsaved policy).
DEFAULT_DECISION_DAYS = 5
DEFAULT_CLOSE_DAYS = 90


def default_policy() -> LegalAidPolicy:
    return LegalAidPolicy(
        effective_from=dt.date(2000, 1, 1),
        decision_days=DEFAULT_DECISION_DAYS,
        close_days=DEFAULT_CLOSE_DAYS,
        source=POLICY_SOURCE,
    )


def decision_period(policy: LegalAidPolicy) -> Deadline:
    return Deadline(policy.decision_days, DeadlineUnit.WORKING_DAYS, policy.source or POLICY_SOURCE)


def close_period(policy: LegalAidPolicy) -> Deadline:
    return Deadline(policy.close_days, DeadlineUnit.CALENDAR_DAYS, policy.source or POLICY_SOURCE)


def decision_due(policy: LegalAidPolicy, received_on: dt.date) -> dt.date:
    """The last day to decide: `decision_days` working days after the day of receipt."""
    return decision_period(policy).due(received_on).date


def close_due(policy: LegalAidPolicy, accepted_on: dt.date) -> dt.date:
    """The day an accepted request should be closed by."""
    return close_period(policy).due(accepted_on).date


def is_decision_overdue(status: str, decision_due_on: dt.date | None, today: dt.date) -> bool:
    return status == "received" and decision_due_on is not None and decision_due_on < today


def access_code_hash(code: str) -> str:
    """The stored form of an access code: an HMAC with the platform's personal-data key, of the
    code as read out on the phone (case, spaces and dashes do not matter)."""
    normal = (code or "").strip().upper().replace(" ", "").replace("-", "")
    return hmac.new(
        personal_data.hash_key(), f"legalaid-access:{normal}".encode(), hashlib.sha256
    ).hexdigest()


def check_access_code(stored_hash: str, code: str) -> bool:
    return hmac.compare_digest(stored_hash, access_code_hash(code))


def normal_serial(value: str) -> str:
    return (value or "").strip().upper()[:20]
