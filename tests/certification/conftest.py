"""Fixtures for harmony certification: the default rule set (migration 0002), an open round, and
`build` / `complete` helpers that walk an application through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.accounts.roles import Role
from apps.certification import services
from apps.certification.default_rules import create_default
from apps.certification.models import (
    Application,
    Category,
    Evidence,
    GroupMember,
    Item,
    Level,
    Round,
    RuleSet,
    VetoRule,
)
from apps.core.principal import principal_for_user
from tests.factories import user_with_role

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="evidence.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def rule_set(db):
    """The default rule set of migration 0002 (rebuilt if a transactional test flushed it)."""
    existing = RuleSet.objects.filter(version=1).order_by("year").first()
    return existing or create_default(
        RuleSet, Level, VetoRule, Category, Item, region=settings.PARK_NAME, year=2026
    )


@pytest.fixture
def cert_round(rule_set):
    today = timezone.localdate()
    return Round.objects.create(
        rule_set=rule_set,
        name=f"{today.year}年度",
        year=today.year,
        opens_on=today - dt.timedelta(days=30),
        closes_on=today + dt.timedelta(days=60),
    )


@pytest.fixture
def cert_admin(db):
    return user_with_role(Role.PARK_ADMIN)


@pytest.fixture
def ent_a_old(ent_a):
    """ent_a, established long enough ago and big enough to apply."""
    ent_a.established_on = dt.date(2015, 3, 1)
    ent_a.employees = 120
    ent_a.save()
    return ent_a


def p(user):
    return principal_for_user(user)


def level(rule_set, code):
    return rule_set.levels.get(code=code)


def build(hr, enterprise, cert_round, code="A") -> Application:
    return services.create_application(
        p(hr), enterprise=enterprise, round=cert_round, target_level=level(cert_round.rule_set, code)
    )


def complete(
    app: Application, hr, *, score_ratio=Decimal("0.95"), reps=4, others=2, posted_days=15
) -> Application:
    """Fill every item, evidence where required, a group and a posting that pass the checks."""
    items = Item.objects.filter(category__rule_set=app.rule_set)
    services.save_self_scores(
        p(hr),
        app,
        {str(i.pk): {"score": (i.max_points * score_ratio).quantize(Decimal("0.1"))} for i in items},
    )
    for i in items.filter(evidence_required=True):
        services.add_evidence(p(hr), app, pdf_upload(), purpose=Evidence.Purpose.ITEM, item=i)
    members = [{"name": f"代表{n}", "role": GroupMember.Role.WORKER_REP} for n in range(reps)]
    members += [{"name": f"经理{n}", "role": GroupMember.Role.MANAGEMENT} for n in range(others)]
    services.save_group(p(hr), app, members)
    end = timezone.localdate() - dt.timedelta(days=1)
    services.save_disclosure(
        p(hr),
        app,
        disclosure_method=Application.Disclosure.POSTED,
        posted_from=end - dt.timedelta(days=posted_days - 1),
        posted_to=end,
    )
    app.refresh_from_db()
    return app


def review_all(app: Application, admin, *, ratio=Decimal("0.95")) -> Application:
    items = Item.objects.filter(category__rule_set=app.rule_set)
    services.save_review_scores(
        p(admin), app, {str(i.pk): {"score": (i.max_points * ratio).quantize(Decimal("0.1"))} for i in items}
    )
    app.refresh_from_db()
    return app
