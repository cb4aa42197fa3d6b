"""The demo park's harmony certification (seed_demo): rounds, a ladder of titles, the current round
in every status, notices, objections, veto events, and data the services would accept."""

import datetime as dt
import hashlib
import io
import re
from collections import Counter

from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.utils import timezone

from apps.certification import rules, selectors, services
from apps.certification.models import (
    AnnualReport,
    Application,
    ApplicationHistory,
    Certificate,
    Evidence,
    GroupMember,
    ItemScore,
    Objection,
    PublicNotice,
    Round,
    VetoEvent,
)
from apps.certification.workflow import WORKFLOW
from apps.core import personal_data
from apps.enterprises.models import Enterprise

S = Application.Status
MODELS = (
    Round,
    PublicNotice,
    Application,
    ApplicationHistory,
    ItemScore,
    GroupMember,
    Evidence,
    Certificate,
    AnnualReport,
    Objection,
    VetoEvent,
)


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def _held_levels(today):
    """The level each titled enterprise holds (selectors.held_certificate), counted."""
    ids = Certificate.objects.valid_on(today).values_list("enterprise", flat=True).distinct()
    return Counter(
        selectors.held_certificate(e, today).level.code for e in Enterprise.objects.filter(pk__in=ids)
    )


def test_rounds_titles_notices_and_the_hr_draft(demo_park):
    today = timezone.localdate()
    assert "Certification:" in demo_park and "titles held: " in demo_park

    # Three closed rounds and the current one, open today.
    rounds = list(Round.objects.order_by("year"))
    assert len(rounds) == 4
    current = rounds[-1]
    assert current.is_open(today)
    assert [r.name for r in rounds] == [f"{current.year - n}年度" for n in (3, 2, 1, 0)]
    assert all(r.closes_on < today for r in rounds[:3])
    assert current.opens_on <= today - relativedelta(months=8) + dt.timedelta(days=31)
    assert current.closes_on >= today + dt.timedelta(weeks=5)

    # Applications in every status in the current round; the closed rounds' all certified.
    assert set(Application.objects.filter(round=current).values_list("status", flat=True)) == set(S.values)
    assert set(Application.objects.exclude(round=current).values_list("status", flat=True)) == {S.CERTIFIED}

    # Titles held at each level, roughly the shape of seed 000 for 200 enterprises.
    held = _held_levels(today)
    assert 30 <= held["A"] <= 40
    assert 14 <= held["AA"] <= 20
    assert 20 <= held["AAA"] <= 30

    # One revoked title, one lapsed for an overdue report, the expired ones lapsed.
    assert Certificate.objects.filter(status=Certificate.Status.REVOKED).count() == 1
    overdue = Certificate.objects.filter(status=Certificate.Status.LAPSED, end_reason__contains="年度报告")
    assert overdue.count() == 1
    assert overdue.get().reports.filter(submitted_at__isnull=True, due_on__lt=overdue.get().ended_on).exists()
    assert not Certificate.objects.filter(status=Certificate.Status.VALID, valid_until__lt=today).exists()

    # One running notice with the in-notice applications, ending as the rule set says.
    running = PublicNotice.objects.get(starts_on__lte=today, ends_on__gte=today)
    assert running.round == current and running.closed_at is None
    assert running.starts_on >= today - dt.timedelta(days=5)
    assert running.ends_on == rules.notice_period(current.rule_set, running.starts_on)[0]
    assert set(running.applications.values_list("status", flat=True)) == {S.IN_NOTICE}
    assert running.applications.count() == Application.objects.filter(status=S.IN_NOTICE).count()
    # Its PDF and one certificate's are rendered; the other certificates have none.
    assert running.document and running.document.status == "ready"
    assert Certificate.objects.filter(document__status="ready").count() == 1
    assert Certificate.objects.filter(document__isnull=True).count() == Certificate.objects.count() - 1
    # One closed notice of the current round, its applications certified.
    closed = PublicNotice.objects.get(round=current, closed_at__isnull=False)
    assert set(closed.applications.values_list("status", flat=True)) == {S.CERTIFIED}

    # Exactly one open objection, on an application of the running notice.
    objection = Objection.objects.get(status=Objection.Status.OPEN)
    assert objection.application.notice == running
    assert personal_data.PHONE_RE.match(objection.phone)

    # Two veto events of the certification demo: one outside the look-back window, one recent on an
    # untitled enterprise (the inspection demo's listings add their own, linked to the listing).
    events = list(VetoEvent.objects.filter(object_id="").order_by("occurred_on"))
    assert len(events) == 2
    old, recent = events
    assert not selectors.vetoes_in_window(old.enterprise, current.rule_set, today)
    assert old.enterprise.established_on < old.occurred_on
    assert selectors.vetoes_in_window(recent.enterprise, current.rule_set, today)
    assert selectors.held_certificate(recent.enterprise, today) is None
    rejected = Application.objects.get(enterprise=recent.enterprise, round=current)
    assert rejected.status == S.REJECTED and "一票否决" in rejected.history.get(action="reject").reason

    # Evidence files are stored and match their hashes.
    for purpose in Evidence.Purpose.values:
        ev = Evidence.objects.filter(purpose=purpose).first()
        with ev.file.open("rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == ev.sha256

    # The demo HR user's enterprise: eligible, no title, a draft for level A.
    hr_enterprise = Enterprise.objects.get(organisation__memberships__user__username="hr")
    assert hr_enterprise == Enterprise.objects.order_by("name").first()
    assert selectors.held_certificate(hr_enterprise, today) is None
    draft = Application.objects.get(enterprise=hr_enterprise)
    assert draft.status == S.DRAFT and draft.target_level.code == "A"
    assert draft.round.is_open(today) and draft.created_by.username == "hr"
    problems = selectors.submission_problems(draft)
    assert "enterprise" not in problems and "target_level" not in problems
    assert set(problems) <= {"scores", "evidence", "group", "disclosure"}

    before = _counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Certification: nothing new" in out.getvalue()
    assert _counts() == before


def test_demo_data_agrees_with_the_rules(demo_park):
    today = timezone.localdate()
    now = timezone.now()
    current = Round.objects.order_by("-year").first()

    for app in Application.objects.select_related(
        "round", "rule_set", "enterprise", "target_level", "proposed_level", "notice"
    ):
        # The history follows the lifecycle table from draft to the status, in time order.
        status, last = S.DRAFT, app.created_at
        for h in app.history.order_by("at"):
            t = WORKFLOW.get(h.action)
            assert (h.from_status, h.to_status) == (status, t.target) and status in t.sources
            assert last <= h.at <= now
            status, last = h.to_status, h.at
        assert status == app.status
        # What was submitted could be submitted on that day (the ladder of closed rounds is
        # checked below: titles that have since lapsed no longer count as held).
        if app.submitted_at:
            problems = selectors.submission_problems(app, on=timezone.localdate(app.submitted_at))
            if app.round != current:
                problems.pop("target_level", None)
            assert problems == {}, (app.status, app.round.name, problems)
        # From the proposal on, every item reviewed and the level's cut-off reached.
        if app.status in (S.PROPOSED, S.IN_NOTICE, S.CERTIFIED):
            assert not app.scores.filter(review_score__isnull=True).exists()
            assert app.proposed_level == rules.level_reached(app) == app.target_level
            assert app.reviewed_score >= app.proposed_level.min_score
        if app.status in (S.IN_NOTICE, S.CERTIFIED):
            assert app.notice and app.notice.starts_on <= today
        if app.status == S.CERTIFIED:
            assert app.certificate.issued_on == app.notice.ends_on + dt.timedelta(days=1)

    # Certificates: numbered like services._next_number, valid for the rule set's years, the
    # ladder climbed one level at a time after the wait.
    for cert in Certificate.objects.select_related("level", "round", "application", "enterprise"):
        assert re.fullmatch(rf"HX{cert.round.year}-{cert.level.code}-\d{{4}}", cert.number)
        assert cert.valid_until == cert.issued_on + relativedelta(years=3) - dt.timedelta(days=1)
        assert cert.issued_on <= today and cert.reports.count() == 2
        if cert.level.rank > 1:
            below = Certificate.objects.filter(enterprise=cert.enterprise, level__rank=cert.level.rank - 1)
            submitted = timezone.localdate(cert.application.submitted_at)
            assert below.filter(issued_on__lte=submitted - relativedelta(months=12)).exists()
        if cert.status != Certificate.Status.VALID:
            assert cert.history.get().to_status == cert.status and cert.ended_on <= today

    # The daily jobs find nothing to do: no report overdue, no notice over and left open.
    assert services.lapse_titles(today) == 0
    assert services.close_notices(today) == {"certified": 0, "rejected": 0, "waiting": 0}
