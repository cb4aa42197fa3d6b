"""Production settings: refuse unsafe configuration, and pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k8#Vq2!zR9@wL4$pN7^tY1&uB6*eC3(fH5)jM0_sD8+gA2-xZ6=oP4[iU9]rQ1{"
PERSONAL = {
    "PERSONAL_DATA_KEYS": "q5qN0I2cC9b8m1z3i0hQwS7Xb3YpQk8m1kV0yZcQm7U=",
    "PERSONAL_DATA_HASH_KEY": "a-hash-key-of-more-than-thirty-two-characters",
}


def run_manage(*args, **env):
    full_env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": "sqlite:////tmp/deploy-check.sqlite3",
        "ALLOWED_HOSTS": "hr.park.example.cn",
        "SITE_URL": "https://hr.park.example.cn",
        **PERSONAL,
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_the_default_secret_key():
    result = run_manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_personal_data_keys():
    result = run_manage("check", SECRET_KEY=GOOD_KEY, PERSONAL_DATA_KEYS="", PERSONAL_DATA_HASH_KEY="")
    assert result.returncode != 0
    assert "PERSONAL_DATA_KEYS" in result.stderr


def test_production_refuses_debug():
    result = run_manage("check", SECRET_KEY=GOOD_KEY, DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


@pytest.mark.slow
def test_check_deploy_is_clean():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=GOOD_KEY)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_uses_the_psycopg_pool():
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS']['pool'])"
    result = run_manage(
        "shell", "-c", code, SECRET_KEY=GOOD_KEY, DATABASE_URL="postgres://park:park@db.invalid:5432/park"
    )
    assert result.returncode == 0, result.stderr
    assert "max_size" in result.stdout


def test_seed_demo_refuses_production():
    result = run_manage("seed_demo", SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "refuses" in result.stderr


@pytest.mark.django_db
def test_media_files_are_never_served_by_address(client, park_admin, settings):
    """Uploaded files (contract imports, signed contracts, evidence) are served only by the views
    that check the scope: /media/ answers 404 even for a signed-in administrator, in DEBUG too."""
    from pathlib import Path

    settings.DEBUG = True
    media = Path(settings.MEDIA_ROOT) / "contract-imports"
    media.mkdir(parents=True, exist_ok=True)
    (media / "secret.csv").write_text("450205199003070010")
    client.force_login(park_admin)
    assert client.get(f"{settings.MEDIA_URL}contract-imports/secret.csv").status_code == 404
