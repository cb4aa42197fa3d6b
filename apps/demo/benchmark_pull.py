"""The bulk-pull benchmark (`manage.py benchmark_pull`): how fast a district system copies every
labour contract of a district-scale database through the API's cursor (issue 15: 5,000 rows/s or
more on PostgreSQL).

It serves the project with gunicorn under the benchmark settings (as `manage.py benchmark` does),
walks `/api/v1/contracts/?cursor=&page_size=1000` with an API key holding `contracts:read`, one
request after another as a sync job would, following `next` until there is none, and reports rows,
pages, seconds and rows per second. `walk` is the same loop the test suite runs on the demo park
through Django's test client (tests/demo_park/test_benchmark.py).
"""

from __future__ import annotations

import http.client
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings

from apps.accounts.models import ApiClient
from apps.accounts.services import create_api_client

from .benchmark import Gunicorn, machine

#: What a district system asks for its first page of a full pull.
FIRST_PAGE = "/api/v1/contracts/?cursor=&page_size=1000"
#: The issue's target for a full pull on PostgreSQL.
TARGET_ROWS_PER_SECOND = 5000


@dataclass
class Pull:
    rows: int = 0
    pages: int = 0
    seconds: float = 0.0
    slowest_page_ms: float = 0.0
    ids: set = field(default_factory=set)
    duplicates: int = 0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def met(self) -> bool:
        return self.rows_per_second >= TARGET_ROWS_PER_SECOND and not self.duplicates


def walk(fetch: Callable[[str], tuple[int, dict]], first: str = FIRST_PAGE, *, keep_ids: bool = True) -> Pull:
    """Follow `next` from `first` to the end. `fetch(path)` returns (status, decoded JSON); a page
    that is not 200 stops the walk with an error naming it."""
    pull = Pull()
    path = first
    start = time.perf_counter()
    while path:
        page_start = time.perf_counter()
        status, body = fetch(path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}: {str(body)[:300]}")
        pull.slowest_page_ms = max(pull.slowest_page_ms, (time.perf_counter() - page_start) * 1000)
        rows = body["results"]
        pull.rows += len(rows)
        pull.pages += 1
        if keep_ids:
            for row in rows:
                if row["id"] in pull.ids:
                    pull.duplicates += 1
                pull.ids.add(row["id"])
        following = body.get("next")
        if following:
            parts = urlsplit(following)
            path = f"{parts.path}?{parts.query}" if parts.query else parts.path
        else:
            path = None
    pull.seconds = time.perf_counter() - start
    return pull


def run(stdout, *, log=None) -> Pull:
    ApiClient.objects.filter(name="bench-pull").delete()
    _client, key = create_api_client(name="bench-pull", scopes=["contracts:read"])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.benchmark",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json", "Host": "127.0.0.1"}
    with Gunicorn("config.wsgi:application", cwd=settings.BASE_DIR, env=env, log=log) as server:
        # One connection for the whole pull, as an HTTP client library with keep-alive would hold;
        # gunicorn's sync workers close it after each answer, so it is reopened when needed.
        def fetch(path: str) -> tuple[int, dict]:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                raw = response.read()
            finally:
                conn.close()
            return response.status, json.loads(raw)

        fetch(FIRST_PAGE.replace("1000", "1"))  # a warm worker: imports done, connection open
        pull = walk(fetch, keep_ids=True)
    ApiClient.objects.filter(name="bench-pull").delete()
    stdout.write(
        f"Pulled {pull.rows:,} contracts in {pull.pages:,} pages in {pull.seconds:.1f} s: "
        f"{pull.rows_per_second:,.0f} rows/s (target {TARGET_ROWS_PER_SECOND:,}), slowest page "
        f"{pull.slowest_page_ms:.0f} ms, {pull.duplicates} duplicates; {machine()}.\n"
    )
    return pull
