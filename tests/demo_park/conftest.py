"""The demo park, seeded once for every test of this package.

`seed_demo` takes about half a minute; each of these tests used to run it on its own. Here it runs
once, inside a transaction that stays open for the package and is rolled back at its end. Each test
still runs in its own savepoint (pytest-django's `db`), so what a test writes, including a second
`seed_demo` run, is undone before the next one. Tests of this package must not use
`transactional_db` or `live_server` (their flush would empty the park for the tests after them).
"""

import io

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="package")
def _demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(autouse=True)
def _media_root(settings, _demo_media):
    """The files the demo park wrote (signed contracts, PDFs) stay readable in every test."""
    settings.MEDIA_ROOT = _demo_media


@pytest.fixture(autouse=True)
def _no_session_touch(settings):
    """The session is written once a minute to keep its idle clock (SESSION_TOUCH_INTERVAL): on a
    loaded machine a loop of pages can pass the minute, and the measured page of a query budget
    would then count that write. Not here: these tests count the pages' own queries;
    tests/accounts/test_session_lifetime.py tests the touch."""
    settings.SESSION_TOUCH_INTERVAL = 24 * 60 * 60


@pytest.fixture(scope="package")
def demo_output(django_db_setup, django_db_blocker, _demo_media):
    """What the first `seed_demo` run printed; the park stays in the database for the package."""
    from django.conf import settings

    before = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = _demo_media
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            settings.MEDIA_ROOT = before


@pytest.fixture
def demo_park(demo_output, db):
    return demo_output
