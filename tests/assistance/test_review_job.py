"""The daily job telling the unions of yearly reviews due within 30 days or overdue (once per file
and review cycle; only the file's union's officials)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import translation

from apps.accounts.roles import Role
from apps.assistance import rules, services, tasks
from apps.assistance.models import HardshipFile
from apps.notifications.models import Notification
from tests.factories import user_with_role

from .conftest import TODAY, p

pytestmark = pytest.mark.django_db


def _due(file) -> dt.date:
    """The file's review date (a year after its approval today)."""
    assert file.review_due == rules.review_due(TODAY)
    return file.review_due


def _notes(user, file):
    return Notification.objects.filter(recipient=user, link__contains=str(file.pk))


def test_due_soon_notified_once(approved_file, official_a, english):
    file = approved_file()
    day = _due(file) - dt.timedelta(days=10)
    assert services.notify_reviews_due(day) == 1
    note = _notes(official_a, file).get()
    # In the recipient's language (Chinese by default), whatever the language of the job.
    with translation.override(settings.LANGUAGE_CODE):
        assert note.title == translation.gettext("Hardship file review due")
    assert str(file.review_due) in note.body
    file.refresh_from_db()
    assert file.review_notified_for == file.review_due
    # Idempotent: again the same day, and the next days of the same cycle (also once overdue).
    assert services.notify_reviews_due(day) == 0
    assert services.notify_reviews_due(day + dt.timedelta(days=30)) == 0
    assert _notes(official_a, file).count() == 1


def test_overdue_notified(approved_file, official_a):
    file = approved_file()
    day = _due(file) + dt.timedelta(days=5)
    assert services.notify_reviews_due(day) == 1
    assert services.notify_reviews_due(day) == 0
    assert _notes(official_a, file).count() == 1


def test_daily_task_overdue_once(approved_file, official_a):
    file = approved_file()
    assert tasks.notify_reviews_due.apply().get() == 0  # due in a year
    HardshipFile.objects.filter(pk=file.pk).update(review_due=TODAY - dt.timedelta(days=3))
    assert tasks.notify_reviews_due.apply().get() == 1
    assert tasks.notify_reviews_due.apply().get() == 0
    assert _notes(official_a, file).count() == 1


def test_not_due_yet_nothing(approved_file, official_a):
    file = approved_file()
    day = _due(file) - dt.timedelta(days=rules.REVIEW_NOTICE_DAYS + 1)
    assert services.notify_reviews_due(day) == 0
    assert not _notes(official_a, file).exists()
    file.refresh_from_db()
    assert file.review_notified_for is None
    # The first day within the notice period it is told.
    assert services.notify_reviews_due(day + dt.timedelta(days=1)) == 1


def test_exited_and_unapproved_files_ignored(approved_file, make_file, official_a):
    file = approved_file()
    services.exit_file(p(official_a), file, reason="再就业", exited_on=TODAY)
    draft = make_file()
    assert services.notify_reviews_due(_due(file) + dt.timedelta(days=5)) == 0
    assert not _notes(official_a, file).exists()
    assert not _notes(official_a, draft).exists()


def test_next_review_cycle_notified_again(approved_file, official_a):
    file = approved_file()
    day = _due(file) - dt.timedelta(days=10)
    assert services.notify_reviews_due(day) == 1
    file = services.review(p(official_a), HardshipFile.objects.get(pk=file.pk), reviewed_on=day, today=day)
    assert file.review_due == rules.review_due(day)
    assert services.notify_reviews_due(day) == 0  # the new cycle is a year away
    later = file.review_due - dt.timedelta(days=10)
    assert services.notify_reviews_due(later) == 1
    assert services.notify_reviews_due(later) == 0
    assert _notes(official_a, file).count() == 2


def test_only_the_files_union_officials(approved_file, official_a, official_b, union_a, ent_a):
    second_official = user_with_role(Role.UNION_OFFICIAL, union_a.organisation)
    hr = user_with_role(Role.ENTERPRISE_HR, ent_a.organisation)
    admin = user_with_role(Role.PARK_ADMIN)
    file = approved_file()
    assert services.notify_reviews_due(_due(file)) == 1
    told = set(Notification.objects.filter(link__contains=str(file.pk)).values_list("recipient", flat=True))
    assert told == {official_a.pk, second_official.pk}
    assert not {official_b.pk, hr.pk, admin.pk} & told


def test_files_of_two_unions_each_told_their_own(approved_file, official_a, official_b, ent_b):
    file_a = approved_file()
    file_b = approved_file(enterprise=ent_b, by=official_b)
    assert services.notify_reviews_due(_due(file_a) + dt.timedelta(days=1)) == 2
    assert _notes(official_a, file_a).count() == 1 and not _notes(official_a, file_b).exists()
    assert _notes(official_b, file_b).count() == 1 and not _notes(official_b, file_a).exists()
