"""Pure rules of worker assistance: the hardship threshold, the yearly review, who may receive aid.

Sources:
- 全国总工会《关于加强困难职工帮扶工作的意见》 / 《全国总工会关于进一步做好困难职工帮扶工作的意见》:
  a worker whose household's monthly income per head is at or under the local threshold (the
  park's policy, `PovertyThreshold`), with a recognised difficulty, is filed (建档); the file is
  reviewed every year (动态管理, 年度复核) and closed when the worker is out of difficulty (脱困).
- The park's policy: the threshold per area and date, kept in the admin.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

#: Who sets the rule that a household at or under the threshold qualifies.
THRESHOLD_SOURCE = "全国总工会《关于加强困难职工帮扶工作的意见》; 园区帮扶政策"
#: The yearly review (动态管理) and the exit (脱困).
REVIEW_SOURCE = "全国总工会《关于加强困难职工帮扶工作的意见》（动态管理，年度复核）"
#: Aid goes to workers on file (在档困难职工) only.
AID_SOURCE = "全国总工会《关于加强困难职工帮扶工作的意见》（在档困难职工帮扶）"

#: Months between two reviews of an approved file.
REVIEW_MONTHS = 12
#: Days before the due date a review shows on the "reviews due" list.
REVIEW_NOTICE_DAYS = 30

CENT = Decimal("0.01")


def income_per_head(household_monthly_income: Decimal, household_size: int) -> Decimal:
    """The household's monthly income divided by its members, to the cent."""
    if household_size < 1:
        raise ValueError("a household has at least one member")
    return (Decimal(household_monthly_income) / household_size).quantize(CENT, rounding=ROUND_HALF_UP)


def qualifies(per_head: Decimal, threshold: Decimal | None) -> bool | None:
    """At or under the threshold (None when no threshold is in effect)."""
    if threshold is None:
        return None
    return Decimal(per_head) <= Decimal(threshold)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    # 29 February a year on is 28 February.
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def review_due(since: dt.date) -> dt.date:
    """A year after the approval or the last review."""
    return add_months(since, REVIEW_MONTHS)


def review_is_due(due: dt.date | None, today: dt.date) -> bool:
    return due is not None and due <= today + dt.timedelta(days=REVIEW_NOTICE_DAYS)


def aid_refusal(status: str, *, exited: bool = False) -> str | None:
    """Why a file in `status` may not receive aid, or None."""
    if status == "approved":
        return None
    if status == "exited" or exited:
        return _("The worker has left the file (out of difficulty): no aid may be paid.")
    return _("Aid is paid only to workers on file: the file is not approved.")
