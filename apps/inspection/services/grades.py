"""The yearly credit grade (守法诚信等级, 企业劳动保障守法诚信等级评价办法; domain guide §7): for
every enterprise, the facts of the year from the platform's records (selectors.arrears.credit_facts,
one query per kind of fact), the grade from the policy's rule (`rules.credit_grade` on
`InspectionPolicy.credit_rule`, policy data the park edits in the admin), stored with the facts
that decided it, each with its record and date, by one bulk upsert. Idempotent: computing a year
again gives the same grades (and follows a changed rule or new records)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from apps.audit import services as audit

from .. import rules, selectors
from ..models import CreditGrade
from ..selectors import arrears as arrears_selectors
from ._common import _today

#: Rows written per INSERT ... ON CONFLICT statement.
BATCH = 1000


def compute_credit_grades(year: int, today: dt.date | None = None) -> int:
    """Compute and store the credit grades of `year` (the platform acts; the daily job runs the
    current year). The rule is the policy in force at the end of the year, or today while the year
    runs. Returns the number of grades written."""
    today = today or _today()
    policy = selectors.policy_in_force(min(today, dt.date(year, 12, 31)))
    rule = policy.credit_rule or rules.DEFAULT_CREDIT_GRADE_RULE
    facts = arrears_selectors.credit_facts(year)
    rows = []
    for enterprise_id in arrears_selectors.graded_enterprise_ids(facts):
        kept = [
            {**fact, "label": rules.credit_fact_label(fact["code"])} for fact in facts.get(enterprise_id, [])
        ]
        rows.append(
            CreditGrade(
                enterprise_id=enterprise_id,
                year=year,
                grade=rules.credit_grade([f["code"] for f in kept], rule),
                facts=kept,
                computed_on=today,
                policy=None if policy._state.adding else policy,  # the defaults are not a row
            )
        )
    with transaction.atomic():
        for start in range(0, len(rows), BATCH):
            CreditGrade.objects.bulk_create(
                rows[start : start + BATCH],
                update_conflicts=True,
                unique_fields=["enterprise", "year"],
                update_fields=["grade", "facts", "computed_on", "policy", "updated_at"],
            )
        audit.record(
            "inspection.compute_credit_grades",
            None,
            after={
                "year": year,
                "grades": len(rows),
                "policy": "" if policy._state.adding else str(policy.effective_from),
            },
        )
    return len(rows)
