"""Certification's own facts and risk signals (issue 17, apps/certification/facts.py): the valid
title's level, titles revoked or lapsed in the last 24 months."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from apps.certification import facts
from apps.certification.models import Application, Certificate
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db
S = Certificate.Status


def today():
    return timezone.localdate()


def title(enterprise, cert_round, code, number, *, issued_days_ago=30, status=S.VALID, ended_days_ago=None):
    rs = cert_round.rule_set
    level = rs.levels.get(code=code)
    app = Application.objects.create(
        round=cert_round, rule_set=rs, enterprise=enterprise, target_level=level, status="certified"
    )
    issued = today() - dt.timedelta(days=issued_days_ago)
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
    ended = today() - dt.timedelta(days=ended_days_ago) if ended_days_ago is not None else None
    Certificate.objects.filter(pk=cert.pk).update(status=status, ended_on=ended)
    cert.refresh_from_db()
    return cert


def test_title_fact(cert_round, django_assert_max_num_queries):
    holder, none = EnterpriseFactory(), EnterpriseFactory()
    title(holder, cert_round, "A", "HX-F-1", issued_days_ago=400)
    title(holder, cert_round, "AA", "HX-F-2")
    with django_assert_max_num_queries(1):
        (fact,) = facts.enterprise_facts(holder, today())
    assert fact.code == "certification.title" and fact.value == "AA"
    assert "HX-F-2" in fact.display
    assert fact.url == "/certification/certificates/HX-F-2/"
    assert fact.permission == "certification.view_certificate"
    (empty,) = facts.enterprise_facts(none, today())
    assert empty.value is None


def test_signals(cert_round):
    revoked, lapsed, renewed, old = (EnterpriseFactory() for _i in range(4))
    title(revoked, cert_round, "A", "HX-R-1", status=S.REVOKED, ended_days_ago=10)
    title(lapsed, cert_round, "A", "HX-L-1", status=S.LAPSED, ended_days_ago=20)
    title(renewed, cert_round, "A", "HX-L-2", status=S.LAPSED, ended_days_ago=20)
    title(renewed, cert_round, "A", "HX-V-2")  # holds a valid title again: no signal
    title(old, cert_round, "A", "HX-R-3", status=S.REVOKED, ended_days_ago=800)  # outside 24 months
    with translation.override("en"):
        found = {(s.enterprise_id, s.code): s for s in facts.risk_signals(today())}
    assert set(found) == {
        (revoked.pk, "certification.title_revoked"),
        (lapsed.pk, "certification.title_lapsed"),
    }
    signal = found[(revoked.pk, "certification.title_revoked")]
    assert signal.count == 1 and signal.last_on == today() - dt.timedelta(days=10)
    assert signal.ref_type == "certification.certificate"
    assert signal.url == "/certification/certificates/HX-R-1/"
    assert signal.detail.startswith("Title HX-R-1 revoked on")
    assert {s.enterprise_id for s in facts.risk_signals(today(), [lapsed.pk])} == {lapsed.pk}


def _queries():
    with CaptureQueriesContext(connection) as ctx:
        list(facts.risk_signals(today()))
    return len(ctx.captured_queries)


def test_signal_queries_do_not_grow_with_enterprises(cert_round):
    title(EnterpriseFactory(), cert_round, "A", "HX-Q-0", status=S.REVOKED, ended_days_ago=5)
    title(EnterpriseFactory(), cert_round, "A", "HX-Q-1", status=S.LAPSED, ended_days_ago=5)
    one = _queries()
    for i in range(4):
        title(EnterpriseFactory(), cert_round, "A", f"HX-Q-R{i}", status=S.REVOKED, ended_days_ago=5)
        title(EnterpriseFactory(), cert_round, "A", f"HX-Q-L{i}", status=S.LAPSED, ended_days_ago=5)
    assert _queries() == one
    assert len(list(facts.risk_signals(today()))) == 10
