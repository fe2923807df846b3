"""Production mode refuses unsafe settings and passes Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "k3P!q9Zr-w2Lm7Ys^t4Vb8Nc0Hx&j6Gd1Fe5Ua" * 2


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    inherited = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "CACHE_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        (
            {"CATALOG_ENV": "production", "SECRET_KEY": GOOD_SECRET, "DEBUG": "true"},
            "DEBUG is on in production",
        ),
        ({"CATALOG_ENV": "production"}, "production needs SECRET_KEY"),
        (
            {
                "CATALOG_ENV": "production",
                "SECRET_KEY": "django-insecure-alliance-catalog-development-only",
            },
            "production needs SECRET_KEY",
        ),
        ({"CATALOG_ENV": "production", "SECRET_KEY": "short"}, "production needs SECRET_KEY"),
        ({"CATALOG_ENV": "production", "SECRET_KEY": "ab" * 40}, "production needs SECRET_KEY"),
        ({"CATALOG_ENV": "staging"}, "CATALOG_ENV must be"),
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        (
            {"CATALOG_ENV": "production", "SECRET_KEY": GOOD_SECRET, "CACHE_URL": ""},
            "production needs CACHE_URL",
        ),
        (
            {
                "DATABASE_URL": "sqlite:///catalog.sqlite3",
                "DATABASE_REPLICA_URLS": "postgres://reader@127.0.0.1:5433/catalog",
            },
            "DATABASE_REPLICA_URLS names streaming replicas of a PostgreSQL primary",
        ),
        ({"CATALOG_REPLICA_MAX_LAG_SECONDS": "soon"}, "must be a number of seconds"),
        ({"CATALOG_READ_PRIMARY_SECONDS": "-1"}, "must be a number of seconds"),
        (
            {"CATALOG_READ_PRIMARY_SECONDS": "3"},
            "CATALOG_READ_PRIMARY_SECONDS must be at least CATALOG_REPLICA_MAX_LAG_SECONDS",
        ),
    ],
)
def test_unsafe_settings_refuse_to_start(env, reason):
    result = manage("check", **env)
    assert result.returncode != 0
    assert reason in result.stderr


def test_production_passes_the_deployment_checks():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        CATALOG_ENV="production",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="catalog.example.org",
        CACHE_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_demo_accounts_are_refused_in_production():
    result = manage(
        "create_demo_accounts",
        CATALOG_ENV="production",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="catalog.example.org",
        CACHE_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode != 0
    assert "development only" in result.stderr


def test_the_default_sqlite_database_runs_in_wal_mode(tmp_path):
    probe = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    result = manage(
        "shell", "--no-imports", "-c", probe, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"
    )
    assert result.stdout.strip() == "wal", result.stderr
