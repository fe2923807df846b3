"""Request ids on every response and log record; JSON logs in production."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_a_sane_request_id_is_kept_and_echoed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a:42.1")
    assert response["X-Request-ID"] == "lb-7f3a:42.1"


@pytest.mark.django_db
@pytest.mark.parametrize("given", [None, "", "a b", "x" * 129, "<script>", "id\u00e9"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(client, given):
    headers = {} if given is None else {"HTTP_X_REQUEST_ID": given}
    response = client.get("/healthz", **headers)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert response["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]


@pytest.mark.django_db
def test_error_responses_carry_the_request_id_too(client):
    response = client.get("/no/such/page", HTTP_X_REQUEST_ID="trace-404")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "trace-404"


def _logs_of(code: str, **env: str) -> list[str]:
    inherited = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "LOG_LEVEL"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.splitlines()


def test_json_logs_name_the_request_on_every_line(tmp_path):
    lines = _logs_of(
        "from django.test import Client; c = Client(); "
        "c.get('/healthz', HTTP_X_REQUEST_ID='probe-42'); "
        "c.get('/no/such/page', HTTP_X_REQUEST_ID='probe-43')",
        CATALOG_LOG_FORMAT="json",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    records = [json.loads(line) for line in lines]
    access = [r for r in records if r["logger"] == "catalog.requests"]
    assert [(r["request_id"], r["status"], r["view"]) for r in access] == [
        ("probe-42", 200, "healthz"),
        ("probe-43", 404, "<unresolved>"),
    ]
    assert all(r["level"] == "INFO" and r["duration_ms"] >= 0 for r in access)
    # Django's own warning about the 404, written inside the request, carries its id.
    warning = next(r for r in records if r["logger"] == "django.request")
    assert warning["request_id"] == "probe-43"
    assert warning["level"] == "WARNING"


def test_text_logs_stay_plain_in_development(tmp_path):
    lines = _logs_of(
        "from django.test import Client; Client().get('/no/such/page', HTTP_X_REQUEST_ID='t-1')",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert lines == ["WARNING django.request [t-1] Not Found: /no/such/page"]


def test_a_mistyped_log_format_stops_the_start():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**os.environ, "CATALOG_LOG_FORMAT": "xml"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "CATALOG_LOG_FORMAT must be 'json' or 'text'" in result.stderr
