"""An area-restricted API client with every scope walks every list of the API as an integrator's
nightly sync would (issue 15): the first page, a cursor page where the list has a cursor, and an
incremental page (`updated_since`, `ordering=updated_at`). Every answer is a JSON 200.

The same file runs on SQLite too (`test_the_walk_passes_on_sqlite`, in a subprocess on the
`make run` database engine), because the first bug of issue 15 was a 500 that only SQLite raised.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from apps.accounts.scopes import AUDIT_SCOPE, SCOPES
from config.api import router
from tests.factories import AreaFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _list_paths():
    paths = []
    for _prefix, viewset, basename in router.registry:
        if not hasattr(viewset, "list"):
            continue
        paths.append((basename, reverse(f"v1:{basename}-list"), getattr(viewset, "keyset_ordering", None)))
    return paths


def test_an_area_client_walks_every_list(client, api_client_factory):
    district = AreaFactory(kind="district", code="450271", name="柳东新区")
    AreaFactory(code="450271100", parent=district)
    _, key = api_client_factory(
        name="area-walker", scopes=[s for s in SCOPES if s != AUDIT_SCOPE], area=district
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    paths = _list_paths()
    assert len(paths) >= 15
    for basename, path, keyset in paths:
        if basename == "audit-event":  # the trail is not divided by area: refused with the reason
            response = client.get(path, **auth)
            assert response.status_code == 403 and response.json()["error"]["message"]
            continue
        queries = ["page_size=5", "updated_since=2020-01-01T00:00:00%2B08:00&ordering=updated_at"]
        if keyset:
            queries.append("cursor=&page_size=5")
        for query in queries:
            response = client.get(f"{path}?{query}", **auth)
            assert response.status_code == 200, (
                basename,
                query,
                response.status_code,
                response.content[:300],
            )
            assert response["Content-Type"].startswith("application/json")
            assert "results" in response.json()


@pytest.mark.slow
def test_the_walk_passes_on_sqlite(tmp_path):
    """The walk above and the area client's tests, on SQLite in a subprocess."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'walk.sqlite3'}",
    }
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--create-db",
            "tests/api/test_area_client_walk.py::test_an_area_client_walks_every_list",
            "tests/api/test_area_client.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
