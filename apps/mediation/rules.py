"""The rules of labour-dispute mediation fixed by national law, each with its source.

These are law, not park policy, so they are constants in code (domain guide §5); the pages and the
API show the source next to every refusal or warning.
"""

from apps.core.calendar import Deadline, DeadlineUnit

#: The vocabulary of dispute types is stored by the models; its source is here.
from .models import DisputeType as DisputeType

LDMAL = "劳动争议调解仲裁法"

DISPUTE_TYPE_SOURCE = f"{LDMAL}第二条"

#: LDMAL art. 7 / 企业劳动争议协商调解规定: a dispute of 10 or more workers with a common claim is a
#: collective dispute; they may elect 3 to 5 representatives.
COLLECTIVE_THRESHOLD = 10
REPRESENTATIVES_MIN, REPRESENTATIVES_MAX = 3, 5
COLLECTIVE_SOURCE = f"{LDMAL}第七条"

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
