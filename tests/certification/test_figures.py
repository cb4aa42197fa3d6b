"""Certification figures: each enterprise counts once, at its highest valid title; coverage is
certified operating enterprises over operating enterprises, against the rule set's target."""

import datetime as dt

from django.utils import timezone

from apps.certification import selectors
from apps.certification.models import Application, Certificate
from apps.core.principal import principal_for_user
from tests.factories import EnterpriseFactory


def _title(enterprise, cert_round, code, number, *, issued_days_ago=30, status=Certificate.Status.VALID):
    rs = cert_round.rule_set
    level = rs.levels.get(code=code)
    app = Application.objects.create(
        round=cert_round, rule_set=rs, enterprise=enterprise, target_level=level, status="certified"
    )
    issued = timezone.localdate() - dt.timedelta(days=issued_days_ago)
    cert = Certificate.objects.create(
        number=number,
        application=app,
        enterprise=enterprise,
        level=level,
        round=cert_round,
        issuer=rs.issuer,
        issued_on=issued,
        valid_until=issued + dt.timedelta(days=1000),
    )
    Certificate.objects.filter(pk=cert.pk).update(status=status)
    return cert


def test_an_enterprise_counts_once_at_its_highest_level(cert_round, cert_admin):
    climber, holder, revoked = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
    EnterpriseFactory()  # operating, not certified
    EnterpriseFactory(status="closed")  # not counted at all
    _title(climber, cert_round, "A", "HX-T-1", issued_days_ago=400)
    _title(climber, cert_round, "AA", "HX-T-2")
    _title(holder, cert_round, "A", "HX-T-3")
    _title(revoked, cert_round, "A", "HX-T-4", status=Certificate.Status.REVOKED)

    figures = selectors.certification_figures(principal_for_user(cert_admin))

    assert [(row["level__code"], row["n"]) for row in figures["by_level"]] == [("A", 1), ("AA", 1)]
    assert figures["total"] == 4 and figures["certified"] == 2
    assert figures["coverage"] == 50.0
    assert figures["target"] == 90.0
    assert figures["meets_target"] is False
    assert figures["gap"] == 2  # 90 % of 4 operating enterprises is 3.6: 4 needed, 2 held


def test_next_level_is_one_above_the_valid_title(cert_round):
    """The create form suggests the next rung of the ladder (selectors.next_level)."""
    rs = cert_round.rule_set
    fresh, holder, top = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
    _title(holder, cert_round, "A", "HX-N-1")
    _title(top, cert_round, "AAA", "HX-N-2")
    assert selectors.next_level(fresh, rs).code == "A"
    assert selectors.next_level(holder, rs).code == "AA"
    assert selectors.next_level(top, rs) is None
