import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_answers_200_with_the_database_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_unreachable():
    # A real unreachable server (nothing listens on port 1), not a mock.
    probe = (
        "from django.test import Client; r = Client().get('/healthz'); "
        "print(r.status_code, r.json()['database'])"
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
    assert result.stdout.split() == ["503", "unreachable"], result.stderr


@pytest.mark.django_db
def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405
