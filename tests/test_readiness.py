"""/readyz: the primary database and the cache, each named in the answer (the read
replicas are in tests/test_replicas.py)."""

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE_REDIS = {
    "default": {
        # Production's cache, which fails open for requests but not for /readyz.
        "BACKEND": "catalog.cache.FailOpenRedisCache",
        # A real client against a port nothing listens on, not a mock.
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.django_db
def test_readyz_answers_200_with_each_check(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database:default": "ok", "cache": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_answers_503_naming_an_unreachable_cache(client):
    with override_settings(CACHES=UNREACHABLE_REDIS):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["failed"] == ["cache"]
    assert body["checks"]["database:default"] == "ok"
    assert body["checks"]["cache"].startswith("unreachable: ")


@pytest.mark.django_db
@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_readyz_round_trips_through_a_real_redis(client):
    real = {
        "default": {
            "BACKEND": "catalog.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        }
    }
    with override_settings(CACHES=real):
        response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["cache"] == "ok"


def test_readyz_answers_503_naming_an_unreachable_database():
    probe = (
        "from django.test import Client; r = Client().get('/readyz'); "
        "print(r.status_code, ','.join(r.json()['failed']))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", probe],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
            "PGCONNECT_TIMEOUT": "2",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.split() == ["503", "database:default"], result.stderr


@pytest.mark.django_db
def test_readyz_refuses_writes(client):
    assert client.post("/readyz").status_code == 405
