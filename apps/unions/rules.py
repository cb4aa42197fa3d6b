"""Rules from law for unions, collective contracts and workers' congresses, each with its source.
Pure functions: services refuse with them, selectors and pages explain with them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

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
