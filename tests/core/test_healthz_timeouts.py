"""Finding 7 (issue 14): `/healthz` answers 503 within 3 s when the database or the broker is down.

Each case runs the production settings in a child process (the production connection pool, whose
10 s timeout made the probe take 10.8 s), with DATABASE_URL / REDIS_URL pointing at a closed port
or at a port that accepts connections and never answers, and measures the request.
"""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

PROBE = """
import json, sys, time
import django
django.setup()
from django.test import Client
started = time.monotonic()
response = Client().get("/healthz", HTTP_HOST="127.0.0.1")
print(json.dumps({"elapsed": time.monotonic() - started, "status": response.status_code,
                  "body": response.json()}))
"""


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is


@pytest.fixture
def silent_port():
    """A port that completes the TCP handshake (kernel backlog) but never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield s.getsockname()[1]


def _db_url(port: int | None = None) -> str:
    db = settings.DATABASES["default"]
    host, real_port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER'] or 'postgres'}@{host}:{port or real_port}/{db['NAME']}"


def _probe(database_url: str, redis_url: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60,
        "PERSONAL_DATA_KEYS": "6vL0o8WcW2bFQ0ZQ0tM3Zr0dJ8Tt6n7zq6b7HcKz1Xw=",
        "PERSONAL_DATA_HASH_KEY": "h" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://hr.park.example.cn",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


pytestmark = pytest.mark.django_db


def test_healthz_is_fast_and_ok_when_everything_answers():
    result = _probe(_db_url(), settings.REDIS_URL)
    assert result["status"] == 200, result
    assert result["body"]["checks"] == {"database": "ok", "broker": "ok"}
    assert result["elapsed"] < 3


def test_database_on_a_closed_port_gives_503_within_3_seconds():
    result = _probe(_db_url(_closed_port()), settings.REDIS_URL)
    assert result["status"] == 503
    assert result["elapsed"] < 3, result
    assert result["body"]["failed"] == ["database"]
    assert result["body"]["checks"]["database"].startswith("error")
    assert result["body"]["checks"]["broker"] == "ok"


def test_broker_on_a_closed_port_gives_503_within_3_seconds():
    result = _probe(_db_url(), f"redis://127.0.0.1:{_closed_port()}/0")
    assert result["status"] == 503
    assert result["elapsed"] < 3, result
    assert result["body"]["failed"] == ["broker"]
    assert result["body"]["checks"]["database"] == "ok"


def test_both_silent_give_503_within_3_seconds(silent_port):
    """A server that accepts the connection and never answers: only the timeouts end the wait."""
    started = time.monotonic()
    result = _probe(_db_url(silent_port), f"redis://127.0.0.1:{silent_port}/0")
    assert result["status"] == 503, result
    assert result["elapsed"] < 3, result
    assert result["body"]["failed"] == ["broker", "database"]
    assert time.monotonic() - started < 30
