"""The daily job: applications not decided within 3 working days are reminded once, cases past
their mediation deadline are flagged once (again after an extension runs out), and the Celery task
runs it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.mediation import services, tasks
from apps.mediation.models import Case
from apps.notifications.models import Notification
from config.celery import BEAT_SCHEDULE

from .conftest import accepted, p

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = dt.date
TODAY = timezone.localdate()
NOTHING = {"reminded": 0, "flagged": 0}


@pytest.fixture
def walk_in(make_case):
    def make(received_on, **data) -> Case:
        case, _code = make_case(channel=Case.Channel.WALK_IN, received_on=received_on, **data)
        return case

    return make


class Inbox:
    """The notifications sent since the last look."""

    def __init__(self):
        self.seen = set(Notification.objects.values_list("pk", flat=True))

    def new(self):
        rows = list(Notification.objects.exclude(pk__in=self.seen).select_related("recipient"))
        self.seen |= {n.pk for n in rows}
        return rows


def test_an_undecided_application_is_reminded_once(walk_in, mediator_user, mediator_b_user, park_admin):
    case = walk_in(D(2026, 9, 30))
    assert case.decision_due_on == D(2026, 10, 10)
    inbox = Inbox()
    assert services.flag_overdue(today=D(2026, 10, 10)) == NOTHING
    assert inbox.new() == []

    assert services.flag_overdue(today=D(2026, 10, 11)) == {"reminded": 1, "flagged": 0}
    sent = inbox.new()
    assert {n.recipient for n in sent} == {mediator_user, park_admin}  # not the other organisation
    assert all(case.serial in n.title and "2026-10-10" in n.title for n in sent)
    assert all(n.link == reverse("mediation:detail", args=[case.pk]) for n in sent)
    assert Case.objects.get(pk=case.pk).decision_reminded_on == D(2026, 10, 11)

    assert services.flag_overdue(today=D(2026, 10, 12)) == NOTHING
    assert services.flag_overdue(today=D(2026, 10, 11)) == NOTHING
    assert inbox.new() == []


def test_a_transfer_restarts_the_reminder(walk_in, mediator_user, mediator_b_user, med_org_b):
    case = walk_in(D(2026, 9, 1))
    assert services.flag_overdue(today=D(2026, 9, 10))["reminded"] == 1
    case = services.transfer(p(mediator_user), case, to_organisation=med_org_b, reason="移交")
    assert case.decision_reminded_on is None
    inbox = Inbox()
    assert services.flag_overdue(today=case.decision_due_on) == NOTHING
    assert services.flag_overdue(today=case.decision_due_on + dt.timedelta(days=1))["reminded"] == 1
    assert mediator_b_user in {n.recipient for n in inbox.new()}


def test_a_case_past_its_deadline_is_flagged_once(walk_in, mediator_user, mediator_b_user, park_admin):
    case = accepted(walk_in(D(2026, 9, 1)), mediator_user)
    assert case.due_on == D(2026, 9, 16)
    inbox = Inbox()
    assert services.flag_overdue(today=D(2026, 9, 16)) == NOTHING

    assert services.flag_overdue(today=D(2026, 9, 17)) == {"reminded": 0, "flagged": 1}
    sent = inbox.new()
    recipients = {n.recipient for n in sent}
    assert {mediator_user, park_admin} <= recipients and mediator_b_user not in recipients
    assert len(sent) == len(recipients)  # one notification per person
    assert all(case.serial in n.title and "2026-09-16" in n.title for n in sent)
    assert all("劳动争议调解仲裁法第十四条" in n.body for n in sent)
    assert Case.objects.get(pk=case.pk).overdue_notified_on == D(2026, 9, 17)
    assert AuditEvent.objects.for_object(case).filter(action="mediation.flag_overdue").count() == 1

    assert services.flag_overdue(today=D(2026, 9, 18)) == NOTHING
    assert services.flag_overdue(today=D(2026, 10, 30)) == NOTHING
    assert inbox.new() == []
    assert AuditEvent.objects.for_object(case).filter(action="mediation.flag_overdue").count() == 1


def test_after_an_extension_the_case_is_flagged_again_when_the_new_date_passes(
    walk_in, mediator_user, park_admin
):
    case = accepted(walk_in(D(2026, 9, 1)), mediator_user)
    assert services.flag_overdue(today=D(2026, 9, 17))["flagged"] == 1
    case = services.extend(
        p(mediator_user),
        case,
        new_due_on=D(2026, 9, 25),
        applicant_consent_on=D(2026, 9, 15),
        respondent_consent_on=D(2026, 9, 16),
        consent_record="双方签字同意延长至9月25日",
    )
    assert case.overdue_notified_on is None
    inbox = Inbox()
    assert services.flag_overdue(today=D(2026, 9, 25)) == NOTHING
    assert services.flag_overdue(today=D(2026, 9, 26)) == {"reminded": 0, "flagged": 1}
    sent = inbox.new()
    assert {mediator_user, park_admin} <= {n.recipient for n in sent}
    assert all("2026-09-25" in n.title for n in sent)
    assert services.flag_overdue(today=D(2026, 9, 27)) == NOTHING


def test_closed_and_refused_cases_are_never_flagged(walk_in, mediator_user):
    open_case = accepted(walk_in(D(2026, 9, 1)), mediator_user)
    services.close(p(mediator_user), open_case, "close_no_agreement", reason="无法达成一致")
    refused = walk_in(D(2026, 9, 1))
    services.refuse(p(mediator_user), refused, "不属于劳动争议")
    inbox = Inbox()
    assert services.flag_overdue(today=D(2026, 12, 31)) == NOTHING
    assert inbox.new() == []


def test_an_unrouted_application_reminds_the_park(make_case, park_admin, mediator_user):
    case, _code = make_case(
        channel=Case.Channel.WALK_IN,
        received_on=D(2026, 9, 1),
        respondent_enterprise=None,
        respondent_name="园区外某公司",
    )
    assert case.organisation is None
    inbox = Inbox()
    assert services.flag_overdue(today=D(2026, 9, 10))["reminded"] == 1
    assert {n.recipient for n in inbox.new()} == {park_admin}


def test_the_celery_task_runs_the_job(walk_in, mediator_user, park_admin):
    late = accepted(walk_in(TODAY - dt.timedelta(days=20)), mediator_user)
    undecided = walk_in(TODAY - dt.timedelta(days=20))
    walk_in(TODAY)  # not late
    assert tasks.flag_overdue() == {"reminded": 1, "flagged": 1}
    assert tasks.flag_overdue() == NOTHING
    assert Case.objects.get(pk=late.pk).overdue_notified_on == TODAY
    assert Case.objects.get(pk=undecided.pk).decision_reminded_on == TODAY
    assert tasks.flag_overdue.name == "mediation.flag_overdue"
    assert BEAT_SCHEDULE["mediation-flag-overdue"]["task"] == tasks.flag_overdue.name
    assert tasks.flag_overdue.delay().get() == NOTHING
