"""The daily alerts: one notification per enterprise with contracts expiring within 30 days,
workers without a written contract after one month and open-ended contracts due, to that
enterprise's HR only, in each recipient's language, once a day; the Celery task runs the job.
The daily expiry survives a contract that cannot expire."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.contracts import selectors, services, tasks
from apps.contracts.models import AlertLog, LabourContract
from apps.contracts.services import lifecycle
from apps.core.principal import SYSTEM
from apps.notifications.models import Notification
from config.celery import BEAT_SCHEDULE
from tests.factories import EnterpriseFactory, user_with_role

from .conftest import row

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NOTHING = {"enterprises": 0, "recipients": 0}


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def fixed(enterprise, n, start, end, *, employment_start=None, signed_on=None, **extra):
    """A fixed-term filing row without probation, `start`/`end` as days from today."""
    return row(
        enterprise,
        n,
        employment_start=day(employment_start if employment_start is not None else start),
        start=day(start),
        end=day(end),
        signed_on=day(signed_on if signed_on is not None else start),
        probation_end="",
        contract_number=f"HT-{enterprise.uscc[-4:]}-{n}-{start}",
        **extra,
    )


def file(*rows):
    result = services.file_batch(SYSTEM, list(rows), source=LabourContract.Source.IMPORT)
    assert not result.errors, result.errors
    return result.created


@pytest.fixture
def park(ent_a, ent_b, policy):
    """A: one contract expiring in 10 days, one expired two months ago (lapsed), one signed ten
    months late (double wages), one second consecutive fixed term ending in 40 days (open-ended
    due). B: one clean contract running for two more years."""
    file(
        fixed(ent_a, 1, -700, 10),
        fixed(ent_a, 2, -800, -60),
        fixed(ent_a, 3, -400, 700, signed_on=-100),
        fixed(ent_a, 4, -1500, -751),
    )
    file(fixed(ent_a, 4, -750, 40, employment_start=-1500))
    file(fixed(ent_b, 5, -30, 700))
    services.expire_contracts(TODAY)
    return ent_a, ent_b


class Inbox:
    """The notifications sent since the last look."""

    def __init__(self):
        self.seen = set(Notification.objects.values_list("pk", flat=True))

    def new(self):
        rows = list(Notification.objects.exclude(pk__in=self.seen).select_related("recipient"))
        self.seen |= {n.pk for n in rows}
        return rows


def test_the_figures_are_the_books(park):
    ent_a, ent_b = park
    assert selectors.alert_figures(TODAY) == {
        ent_a.pk: {"expiring_30": 1, "without_contract": 2, "open_ended_due": 1}
    }
    book = selectors.contract_book(SYSTEM, ent_a, TODAY)["counts"]
    assert {k: book[k] for k in selectors.ALERT_KEYS} == selectors.alert_figures(TODAY)[ent_a.pk]
    assert all(
        v == 0 for k, v in selectors.contract_book(SYSTEM, ent_b, TODAY)["counts"].items() if k != "in_force"
    )


def test_hr_of_the_enterprise_get_one_message_with_the_three_counts(park, ent_hr_a, ent_hr_b, park_admin):
    ent_a, _ent_b = park
    english_hr = user_with_role(Role.ENTERPRISE_HR, ent_a.organisation, language="en")
    gone = user_with_role(Role.ENTERPRISE_HR, ent_a.organisation, is_active=False)
    inbox = Inbox()

    assert services.send_contract_alerts(TODAY) == {"enterprises": 1, "recipients": 2}

    sent = inbox.new()
    assert {n.recipient for n in sent} == {ent_hr_a, english_hr}  # not B's HR, the admin, the inactive
    assert gone not in {n.recipient for n in sent}
    assert all(n.link == reverse("enterprises:detail", args=[ent_a.pk]) + "#contracts" for n in sent)
    english = next(n for n in sent if n.recipient == english_hr)
    assert english.title == f"Labour contracts of {ent_a.name} need attention"
    assert english.body.splitlines()[:3] == [
        "Contracts expiring within 30 days: 1",
        "Workers without a written contract after one month (劳动合同法第八十二条): 2",
        "Open-ended contracts due (劳动合同法第十四条): 1",
    ]
    chinese = next(n for n in sent if n.recipient == ent_hr_a)
    assert ent_a.name in chinese.title
    assert [line[-1] for line in chinese.body.splitlines()[:3]] == ["1", "2", "1"]
    log = AlertLog.objects.get()
    assert (log.enterprise_id, log.day) == (ent_a.pk, TODAY)
    assert log.counts == {"expiring_30": 1, "without_contract": 2, "open_ended_due": 1}


def test_a_second_run_the_same_day_sends_nothing_the_next_day_again(park, ent_hr_a):
    inbox = Inbox()
    assert services.send_contract_alerts(TODAY)["enterprises"] == 1
    assert len(inbox.new()) == 1
    assert services.send_contract_alerts(TODAY) == NOTHING
    assert inbox.new() == [] and AlertLog.objects.count() == 1

    tomorrow = TODAY + dt.timedelta(days=1)
    assert services.send_contract_alerts(tomorrow) == {"enterprises": 1, "recipients": 1}
    assert len(inbox.new()) == 1 and AlertLog.objects.count() == 2


def test_an_enterprise_with_nothing_to_report_gets_nothing(ent_b, ent_hr_b, policy):
    file(fixed(ent_b, 5, -30, 700))
    inbox = Inbox()
    assert selectors.alert_figures(TODAY) == {}
    assert services.send_contract_alerts(TODAY) == NOTHING
    assert inbox.new() == [] and not AlertLog.objects.exists()


def test_terminated_and_renewed_contracts_are_not_reported(ent_a, ent_hr_a, policy):
    (ending,) = file(fixed(ent_a, 1, -700, 10))
    services.terminate(SYSTEM, ending, terminated_on=TODAY, reason="协商一致解除")
    (first,) = file(fixed(ent_a, 2, -700, 20))
    file(fixed(ent_a, 2, 21, 1000, employment_start=-700, signed_on=0))  # renews the first
    first.refresh_from_db()
    assert first.status == LabourContract.Status.RENEWED
    inbox = Inbox()
    assert services.send_contract_alerts(TODAY) == NOTHING
    assert inbox.new() == []


def test_an_enterprise_without_an_hr_user_is_not_logged(park):
    inbox = Inbox()
    assert services.send_contract_alerts(TODAY) == NOTHING
    assert inbox.new() == [] and not AlertLog.objects.exists()


def test_the_figures_take_a_few_queries_however_many_enterprises(policy):
    enterprises = [EnterpriseFactory() for _ in range(8)]
    for n, enterprise in enumerate(enterprises):
        file(
            fixed(enterprise, n, -700, 10 + n),
            fixed(enterprise, 100 + n, -800, -60),
            fixed(enterprise, 200 + n, -900, -401),
        )
        file(fixed(enterprise, 200 + n, -400, 20 + n, employment_start=-900))  # second fixed term: due
    services.expire_contracts(TODAY)
    with CaptureQueriesContext(connection) as queries:
        figures = selectors.alert_figures(TODAY)
    assert set(figures) == {e.pk for e in enterprises}
    assert all(f == {"expiring_30": 2, "without_contract": 1, "open_ended_due": 1} for f in figures.values())
    assert len(queries) <= 6, [q["sql"][:80] for q in queries]


def test_the_celery_task_runs_the_job(park, ent_hr_a):
    assert tasks.send_alerts() == {"enterprises": 1, "recipients": 1}
    assert tasks.send_alerts() == NOTHING
    assert tasks.send_alerts.name == "contracts.send_alerts"
    assert BEAT_SCHEDULE["contracts-send-alerts"]["task"] == tasks.send_alerts.name
    assert list(BEAT_SCHEDULE).index("contracts-send-alerts") > list(BEAT_SCHEDULE).index("contracts-expire")
    assert tasks.send_alerts.delay().get() == NOTHING


# The daily expiry ------------------------------------------------------------------------------------


def test_a_contract_that_cannot_expire_does_not_stop_the_others(ent_a, policy, monkeypatch, caplog):
    """Each contract expires in its own transaction: one terminated after the job listed it is
    refused by the table, one whose expiry fails halfway is rolled back; both are logged and
    counted, and the others expire."""
    first, second, third = file(
        fixed(ent_a, 1, -400, -10), fixed(ent_a, 2, -400, -5), fixed(ent_a, 3, -400, -1)
    )
    listed, real_transition = selectors.due_to_expire, lifecycle.transition

    def listed_then_terminated(today):
        contracts = listed(today)
        # Another request files the second one's termination once the job has listed it.
        LabourContract.objects.filter(pk=second.pk).update(status=LabourContract.Status.TERMINATED)
        return contracts

    def fails_on_the_third(contract, *args, **kwargs):
        done = real_transition(contract, *args, **kwargs)
        if contract.pk == third.pk:
            raise RuntimeError("the database went away")
        return done

    monkeypatch.setattr(selectors, "due_to_expire", listed_then_terminated)
    monkeypatch.setattr(lifecycle, "transition", fails_on_the_third)
    assert services.expire_contracts(TODAY) == {"expired": 1, "failed": 2}
    statuses = dict(LabourContract.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "expired", second.pk: "terminated", third.pk: "in_force"}
    assert not third.history.filter(action="expire").exists()
    assert (
        f"contract {second.pk} not expired" in caplog.text
        and f"contract {third.pk} not expired" in caplog.text
    )
    # The next run expires what is left.
    monkeypatch.undo()
    assert services.expire_contracts(TODAY) == {"expired": 1, "failed": 0}
    assert LabourContract.objects.get(pk=third.pk).status == "expired"


def test_the_expiry_moves_the_cockpits_group_of_its_contracts(ent_a, policy):
    """The cockpit keeps its signing rate per (town, industry) group of enterprises: the expiry
    moves the group's topic on, so the figure is counted again; the groups of many enterprises
    are one look-up, one topic per group."""
    from django.core.cache import cache

    from apps.core.cache import _generation_key

    file(fixed(ent_a, 1, -400, -10), fixed(ent_a, 2, -400, -5))
    topic = selectors.group_topic(ent_a.town_id, ent_a.industry)
    before = cache.get(_generation_key(topic))
    assert services.expire_contracts(TODAY) == {"expired": 2, "failed": 0}
    assert cache.get(_generation_key(topic)) not in (None, before)
    same_group = EnterpriseFactory(town=ent_a.town, industry=ent_a.industry)
    with CaptureQueriesContext(connection) as ctx:
        assert selectors.group_topics([ent_a.pk, same_group.pk, None]) == [topic]
    assert len(ctx.captured_queries) == 1
