"""Retention of registry imports (issue 14, finding 3; docs/security.md "Personal data"): the
upload is read in memory and never stored as a file, but a batch keeps its good rows (contact
names, phones, e-mails) until it is written. Past IMPORT_FILE_RETENTION_HOURS the beat job
discards batches never confirmed (audited) and cuts the rows of finished ones down to their row
number, code, name and action, so the report's counts stay."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.core.principal import principal_for_user
from apps.enterprises import importing, tasks
from apps.enterprises.models import ImportBatch
from tests.factories import TownFactory, valid_uscc

from .test_import import enterprise_row, xlsx_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(db):
    return TownFactory(name="雒容镇", code="450271100")


@pytest.fixture
def admin(park_admin):
    return principal_for_user(park_admin)


def _age(batch, hours):
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now() - dt.timedelta(hours=hours))


def _contacts(batch) -> str:
    batch.refresh_from_db()
    return str(batch.rows)


def test_finished_batches_lose_their_contacts_but_keep_their_counts(admin, town, settings):
    settings.IMPORT_FILE_RETENTION_HOURS = 24
    batch = importing.validate_file(xlsx_upload([enterprise_row(valid_uscc(), "甲企业")]), admin)
    importing.confirm_import(admin, batch)
    before = importing.summary(ImportBatch.objects.get(pk=batch.pk))
    assert "0772-1234567" in _contacts(batch) and "李娜" in _contacts(batch)

    assert tasks.purge_import_rows() == {"discarded": 0, "purged": 0}  # not yet 24 h old
    _age(batch, 25)
    assert tasks.purge_import_rows() == {"discarded": 0, "purged": 1}

    assert "0772-1234567" not in _contacts(batch) and "李娜" not in _contacts(batch)
    assert importing.summary(ImportBatch.objects.get(pk=batch.pk)) == before
    assert AuditEvent.objects.filter(
        action="enterprises.import_rows_purged", object_id=str(batch.pk)
    ).exists()
    _age(batch, 25)
    assert tasks.purge_import_rows() == {"discarded": 0, "purged": 0}  # idempotent


def test_a_batch_never_confirmed_is_discarded_after_the_retention(admin, town, settings):
    settings.IMPORT_FILE_RETENTION_HOURS = 24
    waiting = importing.validate_file(xlsx_upload([enterprise_row(valid_uscc(), "乙企业")]), admin)
    fresh = importing.validate_file(xlsx_upload([enterprise_row(valid_uscc(), "丙企业")]), admin)
    _age(waiting, 30)

    assert tasks.purge_import_rows()["discarded"] == 1
    waiting.refresh_from_db()
    fresh.refresh_from_db()
    assert waiting.status == ImportBatch.Status.DISCARDED and fresh.status == ImportBatch.Status.VALIDATED
    assert AuditEvent.objects.filter(
        action="enterprises.import_discarded", object_id=str(waiting.pk)
    ).exists()
    _age(waiting, 30)
    assert tasks.purge_import_rows()["purged"] == 1
    assert "0772-1234567" not in _contacts(waiting)
